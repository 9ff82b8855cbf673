//! Estonian personal identification codes (isikukood, EVS 585:2007).
//!
//! A code is `GYYMMDDSSSC`: `G` gives sex and century, `YYMMDD` the date of
//! birth, `SSS` a serial number and `C` a two-stage check digit. X-Road writes
//! an Estonian person as `EE` + the code; other countries' codes carry their own
//! two-letter prefix and are not validated here.

use chrono::NaiveDate;

/// What a `person` value turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonCode {
    /// A valid Estonian code (without any `EE` prefix).
    Estonian {
        /// The 11 digits.
        code: String,
        /// Date of birth encoded in the code.
        born: NaiveDate,
    },
    /// A foreign code with a two-letter country prefix: accepted unvalidated.
    Foreign {
        /// The two-letter country prefix, upper case.
        country: String,
    },
}

/// Why a value is not a valid personal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeProblem {
    /// Not 11 digits and not a prefixed foreign code.
    #[error("is not 11 digits")]
    Shape,
    /// The first digit is 0 or 9.
    #[error("has an invalid century digit")]
    Century,
    /// `YYMMDD` is not a calendar date.
    #[error("has a date part that is not a calendar date")]
    Date,
    /// The check digit does not match.
    #[error("has a wrong check digit")]
    CheckDigit,
}

const WEIGHTS_1: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1];
const WEIGHTS_2: [u32; 10] = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3];

/// Computes the check digit for the first ten digits of a code.
///
/// First stage: weights `1..9,1`, sum mod 11; if that is 10, second stage with
/// weights `3..9,1,2,3`; if that is 10 again the digit is 0.
pub fn check_digit(first_ten: &[u8; 10]) -> u8 {
    let stage = |weights: &[u32; 10]| -> u32 {
        first_ten
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
    };
    let first = stage(&WEIGHTS_1);
    if first < 10 {
        return first as u8;
    }
    let second = stage(&WEIGHTS_2);
    if second < 10 {
        second as u8
    } else {
        0
    }
}

/// Strips the X-Road `EE` prefix from an Estonian code, so that
/// `EE38001010014` and `38001010014` name the same person.
pub fn normalise(value: &str) -> &str {
    let v = value.trim();
    match v.get(..2) {
        Some(p) if p.eq_ignore_ascii_case("EE") && v.len() == 13 => &v[2..],
        _ => v,
    }
}

/// Validates a `person` value: an Estonian code (optionally `EE`-prefixed)
/// must have a real birth date and the right check digit; a code with any
/// other two-letter country prefix passes unvalidated.
pub fn validate(value: &str) -> Result<PersonCode, CodeProblem> {
    let v = normalise(value);
    let bytes = v.as_bytes();
    if bytes.len() > 2 && bytes[..2].iter().all(u8::is_ascii_alphabetic) {
        let country = v[..2].to_ascii_uppercase();
        if country != "EE" {
            return Ok(PersonCode::Foreign { country });
        }
    }
    if bytes.len() != 11 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(CodeProblem::Shape);
    }
    let digits: Vec<u8> = bytes.iter().map(|b| b - b'0').collect();
    let century = match digits[0] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        7 | 8 => 2100,
        _ => return Err(CodeProblem::Century),
    };
    let two = |i: usize| u32::from(digits[i]) * 10 + u32::from(digits[i + 1]);
    let year = century + two(1) as i32;
    let born = NaiveDate::from_ymd_opt(year, two(3), two(5)).ok_or(CodeProblem::Date)?;
    let mut first_ten = [0u8; 10];
    first_ten.copy_from_slice(&digits[..10]);
    if check_digit(&first_ten) != digits[10] {
        return Err(CodeProblem::CheckDigit);
    }
    Ok(PersonCode::Estonian {
        code: v.to_string(),
        born,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_reference_vectors() {
        for code in [
            "36805280109",
            "46805280103",
            "38112086027",
            "51307149560",
            "30303039914",
            "60001019906",
            "60001017869",
        ] {
            assert!(
                matches!(validate(code), Ok(PersonCode::Estonian { .. })),
                "{code} should be valid"
            );
        }
    }

    #[test]
    fn rejects_the_reference_vectors() {
        assert_eq!(validate("36805280108"), Err(CodeProblem::CheckDigit));
        // 12 Dec 1991 is a real date, so the check digit is what fails.
        assert_eq!(validate("39112120752"), Err(CodeProblem::CheckDigit));
    }

    #[test]
    fn second_stage_and_double_ten_rules() {
        // 46805280103: the first stage gives 10, the second gives 3.
        assert_eq!(check_digit(&[4, 6, 8, 0, 5, 2, 8, 0, 1, 0]), 3);
        // 51307149560: both stages give 10, so the digit is 0.
        assert_eq!(check_digit(&[5, 1, 3, 0, 7, 1, 4, 9, 5, 6]), 0);
    }

    #[test]
    fn date_part_must_be_a_calendar_day() {
        // 29 Feb 1999 does not exist; the check digit is computed to be right,
        // so only the date can fail.
        let mut ten = [3, 9, 9, 0, 2, 2, 9, 0, 0, 0];
        let d = check_digit(&ten);
        let code: String = ten
            .iter()
            .chain([d].iter())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(validate(&code), Err(CodeProblem::Date));
        // 29 Feb 2000 exists.
        ten = [5, 0, 0, 0, 2, 2, 9, 0, 0, 0];
        let d = check_digit(&ten);
        let code: String = ten
            .iter()
            .chain([d].iter())
            .map(|d| d.to_string())
            .collect();
        assert!(validate(&code).is_ok());
    }

    #[test]
    fn century_digit_zero_and_nine_are_invalid() {
        assert_eq!(validate("06805280109"), Err(CodeProblem::Century));
        assert_eq!(validate("96805280109"), Err(CodeProblem::Century));
    }

    #[test]
    fn shapes_and_prefixes() {
        assert_eq!(validate("3680528010"), Err(CodeProblem::Shape));
        assert_eq!(validate("3680528010x"), Err(CodeProblem::Shape));
        assert_eq!(validate(""), Err(CodeProblem::Shape));
        assert!(matches!(
            validate("EE36805280109"),
            Ok(PersonCode::Estonian { ref code, .. }) if code == "36805280109"
        ));
        assert_eq!(validate("EE36805280108"), Err(CodeProblem::CheckDigit));
        assert_eq!(
            validate("LV120345-12345"),
            Ok(PersonCode::Foreign {
                country: "LV".into()
            })
        );
        assert_eq!(normalise(" ee36805280109 "), "36805280109");
        assert_eq!(normalise("LV12345678901"), "LV12345678901");
    }

    #[test]
    fn birth_date_is_decoded() {
        assert_eq!(
            validate("60001019906"),
            Ok(PersonCode::Estonian {
                code: "60001019906".into(),
                born: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
            })
        );
    }
}
