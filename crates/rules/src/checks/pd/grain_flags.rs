//! The flags that depend only on an account × subject × day group (owner
//! absent or gone, subject a colleague, on the watchlist, a relative, of
//! another municipality), with the tables they look people up in.

use polars::prelude::*;

use super::scan::{Marks, OwnerMarks};
use crate::checks::facts::{self, covers_day, days_since_epoch};
use crate::checks::Context;

/// The tables the grain flags look people up in, read once per audit
/// rather than once per slice (the subjects' municipalities are millions of
/// rows), and the lists that say who a grain flag can mark at all.
pub(super) struct GrainLookups {
    /// Owners whose employment ended: `owner`, `end_day`.
    ended: DataFrame,
    /// Subjects on the watchlist: `subject_id`, `watch_category` (the
    /// first category that is not `employee`), `watch_employee`.
    watch: DataFrame,
    /// Relatives, read both ways: `owner`, `subject_id`, `relation`.
    relatives: DataFrame,
    /// `subject_id`, `municipality`.
    municipality: DataFrame,
    /// Owners a grain flag can mark: employment ended or some absence.
    marked_owners: Series,
    /// Subjects a grain flag can mark: on the watchlist.
    marked_subjects: Series,
}

impl GrainLookups {
    pub(super) fn read(ctx: &Context<'_>) -> PolarsResult<Self> {
        // Owner's employment ended (the reading TIME-01 uses too).
        let ended = facts::ended_employment(ctx)
            .select([col("person_id").alias("owner"), col("end_day")])
            .collect()?;
        let watch = ctx
            .frame("watchlist")
            .group_by([col("subject_id")])
            .agg([
                col("category")
                    .filter(col("category").neq(lit("employee")))
                    .sort(SortOptions::default())
                    .first()
                    .alias("watch_category"),
                col("category")
                    .eq(lit("employee"))
                    .any(true)
                    .alias("watch_employee"),
            ])
            .collect()?;
        let ties = ctx.frame("relations");
        let relatives = concat(
            [
                ties.clone().select([
                    col("person_id").alias("owner"),
                    col("relative_id").alias("subject_id"),
                    col("relation"),
                ]),
                ties.select([
                    col("relative_id").alias("owner"),
                    col("person_id").alias("subject_id"),
                    col("relation"),
                ]),
            ],
            UnionArgs::default(),
        )?
        .group_by([col("owner"), col("subject_id")])
        .agg([col("relation").first()])
        .collect()?;
        let municipality = ctx
            .frame("subjects")
            .group_by([col("subject_id")])
            .agg([col("municipality").first()])
            .collect()?;
        let marked_owners = concat(
            [
                ended.clone().lazy().select([col("owner")]),
                ctx.frame("absences")
                    .select([col("person_id").alias("owner")]),
            ],
            UnionArgs::default(),
        )?
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?
        .column("owner")?
        .as_materialized_series()
        .clone();
        let marked_subjects = watch.column("subject_id")?.as_materialized_series().clone();
        Ok(GrainLookups {
            ended,
            watch,
            relatives,
            municipality,
            marked_owners,
            marked_subjects,
        })
    }

    /// What the pass over the log needs to tell the groups some PD rule
    /// may report: the working hours, the period's days off, and who a
    /// grain flag can mark.
    pub(super) fn marks(&self, ctx: &Context<'_>) -> PolarsResult<Marks> {
        let names = |s: &Series| -> PolarsResult<PlHashSet<String>> {
            Ok(s.str()?.iter().flatten().map(str::to_string).collect())
        };
        let p = &ctx.snapshot.period;
        let days_off = p
            .from
            .iter_days()
            .take_while(|d| *d <= p.to)
            .filter(|d| !ctx.snapshot.calendar.is_working_day(*d))
            .map(days_since_epoch)
            .collect();
        Ok(Marks {
            working_hours: (ctx.working_hours.0 as i32, ctx.working_hours.1 as i32),
            days_off,
            owners: self.owner_marks(ctx)?,
            subjects: names(&self.marked_subjects)?,
        })
    }

    /// When each owner a grain flag can mark is marked: the end of their
    /// employment (`ended` marks the days after it) and their absences
    /// (`absent` marks the days inside one, both ends included).
    fn owner_marks(&self, ctx: &Context<'_>) -> PolarsResult<PlHashMap<String, OwnerMarks>> {
        let mut marks: PlHashMap<String, OwnerMarks> = PlHashMap::default();
        let ended = self
            .ended
            .clone()
            .lazy()
            .select([col("owner"), col("end_day").cast(DataType::Int32)])
            .collect()?;
        for (owner, end) in ended
            .column("owner")?
            .str()?
            .iter()
            .zip(ended.column("end_day")?.i32()?.iter())
        {
            if let (Some(owner), Some(end)) = (owner, end) {
                marks.entry(owner.to_string()).or_default().ended_after = Some(end);
            }
        }
        let absences = ctx
            .frame("absences")
            .select([
                col("person_id"),
                col("start_date").cast(DataType::Int32),
                col("end_date").cast(DataType::Int32),
            ])
            .collect()?;
        let persons = absences.column("person_id")?.str()?;
        let starts = absences.column("start_date")?.i32()?;
        let ends = absences.column("end_date")?.i32()?;
        for ((person, start), end) in persons.iter().zip(starts.iter()).zip(ends.iter()) {
            // `covers_day` never holds for a null start.
            if let (Some(person), Some(start)) = (person, start) {
                marks
                    .entry(person.to_string())
                    .or_default()
                    .absent
                    .push((start, end));
            }
        }
        Ok(marks)
    }

    /// Whether a grain flag may mark a group: true wherever `ended`,
    /// `absent`, `self_lookup` or a watchlist category may be, or an event
    /// flag that keeps a group without them is set.
    pub(super) fn may_flag(&self) -> Expr {
        let listed = |c: &str, s: &Series| {
            col(c)
                .is_in(lit(s.clone()).implode(false), false)
                .fill_null(lit(false))
        };
        col("without_role_events")
            .gt(lit(0u32))
            .or(col("after_hours_events").gt(lit(0u32)))
            .or(col("subject_id").eq(col("owner")).fill_null(lit(false)))
            .or(listed("owner", &self.marked_owners))
            .or(listed("subject_id", &self.marked_subjects))
    }
}

/// Adds the flags that depend only on (owner, subject, day).
pub(super) fn with_grain_flags(
    ctx: &Context<'_>,
    lookups: &GrainLookups,
    groups: LazyFrame,
    subject_flags: bool,
) -> PolarsResult<LazyFrame> {
    let left = || JoinArgs::new(JoinType::Left);
    let ended = lookups.ended.clone().lazy();
    let watch = lookups.watch.clone().lazy();
    let relatives = lookups.relatives.clone().lazy();
    let municipality = lookups.municipality.clone().lazy();
    // Owner absent that day.
    let owner_days = groups
        .clone()
        .select([col("owner"), col("day")])
        .unique(None, UniqueKeepStrategy::Any);
    let absent = owner_days
        .clone()
        .join(
            ctx.frame("absences").select([
                col("person_id").alias("owner"),
                col("start_date"),
                col("end_date"),
            ]),
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers_day("start_date", "end_date", col("day")))
        .select([col("owner"), col("day")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("absent"));
    // Subject employed by the agency that day.
    let subject_days = groups
        .clone()
        .select([col("subject_id"), col("day")])
        .unique(None, UniqueKeepStrategy::Any);
    let colleague = subject_days
        .join(
            ctx.frame("employees")
                .filter(col("organisation").is_null())
                .select([
                    col("person_id").alias("subject_id"),
                    col("valid_from"),
                    col("valid_to"),
                ]),
            [col("subject_id")],
            [col("subject_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(covers_day("valid_from", "valid_to", col("day")))
        .select([col("subject_id"), col("day")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("employed_subject"));
    let groups = groups
        .join(ended, [col("owner")], [col("owner")], left())
        .join(
            absent,
            [col("owner"), col("day")],
            [col("owner"), col("day")],
            left(),
        );
    let none = || lit(NULL).cast(DataType::String);
    // The same columns in the same order either way, so the two parts concatenate.
    let groups = if subject_flags {
        groups
            .join(
                colleague,
                [col("subject_id"), col("day")],
                [col("subject_id"), col("day")],
                left(),
            )
            .join(watch, [col("subject_id")], [col("subject_id")], left())
            .join(
                relatives,
                [col("owner"), col("subject_id")],
                [col("owner"), col("subject_id")],
                left(),
            )
            .join(
                municipality,
                [col("subject_id")],
                [col("subject_id")],
                left(),
            )
    } else {
        groups
            .with_column(lit(false).alias("employed_subject"))
            .join(watch, [col("subject_id")], [col("subject_id")], left())
            .with_column(none().alias("relation"))
            .with_column(none().alias("municipality"))
    };
    Ok(groups.with_columns([
        col("end_day")
            .is_not_null()
            .and(col("day").gt(col("end_day")))
            .alias("ended"),
        col("absent").fill_null(lit(false)),
        col("subject_id")
            .eq(col("owner"))
            .fill_null(lit(false))
            .alias("self_lookup"),
        col("employed_subject")
            .fill_null(lit(false))
            .or(col("watch_employee").fill_null(lit(false)))
            .alias("colleague"),
        col("relation").is_not_null().alias("relative"),
        col("organisation")
            .is_not_null()
            .and(col("municipality").is_not_null())
            .and(col("organisation").neq(col("municipality")))
            .fill_null(lit(false))
            .alias("out_of_area"),
    ]))
}
