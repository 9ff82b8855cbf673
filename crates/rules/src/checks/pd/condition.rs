//! The PD rules' questions: each [`Condition`] owns the events it counts,
//! the filter on the account × subject × day groups, and the optional tables
//! it needs. A rule names one in its `condition` parameter; the loader
//! accepts only the names listed here.

use polars::prelude::*;

/// A question a PD rule asks of the account × subject × day groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Condition {
    /// PD-01: looks no case explains.
    Unexplained,
    /// PD-02: looks without a personal-data role.
    WithoutRole,
    /// PD-03: looks after the owner's employment ended.
    AfterTermination,
    /// PD-04: looks during the owner's own absence.
    OwnAbsence,
    /// PD-05: looks at one's own data.
    SelfLookup,
    /// PD-06: unexplained looks at a colleague.
    ColleagueUnexplained,
    /// PD-07: looks at a protected subject.
    Watchlist,
    /// PD-08: looks outside working hours.
    AfterHours,
    /// PD-10: unexplained exports and prints.
    ExportUnexplained,
    /// PD-12: unexplained looks at a relative.
    RelativeUnexplained,
    /// PD-11: unexplained looks at a resident of another municipality.
    OutOfAreaUnexplained,
}

impl Condition {
    /// Every condition, in the order `rules show` lists them.
    pub(crate) const ALL: [Condition; 11] = [
        Condition::Unexplained,
        Condition::WithoutRole,
        Condition::AfterTermination,
        Condition::OwnAbsence,
        Condition::SelfLookup,
        Condition::ColleagueUnexplained,
        Condition::Watchlist,
        Condition::AfterHours,
        Condition::ExportUnexplained,
        Condition::RelativeUnexplained,
        Condition::OutOfAreaUnexplained,
    ];

    /// The names rule files use, in the order of [`Self::ALL`].
    pub(crate) const NAMES: [&'static str; 11] = [
        "unexplained",
        "without_role",
        "after_termination",
        "own_absence",
        "self_lookup",
        "colleague_unexplained",
        "watchlist",
        "after_hours",
        "export_unexplained",
        "relative_unexplained",
        "out_of_area_unexplained",
    ];

    /// The condition a rule file names `name`.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Self::ALL[i])
    }

    /// The event flag whose events a finding counts (`<flag>_events`,
    /// `_first`, `_last` of the groups; `all` for every event).
    pub(crate) fn counted(self) -> &'static str {
        match self {
            Condition::Unexplained
            | Condition::ColleagueUnexplained
            | Condition::RelativeUnexplained
            | Condition::OutOfAreaUnexplained => "unexplained",
            Condition::WithoutRole => "without_role",
            Condition::AfterHours => "after_hours",
            Condition::ExportUnexplained => "export_unexplained",
            Condition::AfterTermination
            | Condition::OwnAbsence
            | Condition::SelfLookup
            | Condition::Watchlist => "all",
        }
    }

    /// Which groups a finding is about.
    pub(crate) fn filter(self) -> Expr {
        let any = |flag: &str| col(format!("{flag}_events")).gt(lit(0));
        match self {
            Condition::Unexplained => any("unexplained"),
            Condition::WithoutRole => any("without_role"),
            Condition::AfterTermination => col("ended"),
            Condition::OwnAbsence => col("absent"),
            Condition::SelfLookup => col("self_lookup"),
            Condition::ColleagueUnexplained => col("colleague").and(any("unexplained")),
            Condition::Watchlist => col("watch_category").is_not_null(),
            Condition::AfterHours => any("after_hours"),
            Condition::ExportUnexplained => any("export_unexplained"),
            Condition::RelativeUnexplained => col("relative").and(any("unexplained")),
            Condition::OutOfAreaUnexplained => col("out_of_area").and(any("unexplained")),
        }
    }

    /// The optional tables without which the question cannot be answered:
    /// explanation needs `cases`, the others their own look-up table.
    pub(crate) fn needs(self) -> &'static [&'static str] {
        match self {
            Condition::Unexplained
            | Condition::ColleagueUnexplained
            | Condition::ExportUnexplained => &["access_log", "cases"],
            Condition::RelativeUnexplained => &["access_log", "cases", "relations"],
            Condition::OutOfAreaUnexplained => &["access_log", "cases", "subjects"],
            Condition::Watchlist => &["access_log", "watchlist"],
            Condition::WithoutRole
            | Condition::AfterTermination
            | Condition::OwnAbsence
            | Condition::SelfLookup
            | Condition::AfterHours => &["access_log"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_to_its_condition_and_nothing_else_does() {
        for (name, condition) in Condition::NAMES.iter().zip(Condition::ALL) {
            assert_eq!(Condition::parse(name), Some(condition));
        }
        assert_eq!(Condition::parse("unexplaned"), None);
        assert_eq!(Condition::parse(""), None);
    }
}
