//! One pass over a stretch's events that builds every PD count at once.
//!
//! Each event becomes a small record: its account's index, its day and
//! time, 128-bit hashes of its subject and of the case it names, and the
//! flags that need no big table (role held, after hours, an export). Then
//! the case each event names is looked up, and the events are counted
//! into their account × subject × day group and account × day, each of
//! these two steps over the records sorted into partitions whose tables
//! stay in the cache. Only the groups some PD rule may report leave the
//! pass as rows; the rest live on as the account × day counts.

use polars::prelude::*;

use accessaudit_ingest::contract::{FILE_COLUMN, ROW_COLUMN};

use super::lookups::{partition, Hash128, Lookups};

/// The event flags counted per group, in the order of [`Counts::flags`].
pub(super) const FLAGS: [&str; 4] = [
    "unexplained",
    "without_role",
    "after_hours",
    "export_unexplained",
];
const UNEXPLAINED: usize = 0;
const WITHOUT_ROLE: usize = 1;
const AFTER_HOURS: usize = 2;

/// What the pass needs besides the lookups: the working hours, the days
/// off, and who a grain flag can mark.
pub(super) struct Marks {
    /// Working hours as minutes of the day, `[from, to)`.
    pub(super) working_hours: (i32, i32),
    /// The period's days that are not working days (days since 1970).
    pub(super) days_off: PlHashSet<i32>,
    /// When a grain flag marks an owner (employment ended, absent).
    pub(super) owners: PlHashMap<String, OwnerMarks>,
    /// Subjects a grain flag can mark (on the watchlist).
    pub(super) subjects: PlHashSet<String>,
}

/// When the grain flags `ended` and `absent` mark an owner.
#[derive(Debug, Default)]
pub(super) struct OwnerMarks {
    /// The last day of the owner's employment, if it ended.
    pub(super) ended_after: Option<i32>,
    /// The owner's absences, first and last day (none: still absent).
    pub(super) absent: Vec<(i32, Option<i32>)>,
}

impl OwnerMarks {
    /// Whether `ended` or `absent` marks day `d`.
    fn marks(&self, d: i32) -> bool {
        self.ended_after.is_some_and(|e| d > e)
            || self
                .absent
                .iter()
                .any(|&(s, e)| s <= d && e.is_none_or(|e| e >= d))
    }
}

/// The counts of one group of events.
#[derive(Debug, Clone, Copy)]
struct Counts {
    events: u32,
    first: i64,
    last: i64,
    /// The earliest event (by time, then by place in the stretch).
    first_event: u32,
}

impl Counts {
    fn new(ts: i64, event: u32) -> Self {
        Counts {
            events: 0,
            first: ts,
            last: ts,
            first_event: event,
        }
    }

    fn add(&mut self, ts: i64, event: u32) {
        self.events += 1;
        // Events come in order, so a tie in time keeps the earlier one.
        if ts < self.first {
            self.first = ts;
            self.first_event = event;
        }
        self.last = self.last.max(ts);
    }
}

/// The pass's result for one stretch: the groups some PD rule may report
/// (`system`, `account_id`, `subject_id`, `day`, `__file`, `__row` of the
/// first event, `all_events`, `all_first`, `all_last`, then
/// `<flag>_events`, `<flag>_first`, `<flag>_last` per flag), every account
/// × day (`system`, `account_id`, `day`, `subjects`, `all_events`,
/// `unexplained_events`, `all_first`, `all_last`, `__file`, `__row`).
pub(super) struct Scanned {
    pub(super) candidates: DataFrame,
    pub(super) account_days: DataFrame,
}

/// The events' columns the pass reads.
struct Columns<'a> {
    ts: &'a Int64Chunked,
    system: &'a StringChunked,
    account: &'a StringChunked,
    subject: &'a StringChunked,
    action: &'a StringChunked,
    case: &'a StringChunked,
    day: &'a Int32Chunked,
    minute: &'a Int32Chunked,
}

impl<'a> Columns<'a> {
    fn of(events: &'a DataFrame) -> PolarsResult<Self> {
        Ok(Columns {
            ts: events.column("ts")?.datetime()?.physical(),
            system: events.column("system")?.str()?,
            account: events.column("account_id")?.str()?,
            subject: events.column("subject_id")?.str()?,
            action: events.column("action")?.str()?,
            case: events.column("case_id")?.str()?,
            day: events.column("day")?.date()?.physical(),
            minute: events.column("minute_of_day")?.i32()?,
        })
    }
}

/// One event as the pass keeps it: its place in the stretch, account
/// (index in `accounts`, or after them for accounts it does not list),
/// day, time, the hashes of its subject and of the case it names, and its
/// flags ([`bit`]).
#[derive(Debug, Clone, Copy, Default)]
struct Rec {
    event: u32,
    account: u32,
    day: i32,
    bits: u32,
    ts: i64,
    subject: Hash128,
    case: Hash128,
}

/// The flags of a [`Rec`]; the system's index + 1 is kept above them.
mod bit {
    pub(super) const HAS_ROLE: u32 = 1;
    pub(super) const AFTER_HOURS: u32 = 2;
    pub(super) const EXPORT: u32 = 4;
    pub(super) const EXPLAINED: u32 = 8;
    pub(super) const SUBJECT: u32 = 16;
    pub(super) const CASE: u32 = 32;
    pub(super) const KNOWN_ACCOUNT: u32 = 64;
    pub(super) const VALID: u32 = 128;
    pub(super) const SYSTEM_SHIFT: u32 = 8;
}

impl Rec {
    fn has(&self, b: u32) -> bool {
        self.bits & b != 0
    }

    /// The system's index, if accounts or cases name it.
    fn system(&self) -> Option<u32> {
        (self.bits >> bit::SYSTEM_SHIFT).checked_sub(1)
    }
}

/// An account the `accounts` table does not list: its system and id.
type Unlisted<'a> = (Option<&'a str>, Option<&'a str>);

/// Whether each event is explained by a case: the pass's own reading, for
/// the test that compares it with `subject-report`'s.
#[cfg(test)]
pub(super) fn explained(lookups: &Lookups, events: &DataFrame) -> PolarsResult<Vec<bool>> {
    let c = Columns::of(events)?;
    let marks = Marks {
        working_hours: (0, 24 * 60),
        days_off: PlHashSet::default(),
        owners: PlHashMap::default(),
        subjects: PlHashSet::default(),
    };
    let mut scratch = Scratch::default();
    records(lookups, &marks, &c, &mut scratch.recs);
    explain(lookups, &mut scratch);
    Ok(scratch.recs.iter().map(|r| r.has(bit::EXPLAINED)).collect())
}

/// Counts a stretch's events (`ts`, `system`, `account_id`, `subject_id`,
/// `action`, `case_id`, `__file`, `__row`, `day`, `minute_of_day`).
///
/// Why in stages over arrays rather than event by event: a quarter's
/// groups, cases and subjects are far larger than the cache, and looking
/// each event up in them costs a miss per table. The stages read and write
/// arrays in order, and the two look-ups that need big tables (the named
/// case, the group) first sort the events into partitions by hash, each
/// small enough for its table to stay in the cache.
pub(super) fn scan(
    lookups: &Lookups,
    marks: &Marks,
    has_cases: bool,
    events: &DataFrame,
    scratch: &mut Scratch,
) -> PolarsResult<Scanned> {
    let clock = std::time::Instant::now();
    let step = |what: &str| tracing::debug!(step = what, elapsed = ?clock.elapsed(), "PD pass");
    let c = Columns::of(events)?;
    records(lookups, marks, &c, &mut scratch.recs);
    step("records");
    let unlisted = code_unlisted(lookups, &c, &mut scratch.recs);
    if has_cases {
        explain(lookups, scratch);
    }
    step("explained");
    let watched: PlHashSet<Hash128> = marks.subjects.iter().map(|s| lookups.hash.of(s)).collect();
    let (groups, account_days) = aggregate(scratch, &|key: &GroupKey, g: &GroupOut| {
        may_be_reported(lookups, marks, &watched, key, g)
    });
    step("aggregated");
    let scanned = frames(lookups, &c, events, &unlisted, &groups, &account_days);
    step("frames");
    scanned
}

/// The pass's arrays, kept from one stretch to the next: a stretch of a
/// large log needs about a gigabyte of them, and memory freshly taken from
/// the system is zeroed page by page, which cost more than the pass itself.
#[derive(Default)]
pub(super) struct Scratch {
    recs: Vec<Rec>,
    /// The records sorted into partitions (see [`partitioned`]).
    parted: Vec<Rec>,
    probes: Vec<Probe>,
    starts: Vec<usize>,
}

/// A named-case look-up: the record's index and what the case must match.
#[derive(Debug, Clone, Copy, Default)]
struct Probe {
    rec: u32,
    system: u32,
    ts: i64,
    subject: Hash128,
    case: Hash128,
}

/// Runs `work` on the halves `[0, n/2)` and `[n/2, n)` on two threads and
/// joins the results in order.
fn halves<T: Send>(n: usize, work: impl Fn(usize, usize) -> Vec<T> + Sync) -> Vec<T> {
    let half = n / 2;
    std::thread::scope(|threads| {
        let second = threads.spawn(|| work(half, n));
        let mut out = work(0, half);
        // `work` has no panicking paths; if it did, the second half would
        // be redone here rather than lost.
        out.extend(second.join().unwrap_or_else(|_| work(half, n)));
        out
    })
}

/// The stage that reads the events' columns in order: each event's
/// account, hashes and the flags that need no big table, one record per
/// event (two threads, one per half).
fn records(lookups: &Lookups, marks: &Marks, c: &Columns<'_>, recs: &mut Vec<Rec>) {
    let n = c.ts.len();
    recs.clear();
    recs.resize(n, Rec::default());
    let (first, second) = recs.split_at_mut(n / 2);
    let fill = |from: usize, out: &mut [Rec]| {
        let len = out.len();
        let at = from as i64;
        let (ts, system, account) = (
            c.ts.slice(at, len),
            c.system.slice(at, len),
            c.account.slice(at, len),
        );
        let (subject, action, case) = (
            c.subject.slice(at, len),
            c.action.slice(at, len),
            c.case.slice(at, len),
        );
        let (day, minute) = (c.day.slice(at, len), c.minute.slice(at, len));
        let columns = ts
            .iter()
            .zip(system.iter())
            .zip(account.iter())
            .zip(subject.iter())
            .zip(action.iter())
            .zip(case.iter())
            .zip(day.iter())
            .zip(minute.iter());
        for (i, (((((((ts, system), account_id), subject), action), case_id), day), minute)) in
            columns.enumerate()
        {
            // The period filter keeps only events with a time, and the day
            // and minute are computed from it; a record left invalid would
            // be skipped.
            let (Some(ts), Some(day), Some(minute)) = (ts, day, minute) else {
                continue;
            };
            let s = lookups.system(system);
            let account = lookups.account_in(s, account_id);
            let mut bits = bit::VALID | s.map_or(0, |s| (s as u32 + 1) << bit::SYSTEM_SHIFT);
            let mut set = |b: u32, on: bool| {
                if on {
                    bits |= b;
                }
            };
            set(bit::KNOWN_ACCOUNT, account.is_some());
            set(
                bit::HAS_ROLE,
                account.is_some_and(|a| lookups.account_at(a).has_role(ts)),
            );
            set(
                bit::AFTER_HOURS,
                minute < marks.working_hours.0
                    || minute >= marks.working_hours.1
                    || marks.days_off.contains(&day),
            );
            set(bit::EXPORT, matches!(action, Some("export" | "print")));
            set(bit::SUBJECT, subject.is_some());
            set(bit::CASE, case_id.is_some());
            out[i] = Rec {
                event: (from + i) as u32,
                account: account.unwrap_or(u32::MAX),
                day,
                bits,
                ts,
                subject: subject.map_or((0, 0), |s| lookups.hash.of(s)),
                case: case_id.map_or((0, 0), |s| lookups.hash.of(s)),
            };
        }
    };
    let half = first.len();
    std::thread::scope(|threads| {
        threads.spawn(|| fill(half, second));
        fill(0, first);
    });
}

/// Codes the accounts the `accounts` table does not list (after the
/// listed ones), and returns their system and id by code.
fn code_unlisted<'a>(lookups: &Lookups, c: &Columns<'a>, recs: &mut [Rec]) -> Vec<Unlisted<'a>> {
    let known = lookups.accounts_len();
    let mut codes: PlHashMap<Unlisted<'a>, u32> = PlHashMap::default();
    let mut unlisted = Vec::new();
    for r in recs
        .iter_mut()
        .filter(|r| r.has(bit::VALID) && !r.has(bit::KNOWN_ACCOUNT))
    {
        let key = (
            c.system.get(r.event as usize),
            c.account.get(r.event as usize),
        );
        r.account = *codes.entry(key).or_insert_with(|| {
            unlisted.push(key);
            known + unlisted.len() as u32 - 1
        });
    }
    unlisted
}

/// Sorts the `items` `pick` gives into `1 << bits` partitions by `key`
/// (stable: each partition keeps the items' order), into `out`, with each
/// partition's start in `starts` (and the end last).
fn partitioned<S, T: Copy + Default>(
    items: &[S],
    pick: impl Fn(usize, &S) -> Option<T>,
    bits: u32,
    key: impl Fn(&T) -> usize,
    out: &mut Vec<T>,
    starts: &mut Vec<usize>,
) {
    let parts = 1usize << bits;
    starts.clear();
    starts.resize(parts + 1, 0);
    let mut total = 0;
    for (i, item) in items.iter().enumerate() {
        if let Some(t) = pick(i, item) {
            starts[key(&t) + 1] += 1;
            total += 1;
        }
    }
    for p in 0..parts {
        starts[p + 1] += starts[p];
    }
    let mut next = starts.clone();
    out.clear();
    out.resize(total, T::default());
    for (i, item) in items.iter().enumerate() {
        if let Some(t) = pick(i, item) {
            let p = key(&t);
            out[next[p]] = t;
            next[p] += 1;
        }
    }
}

/// The stage that finds which events a case explains: first the case each
/// event names, probed partition by partition of the case's hash; then,
/// for the events still unexplained, their subject's cases that the owner
/// or the owner's unit handles (few events, read one by one).
fn explain(lookups: &Lookups, scratch: &mut Scratch) {
    let named = &lookups.named;
    let bits = named.bits();
    let Scratch {
        recs,
        probes,
        starts,
        ..
    } = scratch;
    partitioned(
        recs,
        |i, r| {
            let probe = r.has(bit::CASE) && r.has(bit::SUBJECT);
            probe.then_some(()).and_then(|()| {
                Some(Probe {
                    rec: i as u32,
                    system: r.system()?,
                    ts: r.ts,
                    subject: r.subject,
                    case: r.case,
                })
            })
        },
        bits,
        |p| partition(p.case.0, bits),
        probes,
        starts,
    );
    let (probes, starts) = (&*probes, &*starts);
    let parts = starts.len() - 1;
    tracing::debug!(probes = probes.len(), "PD pass: named cases");
    let found = halves(parts, |from, to| {
        let mut found = Vec::new();
        for p in from..to {
            for probe in &probes[starts[p]..starts[p + 1]] {
                if named
                    .get(p, probe.case)
                    .any(|case| case.explains(probe.system, probe.subject, probe.ts))
                {
                    found.push(probe.rec);
                }
            }
        }
        found
    });
    for rec in found {
        recs[rec as usize].bits |= bit::EXPLAINED;
    }
    let known = lookups.accounts_len();
    for r in recs.iter_mut() {
        if r.has(bit::EXPLAINED) || !r.has(bit::SUBJECT) || r.account >= known {
            continue;
        }
        let Some(s) = r.system() else {
            continue;
        };
        if lookups.explains_unnamed(s, r.subject, r.account, r.ts, r.day) {
            r.bits |= bit::EXPLAINED;
        }
    }
}

/// The key of an account × subject × day (the subject by its hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey {
    account: u32,
    day: i32,
    subject: Hash128,
    has_subject: bool,
}

/// One account × subject × day's counts, and when each flag was first and
/// last seen.
#[derive(Debug, Clone, Copy)]
struct GroupOut {
    counts: Counts,
    flagged: [u32; 4],
    times: [(i64, i64); 4],
}

/// One account × day.
#[derive(Debug, Clone, Copy)]
struct AccountDayOut {
    account: u32,
    day: i32,
    subjects: i64,
    counts: Counts,
    unexplained: u64,
}

/// The stage that counts the events per account × subject × day and per
/// account × day. The events are sorted into partitions by (account, day),
/// so both of an event's groups are in its partition, and each partition's
/// tables stay in the cache. Returns the groups `keep` accepts and every
/// account × day.
fn aggregate(
    scratch: &mut Scratch,
    keep: &(dyn Fn(&GroupKey, &GroupOut) -> bool + Sync),
) -> (Vec<(GroupKey, GroupOut)>, Vec<AccountDayOut>) {
    let Scratch {
        recs,
        parted,
        starts,
        ..
    } = scratch;
    // About 32,768 events per partition.
    let bits = (recs.len() / 32_768).max(1).ilog2().min(12);
    let spread = |r: &Rec| {
        let key = (u64::from(r.account) << 32) | u64::from(r.day as u32);
        partition(key.wrapping_mul(0x9E37_79B9_7F4A_7C15), bits)
    };
    partitioned(
        recs,
        |_, r| r.has(bit::VALID).then_some(*r),
        bits,
        spread,
        parted,
        starts,
    );
    let (recs, starts) = (&*parted, &*starts);
    let parts = starts.len() - 1;
    let both = halves(parts, |from, to| {
        let mut groups: PlHashMap<GroupKey, GroupOut> = PlHashMap::default();
        let mut days: PlHashMap<(u32, i32), AccountDayOut> = PlHashMap::default();
        let mut kept = Vec::new();
        let mut all_days = Vec::new();
        for p in from..to {
            for r in &recs[starts[p]..starts[p + 1]] {
                let explained = r.has(bit::EXPLAINED);
                let key = GroupKey {
                    account: r.account,
                    day: r.day,
                    subject: r.subject,
                    has_subject: r.has(bit::SUBJECT),
                };
                let day = days.entry((r.account, r.day)).or_insert(AccountDayOut {
                    account: r.account,
                    day: r.day,
                    subjects: 0,
                    counts: Counts::new(r.ts, r.event),
                    unexplained: 0,
                });
                day.counts.add(r.ts, r.event);
                day.unexplained += u64::from(!explained);
                let g = groups.entry(key).or_insert_with(|| {
                    day.subjects += 1;
                    GroupOut {
                        counts: Counts::new(r.ts, r.event),
                        flagged: [0; 4],
                        times: [(i64::MAX, i64::MIN); 4],
                    }
                });
                g.counts.add(r.ts, r.event);
                // In the order of `FLAGS`.
                let flags = [
                    !explained,
                    !r.has(bit::HAS_ROLE),
                    r.has(bit::AFTER_HOURS),
                    !explained && r.has(bit::EXPORT),
                ];
                for (f, on) in flags.into_iter().enumerate() {
                    if on {
                        g.flagged[f] += 1;
                        let (first, last) = &mut g.times[f];
                        *first = (*first).min(r.ts);
                        *last = (*last).max(r.ts);
                    }
                }
            }
            kept.extend(groups.drain().filter(|(k, g)| keep(k, g)));
            all_days.extend(days.drain().map(|(_, d)| d));
        }
        vec![(kept, all_days)]
    });
    let mut groups = Vec::new();
    let mut days = Vec::new();
    for (g, d) in both {
        groups.extend(g);
        days.extend(d);
    }
    (groups, days)
}

/// Whether some PD rule may report the group: an event flag is set, or a
/// grain flag may be (the subject is the owner, the owner's employment
/// ended or the owner was absent that day, the subject is on the
/// watchlist). The rest are clean looks, counted only in the account × day.
fn may_be_reported(
    lookups: &Lookups,
    marks: &Marks,
    watched: &PlHashSet<Hash128>,
    key: &GroupKey,
    g: &GroupOut,
) -> bool {
    let flagged =
        g.flagged[UNEXPLAINED] > 0 || g.flagged[WITHOUT_ROLE] > 0 || g.flagged[AFTER_HOURS] > 0;
    if flagged || (key.has_subject && watched.contains(&key.subject)) {
        return true;
    }
    if key.account >= lookups.accounts_len() {
        return false;
    }
    let account = lookups.account_at(key.account);
    let self_lookup = key.has_subject && account.owner_hashes.contains(&key.subject);
    self_lookup
        || account.owners.iter().any(|o| {
            marks
                .owners
                .get(o.person.as_str())
                .is_some_and(|m| m.marks(key.day))
        })
}

/// The candidate groups and account × days as frames (see [`Scanned`]).
fn frames(
    lookups: &Lookups,
    c: &Columns<'_>,
    events: &DataFrame,
    unlisted: &[Unlisted<'_>],
    kept: &[(GroupKey, GroupOut)],
    account_days: &[AccountDayOut],
) -> PolarsResult<Scanned> {
    let known = lookups.accounts_len();
    let account_name = |code: u32| -> Unlisted<'_> {
        if code < known {
            let a = lookups.account_at(code);
            (Some(a.system.as_str()), Some(a.account_id.as_str()))
        } else {
            unlisted[(code - known) as usize]
        }
    };
    let files = events.column(FILE_COLUMN)?.u32()?;
    let rows = events.column(ROW_COLUMN)?.u64()?;
    let candidates = {
        let mut columns = account_columns(kept.iter().map(|(k, _)| account_name(k.account)));
        // Every event of a group has its subject; the first one's is read.
        columns.push(Column::new(
            "subject_id".into(),
            kept.iter()
                .map(|(_, g)| c.subject.get(g.counts.first_event as usize))
                .collect::<Vec<_>>(),
        ));
        columns.push(days(kept.iter().map(|(k, _)| k.day))?);
        columns.extend(first_rows(files, rows, kept.iter().map(|(_, g)| &g.counts)));
        columns.extend(counts(kept.iter().map(|(_, g)| &g.counts))?);
        for (f, name) in FLAGS.iter().enumerate() {
            columns.push(Column::new(
                format!("{name}_events").into(),
                kept.iter().map(|(_, g)| g.flagged[f]).collect::<Vec<u32>>(),
            ));
        }
        let times = |g: &GroupOut, f: usize| (g.flagged[f] > 0).then_some(g.times[f]);
        for (f, name) in FLAGS.iter().enumerate() {
            columns.push(timestamps(
                &format!("{name}_first"),
                kept.iter().map(|(_, g)| times(g, f).map(|t| t.0)),
            )?);
            columns.push(timestamps(
                &format!("{name}_last"),
                kept.iter().map(|(_, g)| times(g, f).map(|t| t.1)),
            )?);
        }
        DataFrame::new(kept.len(), columns)?
    };
    let account_days = {
        let ads = account_days;
        let mut columns = account_columns(ads.iter().map(|a| account_name(a.account)));
        columns.push(days(ads.iter().map(|a| a.day))?);
        columns.push(Column::new(
            "subjects".into(),
            ads.iter().map(|a| a.subjects).collect::<Vec<i64>>(),
        ));
        let mut totals = counts(ads.iter().map(|a| &a.counts))?;
        // The account × day counts are summed over groups, as u64.
        totals[0] = totals[0].cast(&DataType::UInt64)?;
        columns.extend(totals);
        columns.push(Column::new(
            "unexplained_events".into(),
            ads.iter().map(|a| a.unexplained).collect::<Vec<u64>>(),
        ));
        columns.extend(first_rows(files, rows, ads.iter().map(|a| &a.counts)));
        DataFrame::new(ads.len(), columns)?
    };
    Ok(Scanned {
        candidates,
        account_days,
    })
}

/// `system` and `account_id` columns.
fn account_columns<'a>(
    names: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> Vec<Column> {
    let (systems, ids): (Vec<_>, Vec<_>) = names.unzip();
    vec![
        Column::new("system".into(), systems),
        Column::new("account_id".into(), ids),
    ]
}

/// A `day` column of dates.
fn days(days: impl Iterator<Item = i32>) -> PolarsResult<Column> {
    Column::new("day".into(), days.collect::<Vec<i32>>()).cast(&DataType::Date)
}

/// A column of UTC timestamps (microseconds).
fn timestamps(name: &str, values: impl Iterator<Item = Option<i64>>) -> PolarsResult<Column> {
    Column::new(name.into(), values.collect::<Vec<Option<i64>>>())
        .cast(&accessaudit_ingest::contract::timestamp_dtype())
}

/// `all_events`, `all_first`, `all_last`.
fn counts<'a>(counts: impl Iterator<Item = &'a Counts> + Clone) -> PolarsResult<Vec<Column>> {
    Ok(vec![
        Column::new(
            "all_events".into(),
            counts.clone().map(|c| c.events).collect::<Vec<u32>>(),
        ),
        timestamps("all_first", counts.clone().map(|c| Some(c.first)))?,
        timestamps("all_last", counts.map(|c| Some(c.last)))?,
    ])
}

/// `__file` and `__row` of each first event.
fn first_rows<'a>(
    files: &UInt32Chunked,
    rows: &UInt64Chunked,
    counts: impl Iterator<Item = &'a Counts> + Clone,
) -> [Column; 2] {
    [
        Column::new(
            FILE_COLUMN.into(),
            counts
                .clone()
                .map(|c| files.get(c.first_event as usize))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            ROW_COLUMN.into(),
            counts
                .map(|c| rows.get(c.first_event as usize))
                .collect::<Vec<_>>(),
        ),
    ]
}
