-- Background work every instance shares: a job is claimed by one worker at a time
-- (an UPDATE that takes it, with a lease), retried with back-off when it fails, and
-- given up after `max_attempts` (state 'failed', visible to admins). A worker that
-- dies mid-job leaves a lease that runs out, and the job is claimed again.
-- `unique_key` keeps a periodic job (one housekeeping round an hour) single across
-- instances. Messages to people who booked are jobs too (kind 'message'), created in
-- the booking's own transaction, so a confirmed booking always has its messages.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '',
    unique_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued',
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    -- Which clinic's outbox a message shows in, and which booking it is about.
    org_id BIGINT REFERENCES organisations (id),
    booking_id BIGINT REFERENCES bookings (id),
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    CHECK (attempts >= 0 AND max_attempts >= 1)
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_org ON jobs (org_id, created_at);
CREATE INDEX jobs_booking ON jobs (booking_id);

-- How a person asked to hear about their booking: an optional e-mail address
-- (sealed like the phone number), whether they agreed to messages at all, and the
-- language they booked in.
ALTER TABLE bookings ADD COLUMN email_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN messages_agreed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';

-- Reminders before the appointment, in hours, comma-separated ('24,2').
ALTER TABLE services ADD COLUMN remind_hours TEXT NOT NULL DEFAULT '24,2';

-- A fair draw for scarce places (per service; 0 minutes: none): requests in the
-- window after a slot opens are entered (status 'entered'), and when it closes the
-- order is drawn from a random seed, recorded on the slot with the time of the draw.
-- Drawn entrants who get no place wait in drawn order: `queue_key` orders the
-- waitlist (the booking's id when it is empty).
ALTER TABLE services ADD COLUMN draw_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE slots ADD COLUMN drawn_at BIGINT;
ALTER TABLE slots ADD COLUMN draw_seed TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN queue_key BIGINT;
-- One active booking (or entry) per phone number and slot.
DROP INDEX bookings_one_active_per_phone_and_slot;
CREATE UNIQUE INDEX bookings_one_active_per_phone_and_slot ON bookings (slot_id, phone_hash)
    WHERE status = 'confirmed' OR status = 'waitlisted' OR status = 'entered';
