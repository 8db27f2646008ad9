//! A booking as an iCalendar file (RFC 5545, written by the `icalendar` crate), so the
//! appointment lands in the phone's own calendar. Times are UTC instants, which every
//! calendar shows in its own zone; the event's UID is the booking's code, so a file
//! downloaded again after a reschedule updates the same entry. It holds no name and
//! no phone number: only what the booking page shows anyone with the link.

use super::BookingView;
use crate::i18n::{Locale, t, t_args};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

pub fn ics(view: &BookingView, locale: Locale, manage_link: &str) -> String {
    let start = chrono::DateTime::from_timestamp(view.slot.start, 0).unwrap_or_default();
    let end = chrono::DateTime::from_timestamp(view.slot.end, 0).unwrap_or_default();
    let service = view.service.name().get(locale).to_string();
    let clinic = view.service.org_name.get(locale).to_string();
    let place = view.service.place().get(locale).to_string();
    let mut lines = vec![
        t_args(
            locale,
            "booking-ics-code",
            &[("code", view.code.clone().into())],
        ),
        clinic.clone(),
    ];
    if !view.service.draft.contact_phone.is_empty() {
        lines.push(t_args(
            locale,
            "booking-ics-contact",
            &[("number", view.service.draft.contact_phone.clone().into())],
        ));
    }
    lines.push(t_args(
        locale,
        "booking-ics-manage",
        &[("link", manage_link.to_string().into())],
    ));
    lines.push(t(locale, "booking-ics-help"));
    let location = if place.is_empty() { clinic } else { place };
    let event = Event::new()
        .uid(&format!("{}@anxin", view.code))
        .summary(&service)
        .description(&lines.join("\n"))
        .location(&location)
        .url(manage_link)
        .starts(start)
        .ends(end)
        .status(EventStatus::Confirmed)
        .done();
    Calendar::new()
        .name(&t(locale, "app-name"))
        .push(event)
        .done()
        .to_string()
}
