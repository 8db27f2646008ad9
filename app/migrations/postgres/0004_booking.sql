-- Booking: the services clinics and centres offer, who gives them, when (weekly
-- schedules and their exceptions), the concrete slots with their places, and the
-- bookings people make. A slot's places are counted in its own row: a booking takes
-- one with a conditional UPDATE (`taken < places`), and the CHECKs below make the
-- database refuse any count above the places, whatever the application does.

-- A clinic's time zone: slot times are typed and shown in it.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai';

-- What a person's need is about (puberty, study pressure, ...), per organisation; a
-- matched service pairs the need with a counsellor whose specialties include it.
CREATE TABLE need_categories (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    retired BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX need_categories_org ON need_categories (org_id, position);

CREATE TABLE counsellors (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    display_name TEXT NOT NULL,
    bio_zh TEXT NOT NULL DEFAULT '',
    bio_en TEXT NOT NULL DEFAULT '',
    staff_id BIGINT REFERENCES staff (id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX counsellors_org ON counsellors (org_id);

CREATE TABLE counsellor_categories (
    counsellor_id BIGINT NOT NULL REFERENCES counsellors (id),
    category_id BIGINT NOT NULL REFERENCES need_categories (id),
    PRIMARY KEY (counsellor_id, category_id)
);
CREATE INDEX counsellor_categories_category ON counsellor_categories (category_id);

CREATE TABLE services (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    -- students, parents or both; the school stages served (a range).
    audience TEXT NOT NULL,
    stage_from TEXT NOT NULL,
    stage_to TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    -- in-person (at `place`) or online (how is in `place`).
    mode TEXT NOT NULL,
    place_zh TEXT NOT NULL DEFAULT '',
    place_en TEXT NOT NULL DEFAULT '',
    -- A number people can call about their booking (changes after the cut-off).
    contact_phone TEXT NOT NULL DEFAULT '',
    places BIGINT NOT NULL,
    waitlist_places BIGINT NOT NULL DEFAULT 0,
    matches_category BIGINT NOT NULL DEFAULT 0,
    -- rolling: each day opens release_days before it; weekly: a week opens on
    -- release_weekday (1 = Monday), release_days weeks ahead. At release_minute.
    release_kind TEXT NOT NULL,
    release_days BIGINT NOT NULL,
    release_weekday BIGINT NOT NULL DEFAULT 1,
    release_minute BIGINT NOT NULL DEFAULT 0,
    book_cutoff_minutes BIGINT NOT NULL DEFAULT 60,
    cancel_cutoff_minutes BIGINT NOT NULL DEFAULT 120,
    max_active_per_phone BIGINT NOT NULL DEFAULT 2,
    active BIGINT NOT NULL DEFAULT 1,
    sample BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (places >= 1 AND waitlist_places >= 0 AND max_active_per_phone >= 1)
);
CREATE INDEX services_org ON services (org_id);

-- Weekly recurring sessions of a service (one counsellor's, for a matched service).
-- weekdays: Monday = 1, Tuesday = 2, Wednesday = 4, ... Sunday = 64. Minutes after
-- local midnight; dates YYYY-MM-DD, local.
CREATE TABLE schedules (
    id BIGSERIAL PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    counsellor_id BIGINT REFERENCES counsellors (id),
    weekdays BIGINT NOT NULL,
    start_minute BIGINT NOT NULL,
    end_minute BIGINT NOT NULL,
    slot_minutes BIGINT NOT NULL,
    buffer_minutes BIGINT NOT NULL DEFAULT 0,
    places BIGINT NOT NULL,
    valid_from TEXT,
    valid_until TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX schedules_service ON schedules (service_id);

-- A day that differs: closed (for a whole organisation, one service, or one
-- counsellor) or an extra session.
CREATE TABLE schedule_exceptions (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    counsellor_id BIGINT REFERENCES counsellors (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_minute BIGINT,
    end_minute BIGINT,
    slot_minutes BIGINT,
    buffer_minutes BIGINT,
    places BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX schedule_exceptions_org ON schedule_exceptions (org_id, day);

-- One concrete slot. `taken` confirmed places of `places`; `waiting` people on its
-- waitlist of `waitlist_places`. A slot that left the schedule but has bookings is
-- kept, withdrawn (nobody new can book it).
CREATE TABLE slots (
    id BIGSERIAL PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    counsellor_id BIGINT REFERENCES counsellors (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    opens_at BIGINT NOT NULL,
    places BIGINT NOT NULL,
    taken BIGINT NOT NULL DEFAULT 0,
    waitlist_places BIGINT NOT NULL DEFAULT 0,
    waiting BIGINT NOT NULL DEFAULT 0,
    withdrawn BIGINT NOT NULL DEFAULT 0,
    CHECK (taken >= 0 AND taken <= places),
    CHECK (waiting >= 0 AND waiting <= waitlist_places)
);
CREATE UNIQUE INDEX slots_unique_service_time ON slots (service_id, start_at) WHERE counsellor_id IS NULL;
CREATE UNIQUE INDEX slots_unique_counsellor_time ON slots (service_id, counsellor_id, start_at) WHERE counsellor_id IS NOT NULL;
CREATE INDEX slots_service_start ON slots (service_id, start_at);

-- A booking. Contact details (name, phone, note, the staff's note) are sealed
-- (encrypted) with the deployment's data key; the phone is found by a keyed hash.
-- The manage token and the idempotency key are stored only as hashes.
CREATE TABLE bookings (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    slot_id BIGINT NOT NULL REFERENCES slots (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    category_id BIGINT REFERENCES need_categories (id),
    status TEXT NOT NULL,
    attendee TEXT NOT NULL,
    stage TEXT NOT NULL,
    guardian_consent BIGINT NOT NULL DEFAULT 0,
    name_sealed TEXT NOT NULL,
    phone_sealed TEXT NOT NULL,
    note_sealed TEXT NOT NULL,
    staff_note_sealed TEXT NOT NULL DEFAULT '',
    phone_hash TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    idempotency_hash TEXT UNIQUE,
    request_hash TEXT NOT NULL,
    via TEXT NOT NULL,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    checked_in_at BIGINT,
    anonymised_at BIGINT
);
CREATE UNIQUE INDEX bookings_one_active_per_phone_and_slot ON bookings (slot_id, phone_hash)
    WHERE status = 'confirmed' OR status = 'waitlisted';
CREATE INDEX bookings_slot ON bookings (slot_id, status, id);
CREATE INDEX bookings_phone ON bookings (service_id, phone_hash);
CREATE INDEX bookings_org_created ON bookings (org_id, created_at);

-- Serialises one phone number's bookings of one service, so the limit of active
-- bookings per phone holds across instances (the row is locked while counting).
CREATE TABLE phone_locks (
    service_id BIGINT NOT NULL REFERENCES services (id),
    phone_hash TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (service_id, phone_hash)
);

-- Every change to a booking, in order: what the person and the staff see as its
-- history, and what reminders and notifications will follow.
CREATE TABLE booking_events (
    id BIGSERIAL PRIMARY KEY,
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    staff_id BIGINT REFERENCES staff (id),
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);
CREATE INDEX booking_events_at ON booking_events (at);
