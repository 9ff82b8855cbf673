//! Translating the English fragments a check writes into a finding's values
//! (`"it stayed until {}"`, `"no unit"`) into another language.
//!
//! Check kinds build notes and reasons as text, and a rule's message embeds
//! them through placeholders. A rule file's `[et.phrases]` table maps each
//! such English pattern to its translation; `{}` stands for a part that is
//! carried over (a date, an id, another phrase). In a translation `{}` takes
//! the next part and `{N}` the N-th (1-based), so the word order may change.

use std::collections::BTreeMap;

use crate::template::{holes, substitute};

/// How deep parts of a phrase are themselves translated (a reason that
/// names an action: `"request {} asks to {}, not to grant"`).
const MAX_DEPTH: usize = 3;

/// One pattern: its literal pieces around the `{}` holes, and the translation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    pieces: Vec<String>,
    target: String,
}

/// A table of phrase translations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phrases {
    /// Most specific (longest literal text) first, so that a generic pattern
    /// never shadows a precise one.
    entries: Vec<Entry>,
}

/// What is wrong with one phrase entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseProblem {
    /// The pattern is only holes: it would match anything.
    NoText,
    /// The translation refers to a part the pattern does not have.
    UnknownPart {
        /// The part number referred to (1-based).
        part: usize,
        /// How many parts the pattern has.
        parts: usize,
    },
}

impl std::fmt::Display for PhraseProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoText => write!(f, "the pattern has no text of its own, only {{}}"),
            Self::UnknownPart { part, parts } => write!(
                f,
                "the translation uses part {part}, but the pattern has {parts} {{}}"
            ),
        }
    }
}

impl Phrases {
    /// Builds the table from (English pattern, translation) pairs.
    pub fn new(map: &BTreeMap<String, String>) -> Self {
        let mut entries: Vec<Entry> = map
            .iter()
            .map(|(pattern, target)| Entry {
                pieces: pattern.split("{}").map(str::to_string).collect(),
                target: target.clone(),
            })
            .collect();
        entries.sort_by_key(|e| std::cmp::Reverse(e.pieces.iter().map(String::len).sum::<usize>()));
        Phrases { entries }
    }

    /// Checks one entry; `None` when it is usable.
    pub fn check(pattern: &str, target: &str) -> Option<PhraseProblem> {
        let parts = pattern.matches("{}").count();
        if pattern.replace("{}", "").trim().is_empty() {
            return Some(PhraseProblem::NoText);
        }
        for part in part_numbers(target) {
            if part == 0 || part > parts {
                return Some(PhraseProblem::UnknownPart { part, parts });
            }
        }
        None
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `value` translated: the whole value when a pattern matches it, else
    /// each `"; "`-separated item of a list; untouched text stays as it is.
    pub fn translate(&self, value: &str) -> String {
        self.translate_at(value, 0)
    }

    fn translate_at(&self, value: &str, depth: usize) -> String {
        if self.entries.is_empty() || depth > MAX_DEPTH {
            return value.to_string();
        }
        for entry in &self.entries {
            if let Some(parts) = match_pieces(&entry.pieces, value) {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| self.translate_at(p, depth + 1))
                    .collect();
                return fill(&entry.target, &parts);
            }
        }
        // A list of reasons: translate item by item (a leading "; " of a
        // note stays where it is).
        if value.contains("; ") {
            return value
                .split("; ")
                .map(|item| {
                    if item.is_empty() {
                        String::new()
                    } else {
                        self.translate_at(item, depth + 1)
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
        value.to_string()
    }
}

/// The parts of `value` in the holes between `pieces`, when it matches.
/// Holes match as little as they can, left to right; an empty part is allowed.
fn match_pieces<'v>(pieces: &[String], value: &'v str) -> Option<Vec<&'v str>> {
    let (first, rest) = pieces.split_first()?;
    if rest.is_empty() {
        return (first == value).then(Vec::new);
    }
    let mut cursor = value.strip_prefix(first.as_str())?;
    let mut parts = Vec::with_capacity(rest.len());
    let (last, middle) = rest.split_last()?;
    for piece in middle {
        let at = cursor.find(piece.as_str())?;
        parts.push(&cursor[..at]);
        cursor = &cursor[at + piece.len()..];
    }
    let tail = cursor.strip_suffix(last.as_str())?;
    parts.push(tail);
    // A part never spans items of a list: "a; b" is two phrases, not one.
    (!parts.iter().any(|p| p.contains("; "))).then_some(parts)
}

/// A hole of a translation: `{}` (the next part) or `{N}` (part N).
fn is_hole(inside: &str) -> bool {
    inside.bytes().all(|b| b.is_ascii_digit())
}

/// The part numbers (1-based) the holes of a translation refer to, in order.
fn part_numbers(target: &str) -> Vec<usize> {
    let mut next = 0;
    holes(target, is_hole)
        .into_iter()
        .map(|inside| {
            if inside.is_empty() {
                next += 1;
                next
            } else {
                inside.parse().unwrap_or(0)
            }
        })
        .collect()
}

/// `target` with its holes filled from `parts`.
fn fill(target: &str, parts: &[String]) -> String {
    let mut next = 0;
    substitute(target, is_hole, |inside| {
        let part: usize = if inside.is_empty() {
            next += 1;
            next
        } else {
            inside.parse().ok()?
        };
        parts.get(part.checked_sub(1)?).cloned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pairs: &[(&str, &str)]) -> Phrases {
        Phrases::new(
            &pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn whole_values_and_patterns_translate_with_their_parts() {
        let p = table(&[
            ("was last used", "oli viimati kasutusel"),
            ("it stayed until {}", "see kehtis kuni {}"),
            (
                "request {} asks to {}, not to grant",
                "taotlus {} on {2}, mitte andmiseks ({1})",
            ),
            ("revoke", "lõpetamiseks"),
        ]);
        assert_eq!(p.translate("was last used"), "oli viimati kasutusel");
        assert_eq!(
            p.translate("it stayed until 2026-09-22"),
            "see kehtis kuni 2026-09-22"
        );
        assert_eq!(
            p.translate("request TT-1 asks to revoke, not to grant"),
            "taotlus TT-1 on lõpetamiseks, mitte andmiseks (TT-1)"
        );
        // Data that merely contains a phrase is left alone.
        assert_eq!(p.translate("was last used twice"), "was last used twice");
        assert_eq!(p.translate("Kersti Vali"), "Kersti Vali");
    }

    #[test]
    fn lists_translate_item_by_item_and_notes_keep_their_lead() {
        let p = table(&[
            ("it names no request", "see ei nimeta taotlust"),
            ("request {} does not exist", "taotlust {} ei ole"),
            (
                "; it is still open at as_of",
                "; see on seisuhetkel endiselt avatud",
            ),
        ]);
        assert_eq!(
            p.translate("it names no request; request TT-9 does not exist; something else"),
            "see ei nimeta taotlust; taotlust TT-9 ei ole; something else"
        );
        assert_eq!(
            p.translate("; it is still open at as_of"),
            "; see on seisuhetkel endiselt avatud"
        );
    }

    #[test]
    fn a_part_never_swallows_the_next_item_of_a_list() {
        let p = table(&[
            (
                "{} {} is not 11 digits",
                "veeru {} väärtus {} ei ole 11-kohaline",
            ),
            (
                "{} {} has a wrong check digit",
                "veeru {} väärtuse {} kontrollnumber on vale",
            ),
        ]);
        assert_eq!(
            p.translate(r#"a_id "1" has a wrong check digit; b_id "2" is not 11 digits"#),
            r#"veeru a_id väärtuse "1" kontrollnumber on vale; veeru b_id väärtus "2" ei ole 11-kohaline"#
        );
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        let p = table(&[
            ("belongs to {}", "kuulub isikule {}"),
            (
                "belongs to {}, whom the HR roster does not know",
                "kuulub isikule {}, keda personaliregister ei tunne",
            ),
        ]);
        assert_eq!(
            p.translate("belongs to 38001010001, whom the HR roster does not know"),
            "kuulub isikule 38001010001, keda personaliregister ei tunne"
        );
    }

    #[test]
    fn bad_entries_are_named() {
        assert_eq!(Phrases::check("{}", "x"), Some(PhraseProblem::NoText));
        assert_eq!(
            Phrases::check("until {}", "kuni {2}"),
            Some(PhraseProblem::UnknownPart { part: 2, parts: 1 })
        );
        assert_eq!(
            Phrases::check("until {}", "kuni {} ja {}"),
            Some(PhraseProblem::UnknownPart { part: 2, parts: 1 })
        );
        assert_eq!(Phrases::check("from {} to {}", "{2}-st {1}-ni"), None);
    }
}
