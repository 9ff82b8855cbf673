//! How the unit managers answered the Q3 review's worksheets, for the
//! follow-up quarter: `generate --quarter 2026-Q4` writes the Q3 worksheets
//! as they came back (`returned/`), so the round trip Q3 audit → `review
//! import` → Q4 audit can be checked against `ground_truth.csv`.
//!
//! The stories: most revokes were carried out in Q4 (Raivo Luik's pension
//! role, [`crate::follow_up::REMEDIATIONS`]); one was not (Jüri Kask's
//! decision role: REV-01); one was carried out and the right granted again
//! under a new assignment id without a request (Siim Raud: REV-01 on the
//! new id); one unit never returned its sheet (REV-02); and one `keep` with
//! a comment accepts a finding (Jüri Kask's unused register account, ACC-07:
//! `accepted` in Q4). Every other right is kept, or, where the worksheet
//! lists an open finding on it, sent back to be changed.

/// The unit that never returned its worksheet.
pub const UNRETURNED_UNIT: &str = "Tartu Linnavalitsuse sotsiaalabi osakond";

/// One manager's answer on one right, by system, account and role.
pub struct Answer {
    /// System.
    pub system: &'static str,
    /// Account.
    pub account_id: &'static str,
    /// Role.
    pub role: &'static str,
    /// keep, revoke or change.
    pub decision: &'static str,
    /// Why.
    pub comment: &'static str,
    /// When (YYYY-MM-DD).
    pub decided_on: &'static str,
}

/// The answers that are not a plain `keep`.
pub const ANSWERS: &[Answer] = &[
    Answer {
        system: "SKAIS",
        account_id: "rluik",
        role: "PENS_MENETLEJA",
        decision: "revoke",
        comment: "No duty of his post needs it",
        decided_on: "2026-10-05",
    },
    Answer {
        system: "SKAIS",
        account_id: "jkask",
        role: "PENS_OTSUSTAJA",
        decision: "revoke",
        comment: "Decisions are signed by the head of unit since September",
        decided_on: "2026-10-05",
    },
    Answer {
        system: "SKAIS",
        account_id: "sraud",
        role: "PERE_MENETLEJA",
        decision: "revoke",
        comment: "Moved to the payments team",
        decided_on: "2026-10-06",
    },
    Answer {
        system: "RR",
        account_id: "ska-jkask",
        role: "RR_PARING",
        decision: "keep",
        comment: "Register queries for the annual statistics run in December",
        decided_on: "2026-10-05",
    },
];

/// The answer on a right that [`ANSWERS`] does not list and that has no
/// open finding.
pub const KEEP: (&str, &str, &str) = ("keep", "Needed for the post's duties", "2026-10-07");

/// The answer on a right that [`ANSWERS`] does not list, with an open
/// finding: the manager asks for it to be fixed, which accepts nothing.
pub const CHANGE: (&str, &str, &str) = (
    "change",
    "User support: please fix what the finding says",
    "2026-10-07",
);

/// The answer on the right `system`/`account_id`/`role` (`with_finding`:
/// the worksheet lists an open finding on it): decision, comment and day.
pub fn answer(
    system: &str,
    account_id: &str,
    role: &str,
    with_finding: bool,
) -> (&'static str, &'static str, &'static str) {
    let default = if with_finding { CHANGE } else { KEEP };
    ANSWERS
        .iter()
        .find(|a| a.system == system && a.account_id == account_id && a.role == role)
        .map_or(default, |a| (a.decision, a.comment, a.decided_on))
}
