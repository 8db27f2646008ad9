//! Building a report: anyone with a role on the organisation (or above it) may read
//! its report, which covers its whole subtree. Only counts leave this function.

use super::{MonthRow, Report, TOP, data, month_label, month_span, months, parse_month};
use crate::content::model::Audience;
use crate::db::DbError;
use crate::ids::OrgId;
use crate::orgs::subtree;
use crate::service::{Ctx, Failure, Refusal};
use crate::staff::roles::Action;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The months are not `YYYY-MM`, run backwards, or span too long.
    #[error("bad span")]
    Span,
    #[error(transparent)]
    Unavailable(#[from] DbError),
}

impl From<sqlx::Error> for ReportError {
    fn from(error: sqlx::Error) -> ReportError {
        ReportError::Unavailable(error.into())
    }
}

impl From<ReportError> for Failure {
    fn from(error: ReportError) -> Failure {
        match error {
            ReportError::Refused(refusal) => refusal.into(),
            ReportError::Span => Failure::invalid("from", "report-span-invalid"),
            ReportError::Unavailable(error) => error.into(),
        }
    }
}

/// The report of `org` (and everything below it) from month `from` to `to` (both
/// `YYYY-MM`, inclusive; empty: the last six months up to this one).
pub async fn report(ctx: &Ctx, org: OrgId, from: &str, to: &str) -> Result<Report, ReportError> {
    ctx.require_visible(Action::ReadContent, org)?;
    let now = super::month_of(ctx.now());
    let to = match to.trim() {
        "" => now,
        text => parse_month(text).ok_or(ReportError::Span)?,
    };
    let from = match from.trim() {
        "" => {
            let mut start = to;
            for _ in 0..5 {
                start = if start % 100 == 1 {
                    start - 100 + 11
                } else {
                    start - 1
                };
            }
            start
        }
        text => parse_month(text).ok_or(ReportError::Span)?,
    };
    let span = months(from, to).ok_or(ReportError::Span)?;
    let mut conn = ctx.db.pool().acquire().await?;
    let all = crate::orgs::data::list(&mut conn).await?;
    let orgs = subtree(&all, org);
    let mut rows: Vec<MonthRow> = span
        .iter()
        .map(|m| MonthRow {
            month: month_label(*m),
            ..MonthRow::default()
        })
        .collect();
    let index = |m: i64| span.iter().position(|s| *s == m);
    for (month, kind, n) in data::views_by_kind(&mut conn, &orgs, from, to).await? {
        if let Some(row) = index(month).map(|i| &mut rows[i]) {
            use crate::content::model::Kind::*;
            match kind {
                Course => row.course_views += n,
                Lesson => row.lesson_views += n,
                Article => row.article_views += n,
            }
        }
    }
    for (month, band, n) in data::views_by_band(&mut conn, &orgs, from, to).await? {
        if let Some(row) = index(month).map(|i| &mut rows[i]) {
            match band {
                Audience::ParentsPrimary => row.parents_primary += n,
                Audience::ParentsJunior => row.parents_junior += n,
                Audience::ParentsSenior => row.parents_senior += n,
                _ => {}
            }
        }
    }
    for (row, month) in rows.iter_mut().zip(&span) {
        let (start, end) = month_span(*month);
        (row.booked, row.attended, row.no_show) =
            data::booking_totals(&mut conn, &orgs, start, end).await?;
    }
    let (start, _) = month_span(from);
    let (_, end) = month_span(to);
    Ok(Report {
        org,
        from: month_label(from),
        to: month_label(to),
        months: rows,
        top: data::top_items(&mut conn, &orgs, from, to, TOP).await?,
        categories: data::bookings_by_category(&mut conn, &orgs, start, end).await?,
    })
}
