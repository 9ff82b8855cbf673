//! The fates of the planted findings in the follow-up quarter, and the
//! findings new in it, each with its reason.

/// What became of a planted Q3 finding by the end of Q4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Still true at the new `as_of`: status `persisting`.
    Persists,
    /// Still true, and an exception in force covers it: `suppressed`.
    Suppressed,
    /// No longer true: listed as `resolved` by the baseline comparison.
    Resolved,
}

/// The fates of the planted findings in the follow-up quarter, by rule and
/// the finding's account, person or `ref`, with the reason. What is not
/// listed persists, except the PD findings, which are all resolved: their
/// events were in Q3 and the Q4 log is a new quarter's.
pub(crate) const FOLLOW_UP: &[(&str, &str, Fate, &str)] = &[
    (
        "ACC-01",
        "rluik",
        Fate::Resolved,
        "the role without a duty ended on 12 October (follow_up::REMEDIATIONS)",
    ),
    (
        "ACC-02",
        "rae.kmaasikas",
        Fate::Resolved,
        "her employment began on 1 October, so the account has an employee",
    ),
    (
        "ACC-04",
        "TT-2026-0146",
        Fate::Resolved,
        "the self-approved request was approved in July: not in Q4's period",
    ),
    (
        "ACC-04",
        "RA-10060",
        Fate::Resolved,
        "the self-granted right ended on 31 July: not effective at Q4's as_of",
    ),
    (
        "ACC-05",
        "37707071619",
        Fate::Resolved,
        "the substitution role that made the conflict ended on 17 July",
    ),
    (
        "ACC-06",
        "kt_infolett",
        Fate::Persists,
        "EX-G-0002 expired on 30 November; the shared account still has its role",
    ),
    (
        "ACC-08",
        "49412300480",
        Fate::Suppressed,
        "EX-G-0005, approved after the Q3 review, accepts the second account",
    ),
    (
        "TIME-02",
        "RA-10053",
        Fate::Resolved,
        "the old position's role ended on 17 September, before the quarter",
    ),
    (
        "TIME-04",
        "RA-10058",
        Fate::Resolved,
        "the substitute's right ended on 31 July",
    ),
    (
        "TIME-05",
        "RA-10059",
        Fate::Resolved,
        "the overrunning substitute's right ended on 14 August",
    ),
    (
        "TIME-06",
        "TT-2026-0145",
        Fate::Resolved,
        "the late request was carried out in August",
    ),
    (
        "TIME-07",
        "TT-2026-0162",
        Fate::Resolved,
        "the revocation was carried out, late, on 22 September",
    ),
    (
        "TIME-08",
        "RA-10054",
        Fate::Resolved,
        "the right kept past its requested end ended on 14 August",
    ),
];

/// Findings new in the follow-up quarter that follow from the demo's
/// stories: (rule, system, account, person, why).
pub(crate) const FOLLOW_UP_NEW: &[(&str, &str, &str, &str, &str)] = &[
    (
        "ACC-07",
        "SKAIS",
        "kvali",
        "49801310511",
        "the leaver's account, still open (TIME-01), unused since 3 September",
    ),
    (
        "ACC-07",
        "STAR",
        "rae.kmaasikas",
        "49411032385",
        "made on 23 September before she started, never used since",
    ),
];
