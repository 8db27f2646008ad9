//! The public booking pages: clinics and their services, a service's open slots, the
//! booking form, the booking's own page (status, cancel, reschedule, calendar file)
//! and finding a booking by its code. Server-rendered HTML and plain forms: they work
//! with no WebAssembly and no script on a 360-px phone. Forms post to handlers in
//! `forms`, which answer with a redirect or, when something is wrong, this same page
//! again with everything typed still in place.

use super::model::{Attendee, BookingForm, BookingProblem, BookingStatus, Stage};
use super::{BookingView, Clinic, OpenSlot, Service, ServicePage, SlotPage};
use crate::i18n::{Locale, lookup, lookup_args, t, t_args, tr, use_locale};
use crate::ids::{CategoryId, ServiceId, SlotId};
use crate::service::Failure;
use crate::site::{NotFound, PageTitle, awaited};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::web;

// ---------------------------------------------------------------------------------
// Data, through server functions (called in place while the page renders)

#[server(prefix = "/fn", endpoint = "booking-clinics")]
pub async fn load_clinics() -> Result<Vec<Clinic>, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::clinics(&ctx).await.map_err(web::fail)
}

#[server(prefix = "/fn", endpoint = "booking-service")]
pub async fn load_service(
    id: ServiceId,
    from: Option<String>,
    category: Option<CategoryId>,
) -> Result<ServicePage, Failure> {
    let ctx = web::ctx().await.map_err(web::fail)?;
    let from = from.as_deref().and_then(super::slots::parse_day);
    super::service::service_page(&ctx, id, from, category)
        .await
        .map_err(web::fail)
}

#[server(prefix = "/fn", endpoint = "booking-slot")]
pub async fn load_slot(id: SlotId, category: Option<CategoryId>) -> Result<SlotPage, Failure> {
    let state = web::state()?;
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::slot_page(&ctx, &state.booking, id, category)
        .await
        .map_err(web::fail)
}

/// A booking by its manage token.
#[server(prefix = "/fn", endpoint = "booking-manage")]
pub async fn load_booking(token: String) -> Result<BookingView, Failure> {
    let state = web::state()?;
    let ctx = web::ctx().await.map_err(web::fail)?;
    super::service::view(
        &ctx,
        &state.booking,
        &super::service::BookingKey::Token(token),
    )
    .await
    .map_err(web::fail)
}

// ---------------------------------------------------------------------------------
// Formatting

/// The weekday's i18n key (`booking-weekday-1` is Monday).
fn weekday_key(at: chrono::DateTime<Tz>) -> String {
    use chrono::Datelike;
    format!("booking-weekday-{}", at.weekday().number_from_monday())
}

/// `12月1日 周二` / `Tue 1 Dec` for an instant in the clinic's zone.
pub fn day_label(locale: Locale, at: i64, zone: Tz) -> String {
    use chrono::Datelike;
    let local = crate::time::in_zone(at, zone);
    t_args(
        locale,
        "booking-day",
        &[
            ("month", local.month().into()),
            ("day", local.day().into()),
            ("weekday", t(locale, &weekday_key(local)).into()),
            ("monthname", local.format("%b").to_string().into()),
        ],
    )
}

/// `09:00–09:50`.
pub fn time_range(start: i64, end: i64, zone: Tz) -> String {
    let at = |t: i64| crate::time::in_zone(t, zone).format("%H:%M").to_string();
    format!("{}–{}", at(start), at(end))
}

/// `12月1日 周二 09:30`: one moment.
pub fn moment(locale: Locale, at: i64, zone: Tz) -> String {
    format!(
        "{} {}",
        day_label(locale, at, zone),
        crate::time::in_zone(at, zone).format("%H:%M")
    )
}

/// `12月1日 周二 09:00–09:50`.
pub fn when(locale: Locale, slot: &OpenSlot, zone: Tz) -> String {
    format!(
        "{} {}",
        day_label(locale, slot.start, zone),
        time_range(slot.start, slot.end, zone)
    )
}

fn service_href(locale: Locale, id: ServiceId, query: &str) -> String {
    format!("{}{query}", locale.href(&format!("booking/services/{id}")))
}

pub fn slot_href(locale: Locale, id: SlotId, category: Option<CategoryId>) -> String {
    let query = category
        .map(|c| format!("?category={c}"))
        .unwrap_or_default();
    format!("{}{query}", locale.href(&format!("booking/slots/{id}")))
}

pub fn manage_href(locale: Locale, token: &str) -> String {
    locale.href(&format!("booking/b/{token}"))
}

fn query(key: &str) -> Option<String> {
    use_query_map()
        .with_untracked(|q| q.get(key))
        .filter(|v| !v.is_empty())
}

fn param(key: &str) -> Option<String> {
    use_params_map().with_untracked(|p| p.get(key))
}

/// The service's facts: who it is for, where, how long, and that it is free.
#[component]
fn ServiceFacts(service: Service) -> impl IntoView {
    let locale = use_locale();
    let draft = &service.draft;
    let stages = draft
        .stages()
        .iter()
        .map(|s| tr(&s.label_key()))
        .collect::<Vec<_>>()
        .join("、");
    let place = service.place().get(locale).to_string();
    let mode = tr(&draft.mode.label_key());
    view! {
        <dl class="facts">
            <dt>{tr("booking-fact-for")}</dt>
            <dd>{tr(&draft.audience.label_key())}" · "{stages}</dd>
            <dt>{tr("booking-fact-where")}</dt>
            <dd>{mode}{(!place.is_empty()).then(|| format!(" · {place}"))}</dd>
            <dt>{tr("booking-fact-length")}</dt>
            <dd>{t_args(locale, "booking-minutes", &[("minutes", draft.duration_minutes.into())])}</dd>
            <dt>{tr("booking-fact-cost")}</dt>
            <dd>{tr("booking-free")}</dd>
        </dl>
    }
}

/// Says a sample service is a sample.
#[component]
fn SampleNotice(sample: bool) -> impl IntoView {
    sample.then(|| view! { <p class="notice warning">{tr("booking-sample-notice")}</p> })
}

/// Booking is not emergency help: the lines for now, one line, on every booking page.
#[component]
fn NotUrgent() -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="notice">
            {tr("booking-not-urgent")}" "
            <a href=locale.href("help")>{tr("booking-not-urgent-link")}</a>
        </p>
    }
}

// ---------------------------------------------------------------------------------
// Clinics and services

#[component]
pub fn BookingIndexPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <PageTitle key="booking-title"/>
        <h1>{tr("booking-title")}</h1>
        <p class="lead">{tr("booking-intro")}</p>
        <NotUrgent/>
        {awaited(load_clinics(), move |clinics| match clinics {
            Ok(clinics) if clinics.is_empty() => view! { <p class="notice">{tr("booking-none")}</p> }.into_any(),
            Ok(clinics) => clinics
                .into_iter()
                .map(|clinic| {
                    let cards = clinic
                        .services
                        .into_iter()
                        .map(|s| {
                            let href = service_href(locale, s.id, "");
                            let name = s.name().get(locale).to_string();
                            let text = s.description().get(locale).to_string();
                            view! { <crate::site::Card href title=name text/> }
                        })
                        .collect_view();
                    view! {
                        <section>
                            <h2>{clinic.name.get(locale).to_string()}</h2>
                            <ul class="cards">{cards}</ul>
                        </section>
                    }
                })
                .collect_view()
                .into_any(),
            Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
        })}
        <h2>{tr("booking-find-title")}</h2>
        <p>{tr("booking-find-lead")}" "<a href=locale.href("booking/find")>{tr("booking-find-link")}</a></p>
    }
}

#[component]
pub fn BookingServicePage() -> impl IntoView {
    let Some(id) = param("id").and_then(|id| id.parse::<ServiceId>().ok()) else {
        return view! { <NotFound/> }.into_any();
    };
    let from = query("from");
    let category = query("category").and_then(|c| c.parse::<CategoryId>().ok());
    awaited(load_service(id, from, category), |page| match page {
        Ok(page) => view! { <ServiceView page/> }.into_any(),
        Err(Failure::NotFound) => view! { <NotFound/> }.into_any(),
        Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
    })
    .into_any()
}

#[component]
fn ServiceView(page: ServicePage) -> impl IntoView {
    let locale = use_locale();
    let service = page.service.clone();
    let zone = service.zone();
    let name = service.name().get(locale).to_string();
    let title = format!("{name} · {}", tr("app-name"));
    let matched = service.draft.matches_category;
    let category = page.category;
    let category_query = category
        .map(|c| format!("&category={c}"))
        .unwrap_or_default();
    let categories = (!page.categories.is_empty()).then(|| {
        let links = page
            .categories
            .iter()
            .map(|c| {
                let href = service_href(locale, service.id, &format!("?category={}", c.id));
                let current = (Some(c.id) == category).then_some("true");
                view! { <li><a class="button secondary" href=href aria-current=current>{c.name.get(locale).to_string()}</a></li> }
            })
            .collect_view();
        view! {
            <h2 id="need">{tr("booking-choose-need")}</h2>
            <p>{tr("booking-choose-need-hint")}</p>
            <ul class="choices" aria-labelledby="need">{links}</ul>
        }
    });
    let next_opening = page.next_opening.map(|at| {
        let local = crate::time::in_zone(at, zone).format("%H:%M").to_string();
        t_args(
            locale,
            "booking-next-release",
            &[
                ("day", day_label(locale, at, zone).into()),
                ("time", local.into()),
            ],
        )
    });
    let slots_view = if matched && category.is_none() {
        None
    } else {
        Some(view! { <SlotList slots=page.slots.clone() zone category/> })
    };
    let next_from = chrono::NaiveDate::parse_from_str(&page.to, "%Y-%m-%d")
        .ok()
        .filter(|_| page.more_later)
        .and_then(|d| d.succ_opt())
        .map(|d| service_href(locale, service.id, &format!("?from={d}{category_query}")));
    let earlier = query("from").is_some().then(|| {
        service_href(
            locale,
            service.id,
            &category
                .map(|c| format!("?category={c}"))
                .unwrap_or_default(),
        )
    });
    view! {
        <leptos_meta::Title text=title/>
        <p class="breadcrumb"><a href=locale.href("booking")>{tr("booking-title")}</a></p>
        <h1>{name}</h1>
        <p class="lead">{service.org_name.get(locale).to_string()}</p>
        <SampleNotice sample=service.sample/>
        <p>{service.description().get(locale).to_string()}</p>
        <ServiceFacts service=service.clone()/>
        {categories}
        {slots_view.map(|list| view! {
            <h2>{tr("booking-choose-time")}</h2>
            <p class="muted">{t_args(locale, "booking-days-shown", &[("from", page.from.clone().into()), ("to", page.to.clone().into())])}</p>
            {list}
            <nav class="pager" aria-label=tr("pager-label")>
                {earlier.map(|href| view! { <a href=href rel="prev">{tr("booking-earlier")}</a> })}
                {next_from.map(|href| view! { <a href=href rel="next">{tr("booking-later")}</a> })}
            </nav>
        })}
        {next_opening.map(|text| view! { <p class="notice">{text}</p> })}
        <NotUrgent/>
    }
}

/// Open slots grouped by day: each a link to its form, with places left; a full slot
/// offers its waitlist while there is room on it.
#[component]
fn SlotList(slots: Vec<OpenSlot>, zone: Tz, category: Option<CategoryId>) -> impl IntoView {
    let locale = use_locale();
    if slots.is_empty() {
        return view! { <p class="notice">{tr("booking-no-slots")}</p> }.into_any();
    }
    let mut days: Vec<(String, Vec<OpenSlot>)> = Vec::new();
    for slot in slots {
        let label = day_label(locale, slot.start, zone);
        match days.last_mut() {
            Some((day, list)) if *day == label => list.push(slot),
            _ => days.push((label, vec![slot])),
        }
    }
    days.into_iter()
        .map(|(day, slots)| {
            let items = slots
                .into_iter()
                .map(|slot| {
                    let time = time_range(slot.start, slot.end, zone);
                    let who = slot.counsellor.as_ref().map(|(_, name)| format!(" · {name}"));
                    let (state, href) = if !slot.is_full() {
                        (
                            t_args(locale, "booking-places-left", &[("count", slot.left.into())]),
                            Some(slot_href(locale, slot.id, category)),
                        )
                    } else if slot.waitlist_left > 0 {
                        (tr("booking-full-waitlist"), Some(slot_href(locale, slot.id, category)))
                    } else {
                        (tr("booking-full"), None)
                    };
                    let text = view! { <span class="slot-time">{time}{who}</span>" "<span class="slot-state">{state}</span> };
                    match href {
                        Some(href) => view! { <li><a class="slot" href=href>{text}</a></li> }.into_any(),
                        None => view! { <li><span class="slot full">{text}</span></li> }.into_any(),
                    }
                })
                .collect_view();
            view! {
                <h3 class="slot-day">{day}</h3>
                <ul class="slots">{items}</ul>
            }
        })
        .collect_view()
        .into_any()
}

// ---------------------------------------------------------------------------------
// The form

/// What a booking form submission brought, as typed, with what was wrong: the form
/// page shows it again so nothing is lost. Handed to the page by `forms`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub name: String,
    pub phone: String,
    pub attendee: String,
    pub stage: String,
    pub under_14: String,
    pub guardian_consent: bool,
    pub note: String,
    /// Agreed to messages.
    pub messages: bool,
    pub email: String,
    pub idempotency_key: String,
    /// Problems with fields.
    pub problems: Vec<BookingProblem>,
    /// A problem with the booking itself (full, too many attempts, …): its i18n key and,
    /// for a limit, the minutes to wait.
    pub error: Option<(String, i64)>,
}

impl FormEcho {
    /// The form as the service checks it.
    pub fn form(&self, category: Option<i64>, waitlist: bool) -> BookingForm {
        BookingForm {
            name: self.name.clone(),
            phone: self.phone.clone(),
            attendee: Attendee::parse(&self.attendee),
            stage: Stage::parse(&self.stage),
            note: self.note.clone(),
            category,
            guardian_consent: self.guardian_consent,
            under_14: self.under_14 == "yes",
            waitlist,
            messages: self.messages,
            email: self.email.clone(),
        }
    }

    fn problem(&self, field: &str) -> Option<BookingProblem> {
        self.problems.iter().copied().find(|p| p.field() == field)
    }
}

/// A fresh idempotency key for a form (the server's random source; on the client
/// this page never renders).
fn fresh_key() -> String {
    #[cfg(feature = "ssr")]
    {
        super::secret::random_key()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

#[component]
pub fn BookingSlotPage() -> impl IntoView {
    let Some(id) = param("id").and_then(|id| id.parse::<SlotId>().ok()) else {
        return view! { <NotFound/> }.into_any();
    };
    let category = query("category").and_then(|c| c.parse::<CategoryId>().ok());
    let echo = use_context::<FormEcho>();
    awaited(load_slot(id, category), move |page| match page {
        Ok(page) => view! { <SlotForm page echo/> }.into_any(),
        Err(Failure::NotFound) => view! { <NotFound/> }.into_any(),
        Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
    })
    .into_any()
}

/// One field's error, tied to it by id for screen readers.
fn field_error(
    locale: Locale,
    echo: &FormEcho,
    field: &'static str,
) -> Option<impl IntoView + use<>> {
    echo.problem(field).map(|p| {
        view! { <p class="field-error" id=format!("{field}-error")>{t(locale, p.key())}</p> }
    })
}

fn flagged(echo: &FormEcho, field: &str) -> Option<&'static str> {
    echo.problem(field).map(|_| "true")
}

fn described(echo: &FormEcho, field: &str, hint: Option<&str>) -> Option<String> {
    let mut ids: Vec<String> = hint.map(str::to_string).into_iter().collect();
    if echo.problem(field).is_some() {
        ids.push(format!("{field}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
fn SlotForm(page: SlotPage, echo: Option<FormEcho>) -> impl IntoView {
    let locale = use_locale();
    let service = page.service.clone();
    let zone = service.zone();
    let slot = page.slot.clone();
    // In a draw's window nobody has a place yet: requests are entries.
    let full = slot.is_full() && page.draw_at.is_none();
    let name = service.name().get(locale).to_string();
    let title = format!("{} · {name}", tr("booking-form-title"));
    let back = service_href(
        locale,
        service.id,
        &page
            .category
            .as_ref()
            .map(|c| format!("?category={}", c.id))
            .unwrap_or_default(),
    );
    if !page.bookable || (full && slot.waitlist_left == 0 && echo.is_none()) {
        let reason = if page.bookable {
            "booking-error-full"
        } else {
            "booking-error-closed"
        };
        return view! {
            <leptos_meta::Title text=title/>
            <h1>{name}</h1>
            <p class="notice error" role="alert">{tr(reason)}</p>
            <p><a class="button" href=back>{tr("booking-other-times")}</a></p>
        }
        .into_any();
    }
    let echo = echo.unwrap_or_else(|| FormEcho {
        idempotency_key: fresh_key(),
        ..FormEcho::default()
    });
    let summary = (!echo.problems.is_empty()).then(|| {
        let items = echo
            .problems
            .iter()
            .map(|p| {
                let href = format!("#{}", p.field());
                view! { <li><a href=href>{t(locale, p.key())}</a></li> }
            })
            .collect_view();
        view! {
            <div class="notice error" role="alert" tabindex="-1" id="problems">
                <p>{tr("booking-form-problems")}</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let error = echo.error.clone().map(|(key, minutes)| {
        let text = lookup_args(locale, &key, &[("minutes", minutes.into())])
            .unwrap_or_else(|| tr("error-unavailable"));
        view! { <p class="notice error" role="alert">{text}</p> }
    });
    let attendees: Vec<Attendee> = Attendee::ALL
        .into_iter()
        .filter(|a| service.audience().admits(*a))
        .collect();
    let attendee_choice = if attendees.len() == 1 {
        let only = attendees[0];
        view! {
            <input type="hidden" name="attendee" value=only.as_str()/>
            <p>{tr(&format!("booking-only-{}", only.as_str()))}</p>
        }
        .into_any()
    } else {
        let options = attendees
            .into_iter()
            .map(|a| {
                let checked = echo.attendee == a.as_str();
                let id = format!("attendee-{}", a.as_str());
                let label_for = id.clone();
                view! {
                    <label class="option" for=label_for>
                        <input type="radio" id=id name="attendee" value=a.as_str() checked=checked required/>
                        <span>{tr(&format!("booking-attendee-{}-long", a.as_str()))}</span>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset id="attendee" aria-invalid=flagged(&echo, "attendee") aria-describedby=described(&echo, "attendee", None)>
                <legend>{tr("booking-field-attendee")}</legend>
                <div class="options">{options}</div>
                {field_error(locale, &echo, "attendee")}
            </fieldset>
        }
        .into_any()
    };
    let stages = service
        .draft
        .stages()
        .into_iter()
        .map(|s| {
            let selected = echo.stage == s.as_str();
            view! { <option value=s.as_str() selected=selected>{tr(&s.label_key())}</option> }
        })
        .collect_view();
    let students = service.audience().admits(Attendee::Student);
    let under_14 = students.then(|| {
        let yes = echo.under_14 == "yes";
        let no = echo.under_14 == "no";
        view! {
            <fieldset id="guardian_consent" aria-invalid=flagged(&echo, "guardian_consent") aria-describedby=described(&echo, "guardian_consent", Some("consent-hint"))>
                <legend>{tr("booking-field-under-14")}</legend>
                <p class="hint" id="consent-hint">{tr("booking-consent-hint")}</p>
                <div class="options">
                    <label class="option" for="under-14-no">
                        <input type="radio" id="under-14-no" name="under_14" value="no" checked=no/>
                        <span>{tr("booking-under-14-no")}</span>
                    </label>
                    <label class="option" for="under-14-yes">
                        <input type="radio" id="under-14-yes" name="under_14" value="yes" checked=yes/>
                        <span>{tr("booking-under-14-yes")}</span>
                    </label>
                </div>
                <label class="option" for="consent">
                    <input type="checkbox" id="consent" name="guardian_consent" value="yes" checked=echo.guardian_consent/>
                    <span>{tr("booking-consent")}</span>
                </label>
                {field_error(locale, &echo, "guardian_consent")}
            </fieldset>
        }
    });
    let action = slot_href(locale, slot.id, page.category.as_ref().map(|c| c.id));
    let counsellor = slot
        .counsellor
        .clone()
        .map(|(_, n)| view! { <dt>{tr("booking-fact-counsellor")}</dt><dd>{n}</dd> });
    let category_row = page.category.as_ref().map(|c| {
        view! { <dt>{tr("booking-fact-need")}</dt><dd>{c.name.get(locale).to_string()}</dd> }
    });
    let place = service.place().get(locale).to_string();
    let draw_notice = page.draw_at.map(|at| {
        let at = moment(locale, at, zone);
        view! { <p class="notice">{t_args(locale, "booking-draw-explain", &[("time", at.into())])}</p> }
    });
    let submit = match (page.draw_at, full) {
        (Some(_), _) => tr("booking-submit-draw"),
        (None, true) => tr("booking-submit-waitlist"),
        (None, false) => tr("booking-submit"),
    };
    view! {
        <leptos_meta::Title text=title/>
        <p class="breadcrumb"><a href=back.clone()>{name.clone()}</a></p>
        <h1>{tr("booking-form-title")}</h1>
        <SampleNotice sample=service.sample/>
        <dl class="facts">
            <dt>{tr("booking-fact-service")}</dt><dd>{name}</dd>
            <dt>{tr("booking-fact-when")}</dt><dd>{when(locale, &slot, zone)}</dd>
            {counsellor}
            {category_row}
            <dt>{tr("booking-fact-where")}</dt><dd>{tr(&service.mode().label_key())}{(!place.is_empty()).then(|| format!(" · {place}"))}</dd>
            <dt>{tr("booking-fact-cost")}</dt><dd>{tr("booking-free")}</dd>
        </dl>
        {full.then(|| view! { <p class="notice warning">{tr("booking-waitlist-explain")}</p> })}
        {draw_notice}
        {summary}
        {error}
        <form method="post" action=action class="booking-form" novalidate>
            <input type="hidden" name="idempotency_key" value=echo.idempotency_key.clone()/>
            {full.then(|| view! { <input type="hidden" name="waitlist" value="yes"/> })}
            <p>{tr("booking-form-minimum")}</p>
            <div class="field">
                <label for="name">{tr("booking-field-name")}</label>
                <p class="hint" id="name-hint">{tr("booking-field-name-hint")}</p>
                <input id="name" name="name" type="text" autocomplete="nickname" maxlength="20" required
                    value=echo.name.clone() aria-invalid=flagged(&echo, "name") aria-describedby=described(&echo, "name", Some("name-hint"))/>
                {field_error(locale, &echo, "name")}
            </div>
            <div class="field">
                <label for="phone">{tr("booking-field-phone")}</label>
                <p class="hint" id="phone-hint">{tr("booking-field-phone-hint")}</p>
                <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" required
                    value=echo.phone.clone() aria-invalid=flagged(&echo, "phone") aria-describedby=described(&echo, "phone", Some("phone-hint"))/>
                {field_error(locale, &echo, "phone")}
            </div>
            {attendee_choice}
            <div class="field">
                <label for="stage">{tr("booking-field-stage")}</label>
                <select id="stage" name="stage" required aria-invalid=flagged(&echo, "stage") aria-describedby=described(&echo, "stage", None)>
                    <option value="">{tr("booking-choose")}</option>
                    {stages}
                </select>
                {field_error(locale, &echo, "stage")}
            </div>
            {under_14}
            <div class="field">
                <label for="note">{tr("booking-field-note")}</label>
                <p class="hint" id="note-hint">{tr("booking-field-note-hint")}</p>
                <textarea id="note" name="note" rows="3" maxlength="200"
                    aria-invalid=flagged(&echo, "note") aria-describedby=described(&echo, "note", Some("note-hint"))>{crate::site::textarea_text(&echo.note)}</textarea>
                {field_error(locale, &echo, "note")}
            </div>
            {message_choice(locale, &echo, page.channels)}
            <p class="hint">{tr("booking-privacy")}</p>
            <button type="submit" class="button">{submit}</button>
        </form>
        <NotUrgent/>
    }
    .into_any()
}

/// "Send me a confirmation and reminders", for the channels this deployment has;
/// the e-mail field only when it sends e-mail. Nothing when it has none.
fn message_choice(
    locale: Locale,
    echo: &FormEcho,
    channels: super::MessageChannels,
) -> impl IntoView {
    let hint = match (channels.text, channels.email) {
        (true, true) => "booking-messages-hint-both",
        (true, false) => "booking-messages-hint-text",
        _ => "booking-messages-hint-email",
    };
    channels.any().then(|| {
        view! {
            <fieldset class="field" id="messages">
                <legend>{tr("booking-messages-legend")}</legend>
                <p class="hint" id="messages-hint">{tr(hint)}</p>
                <p class="hint" id="messages-family">{tr("booking-messages-family")}</p>
                <label class="check">
                    <input type="checkbox" name="messages" value="yes" checked=echo.messages aria-describedby="messages-hint messages-family"/>
                    {tr("booking-messages-agree")}
                </label>
                {channels.email.then(|| view! {
                    <div class="field">
                        <label for="email">{tr("booking-field-email")}</label>
                        <p class="hint" id="email-hint">{tr("booking-field-email-hint")}</p>
                        <input id="email" name="email" type="email" inputmode="email" autocomplete="email" maxlength="254"
                            value=echo.email.clone() aria-invalid=flagged(echo, "email") aria-describedby=described(echo, "email", Some("email-hint"))/>
                        {field_error(locale, echo, "email")}
                    </div>
                })}
            </fieldset>
        }
    })
}

// ---------------------------------------------------------------------------------
// The booking's own page

fn status_text(locale: Locale, view: &BookingView) -> String {
    match (view.status, view.past) {
        (BookingStatus::Waitlisted, true) => t(locale, "booking-status-waitlist-ended"),
        (status, _) => t(locale, &status.label_key()),
    }
}

/// The booking as its owner sees it: the code to read out, the status, the details.
#[component]
pub fn BookingCard(view: BookingView) -> impl IntoView {
    let locale = use_locale();
    let zone = view.service.zone();
    let service_name = view.service.name().get(locale).to_string();
    let place = view.service.place().get(locale).to_string();
    let status = status_text(locale, &view);
    let waiting = view.ahead.filter(|_| !view.past).map(|ahead| {
        view! { <p class="notice">{t_args(locale, "booking-waitlist-position", &[("ahead", ahead.into())])}</p> }
    });
    let drawing = view.draw_at.map(|at| {
        let at = moment(locale, at, zone);
        view! { <p class="notice">{t_args(locale, "booking-entered-explain", &[("time", at.into())])}</p> }
    });
    let not_drawn = (view.status == BookingStatus::NotDrawn).then(|| {
        let other_times = service_href(locale, view.service.id, "");
        view! {
            <p class="notice">{tr("booking-not-drawn-explain")}</p>
            <p><a class="button secondary" href=other_times>{tr("booking-other-times")}</a></p>
        }
    });
    let reason = (!view.cancel_reason.is_empty()).then(|| {
        view! { <p class="notice warning">{tr("booking-cancelled-by-clinic")}" "{view.cancel_reason.clone()}</p> }
    });
    let code_spaced: String = view
        .code
        .chars()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let contact = (!view.service.draft.contact_phone.is_empty()).then(|| {
        let number = view.service.draft.contact_phone.clone();
        view! { <dt>{tr("booking-fact-contact")}</dt><dd>{number}</dd> }
    });
    view! {
        <div class="booking-card">
            <p class="booking-code-label">{tr("booking-code")}</p>
            <p class="booking-code" aria-label=code_spaced>{view.code.clone()}</p>
            <p class=format!("booking-status status-{}", view.status.as_str()) role="status">{status}</p>
            {waiting}
            {drawing}
            {not_drawn}
            {reason}
            <dl class="facts">
                <dt>{tr("booking-fact-service")}</dt><dd>{service_name}</dd>
                <dt>{tr("booking-fact-clinic")}</dt><dd>{view.service.org_name.get(locale).to_string()}</dd>
                <dt>{tr("booking-fact-when")}</dt><dd>{when(locale, &view.slot, zone)}</dd>
                {view.slot.counsellor.clone().map(|(_, n)| view! { <dt>{tr("booking-fact-counsellor")}</dt><dd>{n}</dd> })}
                {view.category.clone().map(|c| view! { <dt>{tr("booking-fact-need")}</dt><dd>{c.get(locale).to_string()}</dd> })}
                <dt>{tr("booking-fact-where")}</dt><dd>{tr(&view.service.mode().label_key())}{(!place.is_empty()).then(|| format!(" · {place}"))}</dd>
                <dt>{tr("booking-fact-attendee")}</dt><dd>{tr(&view.attendee.label_key())}" · "{tr(&view.stage.label_key())}</dd>
                {contact}
            </dl>
        </div>
    }
}

/// What the page says after a change (`?done=…`), and a refusal (`?error=…`).
#[component]
fn Outcome() -> impl IntoView {
    let locale = use_locale();
    let done = query("done").and_then(|d| lookup(locale, &format!("booking-done-{d}")));
    let error = query("error").and_then(|key| {
        let minutes: i64 = query("minutes").and_then(|m| m.parse().ok()).unwrap_or(0);
        if !key.starts_with("booking-error-") && !key.starts_with("error-") {
            return None;
        }
        lookup_args(locale, &key, &[("minutes", minutes.into())])
    });
    view! {
        {done.map(|text| view! { <p class="notice done" role="status">{text}</p> })}
        {error.map(|text| view! { <p class="notice error" role="alert">{text}</p> })}
    }
}

#[component]
pub fn BookingManagePage() -> impl IntoView {
    let token = param("token").unwrap_or_default();
    awaited(load_booking(token.clone()), move |view| match view {
        Ok(view) => view! { <ManageView view token=token.clone()/> }.into_any(),
        Err(Failure::NotFound) => view! { <NotFound/> }.into_any(),
        Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
    })
    .into_any()
}

#[component]
fn ManageView(view: BookingView, token: String) -> impl IntoView {
    let locale = use_locale();
    let base = manage_href(locale, &token);
    let new = query("done").as_deref() == Some("booked");
    let changeable = view.changeable;
    let active = view.status.is_active() && !view.past;
    let calendar = (view.status == BookingStatus::Confirmed && !view.past)
        .then(|| format!("{base}/calendar.ics"));
    let contact = view.service.draft.contact_phone.clone();
    view! {
        <PageTitle key="booking-manage-title"/>
        <h1>{if new { tr("booking-manage-new") } else { tr("booking-manage-title") }}</h1>
        <Outcome/>
        {new.then(|| view! { <p class="notice done">{tr("booking-keep-link")}</p> })}
        <BookingCard view=view.clone()/>
        {calendar.map(|href| view! {
            <p class="hint" id="calendar-note">{tr("booking-calendar-note")}</p>
            <p><a class="button secondary" href=href download="anxin-booking.ics" aria-describedby="calendar-note">{tr("booking-add-calendar")}</a></p>
        })}
        {(active && changeable).then(|| view! {
            <h2>{tr("booking-change-title")}</h2>
            <p><a class="button secondary" href=format!("{base}/reschedule")>{tr("booking-reschedule")}</a></p>
            <details class="cancel">
                <summary>{tr("booking-cancel")}</summary>
                <form method="post" action=format!("{base}/cancel")>
                    <p>{tr("booking-cancel-confirm-text")}</p>
                    <button type="submit" class="button danger">{tr("booking-cancel-confirm")}</button>
                </form>
            </details>
        })}
        {(active && !changeable).then(|| view! {
            <p class="notice">{tr("booking-too-late-to-change")}" "{contact.clone()}</p>
        })}
        <NotUrgent/>
    }
}

#[component]
pub fn BookingReschedulePage() -> impl IntoView {
    let token = param("token").unwrap_or_default();
    let from = query("from");
    let load = {
        let token = token.clone();
        async move {
            let view = load_booking(token).await?;
            let page = load_service(view.service.id, from, view.category_id).await?;
            Ok::<_, Failure>((view, page))
        }
    };
    awaited(load, move |loaded| match loaded {
        Ok((view, page)) => view! { <RescheduleView view page token=token.clone()/> }.into_any(),
        Err(Failure::NotFound) => view! { <NotFound/> }.into_any(),
        Err(_) => view! { <crate::site::Unavailable/> }.into_any(),
    })
    .into_any()
}

#[component]
fn RescheduleView(view: BookingView, page: ServicePage, token: String) -> impl IntoView {
    let locale = use_locale();
    let zone = view.service.zone();
    let base = manage_href(locale, &token);
    let options = page
        .slots
        .iter()
        .filter(|s| s.id != view.slot.id && !s.is_full())
        .map(|s| {
            let id = format!("slot-{}", s.id);
            let label_for = id.clone();
            let who = s
                .counsellor
                .as_ref()
                .map(|(_, n)| format!(" · {n}"))
                .unwrap_or_default();
            view! {
                <label class="option" for=label_for>
                    <input type="radio" id=id name="slot" value=s.id required/>
                    <span>{when(locale, s, zone)}{who}</span>
                </label>
            }
        })
        .collect::<Vec<_>>();
    let empty = options.is_empty();
    view! {
        <PageTitle key="booking-reschedule"/>
        <p class="breadcrumb"><a href=base.clone()>{view.code.clone()}</a></p>
        <h1>{tr("booking-reschedule")}</h1>
        <Outcome/>
        <p>{t_args(locale, "booking-reschedule-now", &[("when", when(locale, &view.slot, zone).into())])}</p>
        <p class="hint">{tr("booking-reschedule-hint")}</p>
        {if empty {
            view! { <p class="notice">{tr("booking-no-slots")}</p> }.into_any()
        } else {
            view! {
                <form method="post" action=format!("{base}/reschedule")>
                    <fieldset>
                        <legend>{tr("booking-choose-time")}</legend>
                        <div class="options">{options}</div>
                    </fieldset>
                    <button type="submit" class="button">{tr("booking-reschedule-submit")}</button>
                </form>
            }
            .into_any()
        }}
        <p><a href=base>{tr("booking-back-to-booking")}</a></p>
    }
}

// ---------------------------------------------------------------------------------
// Finding a booking by code and phone

/// What a find submission brought back: the code and phone typed, and the booking
/// found (or the refusal), for the find page to show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindEcho {
    pub code: String,
    pub phone: String,
    pub found: Option<BookingView>,
    pub error: Option<(String, i64)>,
    /// The key of what was just done (`cancelled`).
    pub done: Option<String>,
}

#[component]
pub fn BookingFindPage() -> impl IntoView {
    let locale = use_locale();
    let echo = use_context::<FindEcho>().unwrap_or_default();
    let error = echo.error.clone().map(|(key, minutes)| {
        let text = t_args(locale, &key, &[("minutes", minutes.into())]);
        view! { <p class="notice error" role="alert">{text}</p> }
    });
    let done = echo
        .done
        .as_ref()
        .and_then(|d| lookup(locale, &format!("booking-done-{d}")))
        .map(|text| view! { <p class="notice done" role="status">{text}</p> });
    let found = echo.found.clone().map(|view| {
        let cancellable = view.changeable && view.status.is_active() && !view.past;
        let code = echo.code.clone();
        let phone = echo.phone.clone();
        let contact = view.service.draft.contact_phone.clone();
        let active = view.status.is_active() && !view.past;
        view! {
            <BookingCard view=view.clone()/>
            {cancellable.then(|| view! {
                <details class="cancel">
                    <summary>{tr("booking-cancel")}</summary>
                    <form method="post" action=locale.href("booking/find/cancel")>
                        <input type="hidden" name="code" value=code/>
                        <input type="hidden" name="phone" value=phone/>
                        <p>{tr("booking-cancel-confirm-text")}</p>
                        <button type="submit" class="button danger">{tr("booking-cancel-confirm")}</button>
                    </form>
                </details>
            })}
            {(active && !cancellable).then(|| view! { <p class="notice">{tr("booking-too-late-to-change")}" "{contact}</p> })}
            <p class="hint">{tr("booking-find-use-link")}</p>
        }
    });
    view! {
        <PageTitle key="booking-find-title"/>
        <p class="breadcrumb"><a href=locale.href("booking")>{tr("booking-title")}</a></p>
        <h1>{tr("booking-find-title")}</h1>
        {done}
        {error}
        {found}
        <form method="post" action=locale.href("booking/find")>
            <div class="field">
                <label for="code">{tr("booking-code")}</label>
                <input id="code" name="code" type="text" autocomplete="off" autocapitalize="characters" maxlength="12" required value=echo.code.clone()/>
            </div>
            <div class="field">
                <label for="phone">{tr("booking-field-phone")}</label>
                <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" required value=echo.phone.clone()/>
            </div>
            <button type="submit" class="button">{tr("booking-find-submit")}</button>
        </form>
    }
}
