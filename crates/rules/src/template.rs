//! Message templates: `{column}` placeholders filled from a finding's row.

/// The placeholder names of `template`, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Fills every `{name}` of `template` with `value(name)`; a missing value
/// shows as `(none)`.
pub fn render(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                out.push_str(&value(&after[..end]).unwrap_or_else(|| "(none)".into()));
                rest = &after[end + 1..];
            }
            _ => {
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
