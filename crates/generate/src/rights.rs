//! The background's HR and IAM rows: employees, posts, accounts, role
//! assignments, requests, absences and substitution orders — all of them
//! lawful and on time, so that only the planted stories fire.

use chrono::NaiveDate;

use crate::org::{Kind, Org, Person, Story, POSTS};
use crate::quarter::{at, day, plus_days, previous_working_day, stamp, Quarter};
use crate::rng::Rng;
use crate::tables::Tables;
use crate::GenerateError;

/// Information-security officer of the demo who approves every request.
const APPROVER: &str = "37609092800";
/// The demo's user-support specialists who execute grants.
const EXECUTORS: [&str; 2] = ["38912126247", "49306213376"];

/// The account a person uses in `system`.
pub(crate) fn account_id(org: &Org, person: &Person, system: &str) -> String {
    match system {
        "RR" => format!("ska-{}", person.login),
        "STAR" => {
            let org_name = person
                .stints
                .first()
                .and_then(|s| org.units[s.unit].organisation)
                .unwrap_or("kov");
            let prefix: String = org_name
                .chars()
                .filter(|c| c.is_alphabetic())
                .take(3)
                .map(|c| match c {
                    'ä' | 'Ä' => 'a',
                    'õ' | 'ö' | 'Õ' | 'Ö' => 'o',
                    'ü' | 'Ü' => 'u',
                    other => other,
                })
                .collect();
            format!("{}.{}", prefix.to_lowercase(), person.login)
        }
        _ => person.login.clone(),
    }
}

/// The system every post of the person's units works in.
pub(crate) fn work_system(org: &Org, person: &Person) -> &'static str {
    person
        .stints
        .first()
        .map_or("SKAIS", |s| org.units[s.unit].kind.system())
}

/// The last working day up to `as_of` the person was at work.
fn last_seen(person: &Person, q: &Quarter) -> Option<NaiveDate> {
    let mut d = q.last;
    while d >= q.first {
        if q.cal.is_working_day(d) && person.working_on(d).is_some() {
            return Some(d);
        }
        d = d.pred_opt()?;
    }
    None
}

struct Ids {
    assignment: u64,
    request: u64,
}

impl Ids {
    fn assignment(&mut self) -> String {
        self.assignment += 1;
        format!("RA-G{:07}", self.assignment)
    }
    fn request(&mut self) -> String {
        self.request += 1;
        format!("TT-2026-G{:06}", self.request)
    }
}

/// Writes the organisation's rows.
pub(crate) fn write(
    org: &Org,
    rng: &mut Rng,
    q: &Quarter,
    t: &mut Tables,
) -> Result<(), GenerateError> {
    for post in POSTS {
        t.positions
            .row(&[("position_id", post.id), ("title", post.title)])?;
        for duty in post.duties {
            t.position_duties
                .row(&[("position_id", post.id), ("duty", duty)])?;
        }
    }
    let mut ids = Ids {
        assignment: 0,
        request: 0,
    };
    for person in &org.people {
        write_person(org, person, rng, q, &mut ids, t)?;
    }
    for order in &org.substitutions {
        let absent = &org.people[order.absent];
        let substitute = &org.people[order.substitute];
        t.substitutions.row(&[
            ("order_id", &order.order_id),
            ("absent_person_id", &absent.code),
            ("substitute_person_id", &substitute.code),
            ("system", order.role.0),
            ("start_date", &order.start.to_string()),
            ("end_date", &order.end.to_string()),
            ("issued_by", &absent.code),
            (
                "issued_at",
                &stamp(
                    plus_days(order.start, 0).pred_opt().unwrap_or(order.start),
                    at(10, 0),
                ),
            ),
        ])?;
        let id = ids.assignment();
        t.role_assignments.row(&[
            ("assignment_id", &id),
            ("system", order.role.0),
            ("account_id", &account_id(org, substitute, order.role.0)),
            ("role", order.role.1),
            ("valid_from", &stamp(order.start, at(7, 0))),
            ("valid_to", &stamp(order.end, at(18, 0))),
            ("basis", "substitution"),
            ("basis_ref", &order.order_id),
            ("granted_by", EXECUTORS[0]),
        ])?;
    }
    // Service accounts for the reporting interface: no personal-data role and
    // never in the access log (a near miss for ACC-06).
    for i in 0..(org.people.len() / 1_000).max(1) {
        let account = format!("svc-aruanded-{}", i + 1);
        t.accounts.row(&[
            ("system", "SKAIS"),
            ("account_id", &account),
            ("kind", "service"),
            ("created_at", &stamp(day(2020, 1, 6), at(9, 0))),
            ("last_login_at", &stamp(q.day(90), at(6, 0))),
        ])?;
        t.role_assignments.row(&[
            ("assignment_id", &ids.assignment()),
            ("system", "SKAIS"),
            ("account_id", &account),
            ("role", "ARUANDED"),
            ("valid_from", &stamp(day(2020, 1, 6), at(9, 5))),
            ("basis", "baseline"),
        ])?;
    }
    Ok(())
}

fn write_person(
    org: &Org,
    p: &Person,
    rng: &mut Rng,
    q: &Quarter,
    ids: &mut Ids,
    t: &mut Tables,
) -> Result<(), GenerateError> {
    let head_of = |unit: usize| &org.people[org.units[unit].head];
    for s in &p.stints {
        let unit = &org.units[s.unit];
        let head = head_of(s.unit);
        let manager = if head.code == p.code {
            ""
        } else {
            head.code.as_str()
        };
        t.employees.row(&[
            ("person_id", &p.code),
            ("name", &p.name),
            ("unit", &unit.name),
            ("position_id", s.post.id),
            ("valid_from", &s.from.to_string()),
            ("valid_to", &s.to.map(|d| d.to_string()).unwrap_or_default()),
            ("manager_id", manager),
            ("organisation", unit.organisation.unwrap_or("")),
        ])?;
    }
    for a in &p.absences {
        t.absences.row(&[
            ("person_id", &p.code),
            ("kind", a.kind),
            ("start_date", &a.start.to_string()),
            ("end_date", &a.end.to_string()),
        ])?;
    }

    let hired = p.hired();
    let left = p.left();
    let first = p.stints[0];
    let requester = head_of(first.unit).code.clone();
    let executor = EXECUTORS[rng.index(2)];
    let approval_day = previous_working_day(&q.cal, hired);
    let last_login =
        last_seen(p, q).map_or_else(|| stamp(hired, at(7, 50)), |d| stamp(d, at(7, 50)));

    // Accounts: one per system any of the person's posts needs.
    let mut systems: Vec<&str> = p
        .stints
        .iter()
        .flat_map(|s| s.post.roles.iter().map(|r| r.0))
        .collect();
    systems.dedup();
    systems.sort_unstable();
    systems.dedup();
    for system in &systems {
        let account = account_id(org, p, system);
        let created = if p.story == Story::Joiner {
            let id = ids.request();
            t.access_requests.row(&[
                ("request_id", &id),
                ("person_id", &p.code),
                ("system", system),
                ("action", "create_account"),
                ("requested_by", &requester),
                ("requested_at", &stamp(approval_day, at(10, 0))),
                ("decision", "approved"),
                ("approved_by", APPROVER),
                ("approved_at", &stamp(approval_day, at(14, 0))),
            ])?;
            stamp(hired, at(7, 25))
        } else {
            stamp(hired, at(9, 0))
        };
        let closed = match left {
            Some(l) => {
                t.access_requests.row(&[
                    ("request_id", &ids.request()),
                    ("person_id", &p.code),
                    ("system", system),
                    ("action", "close_account"),
                    ("requested_by", &requester),
                    ("requested_at", &stamp(l, at(9, 30))),
                    ("decision", "approved"),
                    ("approved_by", APPROVER),
                    ("approved_at", &stamp(l, at(10, 0))),
                ])?;
                stamp(l, at(17, 0))
            }
            None => String::new(),
        };
        t.accounts.row(&[
            ("system", system),
            ("account_id", &account),
            ("person_id", &p.code),
            ("kind", "personal"),
            ("created_at", &created),
            ("closed_at", &closed),
            ("last_login_at", &last_login),
        ])?;
    }

    // Role assignments, stint by stint.
    for (i, s) in p.stints.iter().enumerate() {
        let previous = i.checked_sub(1).map(|j| p.stints[j].post);
        let next = p.stints.get(i + 1).map(|n| n.post);
        let requester = head_of(s.unit).code.clone();
        for &(system, role) in s.post.roles {
            if previous.is_some_and(|prev| prev.roles.contains(&(system, role))) {
                continue; // carried over from the previous post
            }
            let account = account_id(org, p, system);
            let (from, basis, basis_ref) = if p.story == Story::Joiner || i > 0 {
                let granted = if i > 0 { s.from } else { hired };
                let approved = previous_working_day(&q.cal, granted);
                let id = ids.request();
                t.access_requests.row(&[
                    ("request_id", &id),
                    ("person_id", &p.code),
                    ("system", system),
                    ("role", role),
                    ("action", "grant"),
                    ("requested_by", &requester),
                    ("requested_at", &stamp(approved, at(10, 5))),
                    ("decision", "approved"),
                    ("approved_by", APPROVER),
                    ("approved_at", &stamp(approved, at(14, 0))),
                ])?;
                (stamp(granted, at(7, 30)), "request", id)
            } else {
                (stamp(hired, at(9, 5)), "baseline", String::new())
            };
            // When the right stops: a transfer away from it, leaving, or the
            // suspension for a long absence.
            let mut until = String::new();
            if let Some(next) = next {
                if !next.roles.contains(&(system, role)) {
                    let moved = p.stints[i + 1].from;
                    let approved = previous_working_day(&q.cal, moved);
                    t.access_requests.row(&[
                        ("request_id", &ids.request()),
                        ("person_id", &p.code),
                        ("system", system),
                        ("role", role),
                        ("action", "revoke"),
                        ("requested_by", &requester),
                        ("requested_at", &stamp(approved, at(10, 10))),
                        ("decision", "approved"),
                        ("approved_by", APPROVER),
                        ("approved_at", &stamp(approved, at(14, 0))),
                    ])?;
                    until = stamp(moved, at(7, 30));
                }
            } else if let Some(l) = left {
                until = stamp(l, at(17, 0));
            }
            let long = p
                .absences
                .iter()
                .find(|a| p.story == Story::LongAbsence && a.kind != "vacation");
            match long {
                Some(a) => {
                    let approved = previous_working_day(&q.cal, a.start);
                    t.access_requests.row(&[
                        ("request_id", &ids.request()),
                        ("person_id", &p.code),
                        ("system", system),
                        ("role", role),
                        ("action", "suspend"),
                        ("requested_by", &requester),
                        ("requested_at", &stamp(approved, at(10, 15))),
                        ("decision", "approved"),
                        ("approved_by", APPROVER),
                        ("approved_at", &stamp(approved, at(14, 0))),
                    ])?;
                    t.role_assignments.row(&[
                        ("assignment_id", &ids.assignment()),
                        ("system", system),
                        ("account_id", &account),
                        ("role", role),
                        ("valid_from", &from),
                        ("valid_to", &stamp(a.start, at(7, 0))),
                        ("basis", basis),
                        ("basis_ref", &basis_ref),
                        ("granted_by", if basis == "request" { executor } else { "" }),
                    ])?;
                    let back = q.cal.nth_working_day_after(a.end, 1);
                    if back <= q.last {
                        t.role_assignments.row(&[
                            ("assignment_id", &ids.assignment()),
                            ("system", system),
                            ("account_id", &account),
                            ("role", role),
                            ("valid_from", &stamp(back, at(7, 30))),
                            ("basis", "baseline"),
                        ])?;
                    }
                }
                None => {
                    t.role_assignments.row(&[
                        ("assignment_id", &ids.assignment()),
                        ("system", system),
                        ("account_id", &account),
                        ("role", role),
                        ("valid_from", &from),
                        ("valid_to", &until),
                        ("basis", basis),
                        ("basis_ref", &basis_ref),
                        ("granted_by", if basis == "request" { executor } else { "" }),
                    ])?;
                }
            }
        }
    }
    // Now and then a request the security officer turned down: no right follows.
    if rng.chance(0.01)
        && first.post.roles.iter().all(|r| r.1 != "VALJAMAKSE")
        && org.units[first.unit].kind != Kind::Municipal
    {
        let d = q.day(rng.below(80));
        t.access_requests.row(&[
            ("request_id", &ids.request()),
            ("person_id", &p.code),
            ("system", "SKAIS"),
            ("role", "VALJAMAKSE"),
            ("action", "grant"),
            ("requested_by", &requester),
            ("requested_at", &stamp(d, at(11, 0))),
            ("decision", "rejected"),
            ("approved_by", APPROVER),
            ("approved_at", &stamp(d, at(15, 0))),
        ])?;
    }
    Ok(())
}
