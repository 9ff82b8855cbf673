//! The background organisation: units, posts, people and what happens to
//! them during the quarter (joiners, leavers, transfers, vacations with
//! substitution orders, long absences).

use chrono::NaiveDate;

use crate::names;
use crate::people_codes::CodeMint;
use crate::quarter::{day, plus_days, Quarter};
use crate::rng::Rng;

mod catalogue;
use catalogue::REGIONS;
pub(crate) use catalogue::{post, Kind, Post, MUNICIPALITIES, POSTS};

/// A structural unit.
#[derive(Debug)]
pub(crate) struct Unit {
    /// `employees.unit`.
    pub name: String,
    /// What it does.
    pub kind: Kind,
    /// The local government it belongs to (`employees.organisation`), if any.
    pub organisation: Option<&'static str>,
    /// Index of its head in [`Org::people`].
    pub head: usize,
}

/// One row of `employees`: a person in a post in a unit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stint {
    /// Index into [`Org::units`].
    pub unit: usize,
    /// The post held.
    pub post: &'static Post,
    /// First day.
    pub from: NaiveDate,
    /// Last day, if it ended.
    pub to: Option<NaiveDate>,
}

/// One row of `absences`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Absence {
    /// `absences.kind`.
    pub kind: &'static str,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
}

/// What happens to a person in the quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Story {
    /// Nothing but, perhaps, a vacation.
    Plain,
    /// Starts during the quarter, on approved requests.
    Joiner,
    /// Leaves during the quarter; the accounts close on the last day.
    Leaver,
    /// Moves to a unit of another kind; old rights revoked, new ones granted.
    Transfer,
    /// A long parental or sick leave; personal-data roles suspended.
    LongAbsence,
}

/// An employee of the background.
#[derive(Debug)]
pub(crate) struct Person {
    /// Personal code.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Login name, the stem of every account id.
    pub login: String,
    /// Posts held, in order.
    pub stints: Vec<Stint>,
    /// Approved absences.
    pub absences: Vec<Absence>,
    /// What happens in the quarter.
    pub story: Story,
}

impl Person {
    /// First day of employment.
    pub(crate) fn hired(&self) -> NaiveDate {
        self.stints
            .first()
            .map_or_else(NaiveDate::default, |s| s.from)
    }

    /// Last day of employment, if it ended.
    pub(crate) fn left(&self) -> Option<NaiveDate> {
        self.stints.last().and_then(|s| s.to)
    }

    /// The post held on `d`.
    pub(crate) fn stint_on(&self, d: NaiveDate) -> Option<&Stint> {
        self.stints
            .iter()
            .find(|s| s.from <= d && s.to.is_none_or(|to| d <= to))
    }

    /// On an approved absence on `d`.
    pub(crate) fn absent_on(&self, d: NaiveDate) -> bool {
        self.absences.iter().any(|a| a.start <= d && d <= a.end)
    }

    /// At work and looking at citizens' data on `d`: employed, not on their
    /// last day (handover), not absent.
    pub(crate) fn working_on(&self, d: NaiveDate) -> Option<&Stint> {
        if self.absent_on(d) || self.left().is_some_and(|l| d >= l) {
            return None;
        }
        self.stint_on(d)
    }
}

/// A substitution order for an absent unit head.
#[derive(Debug)]
pub(crate) struct Substitution {
    /// `substitutions.order_id`.
    pub order_id: String,
    /// The head who is away.
    pub absent: usize,
    /// The colleague who stands in.
    pub substitute: usize,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The head's role the substitute gets.
    pub role: (&'static str, &'static str),
}

/// The whole background organisation.
#[derive(Debug)]
pub(crate) struct Org {
    /// Units.
    pub units: Vec<Unit>,
    /// People; a unit's head is the first person created for it.
    pub people: Vec<Person>,
    /// Substitution orders.
    pub substitutions: Vec<Substitution>,
}

const PATTERN: &[Kind] = &[
    Kind::Pension,
    Kind::Family,
    Kind::Service,
    Kind::Municipal,
    Kind::Pension,
    Kind::Family,
    Kind::Pension,
    Kind::Service,
    Kind::Family,
    Kind::Municipal,
];

/// Persons per unit, about.
const UNIT_SIZE: usize = 40;

fn random_working_day(rng: &mut Rng, q: &Quarter, from: u64, to: u64) -> NaiveDate {
    let days = q.working_days(q.day(from), q.day(to));
    if days.is_empty() {
        q.day(from)
    } else {
        *rng.pick(&days)
    }
}

/// Builds `persons` people in units of about forty.
pub(crate) fn build(rng: &mut Rng, mint: &mut CodeMint, persons: usize, q: &Quarter) -> Org {
    let unit_count = persons.div_ceil(UNIT_SIZE).max(1);
    let mut units = Vec::with_capacity(unit_count);
    let mut municipal = 0usize;
    for u in 0..unit_count {
        let kind = PATTERN[u % PATTERN.len()];
        let (name, organisation) = if kind == Kind::Municipal {
            let m = MUNICIPALITIES[municipal % MUNICIPALITIES.len()];
            let round = municipal / MUNICIPALITIES.len();
            municipal += 1;
            let suffix = if round > 0 {
                format!(" {}", round + 1)
            } else {
                String::new()
            };
            (format!("{m} sotsiaalosakond{suffix}"), Some(m))
        } else {
            let region = REGIONS[u % REGIONS.len()];
            let round = u / REGIONS.len();
            let suffix = if round > 0 {
                format!(" {}", round + 1)
            } else {
                String::new()
            };
            let what = match kind {
                Kind::Pension => "Pensionite büroo",
                Kind::Family => "Peretoetuste büroo",
                _ => "Klienditeeninduse büroo",
            };
            (format!("{what}, {region}{suffix}"), None)
        };
        units.push(Unit {
            name,
            kind,
            organisation,
            head: 0,
        });
    }

    let mut people = Vec::with_capacity(persons);
    for i in 0..persons {
        let unit = i % unit_count;
        let head = i < unit_count;
        let female = rng.chance(0.65);
        let code = mint.mint(rng, (1958, 2002), female);
        let name = names::full_name(rng, female);
        let login = names::login(&name, i + 1);
        if head {
            units[unit].head = i;
        }
        let kind = units[unit].kind;
        let story = if head {
            Story::Plain
        } else {
            match rng.unit() {
                x if x < 0.03 => Story::Joiner,
                x if x < 0.06 => Story::Leaver,
                x if x < 0.08 && matches!(kind, Kind::Family | Kind::Service) && unit_count > 2 => {
                    Story::Transfer
                }
                x if x < 0.10 => Story::LongAbsence,
                _ => Story::Plain,
            }
        };
        let hired = if story == Story::Joiner {
            random_working_day(rng, q, 5, 76)
        } else {
            plus_days(day(2008, 1, 7), rng.below(6_700))
        };
        let mut stints = vec![Stint {
            unit,
            post: post(kind, head),
            from: hired,
            to: None,
        }];
        let mut absences = Vec::new();
        match story {
            Story::Leaver => {
                stints[0].to = Some(random_working_day(rng, q, 5, 86));
            }
            Story::Transfer => {
                let target_kind = if kind == Kind::Family {
                    Kind::Service
                } else {
                    Kind::Family
                };
                let targets: Vec<usize> = (0..unit_count.min(persons))
                    .filter(|&t| units[t].kind == target_kind)
                    .collect();
                if let Some(&target) = targets.get(rng.index(targets.len().max(1))) {
                    let moved = random_working_day(rng, q, 12, 76);
                    stints[0].to = moved.pred_opt();
                    stints.push(Stint {
                        unit: target,
                        post: post(target_kind, false),
                        from: moved,
                        to: None,
                    });
                }
            }
            Story::LongAbsence => {
                let start = random_working_day(rng, q, 14, 61);
                let kind = if rng.chance(0.6) { "parental" } else { "sick" };
                absences.push(Absence {
                    kind,
                    start,
                    end: plus_days(start, 40 + rng.below(160)),
                });
            }
            Story::Plain => {
                if rng.chance(0.4) {
                    let start = random_working_day(rng, q, 0, 68);
                    absences.push(Absence {
                        kind: "vacation",
                        start,
                        end: plus_days(start, 4 + rng.below(10)),
                    });
                }
                // A one-day absence: a near miss for DQ-03 (start = end is sound).
                if rng.chance(0.05) {
                    let d = random_working_day(rng, q, 0, 86);
                    if !absences.iter().any(|a| a.start <= d && d <= a.end) {
                        absences.push(Absence {
                            kind: "study",
                            start: d,
                            end: d,
                        });
                    }
                }
            }
            Story::Joiner => {}
        }
        people.push(Person {
            code,
            name,
            login,
            stints,
            absences,
            story,
        });
    }
    // A transfer that found no target unit stays where it was.
    for p in &mut people {
        if p.story == Story::Transfer && p.stints.len() == 1 {
            p.story = Story::Plain;
            p.stints[0].to = None;
        }
    }
    let substitutions = substitutions(rng, &units, &people);
    Org {
        units,
        people,
        substitutions,
    }
}

/// A substitution order for every vacation of a pension or family unit's
/// head: a plain colleague who is present throughout gets the head's
/// decision role for exactly the vacation.
fn substitutions(rng: &mut Rng, units: &[Unit], people: &[Person]) -> Vec<Substitution> {
    let mut orders = Vec::new();
    let mut busy = vec![false; people.len()];
    for (ui, unit) in units
        .iter()
        .enumerate()
        .filter(|(_, u)| matches!(u.kind, Kind::Pension | Kind::Family))
    {
        let head = &people[unit.head];
        let Some(vacation) = head.absences.iter().find(|a| a.kind == "vacation") else {
            continue;
        };
        let candidates: Vec<usize> = people
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                *i != unit.head
                    && !busy[*i]
                    && p.story == Story::Plain
                    && p.stints.iter().all(|s| s.unit == ui)
                    && p.hired() < vacation.start
                    && !p
                        .absences
                        .iter()
                        .any(|a| a.start <= vacation.end && vacation.start <= a.end)
            })
            .map(|(i, _)| i)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let substitute = candidates[rng.index(candidates.len())];
        busy[substitute] = true;
        let role = head.stints[0].post.roles[0];
        orders.push(Substitution {
            order_id: format!("AK-G/{:05}", orders.len() + 1),
            absent: unit.head,
            substitute,
            start: vacation.start,
            end: vacation.end,
            role,
        });
    }
    orders
}
