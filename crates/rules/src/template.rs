//! Message templates: `{column}` placeholders filled from a finding's row.

/// The placeholder names of `template`, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    holes(template, is_name)
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Fills every `{name}` of `template` with `value(name)`; a missing value
/// shows as `(none)`.
pub fn render(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    substitute(template, is_name, |name| {
        Some(value(name).unwrap_or_else(|| "(none)".into()))
    })
}

/// The `{...}` holes of `text` whose inside `is_hole` accepts, in order.
pub(crate) fn holes(text: &str, is_hole: impl Fn(&str) -> bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_hole(&after[..end]) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// `text` with each hole `is_hole` accepts replaced by `value(inside)`;
/// a hole without a value, and any other brace, stays as written.
pub(crate) fn substitute(
    text: &str,
    is_hole: impl Fn(&str) -> bool,
    mut value: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let filled = match after.find('}') {
            Some(end) if is_hole(&after[..end]) => value(&after[..end]).map(|v| (v, end)),
            _ => None,
        };
        match filled {
            Some((v, end)) => {
                out.push_str(&v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_and_keeps_other_braces() {
        let t = "Account {system}/{account_id} {days_late} days {not a name} {x";
        assert_eq!(placeholders(t), ["system", "account_id", "days_late"]);
        let s = render(t, |n| match n {
            "system" => Some("SKAIS".into()),
            "account_id" => Some("jmets".into()),
            _ => None,
        });
        assert_eq!(s, "Account SKAIS/jmets (none) days {not a name} {x");
    }
}
