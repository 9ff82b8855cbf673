//! Valid, unique Estonian personal codes (isikukood) for synthetic people.

use std::collections::HashSet;

use accessaudit_ingest::isikukood::check_digit;
use chrono::{Datelike, NaiveDate};

use crate::rng::Rng;

/// Hands out personal codes that pass the date and check-digit tests and
/// collide neither with each other nor with any code reserved up front (the
/// planted stories' people).
#[derive(Debug, Default)]
pub(crate) struct CodeMint {
    used: HashSet<String>,
}

impl CodeMint {
    /// A mint that never returns any of `reserved`.
    pub(crate) fn reserving(reserved: impl IntoIterator<Item = String>) -> Self {
        Self {
            used: reserved.into_iter().collect(),
        }
    }

    /// A new code for someone born in `years` (inclusive), of the given sex.
    pub(crate) fn mint(&mut self, rng: &mut Rng, years: (i32, i32), female: bool) -> String {
        loop {
            let year = years.0 + rng.below((years.1 - years.0 + 1) as u64) as i32;
            let ordinal = 1 + rng.below(365) as u32;
            let Some(born) = NaiveDate::from_yo_opt(year, ordinal) else {
                continue;
            };
            let code = code_for(born, female, rng.below(1000) as u16);
            if self.used.insert(code.clone()) {
                return code;
            }
        }
    }
}

/// The code of someone born on `born`, with serial number `serial`.
pub(crate) fn code_for(born: NaiveDate, female: bool, serial: u16) -> String {
    let century = if born.year() >= 2000 { 5 } else { 3 } + u8::from(female);
    let yy = (born.year() % 100) as u8;
    let digits: [u8; 10] = [
        century,
        yy / 10,
        yy % 10,
        born.month() as u8 / 10,
        born.month() as u8 % 10,
        born.day() as u8 / 10,
        born.day() as u8 % 10,
        (serial / 100) as u8,
        (serial / 10 % 10) as u8,
        (serial % 10) as u8,
    ];
    let check = check_digit(&digits);
    digits
        .iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// The same code with a wrong check digit (for a planted DQ-01 row).
pub(crate) fn with_wrong_check_digit(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    if let Some(last) = chars.last_mut() {
        let d = last.to_digit(10).unwrap_or(0);
        *last = char::from(b'0' + ((d + 1) % 10) as u8);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use accessaudit_ingest::isikukood::validate;

    use super::*;

    #[test]
    fn minted_codes_are_valid_unique_and_avoid_reserved_ones() {
        let mut rng = Rng::new(3);
        let mut mint = CodeMint::reserving(["36805280109".to_string()]);
        let mut seen = HashSet::new();
        for i in 0..5_000 {
            let code = mint.mint(&mut rng, (1935, 2024), i % 2 == 0);
            assert!(validate(&code).is_ok(), "{code}");
            assert_ne!(code, "36805280109");
            assert!(seen.insert(code));
        }
    }

    #[test]
    fn known_vector_and_a_broken_digit() -> Result<(), Box<dyn std::error::Error>> {
        let born = NaiveDate::from_ymd_opt(1968, 5, 28).ok_or("date")?;
        assert_eq!(code_for(born, false, 10), "36805280109");
        assert!(validate(&with_wrong_check_digit("36805280109")).is_err());
        Ok(())
    }
}
