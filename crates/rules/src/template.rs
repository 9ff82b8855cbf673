//! Message templates: `{column}` holes filled from a finding's row, and
//! `[...]` segments that keep the sentence whole when a value is missing.
//!
//! A value may be missing from any row (an owner HR does not know, a person
//! with no position, no unit, no case), so every hole of a rule's message sits
//! inside a segment. A segment `[text {hole} text]` shows when every hole
//! directly inside it has a value (an empty text counts as missing), and is
//! dropped otherwise; `[first|second|…]` shows the first branch whose holes
//! all have values, or nothing when none has. Segments nest: a hole of an
//! inner segment does not decide the outer one. `[`, `]` and `|` are syntax
//! everywhere in a message; other braces stay as written.

/// What is wrong with a template's syntax; positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// A `[` without its `]`.
    #[error("`[` at character {0} is never closed by `]`")]
    Unclosed(usize),
    /// A `]` without its `[`.
    #[error("`]` at character {0} closes no `[`")]
    Unopened(usize),
    /// A `|` outside any segment.
    #[error("`|` at character {0} is outside any `[...]`")]
    StrayBar(usize),
    /// A hole outside any segment: nothing says what to write without it.
    #[error(
        "{{{name}}} at character {at} is outside any `[...]`: its value may be missing, \
         so put it in a segment, with an alternative when the sentence needs one"
    )]
    BareHole {
        /// The hole's name.
        name: String,
        /// Where it is.
        at: usize,
    },
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'t> {
    Text(&'t str),
    Hole(&'t str),
    /// The branches of a `[a|b]` segment, first choice first.
    Segment(Vec<Vec<Piece<'t>>>),
}

/// An open segment while parsing: where it starts, its finished branches
/// and the branch being read.
struct Open<'t> {
    at: usize,
    branches: Vec<Vec<Piece<'t>>>,
    current: Vec<Piece<'t>>,
}

/// A parsed template: its pieces, and the holes outside any segment with
/// their character positions.
type Parsed<'t> = (Vec<Piece<'t>>, Vec<(&'t str, usize)>);

/// The pieces of `template`, and the holes found outside any segment.
fn parse(template: &str) -> Result<Parsed<'_>, SyntaxError> {
    let chars = |byte: usize| template[..byte].chars().count() + 1;
    let mut top: Vec<Piece<'_>> = Vec::new();
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut bare = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    let bytes = template.as_bytes();
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'{' | b'[' | b']' | b'|') {
            i += 1;
            continue;
        }
        let hole = (b == b'{')
            .then(|| {
                let after = &template[i + 1..];
                after
                    .find('}')
                    .map(|end| &after[..end])
                    .filter(|inside| is_name(inside))
            })
            .flatten();
        if b == b'{' && hole.is_none() {
            // Not a hole: the brace is text.
            i += 1;
            continue;
        }
        let outside = open.is_empty();
        let current = match open.last_mut() {
            Some(o) => &mut o.current,
            None => &mut top,
        };
        if text_from < i {
            current.push(Piece::Text(&template[text_from..i]));
        }
        match (b, hole) {
            (b'{', Some(name)) => {
                if outside {
                    bare.push((name, chars(i)));
                }
                current.push(Piece::Hole(name));
                i += name.len() + 2;
            }
            (b'[', _) => {
                open.push(Open {
                    at: chars(i),
                    branches: Vec::new(),
                    current: Vec::new(),
                });
                i += 1;
            }
            (b'|', _) => {
                let Some(o) = open.last_mut() else {
                    return Err(SyntaxError::StrayBar(chars(i)));
                };
                let branch = std::mem::take(&mut o.current);
                o.branches.push(branch);
                i += 1;
            }
            _ => {
                let Some(mut o) = open.pop() else {
                    return Err(SyntaxError::Unopened(chars(i)));
                };
                o.branches.push(o.current);
                let segment = Piece::Segment(o.branches);
                match open.last_mut() {
                    Some(outer) => outer.current.push(segment),
                    None => top.push(segment),
                }
                i += 1;
            }
        }
        text_from = i;
    }
    if let Some(o) = open.first() {
        return Err(SyntaxError::Unclosed(o.at));
    }
    if text_from < template.len() {
        top.push(Piece::Text(&template[text_from..]));
    }
    Ok((top, bare))
}

/// The placeholder names of `template`, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    holes(template, is_name)
}

/// Checks `template`'s segments, and that every hole sits in one.
pub fn check(template: &str) -> Result<(), SyntaxError> {
    let (_, bare) = parse(template)?;
    match bare.first() {
        Some((name, at)) => Err(SyntaxError::BareHole {
            name: (*name).to_string(),
            at: *at,
        }),
        None => Ok(()),
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Fills `template` with `value(name)`: a segment whose hole has no value
/// (or an empty one) gives way to its next branch, or is dropped. A hole
/// outside any segment (which the catalogue loader refuses) is left empty.
/// A template the loader would refuse for its brackets renders as written.
pub fn render(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    match parse(template) {
        Ok((pieces, _)) => {
            let mut out = String::with_capacity(template.len() + 32);
            fill(&pieces, &mut value, false, &mut out);
            out
        }
        Err(_) => template.to_string(),
    }
}

/// Appends `pieces` to `out`; with `strict`, gives up (false) at the first
/// hole without a value, leaving `out` as it was.
fn fill(
    pieces: &[Piece<'_>],
    value: &mut impl FnMut(&str) -> Option<String>,
    strict: bool,
    out: &mut String,
) -> bool {
    let start = out.len();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole(name) => match value(name).filter(|v| !v.trim().is_empty()) {
                Some(v) => out.push_str(&v),
                None if strict => {
                    out.truncate(start);
                    return false;
                }
                None => {}
            },
            Piece::Segment(branches) => {
                for branch in branches {
                    if fill(branch, value, true, out) {
                        break;
                    }
                }
            }
        }
    }
    true
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

    fn values<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl FnMut(&str) -> Option<String> + 'a {
        |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn fills_placeholders_and_keeps_other_braces() {
        let t = "Account [{system}/{account_id}] [{days_late} days ]{not a name} {x";
        assert_eq!(placeholders(t), ["system", "account_id", "days_late"]);
        let s = render(t, values(&[("system", "SKAIS"), ("account_id", "jmets")]));
        assert_eq!(s, "Account SKAIS/jmets {not a name} {x");
    }

    #[test]
    fn a_segment_without_its_value_gives_way_to_the_next_branch() {
        let t = "[{person_name}[ ({unit})]|An owner unknown to HR] holds [role {role}|a role].";
        let all = [("person_name", "Jaan Mets"), ("unit", "P"), ("role", "Q")];
        assert_eq!(render(t, values(&all)), "Jaan Mets (P) holds role Q.");
        assert_eq!(
            render(t, values(&[("person_name", "Jaan Mets"), ("unit", " ")])),
            "Jaan Mets holds a role."
        );
        assert_eq!(
            render(t, values(&[("unit", "P")])),
            "An owner unknown to HR holds a role."
        );
        // No branch has its values: the segment is dropped.
        assert_eq!(render("a[ {x}| {y}].", values(&[])), "a.");
    }

    #[test]
    fn unbalanced_brackets_and_bare_holes_are_named_with_their_place() {
        assert_eq!(check("[{a}] ok [{b}|c]"), Ok(()));
        assert_eq!(check("x [{a}"), Err(SyntaxError::Unclosed(3)));
        assert_eq!(check("x {a}]"), Err(SyntaxError::Unopened(6)));
        assert_eq!(check("é | [{a}]"), Err(SyntaxError::StrayBar(3)));
        assert_eq!(
            check("[{a}] {b}"),
            Err(SyntaxError::BareHole {
                name: "b".into(),
                at: 7
            })
        );
    }
}
