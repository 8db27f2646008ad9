//! A booking as an iCalendar file (RFC 5545, written by the `icalendar` crate), so the
//! appointment lands in the phone's own calendar. Times are UTC instants, which every
//! calendar shows in its own zone; the event's UID is the booking's code, so a file
//! downloaded again after a reschedule updates the same entry.
//!
//! A calendar is often synced to a family account, so the entry says no more than a
//! text message does (`wording`): the neutral or discreet title, the code and the
//! find-my-booking page. No service, clinic or place, no contact number, no crisis
//! wording, and never the private manage link, with which anyone who sees the entry
//! could cancel.

use super::BookingView;
use super::wording;
use crate::i18n::{Locale, t, t_args};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

pub fn ics(view: &BookingView, locale: Locale, find_link: Option<&str>) -> String {
    let start = chrono::DateTime::from_timestamp(view.slot.start, 0).unwrap_or_default();
    let end = chrono::DateTime::from_timestamp(view.slot.end, 0).unwrap_or_default();
    let title = view.service.draft.message_title(locale);
    let description = [
        t_args(
            locale,
            "booking-ics-code",
            &[("code", view.code.clone().into())],
        ),
        wording::details(locale, find_link),
    ]
    .join("\n");
    let mut event = Event::new();
    event
        .uid(&format!("{}@anxin", view.code))
        .summary(&title)
        .description(&description)
        .starts(start)
        .ends(end)
        .status(EventStatus::Confirmed);
    if let Some(link) = find_link {
        event.url(link);
    }
    Calendar::new()
        .name(&t(locale, "app-name"))
        .push(event.done())
        .done()
        .to_string()
}
