//! Booking free places: clinic consultations, counsellors matched to a need, lectures
//! with seats. Here: the rules (`model`), slot arithmetic (`slots`), sealing contact
//! details (`secret`), the database (`data`), the operations (`service`), the public
//! pages and their form handlers (`pages`, `forms`), the staff side (`staff`), the
//! JSON API (`api`) and calendar files (`calendar`).
//!
//! Never more bookings than places: a slot's places are counted in its own row, a
//! booking takes one with a conditional `UPDATE … WHERE taken < places` inside its own
//! transaction, and `CHECK (taken <= places)` makes the database refuse anything else.
//! Every change of a booking's state goes through `service` and is written to
//! `booking_events` in the same transaction, which is where notifications hook in.

pub mod model;
pub mod pages;
pub mod slots;
pub mod staff;
pub mod wording;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod draw;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod messages;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod service;

use crate::i18n::Locale;
use crate::ids::{
    BookingId, CategoryId, CounsellorId, ExceptionId, OrgId, ScheduleId, ServiceId, SlotId, StaffId,
};
use model::{Attendee, BookingStatus, Mode, ServiceAudience, Stage};
use serde::{Deserialize, Serialize};

/// A message in a clinic's outbox: what it was about and how sending went, never its
/// text or the person's contact details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: crate::ids::JobId,
    /// The booking's code.
    pub code: String,
    /// `booking.confirmed`, `booking.reminder`, …
    pub event: String,
    /// `text` or `email`.
    pub channel: String,
    pub state: crate::jobs::JobState,
    /// When it is (or was) due.
    pub due: i64,
    pub attempts: i64,
    pub last_error: String,
}

/// The channels a booking can ask to be told on (what this deployment has).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageChannels {
    /// Text messages, through the deployment's gateway.
    pub text: bool,
    pub email: bool,
}

impl MessageChannels {
    pub fn any(self) -> bool {
        self.text || self.email
    }
}

/// A text in both languages; English falls back to Chinese where it is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En if !self.en.is_empty() => &self.en,
            _ => &self.zh,
        }
    }
}

/// A service with everything its pages and rules need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: ServiceId,
    pub org_id: OrgId,
    pub org_name: Bilingual,
    /// The clinic's time zone (IANA name).
    pub time_zone: String,
    pub draft: model::ServiceDraft,
    pub sample: bool,
}

impl Service {
    /// When the draw window of a slot that opens at `opens_at` closes, for a service
    /// with a draw.
    pub fn draw_closes(&self, opens_at: i64) -> Option<i64> {
        (self.draft.draw_minutes > 0).then(|| opens_at + self.draft.draw_minutes * 60)
    }

    pub fn name(&self) -> Bilingual {
        Bilingual::new(&self.draft.name_zh, &self.draft.name_en)
    }

    pub fn description(&self) -> Bilingual {
        Bilingual::new(&self.draft.description_zh, &self.draft.description_en)
    }

    pub fn place(&self) -> Bilingual {
        Bilingual::new(&self.draft.place_zh, &self.draft.place_en)
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(crate::time::CHINA)
    }

    pub fn requirements(&self) -> model::Requirements {
        model::Requirements {
            audience: self.draft.audience,
            stages: self.draft.stages(),
            needs_category: self.draft.matches_category,
        }
    }

    pub fn audience(&self) -> ServiceAudience {
        self.draft.audience
    }

    pub fn mode(&self) -> Mode {
        self.draft.mode
    }
}

/// A need category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: CategoryId,
    pub org_id: OrgId,
    pub name: Bilingual,
    pub position: i64,
    pub retired: bool,
}

/// A counsellor, with the categories they take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counsellor {
    pub id: CounsellorId,
    pub org_id: OrgId,
    pub display_name: String,
    pub bio: Bilingual,
    pub staff_id: Option<StaffId>,
    pub active: bool,
    pub categories: Vec<CategoryId>,
}

/// A slot as people choosing a time see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSlot {
    pub id: SlotId,
    pub service_id: ServiceId,
    /// Unix seconds.
    pub start: i64,
    pub end: i64,
    pub places: i64,
    /// Places not yet taken.
    pub left: i64,
    /// Places left on the waitlist (when the slot is full).
    pub waitlist_left: i64,
    pub counsellor: Option<(CounsellorId, String)>,
}

impl OpenSlot {
    pub fn is_full(&self) -> bool {
        self.left <= 0
    }
}

/// A clinic (an organisation with services to book) and its services.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clinic {
    pub org_id: OrgId,
    pub name: Bilingual,
    pub services: Vec<Service>,
}

/// A service's page: the service, its categories (for a matched service: those a
/// counsellor takes), its slots in the window shown, and when more open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePage {
    pub service: Service,
    pub categories: Vec<Category>,
    pub category: Option<CategoryId>,
    pub slots: Vec<OpenSlot>,
    /// Local days shown: from and to (inclusive), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// When the next slots open (Unix seconds), if later than now.
    pub next_opening: Option<i64>,
    /// Later days than those shown are open for booking.
    pub more_later: bool,
}

/// The booking form's page: the slot and its service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotPage {
    pub service: Service,
    pub slot: OpenSlot,
    pub category: Option<Category>,
    /// The slot can still be booked (open, before the cut-off, not withdrawn).
    pub bookable: bool,
    /// What the form may offer to send (this deployment's channels).
    pub channels: MessageChannels,
    /// The slot's draw window is open: requests are entries, drawn at this time.
    pub draw_at: Option<i64>,
}

/// The result of a booking: what the confirmation page and the API show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    pub code: String,
    pub manage_token: String,
    pub status: BookingStatus,
    pub start: i64,
    pub end: i64,
    pub time_zone: String,
    /// This answer repeats an earlier one (the same idempotency key).
    pub replayed: bool,
}

/// A booking as its owner sees it (by manage link, or code and phone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub code: String,
    pub status: BookingStatus,
    pub service: Service,
    pub slot: OpenSlot,
    pub category: Option<Bilingual>,
    pub category_id: Option<CategoryId>,
    pub attendee: Attendee,
    pub stage: Stage,
    /// The staff's reason, when they cancelled.
    pub cancel_reason: String,
    /// Online cancelling and rescheduling are still possible.
    pub changeable: bool,
    /// On the waitlist: how many are ahead.
    pub ahead: Option<i64>,
    /// The slot has begun.
    pub past: bool,
    /// Entered in a draw: when it is held.
    pub draw_at: Option<i64>,
}

/// One change in a booking's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingEvent {
    pub kind: EventKind,
    pub at: i64,
    /// The staff member who made it; `None` for the person or the system.
    pub staff: Option<String>,
    pub detail: String,
}

/// What happened to a booking (stored in `booking_events`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    Booked,
    Waitlisted,
    Promoted,
    Rescheduled,
    Cancelled,
    CancelledByStaff,
    CheckedIn,
    NoShow,
    NoteSaved,
    Anonymised,
    /// Entered in a slot's draw.
    Entered,
    /// The draw gave a place, a waitlist place, or neither.
    DrawWon,
    DrawWaitlisted,
    NotDrawn,
}

crate::i18n::named!(EventKind, "booking-event" {
    Booked => "booked",
    Waitlisted => "waitlisted",
    Promoted => "promoted",
    Rescheduled => "rescheduled",
    Cancelled => "cancelled",
    CancelledByStaff => "cancelled-by-staff",
    CheckedIn => "checked-in",
    NoShow => "no-show",
    NoteSaved => "note-saved",
    Anonymised => "anonymised",
    Entered => "entered",
    DrawWon => "draw-won",
    DrawWaitlisted => "draw-waitlisted",
    NotDrawn => "not-drawn",
});

/// A booking as the clinic's staff see it, contact details opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBooking {
    pub id: BookingId,
    pub code: String,
    pub status: BookingStatus,
    pub slot: OpenSlot,
    pub service_name: Bilingual,
    pub category: Option<Bilingual>,
    pub attendee: Attendee,
    pub stage: Stage,
    pub guardian_consent: bool,
    /// Empty once anonymised.
    pub name: String,
    pub phone: String,
    pub note: String,
    pub staff_note: String,
    pub cancel_reason: String,
    pub created_at: i64,
    pub anonymised: bool,
    pub events: Vec<BookingEvent>,
    /// The clinic's time zone, for showing the slot's time.
    pub time_zone: String,
}

/// One slot of a day or week view, with its bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotBookings {
    pub slot: OpenSlot,
    pub service_name: Bilingual,
    pub withdrawn: bool,
    /// When the slot's draw was held (its seed and order are in the audit log).
    pub drawn_at: Option<i64>,
    pub bookings: Vec<StaffBooking>,
}

/// A clinic's day or week, as the reception desk works through it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    pub org_id: OrgId,
    pub org_name: Bilingual,
    pub time_zone: String,
    /// `YYYY-MM-DD`, the first and last local day shown.
    pub from: String,
    pub to: String,
    pub counsellor: Option<CounsellorId>,
    pub counsellors: Vec<Counsellor>,
    pub slots: Vec<SlotBookings>,
    /// The time the view was made (Unix seconds): check-in opens twelve hours before a
    /// slot, no-show once it has begun.
    pub now: i64,
}

/// A weekly schedule as set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRow {
    pub id: ScheduleId,
    pub service_id: ServiceId,
    pub counsellor: Option<CounsellorId>,
    pub schedule: slots::Schedule,
}

/// A closed day or extra session as set up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionRow {
    pub id: ExceptionId,
    pub org_id: OrgId,
    /// `None`: the whole organisation.
    pub service_id: Option<ServiceId>,
    pub exception: slots::Exception,
    pub note: String,
}

/// Everything the set-up pages of one organisation show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub org_id: OrgId,
    pub org_name: Bilingual,
    pub time_zone: String,
    pub categories: Vec<Category>,
    pub counsellors: Vec<Counsellor>,
    pub services: Vec<Service>,
    pub schedules: Vec<ScheduleRow>,
    pub exceptions: Vec<ExceptionRow>,
}

/// Bookings per service and category in a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCounts {
    /// `YYYY-MM`.
    pub month: String,
    pub rows: Vec<CountRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub service: Bilingual,
    /// `None`: no category (an unmatched service).
    pub category: Option<Bilingual>,
    pub booked: i64,
    pub attended: i64,
    pub no_show: i64,
    pub cancelled: i64,
    pub waitlisted: i64,
}
