//! Booking: the service's rules on both databases at a fixed instant (places, the
//! waitlist, retries, limits per phone, release times and cut-offs, reschedules,
//! closed days, sealed contact details, their erasure and a key rotation, the desk),
//! then the real HTTP forms and API: the form keeps what was typed, rate limits,
//! 500 booking attempts at once for three places, concurrent cancellations and
//! reschedules, several `anxin serve` processes on one PostgreSQL, and kill -9.

mod common;

use anxin_app::booking::model::{
    Attendee, BookingForm, BookingProblem, BookingStatus, Mode, ServiceAudience, ServiceDraft,
    Stage,
};
use anxin_app::booking::secret::Keys;
use anxin_app::booking::service::{
    self as booking, BookRequest, BookingEnv, BookingError, BookingKey, DeskStep, Via,
};
use anxin_app::booking::slots::{Cutoffs, Exception, Release, Schedule, Session, Weekdays};
use anxin_app::booking::{Booked, EventKind, OpenSlot};
use anxin_app::clock::Clock;
use anxin_app::db::Db;
use anxin_app::ids::{OrgId, ServiceId, SlotId};
use anxin_app::orgs::{NewOrg, OrgKind};
use anxin_app::service::{Actor, Ctx};
use anxin_app::staff::roles::Role;
use chrono::{NaiveDate, Weekday};
use common::{TestDb, client, per_backend, serve_with, staff_actor};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// Tuesday 2026-12-01, 08:00 in Beijing.
const NOW: i64 = 1_796_083_200;
/// Saturday 2026-12-05, 18:00 in Beijing: the night clinic.
const SATURDAY_NIGHT: i64 = 1_796_464_800;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn night_clinic(places: i64, waitlist: i64) -> ServiceDraft {
    ServiceDraft {
        name_zh: "周六夜间门诊".into(),
        name_en: "Saturday night clinic".into(),
        description_zh: String::new(),
        description_en: String::new(),
        audience: ServiceAudience::Both,
        stage_from: Stage::Primary,
        stage_to: Stage::Senior,
        duration_minutes: 180,
        mode: Mode::InPerson,
        place_zh: "门诊三楼".into(),
        place_en: "3rd floor".into(),
        contact_phone: "0571-00000000".into(),
        places,
        waitlist_places: waitlist,
        matches_category: false,
        release: Release::Rolling { days: 14, at: 0 },
        cutoffs: Cutoffs {
            book_minutes: 60,
            cancel_minutes: 120,
        },
        max_active_per_phone: 1,
        active: true,
        remind_hours: "24,2".into(),
        draw_minutes: 0,
        discreet_title_zh: String::new(),
        discreet_title_en: String::new(),
    }
}

fn saturday_night(places: i64) -> Schedule {
    Schedule {
        counsellor: None,
        weekdays: Weekdays::of(&[Weekday::Sat]),
        session: Session {
            start: 18 * 60,
            end: 21 * 60,
            length: 180,
            buffer: 0,
            places,
        },
        valid_from: None,
        valid_until: None,
    }
}

/// A clinic with one service and its schedules, set up by the operator at `clock`.
struct Fixture {
    db: Db,
    clock: Clock,
    org: OrgId,
    service: ServiceId,
    env: BookingEnv,
}

static NEXT_ORG: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

async fn new_org(db: &Db, clock: &Clock) -> OrgId {
    let n = NEXT_ORG.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    anxin_app::orgs::service::create(
        &Ctx::system(db.clone(), clock.clone()),
        NewOrg {
            parent_id: None,
            slug: format!("clinic-{n}"),
            kind: OrgKind::Clinic,
            name_zh: format!("门诊{n}"),
            name_en: format!("Clinic {n}"),
            region: "示例市".into(),
        },
    )
    .await
    .unwrap()
}

async fn fixture_with(
    db: Db,
    clock: Clock,
    draft: ServiceDraft,
    schedules: Vec<Schedule>,
) -> Fixture {
    let org = new_org(&db, &clock).await;
    let system = Ctx::system(db.clone(), clock.clone());
    let service = booking::save_service(&system, org, None, draft)
        .await
        .unwrap();
    for schedule in schedules {
        booking::add_schedule(&system, service, schedule)
            .await
            .unwrap();
    }
    Fixture {
        db,
        clock,
        org,
        service,
        env: BookingEnv::new(Keys::ephemeral(), Default::default()),
    }
}

/// The night clinic with `places` and `waitlist`, at [`NOW`].
async fn night(test: &TestDb, places: i64, waitlist: i64) -> Fixture {
    fixture_with(
        test.open().await,
        Clock::fixed(NOW),
        night_clinic(places, waitlist),
        vec![saturday_night(places)],
    )
    .await
}

fn form(name: &str, phone: &str, waitlist: bool) -> BookingForm {
    BookingForm {
        name: name.into(),
        phone: phone.into(),
        attendee: Some(Attendee::Parent),
        stage: Some(Stage::Junior),
        waitlist,
        ..BookingForm::default()
    }
}

impl Fixture {
    fn public(&self, address: &str) -> Ctx {
        Ctx::new(
            self.db.clone(),
            Actor::Public {
                address: address.into(),
            },
            self.clock.clone(),
        )
    }

    fn system(&self) -> Ctx {
        Ctx::system(self.db.clone(), self.clock.clone())
    }

    async fn slots(&self) -> Vec<OpenSlot> {
        let today = anxin_app::booking::slots::local_day(self.clock.unix(), anxin_app::time::CHINA);
        booking::open_slots(
            &self.system(),
            self.service,
            today,
            today + chrono::Days::new(20),
            None,
        )
        .await
        .unwrap()
        .1
    }

    async fn slot_at(&self, start: i64) -> SlotId {
        self.slots()
            .await
            .iter()
            .find(|s| s.start == start)
            .unwrap_or_else(|| panic!("no slot at {start}"))
            .id
    }

    async fn book(&self, slot: SlotId, form: BookingForm) -> Result<Booked, BookingError> {
        self.book_keyed(slot, form, None).await
    }

    async fn book_keyed(
        &self,
        slot: SlotId,
        form: BookingForm,
        key: Option<&str>,
    ) -> Result<Booked, BookingError> {
        let request = BookRequest {
            slot,
            form,
            idempotency_key: key.map(str::to_string),
            via: Via::Api,
            lang: anxin_app::i18n::Locale::Zh,
        };
        booking::book(&self.system(), &self.env, request).await
    }

    async fn status(&self, booked: &Booked) -> BookingStatus {
        let key = BookingKey::Token(booked.manage_token.clone());
        booking::view(&self.system(), &self.env, &key)
            .await
            .unwrap()
            .status
    }

    async fn counts(&self, slot: SlotId) -> (i64, i64) {
        sqlx::query_as("SELECT taken, waiting FROM slots WHERE id = $1")
            .bind(slot)
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }
}

fn phone(n: usize) -> String {
    format!("139{:08}", n)
}

async fn a_full_slot_waitlists_and_a_cancellation_promotes_the_first_waiting(test: TestDb) {
    let clinic = night(&test, 3, 2).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let mut confirmed = Vec::new();
    for n in 0..3 {
        let booked = clinic
            .book(slot, form("家长", &phone(n), false))
            .await
            .unwrap();
        assert_eq!(booked.status, BookingStatus::Confirmed);
        assert_eq!(booked.code.len(), 9);
        confirmed.push(booked);
    }
    assert!(matches!(
        clinic.book(slot, form("家长", &phone(3), false)).await,
        Err(BookingError::Full)
    ));
    let first = clinic
        .book(slot, form("候补一", &phone(4), true))
        .await
        .unwrap();
    let second = clinic
        .book(slot, form("候补二", &phone(5), true))
        .await
        .unwrap();
    assert_eq!(
        (first.status, second.status),
        (BookingStatus::Waitlisted, BookingStatus::Waitlisted)
    );
    assert!(matches!(
        clinic.book(slot, form("候补三", &phone(6), true)).await,
        Err(BookingError::WaitlistFull)
    ));
    assert_eq!(clinic.counts(slot).await, (3, 2));
    // The second in line sees one ahead.
    let view = booking::view(
        &clinic.system(),
        &clinic.env,
        &BookingKey::Token(second.manage_token.clone()),
    )
    .await
    .unwrap();
    assert_eq!(view.ahead, Some(1));

    booking::cancel(
        &clinic.public("203.0.113.1"),
        &clinic.env,
        &BookingKey::Token(confirmed[0].manage_token.clone()),
    )
    .await
    .unwrap();
    assert_eq!(clinic.status(&confirmed[0]).await, BookingStatus::Cancelled);
    assert_eq!(
        clinic.status(&first).await,
        BookingStatus::Confirmed,
        "the first waiting is promoted"
    );
    assert_eq!(clinic.status(&second).await, BookingStatus::Waitlisted);
    assert_eq!(clinic.counts(slot).await, (3, 1));
    // A waitlisted person leaving frees a waitlist place, not a place.
    booking::cancel(
        &clinic.system(),
        &clinic.env,
        &BookingKey::Token(second.manage_token.clone()),
    )
    .await
    .unwrap();
    assert_eq!(clinic.counts(slot).await, (3, 0));
    // Cancelling twice is refused.
    assert!(matches!(
        booking::cancel(
            &clinic.system(),
            &clinic.env,
            &BookingKey::Token(second.manage_token.clone())
        )
        .await,
        Err(BookingError::NotActive)
    ));
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT e.kind FROM booking_events e JOIN bookings b ON b.id = e.booking_id WHERE b.code = $1 ORDER BY e.id",
    )
    .bind(&first.code)
    .fetch_all(clinic.db.pool())
    .await
    .unwrap();
    assert_eq!(kinds, ["waitlisted", "promoted"]);
    let promotions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'booking-promoted'")
            .fetch_one(clinic.db.pool())
            .await
            .unwrap();
    assert_eq!(promotions, 1);
}

async fn a_retry_books_once_and_a_different_request_under_its_key_is_refused(test: TestDb) {
    let clinic = night(&test, 3, 0).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let first = clinic
        .book_keyed(
            slot,
            form("小林", "138 0013 8000", false),
            Some("retry-key-1"),
        )
        .await
        .unwrap();
    let again = clinic
        .book_keyed(
            slot,
            form("小林", "13800138000", false),
            Some("retry-key-1"),
        )
        .await
        .unwrap();
    assert!(again.replayed && !first.replayed);
    assert_eq!(
        (&again.code, &again.manage_token),
        (&first.code, &first.manage_token)
    );
    assert_eq!(clinic.counts(slot).await, (1, 0), "one place taken");
    assert!(matches!(
        clinic
            .book_keyed(
                slot,
                form("小林", "13800138001", false),
                Some("retry-key-1")
            )
            .await,
        Err(BookingError::KeyReused)
    ));
    assert!(matches!(
        clinic.book_keyed(slot, form("小林", "13800138001", false), Some("short")).await,
        Err(BookingError::Invalid(p)) if p == [BookingProblem::IdempotencyKey]
    ));
}

async fn one_phone_books_a_slot_once_and_keeps_to_its_limit(test: TestDb) {
    let clinic = night(&test, 3, 0).await;
    let this_week = clinic.slot_at(SATURDAY_NIGHT).await;
    let next_week = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let booked = clinic
        .book(this_week, form("甲", &phone(1), false))
        .await
        .unwrap();
    assert!(matches!(
        clinic.book(this_week, form("甲", &phone(1), false)).await,
        Err(BookingError::AlreadyBooked)
    ));
    // One active booking per phone for this service.
    assert!(matches!(
        clinic.book(next_week, form("甲", &phone(1), false)).await,
        Err(BookingError::PerPhoneLimit { max: 1 })
    ));
    booking::cancel(
        &clinic.system(),
        &clinic.env,
        &BookingKey::Token(booked.manage_token),
    )
    .await
    .unwrap();
    clinic
        .book(next_week, form("甲", &phone(1), false))
        .await
        .unwrap();
    assert_eq!(clinic.counts(this_week).await, (0, 0));
}

async fn places_open_at_their_release_and_close_at_the_cut_offs(test: TestDb) {
    // Whole weeks open on Mondays at 08:00, for the week after.
    let mut draft = night_clinic(3, 0);
    draft.release = Release::Weekly {
        weekday: Weekday::Mon,
        at: 8 * 60,
        weeks: 1,
    };
    // Monday 2026-11-30, 07:59 in Beijing: this week is open, the next is not yet.
    let before = NOW - 86_400 - 60;
    let clinic = fixture_with(
        test.open().await,
        Clock::fixed(before),
        draft,
        vec![saturday_night(3)],
    )
    .await;
    let this_saturday = SATURDAY_NIGHT + 7 * 86_400;
    let slots = clinic.slots().await;
    assert_eq!(
        slots.iter().map(|s| s.start).collect::<Vec<_>>(),
        [SATURDAY_NIGHT],
        "nothing of the coming week shows before Monday 08:00"
    );
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM slots WHERE start_at = $1 AND service_id = $2")
            .bind(this_saturday)
            .bind(clinic.service)
            .fetch_one(clinic.db.pool())
            .await
            .unwrap();
    let slot = SlotId(id);
    assert!(matches!(
        clinic.book(slot, form("早", &phone(1), false)).await,
        Err(BookingError::NotOpen { .. })
    ));
    assert!(matches!(
        booking::slot_page(&clinic.public("203.0.113.9"), &clinic.env, slot, None).await,
        Err(BookingError::NotFound)
    ));
    clinic.clock.advance(60);
    let booked = clinic
        .book(slot, form("准时", &phone(1), false))
        .await
        .unwrap();
    // Cancelling online stops two hours before the start; booking one hour before.
    clinic.clock.set(this_saturday - 2 * 3600);
    assert!(matches!(
        booking::cancel(
            &clinic.system(),
            &clinic.env,
            &BookingKey::Token(booked.manage_token.clone())
        )
        .await,
        Err(BookingError::TooLate)
    ));
    clinic
        .book(slot, form("晚", &phone(2), false))
        .await
        .unwrap();
    clinic.clock.set(this_saturday - 3600);
    assert!(matches!(
        clinic.book(slot, form("太晚", &phone(3), false)).await,
        Err(BookingError::Closed)
    ));
}

async fn a_reschedule_takes_the_new_place_first_and_keeps_code_and_link(test: TestDb) {
    let clinic = night(&test, 1, 2).await;
    let a = clinic.slot_at(SATURDAY_NIGHT).await;
    let b = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let mine = clinic.book(a, form("我", &phone(1), false)).await.unwrap();
    let waiting = clinic.book(a, form("等", &phone(2), true)).await.unwrap();
    let other = clinic
        .book(b, form("别人", &phone(3), false))
        .await
        .unwrap();
    let key = BookingKey::Token(mine.manage_token.clone());
    // B is full: the booking stays where it is.
    assert!(matches!(
        booking::reschedule(&clinic.system(), &clinic.env, &key, b).await,
        Err(BookingError::Full)
    ));
    assert_eq!(clinic.counts(a).await, (1, 1));
    booking::cancel(
        &clinic.system(),
        &clinic.env,
        &BookingKey::Token(other.manage_token),
    )
    .await
    .unwrap();
    let moved = booking::reschedule(&clinic.system(), &clinic.env, &key, b)
        .await
        .unwrap();
    assert_eq!(moved.code, mine.code);
    assert_eq!(moved.slot.id, b);
    assert_eq!(moved.status, BookingStatus::Confirmed);
    // The same link shows the new time; the person waiting for A got its place.
    let seen = booking::view(&clinic.system(), &clinic.env, &key)
        .await
        .unwrap();
    assert_eq!(seen.slot.start, SATURDAY_NIGHT + 7 * 86_400);
    assert_eq!(clinic.status(&waiting).await, BookingStatus::Confirmed);
    assert_eq!(clinic.counts(a).await, (1, 0));
    assert_eq!(clinic.counts(b).await, (1, 0));
    assert!(matches!(
        booking::reschedule(&clinic.system(), &clinic.env, &key, b).await,
        Err(BookingError::SameSlot)
    ));
}

async fn closed_days_remove_free_slots_and_withdraw_booked_ones(test: TestDb) {
    let clinic = night(&test, 3, 0).await;
    let booked_slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let free_slot = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let kept = clinic
        .book(booked_slot, form("已约", &phone(1), false))
        .await
        .unwrap();
    for saturday in ["2026-12-05", "2026-12-12"] {
        booking::add_exception(
            &clinic.system(),
            clinic.org,
            None,
            Exception::Closed {
                day: day(saturday),
                counsellor: None,
            },
            "停诊",
        )
        .await
        .unwrap();
    }
    let left: Vec<SlotId> = clinic.slots().await.iter().map(|s| s.id).collect();
    assert!(!left.contains(&booked_slot) && !left.contains(&free_slot));
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM slots WHERE id = $1")
        .bind(free_slot)
        .fetch_one(clinic.db.pool())
        .await
        .unwrap();
    assert_eq!(exists, 0, "a slot nobody booked is deleted");
    assert_eq!(
        clinic.status(&kept).await,
        BookingStatus::Confirmed,
        "a booking is never silently dropped"
    );
    assert!(matches!(
        clinic.book(booked_slot, form("新", &phone(2), false)).await,
        Err(BookingError::Closed)
    ));
    // The desk sees the withdrawn slot with its booking.
    let clinic_staff = Ctx::new(
        clinic.db.clone(),
        staff_actor(&clinic.db, clinic.org, Role::Clinic).await,
        clinic.clock.clone(),
    );
    let agenda = booking::agenda(
        &clinic_staff,
        &clinic.env,
        clinic.org,
        Some(day("2026-12-05")),
        1,
        None,
    )
    .await
    .unwrap();
    assert!(agenda.slots[0].withdrawn);
    assert_eq!(agenda.slots[0].bookings[0].code, kept.code);
}

async fn contact_details_are_sealed_at_rest_and_erased_after_the_retention(test: TestDb) {
    let clinic = night(&test, 3, 0).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let mut the_form = form("林小雨", "139 1234 5678", false);
    the_form.note = "想谈谈考试焦虑".into();
    let booked = clinic.book(slot, the_form).await.unwrap();
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT name_sealed, phone_sealed, note_sealed, phone_hash FROM bookings")
            .fetch_all(clinic.db.pool())
            .await
            .unwrap();
    for (name, phone, note, hash) in &rows {
        let all = format!("{name}{phone}{note}{}", hash.clone().unwrap_or_default());
        for secret in ["林小雨", "13912345678", "5678", "考试"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
    }
    if test.name == "sqlite" {
        // The file and its write-ahead log hold no phone number either.
        let path = test
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        for file in [path.clone(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains("13912345678"), "{file}");
                assert!(!text.contains("林小雨"), "{file}");
            }
        }
    }
    let staff = Ctx::new(
        clinic.db.clone(),
        staff_actor(&clinic.db, clinic.org, Role::Clinic).await,
        clinic.clock.clone(),
    );
    let id = clinic_booking_id(&clinic.db, &booked.code).await;
    let seen = booking::staff_view(&staff, &clinic.env, id).await.unwrap();
    assert_eq!(
        (seen.name.as_str(), seen.phone.as_str(), seen.note.as_str()),
        ("林小雨", "13912345678", "想谈谈考试焦虑")
    );
    // Another organisation's clinic staff learn nothing, nor do other roles here.
    let elsewhere = new_org(&clinic.db, &clinic.clock).await;
    for actor in [
        staff_actor(&clinic.db, elsewhere, Role::Clinic).await,
        staff_actor(&clinic.db, clinic.org, Role::Admin).await,
        staff_actor(&clinic.db, clinic.org, Role::Viewer).await,
    ] {
        let ctx = Ctx::new(clinic.db.clone(), actor, clinic.clock.clone());
        assert!(booking::staff_view(&ctx, &clinic.env, id).await.is_err());
    }
    // 89 days after the appointment nothing changes; after 90, the details are gone.
    assert_eq!(
        booking::anonymise(&clinic.db, SATURDAY_NIGHT + 3 * 3600 + 89 * 86_400, 90)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        booking::anonymise(&clinic.db, SATURDAY_NIGHT + 3 * 3600 + 91 * 86_400, 90)
            .await
            .unwrap(),
        1
    );
    let gone = booking::staff_view(&staff, &clinic.env, id).await.unwrap();
    assert!(
        gone.anonymised && gone.name.is_empty() && gone.phone.is_empty() && gone.note.is_empty()
    );
    assert_eq!(
        gone.events.last().map(|e| e.kind),
        Some(EventKind::Anonymised)
    );
    // It still counts in the month's numbers.
    let counts = booking::month_counts(&staff, clinic.org, "2026-12")
        .await
        .unwrap();
    assert_eq!(counts.rows[0].booked, 1);
}

async fn clinic_booking_id(db: &Db, code: &str) -> anxin_app::ids::BookingId {
    let id: i64 = sqlx::query_scalar("SELECT id FROM bookings WHERE code = $1")
        .bind(code)
        .fetch_one(db.pool())
        .await
        .unwrap();
    anxin_app::ids::BookingId(id)
}

async fn a_key_rotation_reseals_everything_and_phone_lookups_follow(test: TestDb) {
    let mut clinic = night(&test, 3, 0).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let booked = clinic
        .book(slot, form("旧钥匙", "13700137000", false))
        .await
        .unwrap();
    let old = clinic.env.keys.clone().unwrap();
    let new = Keys::ephemeral();
    let rotating = Keys::new(new.current().clone(), Some(old.current().clone()));
    assert_eq!(booking::rekey(&clinic.db, &rotating).await.unwrap(), (1, 0));
    // With only the new key, the booking opens and is found by code and phone.
    clinic.env = BookingEnv::new(new, Default::default());
    let key = BookingKey::CodeAndPhone {
        code: booked.code.to_lowercase(),
        phone: "+86 137 0013 7000".into(),
    };
    let found = booking::view(&clinic.system(), &clinic.env, &key)
        .await
        .unwrap();
    assert_eq!(found.code, booked.code);
    let staff = Ctx::new(
        clinic.db.clone(),
        staff_actor(&clinic.db, clinic.org, Role::Clinic).await,
        clinic.clock.clone(),
    );
    let id = clinic_booking_id(&clinic.db, &booked.code).await;
    assert_eq!(
        booking::staff_view(&staff, &clinic.env, id)
            .await
            .unwrap()
            .name,
        "旧钥匙"
    );
    // The old key alone opens nothing any more.
    let stale = BookingEnv::new(old, Default::default());
    assert!(booking::view(&clinic.system(), &stale, &key).await.is_err());
}

async fn the_desk_checks_in_marks_no_shows_cancels_with_a_reason_and_exports(test: TestDb) {
    let clinic = night(&test, 3, 1).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let came = clinic
        .book(slot, form("=HYPERLINK(\"x\")", &phone(1), false))
        .await
        .unwrap();
    let missed = clinic
        .book(slot, form("乙", &phone(2), false))
        .await
        .unwrap();
    let dropped = clinic
        .book(slot, form("丙", &phone(3), false))
        .await
        .unwrap();
    let waiting = clinic
        .book(slot, form("丁", &phone(4), true))
        .await
        .unwrap();
    let staff = Ctx::new(
        clinic.db.clone(),
        staff_actor(&clinic.db, clinic.org, Role::Clinic).await,
        clinic.clock.clone(),
    );
    let id = |code: String| {
        let db = clinic.db.clone();
        async move { clinic_booking_id(&db, &code).await }
    };
    let (came_id, missed_id, dropped_id) = (
        id(came.code.clone()).await,
        id(missed.code.clone()).await,
        id(dropped.code.clone()).await,
    );
    // Too early to check in on Tuesday for Saturday night.
    assert!(matches!(
        booking::desk(&staff, &clinic.env, came_id, DeskStep::CheckIn).await,
        Err(BookingError::WrongState)
    ));
    // The clinic cancels one: the reason shows under the person's code, and the
    // person waiting gets the place.
    assert!(matches!(
        booking::desk(
            &staff,
            &clinic.env,
            dropped_id,
            DeskStep::Cancel { reason: " ".into() }
        )
        .await,
        Err(BookingError::Setup(_))
    ));
    booking::desk(
        &staff,
        &clinic.env,
        dropped_id,
        DeskStep::Cancel {
            reason: "医生临时出诊，请改约".into(),
        },
    )
    .await
    .unwrap();
    let seen = booking::view(
        &clinic.system(),
        &clinic.env,
        &BookingKey::Token(dropped.manage_token.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        (seen.status, seen.cancel_reason.as_str()),
        (BookingStatus::Cancelled, "医生临时出诊，请改约")
    );
    assert_eq!(clinic.status(&waiting).await, BookingStatus::Confirmed);
    booking::desk(
        &staff,
        &clinic.env,
        came_id,
        DeskStep::Note {
            text: "需要安静的房间".into(),
        },
    )
    .await
    .unwrap();
    clinic.clock.set(SATURDAY_NIGHT - 1800);
    booking::desk(&staff, &clinic.env, came_id, DeskStep::CheckIn)
        .await
        .unwrap();
    assert!(
        matches!(
            booking::desk(&staff, &clinic.env, missed_id, DeskStep::NoShow).await,
            Err(BookingError::WrongState)
        ),
        "no-show only once the slot has begun"
    );
    clinic.clock.set(SATURDAY_NIGHT + 600);
    booking::desk(&staff, &clinic.env, missed_id, DeskStep::NoShow)
        .await
        .unwrap();
    let agenda = booking::agenda(
        &staff,
        &clinic.env,
        clinic.org,
        Some(day("2026-12-05")),
        1,
        None,
    )
    .await
    .unwrap();
    let statuses: Vec<BookingStatus> = agenda.slots[0].bookings.iter().map(|b| b.status).collect();
    assert_eq!(
        statuses,
        [
            BookingStatus::Attended,
            BookingStatus::NoShow,
            BookingStatus::Cancelled,
            BookingStatus::Confirmed
        ]
    );
    assert!(
        agenda.slots[0].bookings[1].phone.contains("****"),
        "lists mask the phone"
    );
    let csv = booking::export_csv(
        &staff,
        &clinic.env,
        clinic.org,
        day("2026-12-01"),
        day("2026-12-31"),
        anxin_app::i18n::Locale::Zh,
    )
    .await
    .unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("'=HYPERLINK"), "formulas are defused: {csv}");
    assert!(csv.contains(&phone(2)) && csv.contains(&came.code) && csv.contains("需要安静的房间"));
    assert_eq!(csv.lines().count(), 5);
    let counts = booking::month_counts(&staff, clinic.org, "2026-12")
        .await
        .unwrap();
    let row = &counts.rows[0];
    assert_eq!(
        (row.booked, row.attended, row.no_show, row.cancelled),
        (3, 1, 1, 1)
    );
    let exported: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'bookings-exported'")
            .fetch_one(clinic.db.pool())
            .await
            .unwrap();
    assert_eq!(exported, 1);
    // Another clinic's staff can do none of it.
    let elsewhere = new_org(&clinic.db, &clinic.clock).await;
    let outsider = Ctx::new(
        clinic.db.clone(),
        staff_actor(&clinic.db, elsewhere, Role::Clinic).await,
        clinic.clock.clone(),
    );
    assert!(
        booking::desk(&outsider, &clinic.env, came_id, DeskStep::NoShow)
            .await
            .is_err()
    );
    assert!(
        booking::agenda(&outsider, &clinic.env, clinic.org, None, 1, None)
            .await
            .is_err()
    );
    assert!(
        booking::export_csv(
            &outsider,
            &clinic.env,
            clinic.org,
            day("2026-12-01"),
            day("2026-12-31"),
            anxin_app::i18n::Locale::Zh
        )
        .await
        .is_err()
    );
}

per_backend!(
    a_full_slot_waitlists_and_a_cancellation_promotes_the_first_waiting,
    a_retry_books_once_and_a_different_request_under_its_key_is_refused,
    one_phone_books_a_slot_once_and_keeps_to_its_limit,
    places_open_at_their_release_and_close_at_the_cut_offs,
    a_reschedule_takes_the_new_place_first_and_keeps_code_and_link,
    closed_days_remove_free_slots_and_withdraw_booked_ones,
    contact_details_are_sealed_at_rest_and_erased_after_the_retention,
    a_key_rotation_reseals_everything_and_phone_lookups_follow,
    the_desk_checks_in_marks_no_shows_cancels_with_a_reason_and_exports,
);

// ---------------------------------------------------------------------------------
// Over HTTP

/// A served site at `clock` (trusting `X-Forwarded-For` when `proxy`), with the night
/// clinic set up on its database.
async fn served_night(
    test: &TestDb,
    clock: Clock,
    places: i64,
    waitlist: i64,
    proxy: bool,
) -> (common::Served, Fixture) {
    served_night_with(test, clock, places, waitlist, |c| c.trust_proxy = proxy).await
}

/// [`served_night`] with the server's configuration changed by `adjust` (its message
/// channels, say).
async fn served_night_with(
    test: &TestDb,
    clock: Clock,
    places: i64,
    waitlist: i64,
    adjust: impl FnOnce(&mut anxin_server::Config),
) -> (common::Served, Fixture) {
    let served = serve_with(test, |c| {
        c.clock = clock.clone();
        adjust(c);
    })
    .await;
    let db = served.server.state.db.clone();
    let fixture = fixture_with(
        db,
        clock,
        night_clinic(places, waitlist),
        vec![saturday_night(places)],
    )
    .await;
    (served, fixture)
}

fn page_text(html: &str) -> String {
    let main = &html[html.find("<main").unwrap_or(0)..html.find("</main>").unwrap_or(html.len())];
    let mut out = String::new();
    let mut inside = false;
    for c in main.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn the_form_books_without_script_and_keeps_what_was_typed(test: TestDb) {
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 3, 1, false).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let path = format!("/zh/booking/slots/{slot}");
    let page = served.text(&path).await;
    let key = page
        .split("name=\"idempotency_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(key.len() >= 40, "the form carries a fresh idempotency key");
    let post = |fields: Vec<(&'static str, String)>, lang: &'static str| {
        let url = served.url(&path.replace("/zh/", &format!("/{lang}/")));
        let origin = served.base.clone();
        async move {
            client()
                .post(url)
                .header(header::ORIGIN, origin)
                .header(header::ACCEPT, "text/html")
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let bad = vec![
        ("name", String::new()),
        ("phone", "12345".to_string()),
        ("attendee", "student".into()),
        ("stage", "primary".into()),
        // Typed text goes back into its field as text, never as markup.
        ("note", "周末比较方便</textarea><p id=\"typed\">".into()),
        ("idempotency_key", key.clone()),
    ];
    let response = post(bad.clone(), "zh").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let text = page_text(&html);
    for expected in [
        "请填写称呼",
        "请填写11位手机号",
        "家长或监护人勾选同意",
        "周末比较方便",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    assert!(
        html.contains("value=\"12345\""),
        "the phone as typed is kept"
    );
    assert!(
        !html.contains("<p id=\"typed\">")
            && html.contains("周末比较方便&lt;/textarea&gt;&lt;p id=\"typed\"&gt;</textarea>"),
        "the note is kept as text"
    );
    assert!(
        html.contains("value=\"student\" checked"),
        "the choice is kept"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    // In English, the same refusals in English.
    let english = page_text(&post(bad, "en").await.text().await.unwrap());
    assert!(
        english.contains("11-digit mainland mobile number"),
        "{english}"
    );

    let good = vec![
        ("name", "小林妈妈".to_string()),
        ("phone", "+86 138 0013 8000".to_string()),
        ("attendee", "parent".into()),
        ("stage", "junior".into()),
        ("idempotency_key", key.clone()),
    ];
    let response = post(good.clone(), "zh").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let manage = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        manage.starts_with("/zh/booking/b/") && manage.ends_with("?done=booked"),
        "{manage}"
    );
    // A double tap lands on the same booking.
    let again = post(good, "zh").await;
    assert_eq!(again.headers()[header::LOCATION].to_str().unwrap(), manage);
    assert_eq!(clinic.counts(slot).await, (1, 0));
    let page = client().get(served.url(&manage)).send().await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    let text = page_text(&page.text().await.unwrap());
    assert!(
        text.contains("预约已提交") && text.contains("已确认"),
        "{text}"
    );
    assert!(
        !text.contains("13800138000") && !text.contains("小林妈妈"),
        "the page shows no contact details"
    );

    // The calendar file, read back by a real calendar parser.
    let token = manage
        .trim_start_matches("/zh/booking/b/")
        .trim_end_matches("?done=booked")
        .to_string();
    let ics = client()
        .get(served.url(&format!("/zh/booking/b/{token}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ics.headers()[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let ics = ics.text().await.unwrap();
    check_calendar(&ics, SATURDAY_NIGHT, SATURDAY_NIGHT + 3 * 3600);

    // Cancel from the page (a plain form), then the page says so.
    let cancel = client()
        .post(served.url(&format!("/zh/booking/b/{token}/cancel")))
        .header(header::ORIGIN, &served.base)
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), StatusCode::SEE_OTHER);
    let text = page_text(
        &served
            .text(&format!("/zh/booking/b/{token}?done=cancelled"))
            .await,
    );
    assert!(
        text.contains("预约已取消") && text.contains("已取消"),
        "{text}"
    );
    // Another site's form cannot cancel.
    let forged = client()
        .post(served.url(&format!("/zh/booking/b/{token}/cancel")))
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    served.stop().await;
}

/// The Python `icalendar` package (an independent parser) reads the file: one event,
/// at the slot's instants, with the code as its UID, the neutral title, and nothing a
/// family sharing the calendar should not read: no contact details, no service, place
/// or contact number, no crisis wording, no private manage link.
fn check_calendar(ics: &str, start: i64, end: i64) {
    assert!(!ics.contains("13800138000"));
    // Folded lines joined again (RFC 5545 §3.1), so no word hides across a fold.
    let unfolded = ics.replace("\r\n ", "").replace("\n ", "");
    assert_discreet(&unfolded, "the calendar file");
    assert!(!unfolded.contains("/booking/b/"), "the manage link: {ics}");
    assert!(unfolded.contains("/zh/booking/find"), "{ics}");
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "tools/venv is missing: scripts/setup.sh test installs it"
        );
        eprintln!("skipping the icalendar check: no tools/venv (run scripts/setup.sh test)");
        return;
    }
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = [c for c in cal.walk() if c.name == "VEVENT"]
assert len(events) == 1, events
e = events[0]
print(int(e.decoded("DTSTART").timestamp()), int(e.decoded("DTEND").timestamp()), str(e["UID"]), str(e["SUMMARY"]))
"#;
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "icalendar could not read it:\n{ics}");
    let line = String::from_utf8(out.stdout).unwrap();
    let parts: Vec<&str> = line.trim().splitn(4, ' ').collect();
    assert_eq!(parts[0], start.to_string());
    assert_eq!(parts[1], end.to_string());
    assert!(parts[2].ends_with("@anxin"));
    assert_eq!(parts[3], "安心预约");
}

/// A text, an e-mail or a calendar entry a family may read: none of the service's,
/// clinic's or place's names (of the test's clinic and of the sample services), its
/// contact number, a help line's number or crisis wording.
fn assert_discreet(text: &str, what: &str) {
    let lower = text.to_lowercase();
    for word in anxin_app::booking::wording::SENSITIVE_WORDS {
        assert!(!lower.contains(word), "{what} says {word:?}: {text}");
    }
    for name in [
        "周六夜间门诊",
        "Saturday night clinic",
        "门诊三楼",
        "3rd floor",
        "0571-00000000",
        "12356",
        "12355",
        "示例",
        "sample",
    ] {
        assert!(!text.contains(name), "{what} says {name:?}: {text}");
    }
}

async fn api(
    served: &common::Served,
    body: Value,
    address: &str,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = client()
        .post(served.url("/api/v1/bookings"))
        .header("x-forwarded-for", address)
        .json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn api_booking(slot: SlotId, n: usize, waitlist: bool) -> Value {
    json!({"slot": slot.0, "name": format!("家长{n}"), "phone": phone(n), "attendee": "parent", "stage": "junior", "waitlist": waitlist})
}

async fn the_api_books_shows_and_cancels_by_token(test: TestDb) {
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 3, 0, false).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let (status, booked) = api(
        &served,
        api_booking(slot, 1, false),
        "",
        Some("api-key-0001"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    assert_eq!(booked["status"], "confirmed");
    assert_eq!(booked["start"], "2026-12-05T18:00:00+08:00");
    let code = booked["code"].as_str().unwrap();
    let token = booked["manage_token"].as_str().unwrap();
    let (status, again) = api(
        &served,
        api_booking(slot, 1, false),
        "",
        Some("api-key-0001"),
    )
    .await;
    assert_eq!(
        (status, &again["code"]),
        (StatusCode::CREATED, &booked["code"])
    );
    let (status, invalid) = api(
        &served,
        json!({"slot": slot.0, "phone": "1", "attendee": "teacher"}),
        "",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = invalid["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "phone", "attendee", "stage"]);
    let get = |auth: Option<String>, code: String| {
        let url = served.url(&format!("/api/v1/bookings/{code}"));
        async move {
            let mut request = client().get(url);
            if let Some(auth) = auth {
                request = request.header(header::AUTHORIZATION, auth);
            }
            request.send().await.unwrap()
        }
    };
    let shown = get(Some(format!("Bearer {token}")), code.to_lowercase()).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(
        (shown["status"].as_str(), shown["cancellable"].as_bool()),
        (Some("confirmed"), Some(true))
    );
    assert_eq!(
        get(None, code.to_string()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(Some(format!("Bearer {token}")), "ACDE-FGH3".into())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(Some("Bearer nope".into()), code.to_string())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let cancelled = client()
        .delete(served.url(&format!("/api/v1/bookings/{code}")))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(
        cancelled.json::<Value>().await.unwrap()["status"],
        "cancelled"
    );
    let (status, slots) = {
        let response = client()
            .get(served.url(&format!(
                "/api/v1/services/{}/slots?from=2026-12-05&to=2026-12-05",
                clinic.service
            )))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slots["slots"][0]["left"], 3);
    // Browsers elsewhere may call it: the preflight is answered.
    let preflight = client()
        .request(reqwest::Method::OPTIONS, served.url("/api/v1/bookings"))
        .header(header::ORIGIN, "https://school.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    served.stop().await;
}

async fn rate_limits_say_when_to_try_again(test: TestDb) {
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 3, 0, true).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    // One address: its budget, then 429 with Retry-After and a message.
    let mut last = (StatusCode::OK, Value::Null);
    for n in 0..31 {
        last = api(
            &served,
            json!({"slot": slot.0, "name": "x", "phone": phone(100 + n), "attendee": "parent"}),
            "198.51.100.7",
            None,
        )
        .await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS, "{}", last.1);
    assert_eq!(last.1["error"], "rate-limited");
    assert!(last.1["message"].as_str().unwrap().contains("分钟后再试"));
    // Another address still books.
    let (status, _) = api(&served, api_booking(slot, 1, false), "198.51.100.8", None).await;
    assert_eq!(status, StatusCode::CREATED);
    // One phone from many addresses: the phone's budget.
    let mut statuses = Vec::new();
    for n in 0..10 {
        let body = json!({"slot": slot.0, "name": "x", "phone": phone(7), "attendee": "parent", "stage": "senior"});
        statuses.push(api(&served, body, &format!("203.0.113.{n}"), None).await.0);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    served.stop().await;
    // Without --trust-proxy the header counts for nothing: every try is the peer's.
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 3, 0, false).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let mut last = StatusCode::OK;
    for n in 0..31 {
        last = api(
            &served,
            json!({"slot": slot.0, "name": "x", "phone": phone(200 + n)}),
            &format!("192.0.2.{n}"),
            None,
        )
        .await
        .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    served.stop().await;
}

/// 500 attempts at once, each from its own address and phone: the outcome of each.
async fn burst(
    served: &common::Served,
    slot: SlotId,
    waitlist: bool,
    phones: usize,
) -> Vec<(StatusCode, Value)> {
    let bodies = (0..500).map(|n| api_booking(slot, phones + n, waitlist));
    book_all(std::slice::from_ref(&served.base), bodies.collect()).await
}

/// POSTs every body at once, the n-th to `bases[n % bases.len()]` from an address of
/// its own (behind `--trust-proxy`): each answer's status and JSON body, in order.
async fn book_all(bases: &[String], bodies: Vec<Value>) -> Vec<(StatusCode, Value)> {
    let client = client();
    let tasks: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(n, body)| {
            let client = client.clone();
            let url = format!("{}/api/v1/bookings", bases[n % bases.len()]);
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("x-forwarded-for", format!("10.{}.{}.1", n / 250, n % 250))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

fn count_outcomes(outcomes: &[(StatusCode, Value)]) -> std::collections::BTreeMap<String, usize> {
    let mut tally = std::collections::BTreeMap::new();
    for (status, body) in outcomes {
        assert!(!status.is_server_error(), "{status}: {body}");
        let label = match body["status"].as_str() {
            Some(s) => s.to_string(),
            None => body["error"].as_str().unwrap_or("?").to_string(),
        };
        *tally
            .entry(format!("{} {label}", status.as_u16()))
            .or_default() += 1;
    }
    tally
}

async fn five_hundred_at_once_get_exactly_three_places(test: TestDb) {
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 3, 5, true).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let outcomes = burst(&served, slot, false, 1000).await;
    let tally = count_outcomes(&outcomes);
    assert_eq!(tally.get("201 confirmed"), Some(&3), "{tally:?}");
    assert_eq!(tally.get("409 full"), Some(&497), "{tally:?}");
    assert_eq!(clinic.counts(slot).await, (3, 0));
    // The next Saturday, everyone asks for the waitlist: 3 places, 5 waiting.
    let next = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let tally = count_outcomes(&burst(&served, next, true, 2000).await);
    assert_eq!(tally.get("201 confirmed"), Some(&3), "{tally:?}");
    assert_eq!(tally.get("201 waitlisted"), Some(&5), "{tally:?}");
    assert_eq!(tally.get("409 waitlist-full"), Some(&492), "{tally:?}");
    assert_eq!(clinic.counts(next).await, (3, 5));
    let rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE slot_id = $1 AND status = 'confirmed'",
    )
    .bind(next)
    .fetch_one(clinic.db.pool())
    .await
    .unwrap();
    assert_eq!(rows, 3);
    served.stop().await;
}

async fn concurrent_cancellations_and_reschedules_never_promote_two_into_one_place(test: TestDb) {
    let (served, clinic) = served_night(&test, Clock::fixed(NOW), 2, 6, false).await;
    let env = &served.server.state.booking;
    let a = clinic.slot_at(SATURDAY_NIGHT).await;
    let b = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let ctx = clinic.system();
    let book = |n: usize, slot: SlotId, waitlist: bool| {
        let ctx = ctx.clone();
        async move {
            booking::book(
                &ctx,
                env,
                BookRequest {
                    slot,
                    form: form("人", &phone(n), waitlist),
                    idempotency_key: None,
                    via: Via::Web,
                    lang: anxin_app::i18n::Locale::Zh,
                },
            )
            .await
            .unwrap_or_else(|error| panic!("booking {n}: {error:?}"))
        }
    };
    for round in 0..3 {
        let base = round * 100;
        let first = book(base + 1, a, false).await;
        let second = book(base + 2, a, false).await;
        let mut waiting = Vec::new();
        for n in 0..4 {
            waiting.push(book(base + 10 + n, a, true).await);
        }
        // At once: the first cancels (five taps), the second moves to B (three taps).
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (ctx, key) = (ctx.clone(), BookingKey::Token(first.manage_token.clone()));
            let env = served.server.state.booking.clone();
            tasks.push(tokio::spawn(async move {
                format!(
                    "cancel {:?}",
                    booking::cancel(&ctx, &env, &key).await.map(|v| v.status)
                )
            }));
        }
        for _ in 0..3 {
            let (ctx, key) = (ctx.clone(), BookingKey::Token(second.manage_token.clone()));
            let env = served.server.state.booking.clone();
            tasks.push(tokio::spawn(async move {
                format!(
                    "reschedule {:?}",
                    booking::reschedule(&ctx, &env, &key, b)
                        .await
                        .map(|v| v.status)
                )
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap());
        }
        let succeeded = outcomes.iter().filter(|o| o.contains("Ok(")).count();
        assert_eq!(
            succeeded, 2,
            "one cancel and one reschedule win: {outcomes:?}"
        );
        let mut statuses = Vec::new();
        for w in &waiting {
            statuses.push(clinic.status(w).await);
        }
        assert_eq!(
            statuses,
            [
                BookingStatus::Confirmed,
                BookingStatus::Confirmed,
                BookingStatus::Waitlisted,
                BookingStatus::Waitlisted
            ],
            "round {round}: the first two waiting get the two freed places, in order"
        );
        assert_eq!(clinic.counts(a).await, (2, 2));
        let (confirmed, waitlisted): (i64, i64) = sqlx::query_as(
            "SELECT SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END) FROM bookings WHERE slot_id = $1",
        )
        .bind(a)
        .fetch_one(clinic.db.pool())
        .await
        .unwrap();
        assert_eq!((confirmed, waitlisted), (2, 2));
        // Clear both slots for the next round.
        let ids: Vec<String> = sqlx::query_scalar("SELECT code FROM bookings WHERE (slot_id = $1 OR slot_id = $2) AND (status = 'confirmed' OR status = 'waitlisted')")
            .bind(a)
            .bind(b)
            .fetch_all(clinic.db.pool())
            .await
            .unwrap();
        let staff = Ctx::new(
            clinic.db.clone(),
            staff_actor(&clinic.db, clinic.org, Role::Clinic).await,
            clinic.clock.clone(),
        );
        for code in ids {
            let id = clinic_booking_id(&clinic.db, &code).await;
            booking::desk(
                &staff,
                env,
                id,
                DeskStep::Cancel {
                    reason: "重置".into(),
                },
            )
            .await
            .unwrap();
        }
        assert_eq!(clinic.counts(a).await, (0, 0));
    }
    served.stop().await;
}

per_backend!(
    the_form_books_without_script_and_keeps_what_was_typed,
    the_api_books_shows_and_cancels_by_token,
    rate_limits_say_when_to_try_again,
    five_hundred_at_once_get_exactly_three_places,
    concurrent_cancellations_and_reschedules_never_promote_two_into_one_place,
);

// ---------------------------------------------------------------------------------
// Real processes: several instances on one PostgreSQL, and kill -9

/// An `anxin serve` process on `database_url`, trusting `X-Forwarded-For`, logging
/// at debug level (everything it logs is kept, to check what never appears there).
struct Process {
    child: std::process::Child,
    base: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

fn spawn(database_url: &str, data: &std::path::Path) -> Process {
    spawn_with(database_url, data, &[])
}

/// [`spawn`] with more settings in its environment (`ANXIN_WEBHOOK_URL`, …).
fn spawn_with(database_url: &str, data: &std::path::Path, env: &[(&str, String)]) -> Process {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_anxin"))
        .args(["serve", "--addr", "127.0.0.1:0", "--trust-proxy"])
        .arg("--data-dir")
        .arg(data)
        .arg("--site-root")
        .arg(data.join("site"))
        .env("DATABASE_URL", database_url)
        .env("ANXIN_DATA_KEY", common::TEST_DATA_KEY)
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("listening on http://")
                .nth(1)
                .map(|a| a.trim().to_string())
        })
        .expect("the server never said where it listens");
    // Keep reading its output so it never blocks on a full pipe.
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let mut kept = kept.lock().unwrap();
            kept.push_str(&line);
            kept.push('\n');
        }
    });
    Process {
        child,
        base: format!("http://{addr}"),
        log,
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A clinic whose slots start tomorrow evening (the processes run on the real clock):
/// the first open slot with `places`.
async fn live_slot(db: &Db, places: i64) -> (Fixture, SlotId) {
    let mut draft = night_clinic(places, 0);
    draft.max_active_per_phone = 20;
    let every_evening = Schedule {
        weekdays: Weekdays(0x7f),
        ..saturday_night(places)
    };
    let clinic = fixture_with(db.clone(), Clock::System, draft, vec![every_evening]).await;
    let tomorrow = clinic
        .slots()
        .await
        .into_iter()
        .find(|s| s.start > chrono::Utc::now().timestamp() + 6 * 3600)
        .unwrap();
    (clinic, tomorrow.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_on_one_postgresql_never_give_more_than_three_places() {
    let Some(test) = TestDb::postgres().await else {
        return;
    };
    let db = test.open().await;
    let (clinic, slot) = live_slot(&db, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let processes: Vec<Process> = (0..3)
        .map(|n| spawn(&test.url, &dir.path().join(format!("p{n}"))))
        .collect();
    let bases: Vec<String> = processes.iter().map(|p| p.base.clone()).collect();
    let bodies = (0..500).map(|n| api_booking(slot, 5000 + n, false));
    let outcomes = book_all(&bases, bodies.collect()).await;
    let tally = count_outcomes(&outcomes);
    assert_eq!(tally.get("201 confirmed"), Some(&3), "{tally:?}");
    assert_eq!(tally.get("409 full"), Some(&497), "{tally:?}");
    assert_eq!(clinic.counts(slot).await, (3, 0));
    // A booking made on one instance is managed on another.
    let made = outcomes
        .iter()
        .find(|(s, _)| *s == StatusCode::CREATED)
        .unwrap();
    let shown = client()
        .get(format!(
            "{}/api/v1/bookings/{}",
            processes[2].base,
            made.1["code"].as_str().unwrap()
        ))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", made.1["manage_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    // Not a phone number, name or manage token in any log line, even at debug level.
    let token = made.1["manage_token"].as_str().unwrap();
    for process in &processes {
        let log = process.log.lock().unwrap();
        assert!(log.len() > 1000, "the processes logged at debug level");
        for n in [5000, 5001, 5250, 5499] {
            assert!(!log.contains(&phone(n)), "a phone number in the log");
        }
        assert!(!log.contains("家长") && !log.contains(token));
    }
}

/// Kills the server with SIGKILL while bookings pour in, starts it again, and checks
/// that every booking whose confirmation reached its client is there, and that no
/// place is counted twice.
async fn kill_nine_loses_no_confirmed_booking(test: TestDb) {
    let db = test.open().await;
    let (_clinic, slot) = live_slot(&db, 400).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let database_url = test.url.clone();
    let mut server = spawn(&database_url, &data);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let base = server.base.clone();
    for n in 0..300 {
        let (client, base, done_tx) = (client.clone(), base.clone(), done_tx.clone());
        tokio::spawn(async move {
            let outcome = client
                .post(format!("{base}/api/v1/bookings"))
                .header("x-forwarded-for", format!("10.7.{}.{}", n / 250, n % 250))
                .json(&api_booking(slot, 7000 + n, false))
                .send()
                .await;
            let confirmed = match outcome {
                Ok(response) if response.status() == StatusCode::CREATED => {
                    response.json::<Value>().await.ok()
                }
                _ => None,
            };
            let _ = done_tx.send(confirmed);
        });
    }
    drop(done_tx);
    let mut confirmed = Vec::new();
    let mut answered = 0;
    while let Some(outcome) = done_rx.recv().await {
        answered += 1;
        confirmed.extend(outcome);
        if answered == 100 {
            let _ = server.child.kill(); // SIGKILL
        }
    }
    let _ = server.child.wait();
    assert!(
        !confirmed.is_empty() && confirmed.len() < 300,
        "{} confirmed before the kill",
        confirmed.len()
    );
    drop(server);
    let restarted = spawn(&database_url, &data);
    for booked in &confirmed {
        let response = client
            .get(format!(
                "{}/api/v1/bookings/{}",
                restarted.base,
                booked["code"].as_str().unwrap()
            ))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", booked["manage_token"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{booked}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["status"],
            "confirmed"
        );
    }
    let (taken, rows): (i64, i64) = sqlx::query_as(
        "SELECT s.taken, (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.status = 'confirmed') FROM slots s WHERE s.id = $1",
    )
    .bind(slot)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(taken, rows, "each place counted once");
    assert!(rows >= confirmed.len() as i64);
}

per_backend!(kill_nine_loses_no_confirmed_booking);

// ---------------------------------------------------------------------------------
// Messages: on the channels given and agreed to, from the jobs the changes queue

/// `body` with the fields of `extra` added (or replaced).
fn with(mut body: Value, extra: Value) -> Value {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// What the sinks received of one kind (`webhook` or `email`).
fn of_kind<'a>(received: &'a [Value], kind: &str) -> Vec<&'a Value> {
    received.iter().filter(|e| e["kind"] == kind).collect()
}

/// Webhook events of `event_type` that were answered 200.
fn delivered<'a>(received: &'a [Value], event_type: &str) -> Vec<&'a Value> {
    of_kind(received, "webhook")
        .into_iter()
        .filter(|e| e["answered"] == 200 && e["body"]["type"] == event_type)
        .collect()
}

/// Jobs not yet finished whose time has come (the workers have work left).
async fn due_jobs(db: &Db, now: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND run_at <= $1",
    )
    .bind(now)
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// Waits until the server's workers have finished everything due now.
async fn settled(db: &Db, clock: &Clock) {
    for _ in 0..1200 {
        if due_jobs(db, clock.unix()).await == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the job workers never caught up");
}

async fn messages_go_out_only_on_the_channels_given_and_agreed(test: TestDb) {
    let sinks = common::Sinks::start();
    let clock = Clock::fixed(NOW);
    let (served, clinic) = served_night_with(&test, clock.clone(), 3, 2, |c| {
        c.notify = sinks.notify("/ok");
        c.public_url = Some("https://anxin.example.org".into());
    })
    .await;
    let db = clinic.db.clone();
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    // The form offers both channels, and says beside them what a family could see.
    let form = page_text(&served.text(&format!("/zh/booking/slots/{slot}")).await);
    assert!(
        form.contains("家人可能会看到你的短信、邮件和日历")
            && form.contains("有些邮箱会自动把它加进日历"),
        "{form}"
    );
    let book = |n: usize, extra: Value| {
        let body = with(api_booking(slot, n, true), extra);
        let served = &served;
        async move {
            let (status, booked) = api(served, body, "", None).await;
            assert_eq!(status, StatusCode::CREATED, "{booked}");
            booked
        }
    };
    // A agreed and gave an address; B agreed without one; C typed an address but did
    // not agree; D, on the waitlist, agreed.
    let a = book(1, json!({"messages": true, "email": " a@example.cn "})).await;
    let b = book(2, json!({"messages": true})).await;
    let c = book(3, json!({"email": "c@example.cn"})).await;
    let d = book(4, json!({"messages": true})).await;
    assert_eq!(d["status"], "waitlisted");
    sinks
        .wait_until("the confirmations", |r| {
            delivered(r, "booking.confirmed").len() == 2 && of_kind(r, "email").len() == 1
        })
        .await;
    settled(&db, &clock).await;
    let received = sinks.received();
    assert!(
        of_kind(&received, "bad-signature").is_empty(),
        "{received:#?}"
    );
    let texted: std::collections::BTreeSet<&str> = delivered(&received, "booking.confirmed")
        .iter()
        .map(|e| e["body"]["data"]["phone"].as_str().unwrap())
        .collect();
    assert_eq!(texted, [phone(1).as_str(), phone(2).as_str()].into());
    // What a gateway needs to send a text, and nothing else (no name, no note).
    let event = delivered(&received, "booking.confirmed")[0];
    let mut fields: Vec<&str> = event["body"]["data"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["code", "end", "lang", "phone", "start", "text", "title"]
    );
    assert_eq!(event["body"]["data"]["start"], "2026-12-05T18:00:00+08:00");
    assert_eq!(event["body"]["data"]["title"], "安心预约");
    // The exact text: the neutral title, the time, the code and the find page.
    let code = event["body"]["data"]["code"].as_str().unwrap();
    let text = event["body"]["data"]["text"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "安心预约：12月5日 周六 18:00-21:00。预约码 {code}。不能来请尽早取消。\
             地点和详情：https://anxin.example.org/zh/booking/find"
        )
    );
    for event in of_kind(&received, "webhook") {
        let text = event["body"]["data"]["text"].as_str().unwrap_or_default();
        assert_discreet(text, "a text message");
        assert!(
            text.chars().count() <= 134,
            "two text messages at most (67 UCS-2 characters each): {text}"
        );
    }
    assert!(
        !received.iter().any(|e| e.to_string().contains("家长")),
        "a name was sent"
    );
    let emails = of_kind(&received, "email");
    assert_eq!(emails[0]["to"], json!(["a@example.cn"]));
    assert_eq!(emails[0]["subject"], "安心预约：预约确认");
    let parts = emails[0]["parts"].as_array().unwrap();
    assert_eq!(parts[0]["type"], "text/plain");
    let body = parts[0]["content"].as_str().unwrap();
    assert!(body.contains(a["code"].as_str().unwrap()), "{body}");
    assert!(
        body.contains("https://anxin.example.org/zh/booking/find"),
        "{body}"
    );
    check_calendar(
        parts[1]["content"].as_str().unwrap(),
        SATURDAY_NIGHT,
        SATURDAY_NIGHT + 3 * 3600,
    );
    assert_eq!(
        parts[1]["filename"],
        format!("anxin-{}.ics", a["code"].as_str().unwrap())
    );
    assert_eq!(parts[1]["type"], "text/calendar");
    // C's address was not kept: nothing agreed, nothing stored.
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT email_sealed FROM bookings WHERE code = $1 OR code = $2")
            .bind(c["code"].as_str().unwrap())
            .bind(b["code"].as_str().unwrap())
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(kept, ["", ""]);

    // A day before: reminders for A (text and e-mail) and B (text).
    clock.set(SATURDAY_NIGHT - 24 * 3600 + 60);
    let received = sinks
        .wait_until("the day-before reminders", |r| {
            delivered(r, "booking.reminder").len() == 2 && of_kind(r, "email").len() == 2
        })
        .await;
    assert_eq!(of_kind(&received, "email")[1]["subject"], "安心预约：提醒");

    // B cancels: D is promoted and told. The clinic cancels A, with a reason: A is told.
    let cancelled = client()
        .delete(served.url(&format!("/api/v1/bookings/{}", b["code"].as_str().unwrap())))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", b["manage_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let staff = Ctx::new(
        db.clone(),
        staff_actor(&db, clinic.org, Role::Clinic).await,
        clock.clone(),
    );
    let a_id: i64 = sqlx::query_scalar("SELECT id FROM bookings WHERE code = $1")
        .bind(a["code"].as_str().unwrap())
        .fetch_one(db.pool())
        .await
        .unwrap();
    booking::desk(
        &staff,
        &served.server.state.booking,
        anxin_app::ids::BookingId(a_id),
        DeskStep::Cancel {
            reason: "医生临时出诊".into(),
        },
    )
    .await
    .unwrap();
    let received = sinks
        .wait_until("the promotion and the cancellation", |r| {
            delivered(r, "booking.promoted").len() == 1
                && delivered(r, "booking.cancelled").len() == 1
                && of_kind(r, "email").len() == 3
        })
        .await;
    assert_eq!(
        delivered(&received, "booking.promoted")[0]["body"]["data"]["phone"],
        phone(4)
    );
    let cancel = delivered(&received, "booking.cancelled")[0]["body"]["data"]["text"]
        .as_str()
        .unwrap();
    // The reason is read on the booking's page, not in a text a family may see.
    assert!(
        !cancel.contains("医生临时出诊") && cancel.contains("原因见预约页"),
        "{cancel}"
    );

    // Two hours before: only D is still booked, so only D is reminded; the reminders
    // for A and B are dropped, not sent.
    clock.set(SATURDAY_NIGHT - 2 * 3600 + 60);
    let received = sinks
        .wait_until("the last reminder", |r| {
            delivered(r, "booking.reminder").len() == 3
        })
        .await;
    settled(&db, &clock).await;
    let reminded: Vec<&Value> = delivered(&received, "booking.reminder");
    assert_eq!(reminded[2]["body"]["data"]["phone"], phone(4));
    let received = sinks.received();
    let emails = of_kind(&received, "email");
    assert_eq!(emails.len(), 3);
    // Every e-mail, read by Python's `email` parser (default policy): a Message-ID and
    // a Date, no defects, nothing sensitive in its subject or any text part.
    for email in &emails {
        assert_eq!(email["defects"], json!([]), "{email}");
        let id = email["message_id"].as_str().unwrap_or_default();
        assert!(
            id.starts_with('<') && id.ends_with('>') && id.contains('@'),
            "Message-ID: {email}"
        );
        assert!(
            email["date"].as_str().is_some_and(|d| !d.is_empty()),
            "{email}"
        );
        assert_discreet(email["subject"].as_str().unwrap(), "an e-mail's subject");
        for part in email["parts"].as_array().unwrap() {
            assert_discreet(part["content"].as_str().unwrap(), "an e-mail");
        }
    }
    let ids: std::collections::BTreeSet<&str> = emails
        .iter()
        .map(|e| e["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "each e-mail has its own Message-ID");
    let dropped: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'message' AND state = 'dropped'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(dropped, 3, "A's two and B's one two-hour reminders");
    // The clinic's outbox lists them, without texts or contact details.
    let outbox = booking::outbox(&staff, clinic.org).await.unwrap();
    assert_eq!(outbox.len(), 13);
    assert!(outbox.iter().all(|m| !m.code.is_empty()));
    let other = Ctx::new(
        db.clone(),
        staff_actor(&db, new_org(&db, &clock).await, Role::Clinic).await,
        clock.clone(),
    );
    assert!(booking::outbox(&other, clinic.org).await.is_err());
    served.stop().await;
}

async fn a_gateway_that_is_down_gets_the_message_later(test: TestDb) {
    let sinks = common::Sinks::start();
    let clock = Clock::fixed(NOW);
    let (served, clinic) = served_night_with(&test, clock.clone(), 3, 0, |c| {
        c.notify = sinks.notify("/fail/2")
    })
    .await;
    let db = clinic.db.clone();
    no_reminders(&db, clinic.service).await;
    let slot = clinic.slot_at(SATURDAY_NIGHT).await;
    let mut body = api_booking(slot, 1, false);
    body["messages"] = json!(true);
    let (status, _) = api(&served, body, "", None).await;
    assert_eq!(status, StatusCode::CREATED);
    // Answered 503 twice; each time the job waits its back-off (30 s, then 60 s).
    for (answered, wait) in [(1, 30), (2, 60)] {
        sinks
            .wait_until("a failed attempt", |r| {
                of_kind(r, "webhook")
                    .iter()
                    .filter(|e| e["answered"] == 503)
                    .count()
                    == answered
            })
            .await;
        settled(&db, &clock).await;
        let (state, attempts, error): (String, i64, String) =
            sqlx::query_as("SELECT state, attempts, last_error FROM jobs WHERE kind = 'message'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!((state.as_str(), attempts), ("queued", answered as i64));
        assert!(error.contains("503"), "{error}");
        clock.advance(wait);
    }
    let received = sinks
        .wait_until("the message, at last", |r| {
            !delivered(r, "booking.confirmed").is_empty()
        })
        .await;
    let ids: std::collections::BTreeSet<&str> = of_kind(&received, "webhook")
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");
    assert_eq!(finished_message(&db).await, ("done".to_string(), 3));
    served.stop().await;
}

per_backend!(
    messages_go_out_only_on_the_channels_given_and_agreed,
    a_gateway_that_is_down_gets_the_message_later,
    a_worker_killed_mid_send_has_its_message_sent_again,
);

/// A lecture on the real clock with room for everyone, sending no reminders.
async fn live_lecture(db: &Db, places: i64) -> SlotId {
    let (clinic, slot) = live_slot(db, places).await;
    no_reminders(db, clinic.service).await;
    slot
}

/// A service that sends confirmations only: one message job per booking.
async fn no_reminders(db: &Db, service: ServiceId) {
    sqlx::query("UPDATE services SET remind_hours = '' WHERE id = $1")
        .bind(service)
        .execute(db.pool())
        .await
        .unwrap();
}

fn webhook_env(sinks: &common::Sinks, path: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "ANXIN_WEBHOOK_URL",
            format!("http://127.0.0.1:{}{path}", sinks.webhook),
        ),
        ("ANXIN_WEBHOOK_SECRET", sinks.secret.clone()),
    ]
}

async fn a_worker_killed_mid_send_has_its_message_sent_again(test: TestDb) {
    let sinks = common::Sinks::start();
    let db = test.open().await;
    let slot = live_lecture(&db, 10).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut env = webhook_env(&sinks, "/hold-first");
    env.push(("ANXIN_JOB_LEASE_SECONDS", "3".into()));
    let mut first = spawn_with(&test.url, &data, &env);
    let mut body = api_booking(slot, 1, false);
    body["messages"] = json!(true);
    let response = client()
        .post(format!("{}/api/v1/bookings", first.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // The receiver holds the first delivery; the sender dies while it waits.
    sinks
        .wait_until("the first delivery", |r| {
            of_kind(r, "webhook")
                .iter()
                .any(|e| e["answered"] == "held")
        })
        .await;
    let _ = first.child.kill();
    let _ = first.child.wait();
    drop(first);
    let _second = spawn_with(&test.url, &data, &env);
    let received = sinks
        .wait_until("the delivery again", |r| {
            !delivered(r, "booking.confirmed").is_empty()
        })
        .await;
    let hooks = of_kind(&received, "webhook");
    assert_eq!(hooks.len(), 2);
    assert_eq!(
        hooks[0]["id"], hooks[1]["id"],
        "the same message, the same id"
    );
    assert_eq!(finished_message(&db).await, ("done".to_string(), 2));
}

/// The state and attempts of the only message job, once it is no longer running.
async fn finished_message(db: &Db) -> (String, i64) {
    for _ in 0..1200 {
        let job: (String, i64) =
            sqlx::query_as("SELECT state, attempts FROM jobs WHERE kind = 'message'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        if job.0 != "running" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the message job never finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_send_two_hundred_messages_once_each() {
    let Some(test) = TestDb::postgres().await else {
        return;
    };
    let sinks = common::Sinks::start();
    let db = test.open().await;
    let slot = live_lecture(&db, 200).await;
    let dir = tempfile::tempdir().unwrap();
    let env = webhook_env(&sinks, "/ok");
    let processes: Vec<Process> = (0..3)
        .map(|n| spawn_with(&test.url, &dir.path().join(format!("p{n}")), &env))
        .collect();
    let bases: Vec<String> = processes.iter().map(|p| p.base.clone()).collect();
    let bodies = (0..200).map(|n| {
        with(
            api_booking(slot, 9000 + n, false),
            json!({"messages": true}),
        )
    });
    for (status, body) in book_all(&bases, bodies.collect()).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let received = sinks
        .wait_until("two hundred confirmations", |r| {
            delivered(r, "booking.confirmed").len() >= 200
        })
        .await;
    let hooks = of_kind(&received, "webhook");
    let ids: std::collections::BTreeSet<&str> =
        hooks.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        (hooks.len(), ids.len()),
        (200, 200),
        "each message exactly once"
    );
    let done: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, attempts FROM jobs WHERE kind = 'message'")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(done.len(), 200);
    assert!(done.iter().all(|(s, a)| s == "done" && *a == 1), "{done:?}");
}

// ---------------------------------------------------------------------------------
// The fair draw

/// Saturday 2026-12-19, 18:00 in Beijing: a night clinic slot that opens (14 days
/// ahead, at midnight) on Saturday 2026-12-05, 00:00.
const LATER_NIGHT: i64 = SATURDAY_NIGHT + 14 * 86_400;
const LATER_OPENS: i64 = 1_796_400_000;
const DRAW_MINUTES: i64 = 30;
const DRAW_CLOSES: i64 = LATER_OPENS + DRAW_MINUTES * 60;

fn drawn_clinic() -> ServiceDraft {
    ServiceDraft {
        draw_minutes: DRAW_MINUTES,
        max_active_per_phone: 2,
        ..night_clinic(3, 2)
    }
}

impl Fixture {
    /// A slot by its start, open or not yet.
    async fn slot_starting(&self, start: i64) -> SlotId {
        let (id, opens): (i64, i64) = sqlx::query_as(
            "SELECT id, opens_at FROM slots WHERE service_id = $1 AND start_at = $2",
        )
        .bind(self.service)
        .bind(start)
        .fetch_one(self.db.pool())
        .await
        .unwrap();
        assert_eq!(opens, LATER_OPENS);
        SlotId(id)
    }

    async fn statuses(&self, slot: SlotId) -> Vec<(String, String)> {
        sqlx::query_as("SELECT code, status FROM bookings WHERE slot_id = $1 ORDER BY id")
            .bind(slot)
            .fetch_all(self.db.pool())
            .await
            .unwrap()
    }
}

async fn the_draw_enters_requests_in_its_window_and_draws_when_it_closes(test: TestDb) {
    let clinic = fixture_with(
        test.open().await,
        Clock::fixed(NOW),
        drawn_clinic(),
        vec![saturday_night(3)],
    )
    .await;
    let slot = clinic.slot_starting(LATER_NIGHT).await;
    clinic.clock.set(LATER_OPENS - 1);
    assert!(matches!(
        clinic.book(slot, form("早", &phone(1), false)).await,
        Err(BookingError::NotOpen { .. })
    ));
    // From the moment it opens until the window closes, every request is an entry,
    // served in no order: one per phone number.
    let mut entered = Vec::new();
    for n in 1..=8 {
        clinic
            .clock
            .set(LATER_OPENS + (n as i64 - 1) * (DRAW_MINUTES * 60 - 1) / 7);
        let booked = clinic
            .book(slot, form("家长", &phone(n), false))
            .await
            .unwrap();
        assert_eq!(booked.status, BookingStatus::Entered, "entry {n}");
        entered.push(booked.code);
    }
    assert_eq!(clinic.clock.unix(), DRAW_CLOSES - 1);
    assert!(matches!(
        clinic.book(slot, form("又来", &phone(3), true)).await,
        Err(BookingError::AlreadyBooked)
    ));
    assert_eq!(clinic.counts(slot).await, (0, 0), "entries take no place");
    // The window closes: the next request finds the draw held first, and nothing left.
    clinic.clock.set(DRAW_CLOSES);
    assert!(matches!(
        clinic.book(slot, form("晚到", &phone(9), true)).await,
        Err(BookingError::WaitlistFull)
    ));
    assert_eq!(clinic.counts(slot).await, (3, 2));
    let statuses = clinic.statuses(slot).await;
    let count = |status: &str| statuses.iter().filter(|(_, s)| s == status).count();
    assert_eq!(
        (count("confirmed"), count("waitlisted"), count("not-drawn")),
        (3, 2, 3),
        "{statuses:?}"
    );
    // The record: the seed and the order, which anyone can compute again.
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'draw-held'")
            .fetch_one(clinic.db.pool())
            .await
            .unwrap();
    let seed = detail
        .split(" seed ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let order: Vec<&str> = detail.split(" order ").nth(1).unwrap().split(' ').collect();
    let ids: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, code FROM bookings WHERE slot_id = $1 ORDER BY id")
            .bind(slot)
            .fetch_all(clinic.db.pool())
            .await
            .unwrap();
    let again = anxin_app::booking::draw::draw(
        &ids.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        &anxin_app::booking::draw::seed_from_hex(seed).unwrap(),
    );
    let code_of = |id: i64| ids.iter().find(|(i, _)| *i == id).unwrap().1.clone();
    assert_eq!(
        again.iter().map(|id| code_of(*id)).collect::<Vec<_>>(),
        order
    );
    let status_of = |code: &str| statuses.iter().find(|(c, _)| c == code).unwrap().1.clone();
    let drawn: Vec<String> = order.iter().map(|c| status_of(c)).collect();
    assert_eq!(
        drawn,
        [
            "confirmed",
            "confirmed",
            "confirmed",
            "waitlisted",
            "waitlisted",
            "not-drawn",
            "not-drawn",
            "not-drawn"
        ]
    );
    // The waitlist keeps the drawn order: a cancellation promotes the fourth drawn.
    let first_code = order[0].to_string();
    let first_phone = phone(entered.iter().position(|c| *c == first_code).unwrap() + 1);
    booking::cancel(
        &clinic.public("198.51.100.1"),
        &clinic.env,
        &BookingKey::CodeAndPhone {
            code: first_code,
            phone: first_phone,
        },
    )
    .await
    .unwrap();
    assert_eq!(status_of_now(&clinic, order[3]).await, "confirmed");
    assert_eq!(status_of_now(&clinic, order[4]).await, "waitlisted");
    // The draw job, when it comes, finds the draw held: nothing changes.
    booking::run_draw(&clinic.db, &clinic.env, &clinic.clock, slot)
        .await
        .unwrap();
    assert_eq!(clinic.counts(slot).await, (3, 1));
}

async fn status_of_now(clinic: &Fixture, code: &str) -> String {
    sqlx::query_scalar("SELECT status FROM bookings WHERE code = $1")
        .bind(code)
        .fetch_one(clinic.db.pool())
        .await
        .unwrap()
}

async fn five_hundred_entries_at_once_are_drawn_for_three_places(test: TestDb) {
    let sinks = common::Sinks::start();
    let clock = Clock::fixed(LATER_OPENS + 60);
    let served = serve_with(&test, |c| {
        c.clock = clock.clone();
        c.trust_proxy = true;
        c.notify = sinks.notify("/ok");
    })
    .await;
    let clinic = fixture_with(
        served.server.state.db.clone(),
        clock.clone(),
        drawn_clinic(),
        vec![saturday_night(3)],
    )
    .await;
    let slot = clinic.slot_starting(LATER_NIGHT).await;
    // One in fifty asks to be told.
    let bodies = (0..500).map(|n| {
        with(
            api_booking(slot, 6000 + n, false),
            json!({"messages": n % 50 == 0}),
        )
    });
    let outcomes = book_all(std::slice::from_ref(&served.base), bodies.collect()).await;
    let tally = count_outcomes(&outcomes);
    assert_eq!(tally.get("201 entered"), Some(&500), "{tally:?}");
    assert_eq!(clinic.counts(slot).await, (0, 0));
    // The window closes; the server's own job worker holds the draw.
    clock.set(DRAW_CLOSES);
    for _ in 0..1200 {
        if clinic.counts(slot).await == (3, 2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let statuses = clinic.statuses(slot).await;
    let count = |status: &str| statuses.iter().filter(|(_, s)| s == status).count();
    assert_eq!(
        (count("confirmed"), count("waitlisted"), count("not-drawn")),
        (3, 2, 495)
    );
    // Everyone sees their outcome under their code.
    let (_, first) = &outcomes[0];
    let shown = client()
        .get(served.url(&format!(
            "/api/v1/bookings/{}",
            first["code"].as_str().unwrap()
        )))
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", first["manage_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let expected = status_of_now(&clinic, first["code"].as_str().unwrap()).await;
    assert_eq!(shown["status"], expected.as_str());
    // The ten who asked are told their outcome, each in words that fit it.
    let received = sinks
        .wait_until("ten draw results", |r| {
            delivered(r, "draw.result").len() == 10
        })
        .await;
    for event in delivered(&received, "draw.result") {
        let data = &event["body"]["data"];
        let code = data["code"].as_str().unwrap();
        let text = data["text"].as_str().unwrap();
        let expected = match status_of_now(&clinic, code).await.as_str() {
            "confirmed" => "抽签抽中",
            "waitlisted" => "候补第",
            _ => "抽签未中：",
        };
        assert!(text.contains(expected), "{code}: {text}");
    }
    served.stop().await;
}

per_backend!(
    the_draw_enters_requests_in_its_window_and_draws_when_it_closes,
    five_hundred_entries_at_once_are_drawn_for_three_places,
);

/// A move confirms the new time by message, whether the booking held a place or was
/// waiting for one (it takes a place at the new time).
async fn a_reschedule_confirms_the_new_time_by_message(test: TestDb) {
    let sinks = common::Sinks::start();
    let clock = Clock::fixed(NOW);
    let (served, clinic) = served_night_with(&test, clock.clone(), 3, 2, |c| {
        c.notify = sinks.notify("/ok")
    })
    .await;
    let db = clinic.db.clone();
    no_reminders(&db, clinic.service).await;
    let first = clinic.slot_at(SATURDAY_NIGHT).await;
    let next = clinic.slot_at(SATURDAY_NIGHT + 7 * 86_400).await;
    let mut booked = Vec::new();
    for n in 1..=4 {
        let body = with(api_booking(first, n, true), json!({"messages": true}));
        let (status, answer) = api(&served, body, "", None).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        booked.push(answer);
    }
    assert_eq!(booked[3]["status"], "waitlisted");
    sinks
        .wait_until("three confirmations", |r| {
            delivered(r, "booking.confirmed").len() == 3
        })
        .await;
    // The one waiting moves (to a time with places), then one who has a place.
    for who in [&booked[3], &booked[0]] {
        let key = BookingKey::Token(who["manage_token"].as_str().unwrap().to_string());
        let moved = booking::reschedule(
            &clinic.public("198.51.100.7"),
            &served.server.state.booking,
            &key,
            next,
        )
        .await
        .unwrap();
        assert_eq!(moved.status, BookingStatus::Confirmed);
    }
    let received = sinks
        .wait_until("two more confirmations", |r| {
            delivered(r, "booking.confirmed").len() == 5
        })
        .await;
    let moved: Vec<(&str, &str)> = delivered(&received, "booking.confirmed")[3..]
        .iter()
        .map(|e| {
            let data = &e["body"]["data"];
            (
                data["phone"].as_str().unwrap(),
                data["start"].as_str().unwrap(),
            )
        })
        .collect();
    let (one, four) = (phone(1), phone(4));
    for expected in [one.as_str(), four.as_str()] {
        assert!(
            moved.contains(&(expected, "2026-12-12T18:00:00+08:00")),
            "{moved:?}"
        );
    }
    served.stop().await;
}

per_backend!(a_reschedule_confirms_the_new_time_by_message);
