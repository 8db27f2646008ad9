//! The clinic's side of booking, for staff with the `clinic` role: the desk (a day or
//! a week of slots with their bookings, printable), a booking's page (contact details,
//! check-in, no-show, cancel with a reason, staff-only notes), the set-up (time zone,
//! need categories, counsellors, services with their schedules and exceptions) and
//! monthly counts with a CSV export. Plain forms posting to server functions.

#![allow(clippy::too_many_arguments)] // one argument per form field

use super::model::{BookingStatus, Mode, ServiceAudience, ServiceDraft, Stage};
use super::pages::{day_label, time_range};
use super::slots::{ReleaseKind, ReleaseParts, Weekdays, format_minute};
use super::{Agenda, Bilingual, MonthCounts, Setup, StaffBooking};
use crate::content::editor::Checkboxes;
use crate::i18n::{Locale, t, t_args, tr, use_locale};
use crate::ids::{
    BookingId, CategoryId, CounsellorId, ExceptionId, JobId, OrgId, ScheduleId, ServiceId,
};
use crate::service::Failure;
use crate::site::{NotFound, awaited};
use crate::staff::actions::StaffContext;
use crate::staff::pages::{LangField, StaffArea};
use crate::staff::staff_href;
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

#[cfg(feature = "ssr")]
use crate::web;

// ---------------------------------------------------------------------------------
// Server functions

#[server(prefix = "/staff/fn", endpoint = "booking-agenda")]
pub async fn load_agenda(
    org: OrgId,
    from: Option<String>,
    days: u64,
    counsellor: Option<CounsellorId>,
) -> Result<Agenda, Failure> {
    let state = web::state()?;
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    let from = from.as_deref().and_then(super::slots::parse_day);
    super::service::agenda(&ctx, &state.booking, org, from, days, counsellor)
        .await
        .map_err(web::fail)
}

#[server(prefix = "/staff/fn", endpoint = "booking-detail")]
pub async fn load_booking_detail(id: BookingId) -> Result<StaffBooking, Failure> {
    let state = web::state()?;
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::staff_view(&ctx, &state.booking, id)
        .await
        .map_err(web::fail)
}

#[server(prefix = "/staff/fn", endpoint = "booking-setup")]
pub async fn load_setup(org: OrgId) -> Result<Setup, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::setup(&ctx, org).await.map_err(web::fail)
}

#[server(prefix = "/staff/fn", endpoint = "booking-counts")]
pub async fn load_counts(org: OrgId, month: String) -> Result<MonthCounts, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::month_counts(&ctx, org, &month)
        .await
        .map_err(web::fail)
}

#[server(prefix = "/staff/fn", endpoint = "booking-outbox")]
pub async fn load_outbox(org: OrgId) -> Result<Vec<super::OutboxMessage>, Failure> {
    let ctx = web::staff_ctx().await.map_err(web::fail)?;
    super::service::outbox(&ctx, org).await.map_err(web::fail)
}

/// "Send again": a message that failed (or was sent) goes back in the queue.
#[server(prefix = "/staff/fn", endpoint = "booking-resend")]
pub async fn resend_message(lang: Locale, org: OrgId, id: JobId) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &format!("booking/outbox?org={org}"));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        crate::jobs::service::retry(&ctx, id).await?;
        Ok(with_query(&back, "done=booking-resent"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// Check-in, no-show, cancel (with `reason`) or a note (`note`), then back to `back`
/// (a staff page of this site).
#[server(prefix = "/staff/fn", endpoint = "booking-desk")]
pub async fn desk_step(
    lang: Locale,
    id: BookingId,
    step: String,
    #[server(default)] reason: String,
    #[server(default)] note: String,
    #[server(default)] back: String,
) -> Result<(), Failure> {
    use super::service::DeskStep;
    let page = staff_page(lang, &back, &format!("booking/bookings/{id}"));
    let (_, login) = web::form_paths(lang, "");
    let outcome = async {
        let state = web::state()?;
        let ctx = web::staff_ctx().await?;
        let step = match step.as_str() {
            "check-in" => DeskStep::CheckIn,
            "no-show" => DeskStep::NoShow,
            "cancel" => DeskStep::Cancel { reason },
            "note" => DeskStep::Note { text: note },
            _ => return Err(Failure::invalid("step", "error-bad-input")),
        };
        let done = match step {
            DeskStep::CheckIn => "checked-in",
            DeskStep::NoShow => "no-show",
            DeskStep::Cancel { .. } => "cancelled",
            DeskStep::Note { .. } => "note-saved",
        };
        super::service::desk(&ctx, &state.booking, id, step).await?;
        Ok(with_query(&page, &format!("done=booking-{done}")))
    }
    .await;
    web::respond(outcome, &page, &login)
}

/// `back` if it is one of this site's staff pages, else the staff page `fallback`.
#[cfg(feature = "ssr")]
fn staff_page(lang: Locale, back: &str, fallback: &str) -> String {
    let prefix = staff_href(lang, "booking");
    if back.starts_with(&prefix) && !back.contains("//") && !back.contains('\\') {
        back.to_string()
    } else {
        staff_href(lang, fallback)
    }
}

#[cfg(feature = "ssr")]
fn with_query(url: &str, query: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

fn setup_path(org: OrgId) -> String {
    format!("booking/setup?org={org}")
}

#[server(prefix = "/staff/fn", endpoint = "booking-time-zone")]
pub async fn save_time_zone(lang: Locale, org: OrgId, time_zone: String) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &setup_path(org));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        super::service::set_time_zone(&ctx, org, &time_zone).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[server(prefix = "/staff/fn", endpoint = "booking-category")]
pub async fn save_category(
    lang: Locale,
    org: OrgId,
    #[server(default)] id: Option<CategoryId>,
    name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] position: i64,
    #[server(default)] retired: Option<String>,
) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &setup_path(org));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        super::service::save_category(
            &ctx,
            org,
            id,
            Bilingual::new(name_zh, name_en),
            position,
            retired.is_some(),
        )
        .await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[server(prefix = "/staff/fn", endpoint = "booking-counsellor")]
pub async fn save_counsellor(
    lang: Locale,
    org: OrgId,
    #[server(default)] id: Option<CounsellorId>,
    display_name: String,
    #[server(default)] bio_zh: String,
    #[server(default)] bio_en: String,
    #[server(default)] staff_username: String,
    #[server(default)] active: Option<String>,
    #[server(default)] categories: Vec<CategoryId>,
) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &setup_path(org));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let counsellor = super::Counsellor {
            id: id.unwrap_or(CounsellorId(0)),
            org_id: org,
            display_name,
            bio: Bilingual::new(bio_zh, bio_en),
            staff_id: None,
            active: active.is_some(),
            categories,
        };
        super::service::save_counsellor(&ctx, org, id, counsellor, Some(&staff_username)).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

fn service_path(org: OrgId, id: Option<ServiceId>) -> String {
    match id {
        Some(id) => format!("booking/services/{id}?org={org}"),
        None => format!("booking/services/new?org={org}"),
    }
}

#[server(prefix = "/staff/fn", endpoint = "booking-service")]
pub async fn save_service(
    lang: Locale,
    org: OrgId,
    #[server(default)] id: Option<ServiceId>,
    name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] description_zh: String,
    #[server(default)] description_en: String,
    audience: ServiceAudience,
    stage_from: Stage,
    stage_to: Stage,
    duration_minutes: i64,
    mode: Mode,
    #[server(default)] place_zh: String,
    #[server(default)] place_en: String,
    #[server(default)] contact_phone: String,
    places: i64,
    #[server(default)] waitlist_places: i64,
    #[server(default)] matches_category: Option<String>,
    release_kind: String,
    release_days: u16,
    #[server(default)] release_weekday: u8,
    release_at: String,
    book_cutoff_minutes: i64,
    cancel_cutoff_minutes: i64,
    max_active_per_phone: i64,
    #[server(default)] active: Option<String>,
    #[server(default)] remind_hours: String,
    #[server(default)] draw_minutes: i64,
    #[server(default)] discreet_title_zh: String,
    #[server(default)] discreet_title_en: String,
) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &service_path(org, id));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let at = super::slots::parse_minute(&release_at)
            .ok_or_else(|| Failure::invalid("release_at", "booking-setup-error-release"))?;
        let release = super::slots::Release::from_parts(ReleaseParts {
            kind: ReleaseKind::parse(&release_kind).unwrap_or(ReleaseKind::Rolling),
            days: release_days.into(),
            weekday: release_weekday.into(),
            minute: at.into(),
        });
        let draft = ServiceDraft {
            name_zh,
            name_en,
            description_zh,
            description_en,
            audience,
            stage_from,
            stage_to,
            duration_minutes,
            mode,
            place_zh,
            place_en,
            contact_phone,
            places,
            waitlist_places,
            matches_category: matches_category.is_some(),
            release,
            cutoffs: super::slots::Cutoffs {
                book_minutes: book_cutoff_minutes,
                cancel_minutes: cancel_cutoff_minutes,
            },
            max_active_per_phone,
            active: active.is_some(),
            remind_hours,
            draw_minutes,
            discreet_title_zh,
            discreet_title_en,
        };
        let saved = super::service::save_service(&ctx, org, id, draft).await?;
        Ok(with_query(
            &staff_href(lang, &service_path(org, Some(saved))),
            "done=booking-saved",
        ))
    }
    .await;
    web::respond(outcome, &back, &login)
}

/// `09:30` from a form, or the field's refusal.
#[cfg(feature = "ssr")]
fn minute_field(value: &str, field: &str) -> Result<super::slots::Minute, Failure> {
    super::slots::parse_minute(value)
        .ok_or_else(|| Failure::invalid(field, "booking-setup-error-times"))
}

#[server(prefix = "/staff/fn", endpoint = "booking-schedule")]
pub async fn add_schedule(
    lang: Locale,
    org: OrgId,
    service: ServiceId,
    #[server(default)] counsellor: Option<CounsellorId>,
    #[server(default)] weekdays: Vec<u8>,
    start: String,
    end: String,
    slot_minutes: u16,
    #[server(default)] buffer_minutes: u16,
    places: i64,
    #[server(default)] valid_from: String,
    #[server(default)] valid_until: String,
) -> Result<(), Failure> {
    let back_path = service_path(org, Some(service));
    let (back, login) = web::form_paths(lang, &back_path);
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let days: Vec<chrono::Weekday> = weekdays
            .iter()
            .filter(|d| (1..=7).contains(*d))
            .map(|d| Weekdays::ALL[usize::from(*d - 1)])
            .collect();
        let date = |text: &str, field: &str| -> Result<Option<chrono::NaiveDate>, Failure> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            super::slots::parse_day(text)
                .map(Some)
                .ok_or_else(|| Failure::invalid(field, "booking-setup-error-dates"))
        };
        let schedule = super::slots::Schedule {
            counsellor: counsellor.map(|c| c.0),
            weekdays: Weekdays::of(&days),
            session: super::slots::Session {
                start: minute_field(&start, "start")?,
                end: minute_field(&end, "end")?,
                length: slot_minutes,
                buffer: buffer_minutes,
                places,
            },
            valid_from: date(&valid_from, "valid_from")?,
            valid_until: date(&valid_until, "valid_until")?,
        };
        super::service::add_schedule(&ctx, service, schedule).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[server(prefix = "/staff/fn", endpoint = "booking-schedule-remove")]
pub async fn remove_schedule(
    lang: Locale,
    org: OrgId,
    service: ServiceId,
    id: ScheduleId,
) -> Result<(), Failure> {
    let (back, login) = web::form_paths(lang, &service_path(org, Some(service)));
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        super::service::remove_schedule(&ctx, id).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[server(prefix = "/staff/fn", endpoint = "booking-exception")]
pub async fn add_exception(
    lang: Locale,
    org: OrgId,
    #[server(default)] service: Option<ServiceId>,
    #[server(default)] counsellor: Option<CounsellorId>,
    day: String,
    kind: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
    #[server(default)] slot_minutes: u16,
    #[server(default)] places: i64,
    #[server(default)] note: String,
) -> Result<(), Failure> {
    use super::slots::{Exception, Session};
    let back_path = match service {
        Some(id) => service_path(org, Some(id)),
        None => setup_path(org),
    };
    let (back, login) = web::form_paths(lang, &back_path);
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        let on = super::slots::parse_day(&day)
            .ok_or_else(|| Failure::invalid("day", "booking-setup-error-dates"))?;
        let counsellor = counsellor.map(|c| c.0);
        let exception = match kind.as_str() {
            "extra" => Exception::Extra {
                day: on,
                counsellor,
                session: Session {
                    start: minute_field(&start, "start")?,
                    end: minute_field(&end, "end")?,
                    length: slot_minutes,
                    buffer: 0,
                    places,
                },
            },
            _ => Exception::Closed {
                day: on,
                counsellor,
            },
        };
        super::service::add_exception(&ctx, org, service, exception, &note).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

#[server(prefix = "/staff/fn", endpoint = "booking-exception-remove")]
pub async fn remove_exception(
    lang: Locale,
    org: OrgId,
    #[server(default)] service: Option<ServiceId>,
    id: ExceptionId,
) -> Result<(), Failure> {
    let back_path = match service {
        Some(s) => service_path(org, Some(s)),
        None => setup_path(org),
    };
    let (back, login) = web::form_paths(lang, &back_path);
    let outcome = async {
        let ctx = web::staff_ctx().await?;
        super::service::remove_exception(&ctx, id).await?;
        Ok(with_query(&back, "done=booking-saved"))
    }
    .await;
    web::respond(outcome, &back, &login)
}

// ---------------------------------------------------------------------------------
// Pages

fn query<T: std::str::FromStr>(key: &str) -> Option<T> {
    use_query_map().with_untracked(|q| q.get(key).and_then(|v| v.parse().ok()))
}

fn query_text(key: &str) -> Option<String> {
    use_query_map()
        .with_untracked(|q| q.get(key))
        .filter(|v| !v.is_empty())
}

/// The organisation a desk page is about: `?org=`, or the only one the person runs.
fn desk_org(me: &StaffContext) -> Option<OrgId> {
    query::<OrgId>("org")
        .filter(|o| me.can_manage_bookings.contains(o))
        .or_else(|| (me.can_manage_bookings.len() == 1).then(|| me.can_manage_bookings[0]))
}

fn org_name(locale: Locale, me: &StaffContext, org: OrgId) -> String {
    crate::staff::pages::org_label(locale, &me.orgs, org)
}

fn zone_of(name: &str) -> Tz {
    name.parse().unwrap_or(crate::time::CHINA)
}

fn refused() -> AnyView {
    view! { <crate::site::Unavailable/> }.into_any()
}

/// The desk's front page: the organisations the person runs a desk for.
#[component]
pub fn DeskHomePage() -> impl IntoView {
    view! {
        <StaffArea title="booking-desk" page=|me: StaffContext| {
            let locale = use_locale();
            if me.can_manage_bookings.is_empty() {
                return view! { <p class="notice">{tr("booking-desk-none")}</p> }.into_any();
            }
            me.can_manage_bookings
                .iter()
                .map(|org| {
                    let link = |page: &str, key: &str| {
                        let href = staff_href(locale, &format!("booking/{page}?org={org}"));
                        view! { <li><a href=href>{tr(key)}</a></li> }
                    };
                    view! {
                        <section>
                            <h2>{org_name(locale, &me, *org)}</h2>
                            <ul class="links">
                                {link("day", "booking-desk-today")}
                                {link("week", "booking-desk-week")}
                                {link("setup", "booking-desk-setup")}
                                {link("report", "booking-desk-report")}
                                {link("outbox", "booking-desk-outbox")}
                            </ul>
                        </section>
                    }
                })
                .collect_view()
                .into_any()
        }/>
    }
}

#[component]
pub fn DayPage() -> impl IntoView {
    view! { <AgendaPage days=1/> }
}

#[component]
pub fn WeekPage() -> impl IntoView {
    view! { <AgendaPage days=7/> }
}

#[component]
fn AgendaPage(days: u64) -> impl IntoView {
    let title = if days == 1 {
        "booking-desk-today"
    } else {
        "booking-desk-week"
    };
    view! {
        <StaffArea title page=move |me: StaffContext| {
            let Some(org) = desk_org(&me) else {
                return view! { <p class="notice">{tr("booking-desk-choose")}</p> }.into_any();
            };
            let from = query_text("date");
            let counsellor = query::<CounsellorId>("counsellor");
            awaited(load_agenda(org, from, days, counsellor), move |agenda| match agenda {
                Ok(agenda) => view! { <AgendaView agenda days/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

fn status_label(locale: Locale, status: BookingStatus) -> String {
    t(locale, &status.label_key())
}

#[component]
fn AgendaView(agenda: Agenda, days: u64) -> impl IntoView {
    let locale = use_locale();
    let zone = zone_of(&agenda.time_zone);
    let org = agenda.org_id;
    let page = if days == 1 { "day" } else { "week" };
    let first = super::slots::parse_day(&agenda.from).unwrap_or_default();
    let counsellor_query = agenda
        .counsellor
        .map(|c| format!("&counsellor={c}"))
        .unwrap_or_default();
    let shift = |by: i64| {
        let day = if by < 0 {
            first - chrono::Days::new(by.unsigned_abs())
        } else {
            first + chrono::Days::new(by as u64)
        };
        staff_href(
            locale,
            &format!("booking/{page}?org={org}&date={day}{counsellor_query}"),
        )
    };
    let step = days as i64;
    let here = staff_href(
        locale,
        &format!(
            "booking/{page}?org={org}&date={}{counsellor_query}",
            agenda.from
        ),
    );
    let counsellors = (!agenda.counsellors.is_empty()).then(|| {
        let options = agenda
            .counsellors
            .iter()
            .map(|c| {
                let selected = agenda.counsellor == Some(c.id);
                view! { <option value=c.id selected=selected>{c.display_name.clone()}</option> }
            })
            .collect_view();
        view! {
            <form class="filters no-print" method="get" action=staff_href(locale, &format!("booking/{page}"))>
                <input type="hidden" name="org" value=org/>
                <input type="hidden" name="date" value=agenda.from.clone()/>
                <div class="field">
                    <label for="counsellor">{tr("booking-fact-counsellor")}</label>
                    <select id="counsellor" name="counsellor">
                        <option value="">{tr("filter-all")}</option>
                        {options}
                    </select>
                </div>
                <button type="submit" class="button secondary">{tr("filter-apply")}</button>
            </form>
        }
    });
    let heading = if days == 1 {
        agenda.from.clone()
    } else {
        format!("{} – {}", agenda.from, agenda.to)
    };
    let rows = if agenda.slots.is_empty() {
        view! { <p class="notice">{tr("booking-desk-empty")}</p> }.into_any()
    } else {
        agenda
            .slots
            .into_iter()
            .map(|slot| {
                let when = format!(
                    "{} {}",
                    day_label(locale, slot.slot.start, zone),
                    time_range(slot.slot.start, slot.slot.end, zone)
                );
                let who = slot.slot.counsellor.clone().map(|(_, n)| format!(" · {n}")).unwrap_or_default();
                let counts = t_args(
                    locale,
                    "booking-desk-counts",
                    &[
                        ("taken", (slot.slot.places - slot.slot.left).into()),
                        ("places", slot.slot.places.into()),
                        ("waiting", (slot.bookings.iter().filter(|b| b.status == BookingStatus::Waitlisted).count() as i64).into()),
                    ],
                );
                let (check_in_open, started) = (
                    agenda.now >= slot.slot.start - super::model::CHECK_IN_FROM,
                    agenda.now >= slot.slot.start,
                );
                let bookings = slot
                    .bookings
                    .into_iter()
                    .map(|b| view! { <DeskRow booking=b back=here.clone() check_in_open started/> })
                    .collect_view();
                view! {
                    <section class="desk-slot">
                        <h2>{when}{who}</h2>
                        <p class="muted">{slot.service_name.get(locale).to_string()}" · "{counts}
                            {slot.withdrawn.then(|| format!(" · {}", tr("booking-desk-withdrawn")))}
                            {slot.drawn_at.map(|at| format!(" · {}", t_args(locale, "booking-desk-drawn", &[("time", super::pages::moment(locale, at, zone).into())])))}</p>
                        <ul class="desk-bookings">{bookings}</ul>
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <p class="lead">{agenda.org_name.get(locale).to_string()}" · "{heading}</p>
        <nav class="pager no-print" aria-label=tr("pager-label")>
            <a href=shift(-step) rel="prev">{tr("booking-desk-previous")}</a>
            <a href=shift(step) rel="next">{tr("booking-desk-next")}</a>
        </nav>
        {counsellors}
        {rows}
    }
}

/// One booking in the desk's list: who, status, and the quick steps.
#[component]
fn DeskRow(
    booking: StaffBooking,
    back: String,
    check_in_open: bool,
    started: bool,
) -> impl IntoView {
    let locale = use_locale();
    let detail = staff_href(locale, &format!("booking/bookings/{}", booking.id));
    let can_check_in = check_in_open
        && matches!(
            booking.status,
            BookingStatus::Confirmed | BookingStatus::NoShow
        );
    let can_no_show = started && booking.status == BookingStatus::Confirmed;
    let step = |name: &'static str, label: &'static str| {
        view! {
            <form method="post" action=DeskStep::PATH class="inline-form">
                <LangField/>
                <input type="hidden" name="id" value=booking.id/>
                <input type="hidden" name="step" value=name/>
                <input type="hidden" name="back" value=back.clone()/>
                <button type="submit" class="button small secondary">{tr(label)}</button>
            </form>
        }
    };
    let name = if booking.anonymised {
        tr("booking-anonymised")
    } else {
        booking.name.clone()
    };
    view! {
        <li class=format!("desk-booking status-{}", booking.status.as_str())>
            <span class="desk-code">{booking.code.clone()}</span>" "
            <a href=detail>{name}</a>" "
            <span class="desk-phone">{booking.phone.clone()}</span>" · "
            <span class="desk-status">{status_label(locale, booking.status)}</span>
            {booking.category.clone().map(|c| format!(" · {}", c.get(locale)))}
            <span class="actions no-print">
                {can_check_in.then(|| step("check-in", "booking-step-check-in"))}
                {can_no_show.then(|| step("no-show", "booking-step-no-show"))}
            </span>
        </li>
    }
}

#[component]
pub fn BookingDetailPage() -> impl IntoView {
    view! {
        <StaffArea title="booking-detail" page=|_me: StaffContext| {
            let Some(id) = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<BookingId>().ok())) else {
                return view! { <NotFound/> }.into_any();
            };
            awaited(load_booking_detail(id), |booking| match booking {
                Ok(booking) => view! { <DetailView booking/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

#[component]
fn DetailView(booking: StaffBooking) -> impl IntoView {
    let locale = use_locale();
    let here = staff_href(locale, &format!("booking/bookings/{}", booking.id));
    let events = booking
        .events
        .iter()
        .map(|e| {
            let at = crate::time::format_local(e.at);
            let who = e
                .staff
                .clone()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default();
            let detail = match e.kind {
                super::EventKind::CancelledByStaff if !e.detail.is_empty() => {
                    format!(" · {}", e.detail)
                }
                _ => String::new(),
            };
            view! { <li>{at}" · "{tr(&e.kind.label_key())}{who}{detail}</li> }
        })
        .collect_view();
    let active = booking.status.is_active();
    let form = |step: &'static str, extra: AnyView, label: &'static str, class: &'static str| {
        view! {
            <form method="post" action=DeskStep::PATH class="stack">
                <LangField/>
                <input type="hidden" name="id" value=booking.id/>
                <input type="hidden" name="step" value=step/>
                <input type="hidden" name="back" value=here.clone()/>
                {extra}
                <button type="submit" class=format!("button {class}")>{tr(label)}</button>
            </form>
        }
    };
    let checks = view! {
        <div class="actions">
            {matches!(booking.status, BookingStatus::Confirmed | BookingStatus::NoShow)
                .then(|| form("check-in", ().into_any(), "booking-step-check-in", "secondary"))}
            {matches!(booking.status, BookingStatus::Confirmed | BookingStatus::Attended)
                .then(|| form("no-show", ().into_any(), "booking-step-no-show", "secondary"))}
        </div>
    };
    let cancel = active.then(|| {
        let field = view! {
            <div class="field">
                <label for="reason">{tr("booking-cancel-reason")}</label>
                <p class="hint" id="reason-hint">{tr("booking-cancel-reason-hint")}</p>
                <textarea id="reason" name="reason" rows="2" maxlength="200" required aria-describedby="reason-hint"></textarea>
            </div>
        }
        .into_any();
        view! {
            <h2>{tr("booking-staff-cancel")}</h2>
            {form("cancel", field, "booking-staff-cancel", "danger")}
        }
    });
    let note = (!booking.anonymised).then(|| {
        let field = view! {
            <div class="field">
                <label for="note">{tr("booking-staff-note")}</label>
                <p class="hint" id="staff-note-hint">{tr("booking-staff-note-hint")}</p>
                <textarea id="note" name="note" rows="3" maxlength="1000" aria-describedby="staff-note-hint">{crate::site::textarea_text(&booking.staff_note)}</textarea>
            </div>
        }
        .into_any();
        form("note", field, "booking-staff-note-save", "secondary")
    });
    let zone = zone_of(&booking.time_zone);
    view! {
        <p class="breadcrumb"><a href=staff_href(locale, "booking")>{tr("booking-desk")}</a></p>
        <dl class="facts">
            <dt>{tr("booking-code")}</dt><dd class="desk-code">{booking.code.clone()}</dd>
            <dt>{tr("booking-fact-status")}</dt><dd>{status_label(locale, booking.status)}</dd>
            <dt>{tr("booking-fact-service")}</dt><dd>{booking.service_name.get(locale).to_string()}</dd>
            <dt>{tr("booking-fact-when")}</dt><dd>{format!("{} {}", day_label(locale, booking.slot.start, zone), time_range(booking.slot.start, booking.slot.end, zone))}</dd>
            {booking.slot.counsellor.clone().map(|(_, n)| view! { <dt>{tr("booking-fact-counsellor")}</dt><dd>{n}</dd> })}
            {booking.category.clone().map(|c| view! { <dt>{tr("booking-fact-need")}</dt><dd>{c.get(locale).to_string()}</dd> })}
            <dt>{tr("booking-field-name")}</dt><dd>{if booking.anonymised { tr("booking-anonymised") } else { booking.name.clone() }}</dd>
            <dt>{tr("booking-field-phone")}</dt><dd>{booking.phone.clone()}</dd>
            <dt>{tr("booking-fact-attendee")}</dt><dd>{tr(&booking.attendee.label_key())}" · "{tr(&booking.stage.label_key())}
                {booking.guardian_consent.then(|| format!(" · {}", tr("booking-consent-given")))}</dd>
            {(!booking.note.is_empty()).then(|| view! { <dt>{tr("booking-field-note")}</dt><dd>{booking.note.clone()}</dd> })}
            {(!booking.cancel_reason.is_empty()).then(|| view! { <dt>{tr("booking-cancel-reason")}</dt><dd>{booking.cancel_reason.clone()}</dd> })}
        </dl>
        {checks}
        {note}
        {cancel}
        <h2>{tr("booking-history")}</h2>
        <ul class="history">{events}</ul>
    }
}

// ---------------------------------------------------------------------------------
// Set-up

#[component]
pub fn SetupPage() -> impl IntoView {
    view! {
        <StaffArea title="booking-desk-setup" page=|me: StaffContext| {
            let Some(org) = desk_org(&me) else {
                return view! { <p class="notice">{tr("booking-desk-choose")}</p> }.into_any();
            };
            awaited(load_setup(org), |setup| match setup {
                Ok(setup) => view! { <SetupView setup/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

fn hidden_org(org: OrgId) -> impl IntoView {
    view! { <LangField/><input type="hidden" name="org" value=org/> }
}

#[component]
fn SetupView(setup: Setup) -> impl IntoView {
    let locale = use_locale();
    let org = setup.org_id;
    let categories = setup
        .categories
        .iter()
        .map(|c| {
            let id_zh = format!("category-{}-zh", c.id);
            let id_en = format!("category-{}-en", c.id);
            let id_pos = format!("category-{}-position", c.id);
            let id_retired = format!("category-{}-retired", c.id);
            let retired_for = id_retired.clone();
            view! {
                <li>
                    <form method="post" action=SaveCategory::PATH class="inline-fields">
                        {hidden_org(org)}
                        <input type="hidden" name="id" value=c.id/>
                        <label for=id_zh.clone()>{tr("booking-setup-name-zh")}</label>
                        <input id=id_zh name="name_zh" value=c.name.zh.clone() maxlength="30" required/>
                        <label for=id_en.clone()>{tr("booking-setup-name-en")}</label>
                        <input id=id_en name="name_en" value=c.name.en.clone() maxlength="30"/>
                        <label for=id_pos.clone()>{tr("booking-setup-position")}</label>
                        <input id=id_pos name="position" type="number" value=c.position class="narrow"/>
                        <label class="check" for=retired_for><input id=id_retired type="checkbox" name="retired" value="yes" checked=c.retired/>" "{tr("booking-setup-retired")}</label>
                        <button type="submit" class="button small secondary">{tr("booking-setup-save")}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let category_options: Vec<(String, String, bool)> = setup
        .categories
        .iter()
        .filter(|c| !c.retired)
        .map(|c| (c.id.to_string(), c.name.get(locale).to_string(), false))
        .collect();
    let counsellors = setup
        .counsellors
        .iter()
        .map(|c| {
            let options: Vec<(String, String, bool)> = setup
                .categories
                .iter()
                .map(|k| (k.id.to_string(), k.name.get(locale).to_string(), c.categories.contains(&k.id)))
                .collect();
            view! {
                <li>
                    <details>
                        <summary>{c.display_name.clone()}{(!c.active).then(|| format!(" · {}", tr("booking-setup-inactive")))}</summary>
                        <CounsellorForm org id=Some(c.id) name=c.display_name.clone() bio=c.bio.clone() active=c.active options/>
                    </details>
                </li>
            }
        })
        .collect_view();
    let services = setup
        .services
        .iter()
        .map(|s| {
            let href = staff_href(locale, &service_path(org, Some(s.id)));
            let state = if s.draft.active { "" } else { " · " };
            view! {
                <li><a href=href>{s.name().get(locale).to_string()}</a>{state}{(!s.draft.active).then(|| tr("booking-setup-inactive"))}</li>
            }
        })
        .collect_view();
    let holidays = setup
        .exceptions
        .iter()
        .filter(|e| e.service_id.is_none())
        .map(|e| view! { <ExceptionItem row=e.clone() org service=None/> })
        .collect_view();
    view! {
        <p class="lead">{setup.org_name.get(locale).to_string()}</p>
        <h2>{tr("booking-setup-services")}</h2>
        <ul class="links">{services}</ul>
        <p><a class="button secondary" href=staff_href(locale, &service_path(org, None))>{tr("booking-setup-new-service")}</a></p>

        <h2>{tr("booking-setup-time-zone")}</h2>
        <form method="post" action=SaveTimeZone::PATH class="inline-fields">
            {hidden_org(org)}
            <label for="time_zone">{tr("booking-setup-time-zone")}</label>
            <input id="time_zone" name="time_zone" value=setup.time_zone.clone() required/>
            <button type="submit" class="button small secondary">{tr("booking-setup-save")}</button>
        </form>

        <h2>{tr("booking-setup-categories")}</h2>
        <ul class="plain">{categories}</ul>
        <form method="post" action=SaveCategory::PATH class="inline-fields">
            {hidden_org(org)}
            <label for="new-category-zh">{tr("booking-setup-name-zh")}</label>
            <input id="new-category-zh" name="name_zh" maxlength="30" required/>
            <label for="new-category-en">{tr("booking-setup-name-en")}</label>
            <input id="new-category-en" name="name_en" maxlength="30"/>
            <button type="submit" class="button small secondary">{tr("booking-setup-add")}</button>
        </form>

        <h2>{tr("booking-setup-counsellors")}</h2>
        <ul class="plain">{counsellors}</ul>
        <details>
            <summary>{tr("booking-setup-new-counsellor")}</summary>
            <CounsellorForm org id=None name=String::new() bio=Bilingual::default() active=true options=category_options/>
        </details>

        <h2>{tr("booking-setup-closed-days")}</h2>
        <p class="hint">{tr("booking-setup-closed-days-hint")}</p>
        <ul class="plain">{holidays}</ul>
        <ExceptionForm org service=None counsellors=setup.counsellors.clone() extra=false/>
    }
}

#[component]
fn CounsellorForm(
    org: OrgId,
    id: Option<CounsellorId>,
    name: String,
    bio: Bilingual,
    active: bool,
    options: Vec<(String, String, bool)>,
) -> impl IntoView {
    let prefix = id
        .map(|i| format!("counsellor-{i}"))
        .unwrap_or_else(|| "counsellor-new".into());
    let field = |suffix: &str| format!("{prefix}-{suffix}");
    view! {
        <form method="post" action=SaveCounsellor::PATH class="stack">
            {hidden_org(org)}
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <div class="field">
                <label for=field("name")>{tr("booking-setup-display-name")}</label>
                <input id=field("name") name="display_name" value=name maxlength="30" required/>
            </div>
            <div class="field">
                <label for=field("bio-zh")>{tr("booking-setup-bio-zh")}</label>
                <input id=field("bio-zh") name="bio_zh" value=bio.zh maxlength="200"/>
            </div>
            <div class="field">
                <label for=field("bio-en")>{tr("booking-setup-bio-en")}</label>
                <input id=field("bio-en") name="bio_en" value=bio.en maxlength="200"/>
            </div>
            <div class="field">
                <label for=field("staff")>{tr("booking-setup-staff-account")}</label>
                <input id=field("staff") name="staff_username" autocomplete="off"/>
            </div>
            <Checkboxes name="categories" legend="booking-setup-specialties" options/>
            <label class="check" for=field("active")><input id=field("active") type="checkbox" name="active" value="yes" checked=active/>" "{tr("booking-setup-active")}</label>
            <button type="submit" class="button secondary">{tr("booking-setup-save")}</button>
        </form>
    }
}

#[component]
fn ExceptionItem(
    row: super::ExceptionRow,
    org: OrgId,
    service: Option<ServiceId>,
) -> impl IntoView {
    let text = match &row.exception {
        super::slots::Exception::Closed { day, .. } => t_args(
            use_locale(),
            "booking-setup-closed-on",
            &[("day", day.to_string().into())],
        ),
        super::slots::Exception::Extra { day, session, .. } => t_args(
            use_locale(),
            "booking-setup-extra-on",
            &[
                ("day", day.to_string().into()),
                ("start", format_minute(session.start).into()),
                ("end", format_minute(session.end).into()),
            ],
        ),
    };
    let note = (!row.note.is_empty()).then(|| format!(" · {}", row.note));
    view! {
        <li>
            <form method="post" action=RemoveException::PATH class="inline-fields">
                {hidden_org(org)}
                {service.map(|s| view! { <input type="hidden" name="service" value=s/> })}
                <input type="hidden" name="id" value=row.id/>
                <span>{text}{note}</span>
                <button type="submit" class="button small secondary">{tr("booking-setup-remove")}</button>
            </form>
        </li>
    }
}

#[component]
fn ExceptionForm(
    org: OrgId,
    service: Option<ServiceId>,
    counsellors: Vec<super::Counsellor>,
    extra: bool,
) -> impl IntoView {
    let prefix = if extra { "extra" } else { "closed" };
    let field = move |suffix: &str| format!("{prefix}-{suffix}");
    let counsellor_select = (!counsellors.is_empty()).then(|| {
        let options = counsellors
            .iter()
            .map(|c| view! { <option value=c.id>{c.display_name.clone()}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for=field("counsellor")>{tr("booking-fact-counsellor")}</label>
                <select id=field("counsellor") name="counsellor">
                    <option value="">{tr(if extra { "booking-setup-no-counsellor" } else { "booking-setup-everyone" })}</option>
                    {options}
                </select>
            </div>
        }
    });
    view! {
        <form method="post" action=AddException::PATH class="stack">
            {hidden_org(org)}
            {service.map(|s| view! { <input type="hidden" name="service" value=s/> })}
            <input type="hidden" name="kind" value=prefix/>
            <div class="field">
                <label for=field("day")>{tr("booking-setup-day")}</label>
                <input id=field("day") name="day" type="date" required/>
            </div>
            {counsellor_select}
            {extra.then(|| view! {
                <div class="inline-fields">
                    <label for=field("start")>{tr("booking-setup-start")}</label>
                    <input id=field("start") name="start" type="time" required/>
                    <label for=field("end")>{tr("booking-setup-end")}</label>
                    <input id=field("end") name="end" type="time" required/>
                    <label for=field("length")>{tr("booking-setup-slot-minutes")}</label>
                    <input id=field("length") name="slot_minutes" type="number" min="5" max="720" required class="narrow"/>
                    <label for=field("places")>{tr("booking-setup-places")}</label>
                    <input id=field("places") name="places" type="number" min="1" value="1" required class="narrow"/>
                </div>
            })}
            <div class="field">
                <label for=field("note")>{tr("booking-setup-note")}</label>
                <input id=field("note") name="note" maxlength="200"/>
            </div>
            <button type="submit" class="button secondary">{tr(if extra { "booking-setup-add-extra" } else { "booking-setup-add-closed" })}</button>
        </form>
    }
}

#[component]
pub fn ServiceEditPage() -> impl IntoView {
    view! {
        <StaffArea title="booking-setup-service" page=|me: StaffContext| {
            let Some(org) = desk_org(&me) else {
                return view! { <p class="notice">{tr("booking-desk-choose")}</p> }.into_any();
            };
            let id = use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<ServiceId>().ok()));
            awaited(load_setup(org), move |setup| match setup {
                Ok(setup) => view! { <ServiceEdit setup id/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

fn options_of<T: Copy + PartialEq + 'static>(
    values: &[T],
    name: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: T,
) -> AnyView {
    values
        .iter()
        .map(|v| {
            let is = *v == selected;
            view! { <option value=name(*v) selected=is>{label(*v)}</option> }
        })
        .collect_view()
        .into_any()
}

/// The discreet title, with the exact confirmation text a person who books would get
/// (as saved: the preview follows a save), in both languages.
#[component]
fn DiscreetTitleFields(draft: ServiceDraft) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let public_url =
        use_context::<crate::state::AppState>().and_then(|state| state.settings.public_url.clone());
    #[cfg(not(feature = "ssr"))]
    let public_url: Option<String> = None;
    let preview = |locale: Locale| {
        let link = super::wording::find_link(public_url.as_deref(), locale);
        let text = super::wording::preview(locale, &draft, link.as_deref());
        view! { <li lang=locale.tag()><q>{text}</q></li> }
    };
    view! {
        <fieldset>
            <legend>{tr("booking-setup-discreet")}</legend>
            <p class="hint" id="discreet-hint">{tr("booking-setup-discreet-hint")}</p>
            <div class="field">
                <label for="discreet_title_zh">{tr("booking-setup-discreet-zh")}</label>
                <input id="discreet_title_zh" name="discreet_title_zh" value=draft.discreet_title_zh.clone()
                    maxlength="12" aria-describedby="discreet-hint"/>
            </div>
            <div class="field">
                <label for="discreet_title_en">{tr("booking-setup-discreet-en")}</label>
                <input id="discreet_title_en" name="discreet_title_en" value=draft.discreet_title_en.clone()
                    maxlength="20" aria-describedby="discreet-hint"/>
            </div>
            <p>{tr("booking-setup-discreet-preview")}</p>
            <ul class="message-preview">{preview(Locale::Zh)}{preview(Locale::En)}</ul>
        </fieldset>
    }
}

#[component]
fn ServiceEdit(setup: Setup, id: Option<ServiceId>) -> impl IntoView {
    let locale = use_locale();
    let org = setup.org_id;
    let existing = id.and_then(|id| setup.services.iter().find(|s| s.id == id).cloned());
    if id.is_some() && existing.is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let draft = existing
        .as_ref()
        .map(|s| s.draft.clone())
        .unwrap_or_default();
    let ReleaseParts {
        kind: release_kind,
        days: release_days,
        weekday: release_weekday,
        minute: release_at,
    } = draft.release.parts();
    let text = |id: &'static str,
                name: &'static str,
                label: &'static str,
                value: String,
                max: &'static str| {
        view! {
            <div class="field">
                <label for=id>{tr(label)}</label>
                <input id=id name=name value=value maxlength=max/>
            </div>
        }
    };
    let number = |id: &'static str,
                  label: &'static str,
                  value: i64,
                  min: &'static str,
                  max: &'static str| {
        view! {
            <div class="field">
                <label for=id>{tr(label)}</label>
                <input id=id name=id type="number" value=value min=min max=max required class="narrow"/>
            </div>
        }
    };
    let weekday_options = Weekdays::ALL
        .iter()
        .map(|d| {
            let n = d.number_from_monday();
            let selected = i64::from(n) == release_weekday;
            view! { <option value=n selected=selected>{tr(&format!("booking-weekday-{n}"))}</option> }
        })
        .collect_view();
    let service_form = view! {
        <form method="post" action=SaveService::PATH class="stack">
            {hidden_org(org)}
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <div class="field">
                <label for="name_zh">{tr("booking-setup-name-zh")}</label>
                <input id="name_zh" name="name_zh" value=draft.name_zh.clone() maxlength="60" required/>
            </div>
            {text("name_en", "name_en", "booking-setup-name-en", draft.name_en.clone(), "60")}
            <div class="field">
                <label for="description_zh">{tr("booking-setup-description-zh")}</label>
                <textarea id="description_zh" name="description_zh" rows="3" maxlength="2000">{crate::site::textarea_text(&draft.description_zh)}</textarea>
            </div>
            <div class="field">
                <label for="description_en">{tr("booking-setup-description-en")}</label>
                <textarea id="description_en" name="description_en" rows="3" maxlength="2000">{crate::site::textarea_text(&draft.description_en)}</textarea>
            </div>
            <div class="field">
                <label for="audience">{tr("booking-fact-for")}</label>
                <select id="audience" name="audience">{options_of(&ServiceAudience::ALL, ServiceAudience::as_str, |a| tr(&a.label_key()), draft.audience)}</select>
            </div>
            <div class="inline-fields">
                <label for="stage_from">{tr("booking-setup-stage-from")}</label>
                <select id="stage_from" name="stage_from">{options_of(&Stage::ALL, Stage::as_str, |s| tr(&s.label_key()), draft.stage_from)}</select>
                <label for="stage_to">{tr("booking-setup-stage-to")}</label>
                <select id="stage_to" name="stage_to">{options_of(&Stage::ALL, Stage::as_str, |s| tr(&s.label_key()), draft.stage_to)}</select>
            </div>
            {number("duration_minutes", "booking-setup-duration", draft.duration_minutes, "5", "720")}
            <div class="field">
                <label for="mode">{tr("booking-setup-mode")}</label>
                <select id="mode" name="mode">{options_of(&Mode::ALL, Mode::as_str, |m| tr(&m.label_key()), draft.mode)}</select>
            </div>
            {text("place_zh", "place_zh", "booking-setup-place-zh", draft.place_zh.clone(), "200")}
            {text("place_en", "place_en", "booking-setup-place-en", draft.place_en.clone(), "200")}
            {text("contact_phone", "contact_phone", "booking-setup-contact", draft.contact_phone.clone(), "40")}
            {number("places", "booking-setup-places", draft.places, "1", "10000")}
            {number("waitlist_places", "booking-setup-waitlist", draft.waitlist_places, "0", "10000")}
            <label class="check" for="matches_category"><input id="matches_category" type="checkbox" name="matches_category" value="yes" checked=draft.matches_category/>" "{tr("booking-setup-matches")}</label>
            <fieldset>
                <legend>{tr("booking-setup-release")}</legend>
                <p class="hint">{tr("booking-setup-release-hint")}</p>
                <div class="inline-fields">
                    <label for="release_kind">{tr("booking-setup-release-kind")}</label>
                    <select id="release_kind" name="release_kind">
                        {ReleaseKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=*k == release_kind>{tr(&k.label_key())}</option>
                        }).collect_view()}
                    </select>
                    <label for="release_days">{tr("booking-setup-release-days")}</label>
                    <input id="release_days" name="release_days" type="number" min="0" max="90" value=release_days required class="narrow"/>
                    <label for="release_weekday">{tr("booking-setup-release-weekday")}</label>
                    <select id="release_weekday" name="release_weekday">{weekday_options}</select>
                    <label for="release_at">{tr("booking-setup-release-at")}</label>
                    <input id="release_at" name="release_at" type="time" value=format_minute(super::slots::Minute::try_from(release_at).unwrap_or(0)) required/>
                </div>
            </fieldset>
            {number("book_cutoff_minutes", "booking-setup-book-cutoff", draft.cutoffs.book_minutes, "0", "10080")}
            {number("cancel_cutoff_minutes", "booking-setup-cancel-cutoff", draft.cutoffs.cancel_minutes, "0", "10080")}
            {number("max_active_per_phone", "booking-setup-per-phone", draft.max_active_per_phone, "1", "20")}
            <div class="field">
                <label for="remind_hours">{tr("booking-setup-reminders")}</label>
                <p class="hint" id="remind_hours-hint">{tr("booking-setup-reminders-hint")}</p>
                <input id="remind_hours" name="remind_hours" type="text" inputmode="numeric" maxlength="40"
                    value=draft.remind_hours.clone() aria-describedby="remind_hours-hint"/>
            </div>
            <div class="field">
                <label for="draw_minutes">{tr("booking-setup-draw")}</label>
                <p class="hint" id="draw_minutes-hint">{tr("booking-setup-draw-hint")}</p>
                <input id="draw_minutes" name="draw_minutes" type="number" value=draft.draw_minutes min="0" max="1440" required class="narrow"
                    aria-describedby="draw_minutes-hint"/>
            </div>
            <DiscreetTitleFields draft=draft.clone()/>
            <label class="check" for="active"><input id="active" type="checkbox" name="active" value="yes" checked=draft.active/>" "{tr("booking-setup-active")}</label>
            <button type="submit" class="button">{tr("booking-setup-save")}</button>
        </form>
    };
    let Some(service) = existing else {
        return view! {
            <p class="breadcrumb"><a href=staff_href(locale, &setup_path(org))>{tr("booking-desk-setup")}</a></p>
            {service_form}
        }
        .into_any();
    };
    let counsellors: Vec<super::Counsellor> = setup
        .counsellors
        .iter()
        .filter(|c| c.active)
        .cloned()
        .collect();
    let name_of = |c: Option<CounsellorId>| {
        c.and_then(|c| setup.counsellors.iter().find(|k| k.id == c))
            .map(|k| k.display_name.clone())
    };
    let schedules = setup
        .schedules
        .iter()
        .filter(|s| s.service_id == service.id)
        .map(|s| {
            let days = s
                .schedule
                .weekdays
                .days()
                .iter()
                .map(|d| tr(&format!("booking-weekday-{}", d.number_from_monday())))
                .collect::<Vec<_>>()
                .join("、");
            let session = s.schedule.session;
            let text = t_args(
                locale,
                "booking-setup-schedule-line",
                &[
                    ("days", days.into()),
                    ("start", format_minute(session.start).into()),
                    ("end", format_minute(session.end).into()),
                    ("length", i64::from(session.length).into()),
                    ("buffer", i64::from(session.buffer).into()),
                    ("places", session.places.into()),
                ],
            );
            let who = name_of(s.counsellor).map(|n| format!(" · {n}"));
            view! {
                <li>
                    <form method="post" action=RemoveSchedule::PATH class="inline-fields">
                        {hidden_org(org)}
                        <input type="hidden" name="service" value=service.id/>
                        <input type="hidden" name="id" value=s.id/>
                        <span>{text}{who}</span>
                        <button type="submit" class="button small secondary">{tr("booking-setup-remove")}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let exceptions = setup
        .exceptions
        .iter()
        .filter(|e| e.service_id == Some(service.id))
        .map(|e| view! { <ExceptionItem row=e.clone() org service=Some(service.id)/> })
        .collect_view();
    let weekday_boxes: Vec<(String, String, bool)> = Weekdays::ALL
        .iter()
        .map(|d| {
            let n = d.number_from_monday();
            (n.to_string(), tr(&format!("booking-weekday-{n}")), false)
        })
        .collect();
    let counsellor_select = (!counsellors.is_empty()).then(|| {
        let options = counsellors
            .iter()
            .map(|c| view! { <option value=c.id>{c.display_name.clone()}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for="schedule-counsellor">{tr("booking-fact-counsellor")}</label>
                <select id="schedule-counsellor" name="counsellor">
                    <option value="">{tr("booking-setup-no-counsellor")}</option>
                    {options}
                </select>
            </div>
        }
    });
    let public = crate::i18n::Locale::href(locale, &format!("booking/services/{}", service.id));
    view! {
        <p class="breadcrumb"><a href=staff_href(locale, &setup_path(org))>{tr("booking-desk-setup")}</a></p>
        <p><a href=public>{tr("booking-setup-public-page")}</a></p>
        {service_form}
        <h2>{tr("booking-setup-schedules")}</h2>
        <ul class="plain">{schedules}</ul>
        <form method="post" action=AddSchedule::PATH class="stack">
            {hidden_org(org)}
            <input type="hidden" name="service" value=service.id/>
            {counsellor_select}
            <Checkboxes name="weekdays" legend="booking-setup-weekdays" options=weekday_boxes/>
            <div class="inline-fields">
                <label for="schedule-start">{tr("booking-setup-start")}</label>
                <input id="schedule-start" name="start" type="time" required/>
                <label for="schedule-end">{tr("booking-setup-end")}</label>
                <input id="schedule-end" name="end" type="time" required/>
            </div>
            <div class="inline-fields">
                <label for="schedule-length">{tr("booking-setup-slot-minutes")}</label>
                <input id="schedule-length" name="slot_minutes" type="number" min="5" max="720" value=service.draft.duration_minutes required class="narrow"/>
                <label for="schedule-buffer">{tr("booking-setup-buffer")}</label>
                <input id="schedule-buffer" name="buffer_minutes" type="number" min="0" max="720" value="0" class="narrow"/>
                <label for="schedule-places">{tr("booking-setup-places")}</label>
                <input id="schedule-places" name="places" type="number" min="1" value=service.draft.places required class="narrow"/>
            </div>
            <div class="inline-fields">
                <label for="schedule-from">{tr("booking-setup-valid-from")}</label>
                <input id="schedule-from" name="valid_from" type="date"/>
                <label for="schedule-until">{tr("booking-setup-valid-until")}</label>
                <input id="schedule-until" name="valid_until" type="date"/>
            </div>
            <button type="submit" class="button secondary">{tr("booking-setup-add-schedule")}</button>
        </form>
        <h2>{tr("booking-setup-exceptions")}</h2>
        <ul class="plain">{exceptions}</ul>
        <h3>{tr("booking-setup-add-closed")}</h3>
        <ExceptionForm org service=Some(service.id) counsellors=counsellors.clone() extra=false/>
        <h3>{tr("booking-setup-add-extra")}</h3>
        <ExceptionForm org service=Some(service.id) counsellors extra=true/>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------
// Counts and export

/// Where the export form sends its request (a file, not a page).
pub const EXPORT_PATH: &str = "/staff/booking/export.csv";

#[component]
pub fn ReportPage() -> impl IntoView {
    view! {
        <StaffArea title="booking-desk-report" page=|me: StaffContext| {
            let Some(org) = desk_org(&me) else {
                return view! { <p class="notice">{tr("booking-desk-choose")}</p> }.into_any();
            };
            let month = query_text("month").unwrap_or_default();
            awaited(load_counts(org, month), move |counts| match counts {
                Ok(counts) => view! { <ReportView counts org/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

#[component]
fn ReportView(counts: MonthCounts, org: OrgId) -> impl IntoView {
    let locale = use_locale();
    let rows = counts
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td>{r.service.get(locale).to_string()}</td>
                    <td>{r.category.as_ref().map(|c| c.get(locale).to_string()).unwrap_or_default()}</td>
                    <td>{r.booked}</td>
                    <td>{r.attended}</td>
                    <td>{r.no_show}</td>
                    <td>{r.cancelled}</td>
                    <td>{r.waitlisted}</td>
                </tr>
            }
        })
        .collect_view();
    let first = format!("{}-01", counts.month);
    view! {
        <form method="get" action=staff_href(locale, "booking/report") class="inline-fields no-print">
            <input type="hidden" name="org" value=org/>
            <label for="month">{tr("booking-report-month")}</label>
            <input id="month" name="month" type="month" value=counts.month.clone()/>
            <button type="submit" class="button small secondary">{tr("filter-apply")}</button>
        </form>
        <div class="table-scroll">
            <table>
                <caption>{t_args(locale, "booking-report-caption", &[("month", counts.month.clone().into())])}</caption>
                <thead><tr>
                    <th scope="col">{tr("booking-fact-service")}</th>
                    <th scope="col">{tr("booking-fact-need")}</th>
                    <th scope="col">{tr("booking-report-booked")}</th>
                    <th scope="col">{tr("booking-status-attended")}</th>
                    <th scope="col">{tr("booking-status-no-show")}</th>
                    <th scope="col">{tr("booking-status-cancelled")}</th>
                    <th scope="col">{tr("booking-status-waitlisted")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <h2>{tr("booking-export")}</h2>
        <p class="hint">{tr("booking-export-hint")}</p>
        <form method="get" action=EXPORT_PATH class="inline-fields">
            <input type="hidden" name="org" value=org/>
            <LangField/>
            <label for="export-from">{tr("booking-export-from")}</label>
            <input id="export-from" name="from" type="date" value=first.clone() required/>
            <label for="export-to">{tr("booking-export-to")}</label>
            <input id="export-to" name="to" type="date" required/>
            <button type="submit" class="button small secondary">{tr("booking-export-download")}</button>
        </form>
    }
}

// ---------------------------------------------------------------------------------
// The outbox

#[component]
pub fn OutboxPage() -> impl IntoView {
    view! {
        <StaffArea title="booking-desk-outbox" page=|me: StaffContext| {
            let Some(org) = desk_org(&me) else {
                return view! { <p class="notice">{tr("booking-desk-choose")}</p> }.into_any();
            };
            awaited(load_outbox(org), move |messages| match messages {
                Ok(messages) => view! { <OutboxView messages org/> }.into_any(),
                Err(Failure::NotFound | Failure::Forbidden) => view! { <NotFound/> }.into_any(),
                Err(_) => refused(),
            })
            .into_any()
        }/>
    }
}

/// The messages to people who booked: what each was about, on which channel, and how
/// sending went. Never a text or a contact detail (those stay sealed with the booking).
#[component]
fn OutboxView(messages: Vec<super::OutboxMessage>, org: OrgId) -> impl IntoView {
    use crate::jobs::JobState;
    let locale = use_locale();
    if messages.is_empty() {
        return view! { <p class="notice">{tr("booking-outbox-empty")}</p> }.into_any();
    }
    let rows = messages
        .into_iter()
        .map(|m| {
            let resend = matches!(m.state, JobState::Failed | JobState::Done).then(|| {
                view! {
                    <form method="post" action=ResendMessage::url() class="inline">
                        <LangField/>
                        <input type="hidden" name="org" value=org/>
                        <input type="hidden" name="id" value=m.id/>
                        <button type="submit" class="button small secondary">{tr("booking-outbox-resend")}</button>
                    </form>
                }
            });
            let event = crate::i18n::lookup(locale, &format!("booking-outbox-event-{}", m.event.replace('.', "-")))
                .unwrap_or(m.event.clone());
            view! {
                <tr>
                    <td>{crate::time::format_local(m.due)}</td>
                    <td>{m.code.clone()}</td>
                    <td>{event}</td>
                    <td>{tr(&format!("booking-outbox-channel-{}", m.channel))}</td>
                    <td>{tr(&m.state.label_key())}{(m.attempts > 1).then(|| format!(" ({})", m.attempts))}</td>
                    <td>{m.last_error.clone()}</td>
                    <td>{resend}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="hint">{tr("booking-outbox-hint")}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("booking-desk-outbox")>
            <table>
                <caption>{tr("booking-desk-outbox")}</caption>
                <thead><tr>
                    <th scope="col">{tr("booking-outbox-due")}</th>
                    <th scope="col">{tr("booking-code")}</th>
                    <th scope="col">{tr("booking-outbox-event")}</th>
                    <th scope="col">{tr("booking-outbox-channel")}</th>
                    <th scope="col">{tr("booking-outbox-state")}</th>
                    <th scope="col">{tr("booking-outbox-error")}</th>
                    <th scope="col"><span class="visually-hidden">{tr("booking-outbox-resend")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
