//! The worksheet's layout, shared by the writers (CSV, XLSX) and the import:
//! sheet names, columns and their headers in both languages, the header
//! block's labels, and the decision words. One table, so that what is
//! written is what is read back.

/// The report languages a worksheet is written in.
pub const LANGS: [&str; 2] = ["en", "et"];

/// One column of a worksheet sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The name the import and the CSV use; also the English header.
    pub key: &'static str,
    /// The header under `--lang et`.
    pub et: &'static str,
    /// The manager fills it in (unlocked in the XLSX).
    pub editable: bool,
    /// The import checks it against the issued review: a key column the
    /// manager must not change.
    pub key_column: bool,
}

impl Column {
    /// The header in `lang` (`et`, else English).
    pub fn header(&self, lang: &str) -> &'static str {
        if lang == "et" {
            self.et
        } else {
            self.key
        }
    }

    /// Whether `text` is this column's header in either language (trimmed,
    /// case-insensitive).
    pub fn is_header(&self, text: &str) -> bool {
        let t = text.trim();
        t.eq_ignore_ascii_case(self.key) || t.to_lowercase() == self.et.to_lowercase()
    }
}

const fn shown(key: &'static str, et: &'static str) -> Column {
    Column {
        key,
        et,
        editable: false,
        key_column: false,
    }
}

const fn key(key: &'static str, et: &'static str) -> Column {
    Column {
        key,
        et,
        editable: false,
        key_column: true,
    }
}

const fn filled(key: &'static str, et: &'static str) -> Column {
    Column {
        key,
        et,
        editable: true,
        key_column: false,
    }
}

/// The item id column: present on every sheet, the row's identity.
pub const ITEM_ID: Column = shown("item_id", "kirje_id");
/// The review id column of a CSV worksheet (an XLSX carries it in its
/// header block).
pub const REVIEW_ID: Column = shown("review_id", "ülevaatuse_id");
/// The decision the manager takes.
pub const DECISION: Column = filled("decision", "otsus");
/// The DPO's disposition of a case.
pub const DISPOSITION: Column = filled("disposition", "hinnang");
/// Why (required for `change`, and for `keep` on a row with a finding).
pub const COMMENT: Column = filled("comment", "kommentaar");
/// The day the decision was taken.
pub const DECIDED_ON: Column = filled("decided_on", "otsuse_kuupäev");

/// The "Rights" sheet (and the CSV worksheet): one row per person and
/// effective right.
pub const RIGHTS: [Column; 18] = [
    ITEM_ID,
    shown("unit", "üksus"),
    key("person_id", "isikukood"),
    shown("person_name", "nimi"),
    shown("position", "ametikoht"),
    key("system", "süsteem"),
    key("account_id", "konto"),
    key("role", "roll"),
    shown("role_name", "rolli_nimetus"),
    shown("personal_data", "isikuandmed"),
    shown("since", "alates"),
    shown("basis", "alus"),
    shown("justified_by", "põhjendus"),
    shown("findings", "leiud"),
    shown("new_since_last_review", "uus_eelmisest_ülevaatusest"),
    shown("previous_decision", "eelmine_otsus"),
    DECISION,
    COMMENT,
];

/// The "Findings" sheet: one row per open finding about the unit's people.
pub const FINDINGS: [Column; 12] = [
    ITEM_ID,
    key("rule_id", "reegel"),
    shown("severity", "raskusaste"),
    shown("status", "olek"),
    key("person_id", "isikukood"),
    shown("person_name", "nimi"),
    key("system", "süsteem"),
    key("account_id", "konto"),
    key("role", "roll"),
    shown("message", "kirjeldus"),
    DECISION,
    COMMENT,
];

/// The DPO's "Cases" sheet (`review/dpo-cases.xlsx`): one row per case.
pub const CASES: [Column; 10] = [
    ITEM_ID,
    key("person_id", "isikukood"),
    shown("person_name", "nimi"),
    shown("unit", "üksus"),
    shown("accounts", "kontod"),
    shown("score", "skoor"),
    shown("summary", "kokkuvõte"),
    shown("findings", "leiud"),
    DISPOSITION,
    COMMENT,
];

/// The pseudo-unit the DPO's cases are issued under in a review.
pub const DPO_UNIT: &str = "DPO";

/// Which sheet of a worksheet a row is on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SheetKind {
    /// Rights: keep, revoke or change.
    Rights,
    /// Findings: keep (accept until the next review) or fix.
    Findings,
    /// The DPO's cases: justified, violation or needs-information.
    Cases,
}

impl SheetKind {
    /// Every sheet kind, the unit worksheets' two first.
    pub const ALL: [SheetKind; 3] = [SheetKind::Rights, SheetKind::Findings, SheetKind::Cases];

    /// The sheets of a unit's worksheet, in workbook order.
    pub const UNIT: [SheetKind; 2] = [SheetKind::Rights, SheetKind::Findings];

    /// The sheet's name in `lang`.
    pub fn name(self, lang: &str) -> &'static str {
        match (self, lang) {
            (SheetKind::Rights, "et") => "Õigused",
            (SheetKind::Rights, _) => "Rights",
            (SheetKind::Findings, "et") => "Leiud",
            (SheetKind::Findings, _) => "Findings",
            (SheetKind::Cases, "et") => "Juhtumid",
            (SheetKind::Cases, _) => "Cases",
        }
    }

    /// The sheet whose name is `name` in either language.
    pub fn named(name: &str) -> Option<SheetKind> {
        SheetKind::ALL.into_iter().find(|k| {
            LANGS
                .iter()
                .any(|l| k.name(l).eq_ignore_ascii_case(name.trim()))
        })
    }

    /// The sheet's columns: the fixed ones, then [`DECIDED_ON`].
    pub fn columns(self) -> Vec<Column> {
        let fixed: &[Column] = match self {
            SheetKind::Rights => &RIGHTS,
            SheetKind::Findings => &FINDINGS,
            SheetKind::Cases => &CASES,
        };
        let mut all = fixed.to_vec();
        all.push(DECIDED_ON);
        all
    }

    /// The decisions a row of this sheet can take.
    pub fn decisions(self) -> &'static [Decision] {
        match self {
            SheetKind::Rights => &[Decision::Keep, Decision::Revoke, Decision::Change],
            SheetKind::Findings => &[Decision::Keep, Decision::Fix],
            SheetKind::Cases => &[
                Decision::Justified,
                Decision::Violation,
                Decision::NeedsInformation,
            ],
        }
    }

    /// The column the decision is taken in: `decision`, or on the DPO's
    /// sheet `disposition`.
    pub fn decision_column(self) -> Column {
        match self {
            SheetKind::Cases => DISPOSITION,
            _ => DECISION,
        }
    }

    /// The word the ledger and the CSV use.
    pub fn as_str(self) -> &'static str {
        match self {
            SheetKind::Rights => "rights",
            SheetKind::Findings => "findings",
            SheetKind::Cases => "cases",
        }
    }
}

/// A manager's decision on one row.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// The right stays; on a finding: accepted, with a reason, until the
    /// next review.
    Keep,
    /// The right is to be removed.
    Revoke,
    /// The right is to be changed (the comment says how).
    Change,
    /// The finding is to be fixed.
    Fix,
    /// The DPO: the case's looks were lawful (the comment says why).
    Justified,
    /// The DPO: the case is a violation.
    Violation,
    /// The DPO: more information is needed before deciding.
    NeedsInformation,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 7] = [
        Decision::Keep,
        Decision::Revoke,
        Decision::Change,
        Decision::Fix,
        Decision::Justified,
        Decision::Violation,
        Decision::NeedsInformation,
    ];

    /// The word in `lang`.
    pub fn word(self, lang: &str) -> &'static str {
        match (self, lang == "et") {
            (Decision::Keep, false) => "keep",
            (Decision::Revoke, false) => "revoke",
            (Decision::Change, false) => "change",
            (Decision::Fix, false) => "fix",
            (Decision::Keep, true) => "säilita",
            (Decision::Revoke, true) => "eemalda",
            (Decision::Change, true) => "muuda",
            (Decision::Fix, true) => "paranda",
            (Decision::Justified, false) => "justified",
            (Decision::Violation, false) => "violation",
            (Decision::NeedsInformation, false) => "needs-information",
            (Decision::Justified, true) => "põhjendatud",
            (Decision::Violation, true) => "rikkumine",
            (Decision::NeedsInformation, true) => "vajab-teavet",
        }
    }

    /// The decision `word` names in either language (trimmed,
    /// case-insensitive).
    pub fn parse(word: &str) -> Option<Decision> {
        let w = word.trim().to_lowercase();
        Decision::ALL
            .into_iter()
            .find(|d| LANGS.iter().any(|l| d.word(l) == w))
    }

    /// The English word, as the ledger stores it.
    pub fn as_str(self) -> &'static str {
        self.word("en")
    }
}

/// The labels of the XLSX header block, in its row order: the unit, its
/// manager, the audit's `as_of`, the return deadline and the review id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeaderField {
    /// The unit.
    Unit,
    /// Its manager (name and personal code).
    Manager,
    /// The audit's `as_of`.
    AsOf,
    /// The day the worksheet is due back.
    ReturnBy,
    /// The review id.
    ReviewId,
}

impl HeaderField {
    /// Every field, in row order.
    pub const ALL: [HeaderField; 5] = [
        HeaderField::Unit,
        HeaderField::Manager,
        HeaderField::AsOf,
        HeaderField::ReturnBy,
        HeaderField::ReviewId,
    ];

    /// The label in `lang`.
    pub fn label(self, lang: &str) -> &'static str {
        match (self, lang == "et") {
            (HeaderField::Unit, false) => "Unit",
            (HeaderField::Manager, false) => "Manager",
            (HeaderField::AsOf, false) => "As of",
            (HeaderField::ReturnBy, false) => "Return by",
            (HeaderField::ReviewId, false) => "Review id",
            (HeaderField::Unit, true) => "Üksus",
            (HeaderField::Manager, true) => "Juht",
            (HeaderField::AsOf, true) => "Seisuga",
            (HeaderField::ReturnBy, true) => "Tagastada hiljemalt",
            (HeaderField::ReviewId, true) => "Ülevaatuse id",
        }
    }

    /// The field whose label is `text` in either language.
    pub fn labelled(text: &str) -> Option<HeaderField> {
        let t = text.trim().trim_end_matches(':').to_lowercase();
        HeaderField::ALL
            .into_iter()
            .find(|f| LANGS.iter().any(|l| f.label(l).to_lowercase() == t))
    }
}

/// The title of the XLSX worksheet (its first row).
pub fn title(lang: &str) -> &'static str {
    if lang == "et" {
        "Juurdepääsuõiguste ülevaatus"
    } else {
        "Access review"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decision_word_reads_back_in_both_languages() {
        for d in Decision::ALL {
            for l in LANGS {
                assert_eq!(
                    Decision::parse(&format!(" {} ", d.word(l).to_uppercase())),
                    Some(d)
                );
            }
        }
        assert_eq!(Decision::parse("delete"), None);
    }

    #[test]
    fn headers_and_sheet_names_read_back_in_both_languages() {
        for kind in SheetKind::ALL {
            for l in LANGS {
                assert_eq!(SheetKind::named(kind.name(l)), Some(kind));
                for c in kind.columns() {
                    assert!(c.is_header(c.header(l)), "{}", c.key);
                }
            }
        }
        for f in HeaderField::ALL {
            for l in LANGS {
                assert_eq!(HeaderField::labelled(&format!("{}:", f.label(l))), Some(f));
            }
        }
    }
}
