//! The staff's report page (`/staff/reports`): charts drawn on the server as SVG, each
//! with the same numbers as a table beside it, and the same report as CSV
//! (`/staff/reports.csv`) for the reply to the bureau.

use super::{Bar, Report, bar_chart};
use crate::i18n::{t_args, tr, use_locale};
use crate::ids::OrgId;
use crate::service::Failure;
use crate::site::{NotFound, awaited};
use crate::staff::actions::StaffContext;
use crate::staff::pages::{StaffArea, org_label};
use crate::staff::staff_href;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
use crate::web;

/// Where the CSV is downloaded from (an axum handler).
pub const CSV_PATH: &str = "/staff/reports.csv";

#[server(prefix = "/staff/fn", endpoint = "report")]
pub async fn load_report(org: OrgId, from: String, to: String) -> Result<Report, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::report(&ctx, org, &from, &to)
        .await
        .map_err(web::fail)
}

fn query_text(key: &str) -> String {
    use_query_map()
        .with_untracked(|q| q.get(key))
        .unwrap_or_default()
}

/// The organisations a person may pick: those they hold a role on.
fn own_orgs(me: &StaffContext) -> Vec<OrgId> {
    let mut orgs: Vec<OrgId> = me.memberships.iter().map(|m| m.org_id).collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <StaffArea title="report-title" page=|me: StaffContext| {
            let locale = use_locale();
            let mine = own_orgs(&me);
            let Some(org) = query_text("org").parse::<OrgId>().ok().or_else(|| mine.first().copied()) else {
                return view! { <p class="notice">{tr("report-no-org")}</p> }.into_any();
            };
            let (from, to) = (query_text("from"), query_text("to"));
            let choices = mine
                .iter()
                .map(|id| {
                    let label = org_label(locale, &me.orgs, *id);
                    view! { <option value=id.to_string() selected=*id == org>{label}</option> }
                })
                .collect_view();
            view! {
                <p class="hint">{tr("report-intro")}</p>
                <form method="get" action=staff_href(locale, "reports") class="inline-fields no-print">
                    <label for="report-org">{tr("report-org")}</label>
                    <select id="report-org" name="org">{choices}</select>
                    <label for="report-from">{tr("report-from")}</label>
                    <input id="report-from" name="from" type="month" value=from.clone()/>
                    <label for="report-to">{tr("report-to")}</label>
                    <input id="report-to" name="to" type="month" value=to.clone()/>
                    <button type="submit" class="button small secondary">{tr("filter-apply")}</button>
                </form>
                {awaited(load_report(org, from, to), move |report| match report {
                    Ok(report) => view! { <ReportView report/> }.into_any(),
                    Err(Failure::Invalid { key, .. }) => view! { <p class="notice error" role="alert">{tr(&key)}</p> }.into_any(),
                    Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                    Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
                })}
            }
            .into_any()
        }/>
    }
}

/// A chart (drawn for the eye) and its table (read by screen readers and printed).
#[component]
fn Chart(id: &'static str, title: String, bars: Vec<Bar>, children: Children) -> impl IntoView {
    let svg = bar_chart(&bars);
    view! {
        <section class="report-section">
            <h2 id=id>{title.clone()}</h2>
            <div class="chart-box" inner_html=svg></div>
            // A table wider than a phone scrolls: reachable from the keyboard too.
            <div class="table-scroll" tabindex="0" role="region" aria-label=title>{children()}</div>
        </section>
    }
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let locale = use_locale();
    let span = t_args(
        locale,
        "report-span",
        &[
            ("from", report.from.clone().into()),
            ("to", report.to.clone().into()),
        ],
    );
    let views = report
        .months
        .iter()
        .map(|m| Bar {
            label: m.month.clone(),
            value: m.views(),
        })
        .collect();
    let month_rows = report
        .months
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{m.month.clone()}</th>
                    <td>{m.course_views}</td><td>{m.lesson_views}</td><td>{m.article_views}</td><td>{m.views()}</td>
                </tr>
            }
        })
        .collect_view();
    let sum = |f: fn(&super::MonthRow) -> i64| report.months.iter().map(f).sum::<i64>();
    let bands = vec![
        Bar {
            label: tr("audience-parents-primary"),
            value: sum(|m| m.parents_primary),
        },
        Bar {
            label: tr("audience-parents-junior"),
            value: sum(|m| m.parents_junior),
        },
        Bar {
            label: tr("audience-parents-senior"),
            value: sum(|m| m.parents_senior),
        },
    ];
    let band_rows = report
        .months
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{m.month.clone()}</th>
                    <td>{m.parents_primary}</td><td>{m.parents_junior}</td><td>{m.parents_senior}</td>
                </tr>
            }
        })
        .collect_view();
    let top_bars = report
        .top
        .iter()
        .map(|t| Bar {
            label: t.title.clone(),
            value: t.views,
        })
        .collect();
    let top_rows = report
        .top
        .iter()
        .map(|t| {
            let href = crate::content::pages::item_href(locale, t.kind, t.id, "");
            view! {
                <tr><th scope="row"><a href=href>{t.title.clone()}</a></th><td>{tr(&t.kind.label_key())}</td><td>{t.views}</td></tr>
            }
        })
        .collect_view();
    let category_name = move |c: &Option<crate::booking::Bilingual>| {
        c.as_ref()
            .map(|c| c.get(locale).to_string())
            .unwrap_or_else(|| tr("report-no-category"))
    };
    let category_bars = report
        .categories
        .iter()
        .map(|c| Bar {
            label: category_name(&c.category),
            value: c.booked,
        })
        .collect();
    let category_rows = report
        .categories
        .iter()
        .map(|c| {
            view! {
                <tr><th scope="row">{category_name(&c.category)}</th><td>{c.booked}</td><td>{c.attended}</td><td>{c.no_show}</td></tr>
            }
        })
        .collect_view();
    let booking_rows = report
        .months
        .iter()
        .map(|m| {
            view! {
                <tr><th scope="row">{m.month.clone()}</th><td>{m.booked}</td><td>{m.attended}</td><td>{m.no_show}</td></tr>
            }
        })
        .collect_view();
    let csv = format!(
        "{CSV_PATH}?org={}&from={}&to={}&lang={}",
        report.org,
        report.from,
        report.to,
        locale.segment()
    );
    view! {
        <p class="report-span" role="status">{span}</p>
        <Chart id="report-views" title=tr("report-views") bars=views>
            <table>
                <caption>{tr("report-views-caption")}</caption>
                <thead><tr>
                    <th scope="col">{tr("report-month")}</th><th scope="col">{tr("kind-course")}</th>
                    <th scope="col">{tr("kind-lesson")}</th><th scope="col">{tr("kind-article")}</th><th scope="col">{tr("report-total")}</th>
                </tr></thead>
                <tbody>{month_rows}</tbody>
            </table>
        </Chart>
        <Chart id="report-bands" title=tr("report-bands") bars=bands>
            <table>
                <caption>{tr("report-bands-caption")}</caption>
                <thead><tr>
                    <th scope="col">{tr("report-month")}</th><th scope="col">{tr("audience-parents-primary")}</th>
                    <th scope="col">{tr("audience-parents-junior")}</th><th scope="col">{tr("audience-parents-senior")}</th>
                </tr></thead>
                <tbody>{band_rows}</tbody>
            </table>
        </Chart>
        <Chart id="report-top" title=tr("report-top") bars=top_bars>
            <table>
                <caption>{tr("report-top-caption")}</caption>
                <thead><tr><th scope="col">{tr("report-item")}</th><th scope="col">{tr("report-kind")}</th><th scope="col">{tr("report-views-count")}</th></tr></thead>
                <tbody>{top_rows}</tbody>
            </table>
        </Chart>
        <Chart id="report-bookings" title=tr("report-bookings") bars=category_bars>
            <table>
                <caption>{tr("report-bookings-caption")}</caption>
                <thead><tr><th scope="col">{tr("booking-fact-need")}</th><th scope="col">{tr("booking-report-booked")}</th><th scope="col">{tr("booking-status-attended")}</th><th scope="col">{tr("booking-status-no-show")}</th></tr></thead>
                <tbody>{category_rows}</tbody>
            </table>
            <table>
                <caption>{tr("report-bookings-months")}</caption>
                <thead><tr><th scope="col">{tr("report-month")}</th><th scope="col">{tr("booking-report-booked")}</th><th scope="col">{tr("booking-status-attended")}</th><th scope="col">{tr("booking-status-no-show")}</th></tr></thead>
                <tbody>{booking_rows}</tbody>
            </table>
        </Chart>
        <p class="no-print"><a class="button secondary" href=csv download>{tr("report-csv")}</a></p>
    }
}

/// The report as CSV: the months (views, the parent school's bands, bookings), then
/// the most read items, then bookings by category, each with its own header row.
#[cfg(feature = "ssr")]
pub fn to_csv(report: &Report, locale: crate::i18n::Locale) -> Result<String, csv::Error> {
    use crate::i18n::t;
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let tr = |key: &str| t(locale, key);
    out.write_record([
        tr("report-month"),
        tr("kind-course"),
        tr("kind-lesson"),
        tr("kind-article"),
        tr("report-total"),
        tr("audience-parents-primary"),
        tr("audience-parents-junior"),
        tr("audience-parents-senior"),
        tr("booking-report-booked"),
        tr("booking-status-attended"),
        tr("booking-status-no-show"),
    ])?;
    for m in &report.months {
        out.write_record([
            m.month.clone(),
            m.course_views.to_string(),
            m.lesson_views.to_string(),
            m.article_views.to_string(),
            m.views().to_string(),
            m.parents_primary.to_string(),
            m.parents_junior.to_string(),
            m.parents_senior.to_string(),
            m.booked.to_string(),
            m.attended.to_string(),
            m.no_show.to_string(),
        ])?;
    }
    out.write_record([""])?;
    out.write_record([
        tr("report-item"),
        tr("report-kind"),
        tr("report-views-count"),
    ])?;
    for top in &report.top {
        out.write_record([
            crate::booking::service::spreadsheet_safe(&top.title),
            tr(&top.kind.label_key()),
            top.views.to_string(),
        ])?;
    }
    out.write_record([""])?;
    out.write_record([
        tr("booking-fact-need"),
        tr("booking-report-booked"),
        tr("booking-status-attended"),
        tr("booking-status-no-show"),
    ])?;
    for c in &report.categories {
        let name = c
            .category
            .as_ref()
            .map(|c| c.get(locale).to_string())
            .unwrap_or_else(|| tr("report-no-category"));
        out.write_record([
            crate::booking::service::spreadsheet_safe(&name),
            c.booked.to_string(),
            c.attended.to_string(),
            c.no_show.to_string(),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(feature = "ssr")]
pub use csv_route::routes;

#[cfg(feature = "ssr")]
mod csv_route {
    use crate::i18n::Locale;
    use crate::ids::OrgId;
    use crate::service::Failure;
    use crate::state::AppState;
    use crate::web;
    use axum::{
        Router,
        extract::{Query, State},
        http::request::Parts,
        response::Response,
        routing::get,
    };
    use serde::Deserialize;

    pub fn routes() -> Router<AppState> {
        Router::new().route(super::CSV_PATH, get(download))
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct CsvQuery {
        org: String,
        from: String,
        to: String,
        lang: String,
    }

    async fn download(
        State(state): State<AppState>,
        parts: Parts,
        Query(q): Query<CsvQuery>,
    ) -> Response {
        let locale = Locale::from_segment(&q.lang).unwrap_or_default();
        let outcome = async {
            let ctx = web::staff_ctx_for(&state, &parts).await?;
            let org = q
                .org
                .parse::<OrgId>()
                .map_err(|_| Failure::invalid("org", "error-bad-input"))?;
            let report = crate::reports::service::report(&ctx, org, &q.from, &q.to).await?;
            let name = format!("report-{}-{}.csv", report.from, report.to);
            super::to_csv(&report, locale)
                .map(|csv| (csv, name))
                .map_err(|_| Failure::Unavailable)
        }
        .await;
        web::csv_download(outcome, locale)
    }
}
