//! Cases and access events: every look at a citizen's data in the background
//! is in working hours, by someone at work with the right role, at a citizen
//! whose case their unit handles and which is open at that moment.

use chrono::NaiveDate;

use crate::log::{Event, LogSink, Names};
use crate::org::Org;
use crate::people_codes::CodeMint;
use crate::quarter::{at, stamp, Quarter};
use crate::rights::{account_id, work_system};
use crate::rng::Rng;
use crate::tables::Tables;
use crate::{GenerateError, Progress, Shape};

/// Where the agency's (not a local government's) citizens live.
const AGENCY_RESIDENCES: &[&str] = &[
    "Tallinn",
    "Tartu linn",
    "Pärnu linn",
    "Narva linn",
    "Viljandi linn",
    "Rae vald",
    "Saue vald",
    "Harku vald",
    "Viimsi vald",
    "Saaremaa vald",
    "Võru linn",
    "Rakvere linn",
];

/// A case in a unit's working pool.
#[derive(Clone, Copy)]
struct Open {
    case: u32,
    close_day: NaiveDate,
}

struct UnitPool {
    open: Vec<Open>,
    target: usize,
    recent_subjects: Vec<u32>,
}

/// The activity generator's state.
pub(crate) struct Activity<'a> {
    org: &'a Org,
    q: &'a Quarter,
    rng: Rng,
    accounts: Vec<(&'static str, String)>,
    cases: Vec<(String, String)>,
    subjects: Vec<String>,
    pools: Vec<UnitPool>,
    events_per_day: f64,
    /// Background events written.
    pub events: u64,
    shape: Shape,
}

/// Chooses an action: mostly views, some searches and updates, few prints
/// and exports.
fn action(rng: &mut Rng) -> &'static str {
    match rng.below(100) {
        0..=67 => "view",
        68..=82 => "search",
        83..=94 => "update",
        95..=97 => "print",
        _ => "export",
    }
}

impl<'a> Activity<'a> {
    /// Prepares the activity for `target_events` background events.
    pub(crate) fn new(
        org: &'a Org,
        q: &'a Quarter,
        rng: Rng,
        target_events: u64,
        shape: Shape,
    ) -> Self {
        let accounts = org
            .people
            .iter()
            .map(|p| {
                let system = work_system(org, p);
                (system, account_id(org, p, system))
            })
            .collect();
        let days: Vec<NaiveDate> = event_days(q);
        let account_days: u64 = days
            .iter()
            .map(|d| {
                org.people
                    .iter()
                    .filter(|p| p.working_on(*d).is_some())
                    .count() as u64
            })
            .sum();
        let events_per_day = if account_days == 0 {
            0.0
        } else {
            target_events as f64 / account_days as f64
        };
        // Distinct subjects a user looks at in a day; the pool must hold more.
        let per_day = shape
            .subjects_per_day
            .unwrap_or(events_per_day / shape.events_per_subject);
        let k_max = (per_day * 1.3).ceil().clamp(1.0, 100.0) as usize;
        let mut members = vec![0usize; org.units.len()];
        for p in &org.people {
            if let Some(s) = p.stints.first() {
                members[s.unit] += 1;
            }
        }
        let pools = members
            .iter()
            .map(|&m| UnitPool {
                open: Vec::new(),
                target: (2 * k_max).max(m * k_max / 2).max(10),
                recent_subjects: Vec::new(),
            })
            .collect();
        Self {
            org,
            q,
            rng,
            accounts,
            cases: Vec::new(),
            subjects: Vec::new(),
            pools,
            events_per_day,
            events: 0,
            shape,
        }
    }

    fn open_case(
        &mut self,
        unit: usize,
        opened: (NaiveDate, u32),
        close_day: NaiveDate,
        handler: Option<usize>,
        mint: &mut CodeMint,
        t: &mut Tables,
    ) -> Result<u32, GenerateError> {
        let kind = self.org.units[unit].kind;
        let pool = &mut self.pools[unit];
        let subject = if !pool.recent_subjects.is_empty() && self.rng.chance(self.shape.case_reuse)
        {
            pool.recent_subjects[self.rng.index(pool.recent_subjects.len())]
        } else {
            let female = self.rng.chance(0.5);
            let code = mint.mint(&mut self.rng, (1935, 2024), female);
            let residence = self.org.units[unit]
                .organisation
                .unwrap_or_else(|| AGENCY_RESIDENCES[self.rng.index(AGENCY_RESIDENCES.len())]);
            t.subjects
                .row(&[("subject_id", &code), ("municipality", residence)])?;
            self.subjects.push(code);
            let id = (self.subjects.len() - 1) as u32;
            if pool.recent_subjects.len() < 500 {
                pool.recent_subjects.push(id);
            } else {
                let slot = self.rng.index(500);
                pool.recent_subjects[slot] = id;
            }
            id
        };
        let number = self.cases.len() + 1;
        let case_id = format!("{}-2026-G{number:07}", kind.case_prefix());
        let closed = if close_day <= self.q.last {
            stamp(close_day, at(18, 0) + self.rng.below(3_600) as u32)
        } else {
            String::new()
        };
        let handler_code = handler
            .map(|h| self.org.people[h].code.as_str())
            .unwrap_or("");
        t.cases.row(&[
            ("case_id", &case_id),
            ("opened_at", &stamp(opened.0, opened.1)),
            ("closed_at", &closed),
            ("system", kind.system()),
            ("unit", &self.org.units[unit].name),
            ("handler_id", handler_code),
            ("subject_id", &self.subjects[subject as usize]),
        ])?;
        self.cases
            .push((case_id, self.subjects[subject as usize].clone()));
        Ok((self.cases.len() - 1) as u32)
    }

    /// Generates the quarter day by day.
    pub(crate) fn run(
        &mut self,
        mint: &mut CodeMint,
        t: &mut Tables,
        log: &mut LogSink,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<(), GenerateError> {
        // Cases already open when the quarter starts.
        let before = self.q.month_before();
        let eve = self.q.first.pred_opt().unwrap_or(self.q.first);
        for unit in 0..self.org.units.len() {
            for _ in 0..self.pools[unit].target {
                let opened = before[self.rng.index(before.len())];
                let close_day = self
                    .q
                    .cal
                    .nth_working_day_after(eve, self.rng.between(1, 15));
                let secs = at(7, 0) + self.rng.between(0, 3_599);
                let case = self.open_case(unit, (opened, secs), close_day, None, mint, t)?;
                self.pools[unit].open.push(Open { case, close_day });
            }
        }
        let days = self.q.all_working_days();
        let total_days = days.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.org.units.len()];
        let mut batch: Vec<Event> = Vec::new();
        for (n, &d) in days.iter().enumerate() {
            for m in &mut members {
                m.clear();
            }
            for (i, p) in self.org.people.iter().enumerate() {
                if let Some(s) = p.working_on(d) {
                    members[s.unit].push(i);
                }
            }
            batch.clear();
            for (unit, present) in members.iter().enumerate() {
                self.refresh_pool(unit, d, present, mint, t)?;
                if d == self.q.gap {
                    continue;
                }
                for &person in present {
                    self.user_day(unit, person, &mut batch);
                }
            }
            batch.sort_by_key(|e| (e.secs, e.account));
            log.day(
                d,
                &batch,
                &Names {
                    accounts: &self.accounts,
                    cases: &self.cases,
                },
            )?;
            self.events += batch.len() as u64;
            progress(Progress::Day {
                done: n + 1,
                total: total_days,
                events: self.events,
            });
        }
        Ok(())
    }

    fn refresh_pool(
        &mut self,
        unit: usize,
        d: NaiveDate,
        members: &[usize],
        mint: &mut CodeMint,
        t: &mut Tables,
    ) -> Result<(), GenerateError> {
        self.pools[unit].open.retain(|o| o.close_day >= d);
        while self.pools[unit].open.len() < self.pools[unit].target {
            let handler = (!members.is_empty()).then(|| members[self.rng.index(members.len())]);
            let close_day = self.q.cal.nth_working_day_after(d, self.rng.between(0, 14));
            let opened = (d, at(7, 0) + self.rng.between(0, 3_599));
            let case = self.open_case(unit, opened, close_day, handler, mint, t)?;
            self.pools[unit].open.push(Open { case, close_day });
        }
        Ok(())
    }

    /// One user's looks in one day: `e` events at `k` distinct citizens, all
    /// from the unit's open cases, between 08:00 and 18:00.
    fn user_day(&mut self, unit: usize, person: usize, batch: &mut Vec<Event>) {
        let rng = &mut self.rng;
        let spread = 0.7 + 0.6 * rng.unit();
        let e = rng.round(self.events_per_day * spread) as usize;
        if e == 0 {
            return;
        }
        let pool = &self.pools[unit].open;
        let k = match self.shape.subjects_per_day {
            Some(s) => (s * spread).round() as usize,
            None => (e as f64 / self.shape.events_per_subject).ceil() as usize,
        }
        .clamp(1, 100)
        .min(e)
        .min(pool.len());
        let mut chosen: Vec<u32> = Vec::with_capacity(k);
        while chosen.len() < k {
            let c = pool[rng.index(pool.len())].case;
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        for j in 0..e {
            let case = if j < k {
                chosen[j]
            } else {
                chosen[rng.index(k)]
            };
            batch.push(Event {
                secs: at(8, 0) + rng.below(36_000) as u32,
                account: person as u32,
                case,
                action: action(rng),
                named: rng.chance(self.shape.named_share),
            });
        }
    }
}

/// The working days of the period that have events (all but the export gap).
fn event_days(q: &Quarter) -> Vec<NaiveDate> {
    q.all_working_days()
        .into_iter()
        .filter(|d| *d != q.gap)
        .collect()
}
