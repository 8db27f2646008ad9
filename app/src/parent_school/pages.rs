//! The band pages (`/<lang>/parent-school/<band>`, no script) and the staff page
//! (`/<lang>/staff/parent-school`) with its form targets.

#![allow(clippy::too_many_arguments)] // one argument per form field

use super::{Band, BandPage, Series, Setup};
use crate::content::model::Kind;
use crate::content::pages::item_href;
use crate::i18n::{Locale, t_args, tr, use_locale};
use crate::ids::{ItemId, OrgId};
use crate::service::Failure;
use crate::site::{NotFound, awaited, use_site};
use crate::staff::actions::StaffContext;
use crate::staff::pages::{LangField, StaffArea, org_label};
use crate::staff::staff_href;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

#[cfg(feature = "ssr")]
use crate::web;

#[server(prefix = "/fn", endpoint = "parent-school-band")]
pub async fn load_band(band: Band, org: Option<String>) -> Result<BandPage, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::band_page(&ctx, band, org.as_deref())
        .await
        .map_err(web::fail)
}

#[server(prefix = "/staff/fn", endpoint = "parent-school")]
pub async fn load_setup(org: OrgId) -> Result<Setup, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::setup(&ctx, org).await.map_err(web::fail)
}

#[cfg(feature = "ssr")]
async fn form<F>(lang: Locale, org: OrgId, done: &str, change: F) -> Result<(), Failure>
where
    F: AsyncFnOnce(&crate::service::Ctx) -> Result<(), Failure>,
{
    let page = format!("parent-school?org={org}");
    let (back, login) = web::form_paths(lang, &page);
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        change(&ctx).await?;
        Ok(format!("{back}&done={done}"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// The series an organisation assigns to its parents (the ticked ones, in list order).
#[server(prefix = "/staff/fn", endpoint = "parent-school-assign")]
pub async fn assign_series(
    lang: Locale,
    org: OrgId,
    #[server(default)] courses: Vec<ItemId>,
) -> Result<(), Failure> {
    form(lang, org, "parent-school-saved", async |ctx| {
        Ok(super::service::assign(ctx, org, &courses).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "parent-school-feature")]
pub async fn feature_lesson(
    lang: Locale,
    org: OrgId,
    lesson: ItemId,
    from: String,
    until: String,
) -> Result<(), Failure> {
    form(lang, org, "parent-school-saved", async |ctx| {
        Ok(super::service::feature(ctx, org, lesson, &from, &until).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "parent-school-unfeature")]
pub async fn unfeature_lesson(lang: Locale, org: OrgId, id: i64) -> Result<(), Failure> {
    form(lang, org, "parent-school-saved", async |ctx| {
        Ok(super::service::unfeature(ctx, org, id).await?)
    })
    .await
}

#[server(prefix = "/staff/fn", endpoint = "parent-school-programme")]
pub async fn set_programme(
    lang: Locale,
    org: OrgId,
    course: ItemId,
    #[server(default)] starts: String,
    #[server(default)] every_days: i64,
) -> Result<(), Failure> {
    form(lang, org, "parent-school-saved", async |ctx| {
        Ok(super::service::set_programme(ctx, course, &starts, every_days).await?)
    })
    .await
}

/// Links to the three band pages (on the parent school's front page).
#[component]
pub fn BandLinks() -> impl IntoView {
    let locale = use_locale();
    let via = use_site().via_query();
    let links = Band::ALL
        .iter()
        .map(|band| {
            let href = format!(
                "{}{via}",
                locale.href(&format!("parent-school/{}", band.as_str()))
            );
            view! {
                <li class="card">
                    <a href=href>
                        <span class="card-title">{tr(&band.label_key())}</span>
                        <span class="card-text">{tr(&format!("{}-text", band.label_key()))}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav aria-labelledby="bands-title">
            <h2 id="bands-title">{tr("band-choose")}</h2>
            <ul class="cards bands">{links}</ul>
        </nav>
    }
}

#[component]
fn SeriesList(series: Vec<Series>, #[prop(optional)] assigned: bool) -> impl IntoView {
    let locale = use_locale();
    let via = use_site().via_query();
    series
        .into_iter()
        .map(|s| {
            let href = item_href(locale, Kind::Course, s.course.id, &via);
            let lessons = t_args(locale, "band-lessons", &[("count", (s.lessons as i64).into())]);
            let current = s.current.map(|(n, lesson)| {
                let href = item_href(locale, Kind::Lesson, lesson.id, &via);
                let label = t_args(
                    locale,
                    "band-this-week",
                    &[("number", (n as i64).into()), ("total", (s.lessons as i64).into())],
                );
                view! { <p class="this-week">{label}" "<a href=href>{lesson.title}</a></p> }
            });
            view! {
                <li class="card series">
                    <a href=href>
                        {assigned.then(|| view! { <span class="card-kicker">{tr("band-assigned")}</span> })}
                        <span class="card-title">{s.course.title}</span>
                        <span class="card-text">{s.course.summary}</span>
                        <span class="card-meta">{lessons}</span>
                    </a>
                    {current}
                </li>
            }
        })
        .collect_view()
}

/// A band's page.
#[component]
pub fn BandPageView() -> impl IntoView {
    let locale = use_locale();
    let band = use_params_map().with_untracked(|p| p.get("band").and_then(|b| Band::parse(&b)));
    let Some(band) = band else {
        return view! { <NotFound/> }.into_any();
    };
    let org = use_site().via.as_ref().map(|o| o.slug.clone());
    let title = tr(&band.label_key());
    let back = format!("{}{}", locale.href("parent-school"), use_site().via_query());
    view! {
        <leptos_meta::Title text=format!("{title} · {}", tr("parent-school-title"))/>
        <p class="breadcrumb"><a href=back>{tr("parent-school-title")}</a></p>
        <h1>{title}</h1>
        <p><a href=locale.href("my")>{tr("progress-my")}</a></p>
        {awaited(load_band(band, org), move |page| match page {
            Ok(page) => {
                let via = use_site().via_query();
                let featured = page.featured.map(|lesson| {
                    let href = item_href(locale, Kind::Lesson, lesson.id, &via);
                    view! {
                        <section class="featured" aria-labelledby="featured-title">
                            <h2 id="featured-title">{tr("band-featured")}</h2>
                            <p><a href=href class="card-title">{lesson.title}</a></p>
                            <p>{lesson.summary}</p>
                        </section>
                    }
                });
                let assigned = (!page.assigned.is_empty()).then(|| view! {
                    <section aria-labelledby="assigned-title">
                        <h2 id="assigned-title">{tr("band-assigned-title")}</h2>
                        <ul class="cards"><SeriesList series=page.assigned assigned=true/></ul>
                    </section>
                });
                let empty = page.series.is_empty().then(|| view! { <p class="notice">{tr("catalogue-empty")}</p> });
                let articles = (!page.articles.is_empty()).then(|| view! {
                    <section aria-labelledby="articles-title">
                        <h2 id="articles-title">{tr("band-articles")}</h2>
                        <ul class="cards">
                            {page.articles.into_iter().map(|item| view! { <crate::content::pages::ItemCard item/> }).collect_view()}
                        </ul>
                    </section>
                });
                view! {
                    {featured}
                    {assigned}
                    <section aria-labelledby="series-title">
                        <h2 id="series-title">{tr("band-series")}</h2>
                        {empty}
                        <ul class="cards"><SeriesList series=page.series/></ul>
                    </section>
                    {articles}
                }
                .into_any()
            }
            Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
        })}
    }
    .into_any()
}

fn query_org(me: &StaffContext) -> Option<OrgId> {
    let asked = use_query_map().with_untracked(|q| q.get("org").and_then(|o| o.parse().ok()));
    asked.or_else(|| me.can_write.first().copied())
}

/// For a centre's or school's editors: what its parents see first.
#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <StaffArea title="parent-school-setup" page=|me: StaffContext| {
            let locale = use_locale();
            let Some(org) = query_org(&me) else {
                return view! { <p class="notice">{tr("parent-school-no-org")}</p> }.into_any();
            };
            let choices = me
                .can_write
                .iter()
                .map(|id| view! { <option value=id.to_string() selected=*id == org>{org_label(locale, &me.orgs, *id)}</option> })
                .collect_view();
            view! {
                <form method="get" action=staff_href(locale, "parent-school") class="inline-fields no-print">
                    <label for="ps-org">{tr("report-org")}</label>
                    <select id="ps-org" name="org">{choices}</select>
                    <button type="submit" class="button small secondary">{tr("filter-apply")}</button>
                </form>
                {awaited(load_setup(org), move |setup| match setup {
                    Ok(setup) => view! { <SetupView setup org/> }.into_any(),
                    Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                    Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
                })}
            }
            .into_any()
        }/>
    }
}

#[component]
fn SetupView(setup: Setup, org: OrgId) -> impl IntoView {
    let org_value = org.to_string();
    let series = setup
        .courses
        .iter()
        .map(|(course, assigned, _, _)| {
            let id = format!("assign-{}", course.id);
            view! {
                <li class="check">
                    <input type="checkbox" id=id.clone() name="courses[]" value=course.id.to_string() checked=*assigned/>
                    <label for=id>{course.title.clone()}</label>
                </li>
            }
        })
        .collect_view();
    let lesson_options = setup
        .lessons
        .iter()
        .map(|l| view! { <option value=l.id.to_string()>{l.title.clone()}</option> })
        .collect_view();
    let features = setup
        .features
        .into_iter()
        .map(|f| {
            let org_value = org_value.clone();
            view! {
                <li>
                    {f.title}" · "{f.from}" – "{f.until}" "
                    <form method="post" action=UnfeatureLesson::url() class="inline">
                        <LangField/>
                        <input type="hidden" name="org" value=org_value/>
                        <input type="hidden" name="id" value=f.id.to_string()/>
                        <button type="submit" class="button small secondary">{tr("parent-school-unfeature")}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let programmes = setup
        .courses
        .iter()
        .filter(|(_, _, _, mine)| *mine)
        .map(|(course, _, programme, _)| {
            let starts = programme
                .map(|p| crate::time::in_zone(p.starts_on, crate::time::CHINA).format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let every = programme.map(|p| p.every_days).unwrap_or(7);
            let id = course.id;
            view! {
                <form method="post" action=SetProgramme::url() class="programme-form">
                    <LangField/>
                    <input type="hidden" name="org" value=org.to_string()/>
                    <input type="hidden" name="course" value=id.to_string()/>
                    <fieldset>
                        <legend>{course.title.clone()}</legend>
                        <div class="field">
                            <label for=format!("starts-{id}")>{tr("parent-school-starts")}</label>
                            <input id=format!("starts-{id}") type="date" name="starts" value=starts/>
                            <span class="hint">{tr("parent-school-starts-hint")}</span>
                        </div>
                        <div class="field">
                            <label for=format!("every-{id}")>{tr("parent-school-every")}</label>
                            <select id=format!("every-{id}") name="every_days">
                                <option value="7" selected=every == 7>{tr("parent-school-weekly")}</option>
                                <option value="14" selected=every == 14>{tr("parent-school-fortnightly")}</option>
                            </select>
                        </div>
                        <button type="submit" class="button small secondary">{tr("parent-school-save")}</button>
                    </fieldset>
                </form>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="assign-title">
            <h2 id="assign-title">{tr("parent-school-assign")}</h2>
            <p class="hint">{tr("parent-school-assign-hint")}</p>
            <form method="post" action=AssignSeries::url()>
                <LangField/>
                <input type="hidden" name="org" value=org.to_string()/>
                <ul class="checks plain">{series}</ul>
                <button type="submit" class="button">{tr("parent-school-save")}</button>
            </form>
        </section>
        <section aria-labelledby="feature-title">
            <h2 id="feature-title">{tr("parent-school-feature")}</h2>
            <p class="hint">{tr("parent-school-feature-hint")}</p>
            <ul>{features}</ul>
            <form method="post" action=FeatureLesson::url()>
                <LangField/>
                <input type="hidden" name="org" value=org.to_string()/>
                <div class="field">
                    <label for="feature-lesson">{tr("parent-school-lesson")}</label>
                    <select id="feature-lesson" name="lesson" required>{lesson_options}</select>
                </div>
                <div class="field">
                    <label for="feature-from">{tr("report-from")}</label>
                    <input id="feature-from" type="date" name="from" required/>
                </div>
                <div class="field">
                    <label for="feature-until">{tr("report-to")}</label>
                    <input id="feature-until" type="date" name="until" required/>
                </div>
                <button type="submit" class="button">{tr("parent-school-add-feature")}</button>
            </form>
        </section>
        <section aria-labelledby="programme-title">
            <h2 id="programme-title">{tr("parent-school-programmes")}</h2>
            <p class="hint">{tr("parent-school-programmes-hint")}</p>
            {programmes}
        </section>
    }
}
