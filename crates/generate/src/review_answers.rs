//! How the unit managers and the DPO answered each review's worksheets,
//! for the quarter after it: `generate --quarter 2026-Q4` writes the Q3
//! worksheets as they came back (`returned/`), `--quarter 2027-Q1` the Q4
//! ones, so the round trip audit → `review import` → next audit can be
//! checked against `ground_truth.csv` over three reviews.
//!
//! The Q3 review's stories: most revokes were carried out in Q4 (Raivo
//! Luik's pension role, [`crate::follow_up::REMEDIATIONS`]); one was not
//! (Jüri Kask's decision role: REV-01); one was carried out and the right
//! granted again under a new assignment id without a request (Siim Raud:
//! REV-01 on the new id); one unit never returned its sheet (REV-02); one
//! `keep` with a comment accepts a finding (Jüri Kask's unused register
//! account, ACC-07: `accepted` in Q4). The DPO found Siim Raud's looks at
//! his wife a violation (so his looks at her in 2027-Q1 are PD-13) and Ene
//! Vaher's unexplained export justified (`explained` when Q3 is audited
//! again).
//!
//! The Q4 review's: every unit answered; Jüri Kask's decision role is to
//! go, again (still there in 2027-Q1: REV-01 persists); Siim Raud's role,
//! granted again, is kept this time (his REV-01 is resolved); the register
//! account is kept once more (ACC-07 stays `accepted`).
//!
//! Every other right is kept, or, where the worksheet lists an open finding
//! on it, sent back to be changed.

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

/// The DPO's disposition of one employee's case.
pub struct Disposition {
    /// The employee's personal code.
    pub person_id: &'static str,
    /// justified, violation or needs-information.
    pub disposition: &'static str,
    /// Why.
    pub comment: &'static str,
    /// When (YYYY-MM-DD).
    pub decided_on: &'static str,
}

/// How one review's worksheets came back.
pub struct ReturnedReview {
    /// The quarter reviewed (`2026-Q3`).
    pub quarter: &'static str,
    /// The unit that never returned its worksheet, if one did not.
    pub unreturned_unit: Option<&'static str>,
    /// The answers that are not a plain `keep` or `change`.
    pub answers: &'static [Answer],
    /// The answer on a right [`Self::answers`] does not list and that has
    /// no open finding: decision, comment, day.
    pub keep: (&'static str, &'static str, &'static str),
    /// The answer on such a right with an open finding: the manager asks
    /// for it to be fixed, which accepts nothing.
    pub change: (&'static str, &'static str, &'static str),
    /// The DPO's name on the returned cases sheet.
    pub dpo: &'static str,
    /// The DPO's dispositions (cases not listed are left undecided).
    pub dispositions: &'static [Disposition],
}

/// The unit that never returned its Q3 worksheet.
pub const UNRETURNED_UNIT: &str = "Tartu Linnavalitsuse sotsiaalabi osakond";

/// The reviews answered, in order.
pub const RETURNED: &[ReturnedReview] = &[
    ReturnedReview {
        quarter: "2026-Q3",
        unreturned_unit: Some(UNRETURNED_UNIT),
        answers: &[
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
        ],
        keep: ("keep", "Needed for the post's duties", "2026-10-07"),
        change: (
            "change",
            "User support: please fix what the finding says",
            "2026-10-07",
        ),
        dpo: "Dora Kaitse",
        dispositions: &[
            Disposition {
                person_id: "39208272198",
                disposition: "violation",
                comment: "Looked at his wife's records with no case: disciplinary proceedings",
                decided_on: "2026-10-09",
            },
            Disposition {
                person_id: "46601257032",
                disposition: "justified",
                comment:
                    "Answered the pensioner's written complaint; the case was registered afterwards",
                decided_on: "2026-10-09",
            },
        ],
    },
    ReturnedReview {
        quarter: "2026-Q4",
        unreturned_unit: None,
        answers: &[
            Answer {
                system: "SKAIS",
                account_id: "jkask",
                role: "PENS_OTSUSTAJA",
                decision: "revoke",
                comment: "Asked in October already: remove it",
                decided_on: "2027-01-05",
            },
            Answer {
                system: "SKAIS",
                account_id: "sraud",
                role: "PERE_MENETLEJA",
                decision: "keep",
                comment: "Back on family benefits since November",
                decided_on: "2027-01-05",
            },
            Answer {
                system: "RR",
                account_id: "ska-jkask",
                role: "RR_PARING",
                decision: "keep",
                comment: "The statistics run moved to March",
                decided_on: "2027-01-05",
            },
        ],
        keep: ("keep", "Needed for the post's duties", "2027-01-07"),
        change: (
            "change",
            "User support: please fix what the finding says",
            "2027-01-07",
        ),
        dpo: "Dora Kaitse",
        dispositions: &[],
    },
];

/// How the review of `quarter` came back, if the generator answers it.
pub fn of(quarter: &str) -> Option<&'static ReturnedReview> {
    RETURNED.iter().find(|r| r.quarter == quarter)
}

impl ReturnedReview {
    /// The answer on the right `system`/`account_id`/`role` (`with_finding`:
    /// the worksheet lists an open finding on it): decision, comment and
    /// day.
    pub fn answer(
        &self,
        system: &str,
        account_id: &str,
        role: &str,
        with_finding: bool,
    ) -> (&'static str, &'static str, &'static str) {
        let default = if with_finding { self.change } else { self.keep };
        self.answers
            .iter()
            .find(|a| a.system == system && a.account_id == account_id && a.role == role)
            .map_or(default, |a| (a.decision, a.comment, a.decided_on))
    }

    /// The DPO's disposition of the case of `person_id`, if decided.
    pub fn disposition(&self, person_id: &str) -> Option<&'static Disposition> {
        self.dispositions.iter().find(|d| d.person_id == person_id)
    }
}
