//! The small tables the pass over the log looks events up in, read once per
//! audit into hash maps: accounts with their owners' posts and
//! personal-data rights, and the cases by id and by subject.
//!
//! Why not joins: a join of millions of events on string keys (system,
//! account, subject, case) hashes and gathers every column of every event
//! once per join; the pass looks each event up once in these maps and keeps
//! only counters (see [`super::scan`]).

use std::hash::BuildHasher as _;

use polars::prelude::*;

use crate::checks::{facts, Context};

/// One post an owner held (an `employees` row): its days and unit.
#[derive(Debug, Clone)]
pub(super) struct Post {
    from: Option<i32>,
    to: Option<i32>,
    /// The unit's code (see [`Lookups::unit_code`]).
    unit: Option<u32>,
}

impl Post {
    /// Whether the post covers day `d` (days since 1970): `from ≤ d` and
    /// `to` unset or `≥ d`, as [`facts::covers_day`] reads it.
    fn covers(&self, d: i32) -> bool {
        self.from.is_some_and(|f| f <= d) && self.to.is_none_or(|t| t >= d)
    }
}

/// An owner of an account: the person and every post that person held.
#[derive(Debug, Clone)]
pub(super) struct Owner {
    pub(super) person: String,
    posts: Vec<Post>,
}

impl Owner {
    /// Whether the owner was in unit `unit` on day `d`.
    fn in_unit(&self, unit: u32, d: i32) -> bool {
        self.posts
            .iter()
            .any(|p| p.unit == Some(unit) && p.covers(d))
    }
}

/// One account of the `accounts` table.
#[derive(Debug, Clone)]
pub(super) struct Account {
    pub(super) system: String,
    pub(super) account_id: String,
    /// Its owners: one, or none for an account without a person; more only
    /// when the table lists the account twice (DQ reports that), and then
    /// any of them counts, as a join would count every row.
    pub(super) owners: Vec<Owner>,
    /// Effective personal-data rights `[start, end)` in UTC microseconds.
    rights: Vec<(Option<i64>, Option<i64>)>,
    /// The owners' personal codes' hashes, to tell a look at oneself.
    pub(super) owner_hashes: Vec<Hash128>,
}

impl Account {
    /// Whether the account held an effective personal-data role at `ts`.
    pub(super) fn has_role(&self, ts: i64) -> bool {
        self.rights
            .iter()
            .any(|(s, e)| s.is_some_and(|s| s <= ts) && e.is_none_or(|e| e > ts))
    }
}

/// 128-bit hashes of strings (two 64-bit hashes with independent seeds),
/// for keys compared by hash alone: a look-up by hash reads no string, and
/// two different strings share a 128-bit hash with odds of 2^-128.
#[derive(Debug, Clone, Default)]
pub(super) struct StrHash {
    a: PlRandomState,
    b: PlRandomState,
}

/// A string's [`StrHash`].
pub(super) type Hash128 = (u64, u64);

impl StrHash {
    pub(super) fn of(&self, s: &str) -> Hash128 {
        (self.a.hash_one(s), self.b.hash_one(s))
    }
}

/// What the named-case check needs of a case: its id's and subject's
/// hashes, its system's index, and when it was open, `[opened, closed)`
/// (`i64::MAX`: still open).
#[derive(Debug, Clone, Copy)]
pub(super) struct NamedCase {
    id: Hash128,
    system: u32,
    subject: Hash128,
    opened: i64,
    closed: i64,
}

impl NamedCase {
    /// Whether the case is of `system` and `subject` and open at `ts`.
    pub(super) fn explains(&self, system: u32, subject: Hash128, ts: i64) -> bool {
        self.system == system && self.subject == subject && self.opened <= ts && ts < self.closed
    }
}

/// The cases by their id's hash, in partitions by the hash's top bits, so
/// that events sorted into the same partitions probe a table that fits in
/// the cache.
#[derive(Debug, Default)]
pub(super) struct NamedCases {
    bits: u32,
    /// Per partition: the first case of each id hash, kept in the table
    /// (one memory access per look-up).
    parts: Vec<PlHashMap<u64, NamedCase>>,
    /// The other cases of an id hash: a repeated case id (DQ reports it).
    more: PlHashMap<u64, Vec<NamedCase>>,
}

impl NamedCases {
    fn new(cases: Vec<NamedCase>) -> Self {
        // About 4,096 cases per partition.
        let bits = (cases.len() / 4096).max(1).ilog2().min(12);
        let mut parts: Vec<PlHashMap<u64, NamedCase>> =
            (0..1usize << bits).map(|_| PlHashMap::default()).collect();
        let mut more: PlHashMap<u64, Vec<NamedCase>> = PlHashMap::default();
        for case in cases {
            let part = &mut parts[partition(case.id.0, bits)];
            if part.contains_key(&case.id.0) {
                more.entry(case.id.0).or_default().push(case);
            } else {
                part.insert(case.id.0, case);
            }
        }
        NamedCases { bits, parts, more }
    }

    /// How many partitions, as bits of the hash.
    pub(super) fn bits(&self) -> u32 {
        self.bits
    }

    /// The cases of partition `p` whose id has hash `id`.
    pub(super) fn get(&self, p: usize, id: Hash128) -> impl Iterator<Item = &NamedCase> {
        let first = self.parts.get(p).and_then(|part| part.get(&id.0));
        // Only an id hash that repeats has more (rare), so most look-ups
        // stop at the first.
        let more = first
            .filter(|_| !self.more.is_empty())
            .and_then(|_| self.more.get(&id.0));
        first
            .into_iter()
            .chain(more.into_iter().flatten())
            .filter(move |c| c.id == id)
    }
}

/// The partition of a hash: its top `bits` bits.
pub(super) fn partition(hash: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (hash >> (64 - bits)) as usize
    }
}

/// A case as the check of a look that names no case reads it: who
/// handles it (the handler's hash, the unit's code) and when it was open,
/// `[opened, closed)` (`i64::MAX`: still open).
#[derive(Debug, Clone, Copy)]
struct HeldCase {
    handler: Option<Hash128>,
    unit: Option<u32>,
    opened: i64,
    closed: i64,
}

/// The lookups of one audit.
pub(super) struct Lookups {
    /// Systems named by accounts or cases; an index into `accounts_by_id`.
    systems: Vec<String>,
    /// Per system: account id → index into `accounts`. Keys are small
    /// strings kept inline, so a look-up reads no other memory.
    accounts_by_id: Vec<PlHashMap<PlSmallStr, u32>>,
    accounts: Vec<Account>,
    /// The hashes of case ids and subjects.
    pub(super) hash: StrHash,
    /// The cases by the hash of their id.
    pub(super) named: NamedCases,
    /// Unit name → code, for the units of posts and cases.
    units: PlHashMap<PlSmallStr, u32>,
    /// (system, subject's hash) → the range of the subject's cases in
    /// `held`, which is sorted by system and subject.
    by_subject: PlHashMap<(u32, Hash128), (u32, u32)>,
    held: Vec<HeldCase>,
}

impl Lookups {
    /// Reads accounts, employees, the personal-data rights and the cases.
    pub(super) fn read(ctx: &Context<'_>) -> PolarsResult<Self> {
        let mut lookups = Lookups {
            systems: Vec::new(),
            accounts_by_id: Vec::new(),
            accounts: Vec::new(),
            hash: StrHash::default(),
            named: NamedCases::default(),
            units: PlHashMap::default(),
            by_subject: PlHashMap::default(),
            held: Vec::new(),
        };
        let clock = std::time::Instant::now();
        let step =
            |what: &str| tracing::debug!(step = what, elapsed = ?clock.elapsed(), "PD look-ups");
        let posts = lookups.read_posts(ctx)?;
        lookups.read_accounts(ctx, &posts)?;
        step("accounts");
        lookups.read_rights(ctx)?;
        step("rights");
        for account in &mut lookups.accounts {
            let hash = &lookups.hash;
            account.owner_hashes = account.owners.iter().map(|o| hash.of(&o.person)).collect();
        }
        if ctx.snapshot.table("cases").is_some() {
            lookups.read_cases(ctx)?;
            step("cases");
        }
        Ok(lookups)
    }

    /// The index of `system`, added if new.
    fn system_index(&mut self, system: &str) -> usize {
        if let Some(i) = self.systems.iter().position(|s| s == system) {
            return i;
        }
        self.systems.push(system.to_string());
        self.accounts_by_id.push(PlHashMap::default());
        self.systems.len() - 1
    }

    fn read_accounts(
        &mut self,
        ctx: &Context<'_>,
        posts: &PlHashMap<String, Vec<Post>>,
    ) -> PolarsResult<()> {
        let df = ctx
            .frame("accounts")
            .select([col("system"), col("account_id"), col("person_id")])
            .collect()?;
        let systems = df.column("system")?.str()?;
        let ids = df.column("account_id")?.str()?;
        let persons = df.column("person_id")?.str()?;
        for ((system, id), person) in systems.iter().zip(ids.iter()).zip(persons.iter()) {
            // A join on (system, account_id) never matches a null key.
            let (Some(system), Some(id)) = (system, id) else {
                continue;
            };
            let s = self.system_index(system);
            let owner = person.map(|p| Owner {
                person: p.to_string(),
                posts: posts.get(p).cloned().unwrap_or_default(),
            });
            match self.accounts_by_id[s].get(id) {
                Some(&a) => self.accounts[a as usize].owners.extend(owner),
                None => {
                    let a = self.accounts.len() as u32;
                    self.accounts.push(Account {
                        system: system.to_string(),
                        account_id: id.to_string(),
                        owners: owner.into_iter().collect(),
                        rights: Vec::new(),
                        owner_hashes: Vec::new(),
                    });
                    self.accounts_by_id[s].insert(id.into(), a);
                }
            }
        }
        Ok(())
    }

    fn read_rights(&mut self, ctx: &Context<'_>) -> PolarsResult<()> {
        let df = facts::personal_data_rights(ctx)
            .select([
                col("system"),
                col("account_id"),
                col("eff_start").cast(DataType::Int64),
                col("eff_end").cast(DataType::Int64),
            ])
            .collect()?;
        let systems = df.column("system")?.str()?;
        let ids = df.column("account_id")?.str()?;
        let starts = df.column("eff_start")?.i64()?;
        let ends = df.column("eff_end")?.i64()?;
        for (((system, id), start), end) in systems
            .iter()
            .zip(ids.iter())
            .zip(starts.iter())
            .zip(ends.iter())
        {
            // Rights come from an inner join with `accounts`, so the account
            // is known.
            if let Some(a) = self.account(system, id) {
                self.accounts[a as usize].rights.push((start, end));
            }
        }
        Ok(())
    }

    fn read_cases(&mut self, ctx: &Context<'_>) -> PolarsResult<()> {
        let df = ctx
            .frame("cases")
            .select([
                col("system"),
                col("subject_id"),
                col("case_id"),
                col("unit"),
                col("handler_id"),
                col("opened_at").cast(DataType::Int64),
                col("closed_at").cast(DataType::Int64),
            ])
            .collect()?;
        let text = |name: &str| -> PolarsResult<&StringChunked> { df.column(name)?.str() };
        let (systems, subjects, ids) = (text("system")?, text("subject_id")?, text("case_id")?);
        let (units, handlers) = (text("unit")?, text("handler_id")?);
        let opened = df.column("opened_at")?.i64()?;
        let closed = df.column("closed_at")?.i64()?;
        let mut named = Vec::with_capacity(df.height());
        let mut held = Vec::with_capacity(df.height());
        let rows = systems
            .iter()
            .zip(subjects.iter())
            .zip(ids.iter())
            .zip(units.iter())
            .zip(handlers.iter())
            .zip(opened.iter())
            .zip(closed.iter());
        for ((((((system, subject), id), unit), handler), opened), closed) in rows {
            // A case without its system, subject or opening explains nothing
            // (a join never matches a null key; a comparison with null fails).
            let (Some(system), Some(subject), Some(opened)) = (system, subject, opened) else {
                continue;
            };
            let s = self.system_index(system) as u32;
            let subject = self.hash.of(subject);
            let closed = closed.unwrap_or(i64::MAX);
            if let Some(id) = id {
                named.push(NamedCase {
                    id: self.hash.of(id),
                    system: s,
                    subject,
                    opened,
                    closed,
                });
            }
            let case = HeldCase {
                handler: handler.map(|h| self.hash.of(h)),
                unit: unit.map(|u| self.unit_code(u)),
                opened,
                closed,
            };
            held.push(((s, subject), case));
        }
        held.sort_unstable_by_key(|(key, _)| *key);
        let mut start = 0;
        for run in held.chunk_by(|a, b| a.0 == b.0) {
            self.by_subject
                .insert(run[0].0, (start as u32, run.len() as u32));
            start += run.len();
        }
        self.held = held.into_iter().map(|(_, case)| case).collect();
        self.named = NamedCases::new(named);
        Ok(())
    }

    /// The index of a system, if accounts or cases name it.
    pub(super) fn system(&self, system: Option<&str>) -> Option<usize> {
        let system = system?;
        self.systems.iter().position(|s| s == system)
    }

    /// The index of account (`system`, `id`) in the `accounts` table.
    fn account(&self, system: Option<&str>, id: Option<&str>) -> Option<u32> {
        let s = self.system(system)?;
        self.accounts_by_id[s].get(id?).copied()
    }

    /// The index of account `id` of system index `s`.
    pub(super) fn account_in(&self, s: Option<usize>, id: Option<&str>) -> Option<u32> {
        self.accounts_by_id[s?].get(id?).copied()
    }

    /// How many accounts the `accounts` table lists (their indexes are
    /// `0..accounts_len()`).
    pub(super) fn accounts_len(&self) -> u32 {
        self.accounts.len() as u32
    }

    /// The account at `index`.
    pub(super) fn account_at(&self, index: u32) -> &Account {
        &self.accounts[index as usize]
    }

    /// Every person's posts, from `employees`.
    fn read_posts(&mut self, ctx: &Context<'_>) -> PolarsResult<PlHashMap<String, Vec<Post>>> {
        let df = ctx
            .frame("employees")
            .select([
                col("person_id"),
                col("unit"),
                col("valid_from").cast(DataType::Int32),
                col("valid_to").cast(DataType::Int32),
            ])
            .collect()?;
        let persons = df.column("person_id")?.str()?;
        let units = df.column("unit")?.str()?;
        let from = df.column("valid_from")?.i32()?;
        let to = df.column("valid_to")?.i32()?;
        let mut posts: PlHashMap<String, Vec<Post>> = PlHashMap::default();
        for (((person, unit), from), to) in persons
            .iter()
            .zip(units.iter())
            .zip(from.iter())
            .zip(to.iter())
        {
            if let Some(person) = person {
                posts.entry(person.to_string()).or_default().push(Post {
                    from,
                    to,
                    unit: unit.map(|u| self.unit_code(u)),
                });
            }
        }
        Ok(posts)
    }

    /// The code of unit `name`, added if new.
    fn unit_code(&mut self, name: &str) -> u32 {
        // Looked up first: a key is built (for a long name, allocated) only
        // for a unit not seen yet, and every case names one.
        if let Some(&code) = self.units.get(name) {
            return code;
        }
        let next = self.units.len() as u32;
        self.units.insert(name.into(), next);
        next
    }

    /// Whether a case the look does not name explains it: a case of its
    /// subject (by hash) in system `s` open at `ts` that the account's
    /// owner handles, or one of the owner's units that day does (the
    /// reading of [`super::explain`]).
    pub(super) fn explains_unnamed(
        &self,
        s: u32,
        subject: Hash128,
        account: u32,
        ts: i64,
        day: i32,
    ) -> bool {
        let Some(&(start, len)) = self.by_subject.get(&(s, subject)) else {
            return false;
        };
        let account = &self.accounts[account as usize];
        let cases = &self.held[start as usize..(start + len) as usize];
        cases.iter().any(|c| {
            c.opened <= ts
                && ts < c.closed
                && (c.handler.is_some_and(|h| account.owner_hashes.contains(&h))
                    || c.unit
                        .is_some_and(|u| account.owners.iter().any(|o| o.in_unit(u, day))))
        })
    }
}
