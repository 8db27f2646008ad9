-- One service layer and the security review: many-valued fields in join tables, foreign
-- keys where a column points at another row, hotlines owned by one owner each, atomic
-- login limits, two-factor sign-in, and audit entries about accounts.
--
-- SQLite cannot add a foreign key to an existing column, so such columns are added
-- again with REFERENCES, filled from the old ones, and the old ones dropped.

-- Who a revision is for and what it is about; the files it lists for download.
CREATE TABLE content_audiences (
    revision_id BIGINT NOT NULL REFERENCES content_revisions (id),
    audience TEXT NOT NULL,
    PRIMARY KEY (revision_id, audience)
);
CREATE INDEX content_audiences_audience ON content_audiences (audience, revision_id);

CREATE TABLE content_topics (
    revision_id BIGINT NOT NULL REFERENCES content_revisions (id),
    topic TEXT NOT NULL,
    PRIMARY KEY (revision_id, topic)
);
CREATE INDEX content_topics_topic ON content_topics (topic, revision_id);

-- The uploads a revision uses besides its cover and media: attachments (listed for
-- download, in order) and images in its body. An upload is public only while a
-- published revision uses it.
CREATE TABLE revision_uploads (
    revision_id BIGINT NOT NULL REFERENCES content_revisions (id),
    upload_id BIGINT NOT NULL REFERENCES uploads (id),
    use TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (revision_id, upload_id, use)
);
CREATE INDEX revision_uploads_upload ON revision_uploads (upload_id);

WITH RECURSIVE split (revision_id, item, rest) AS (
    SELECT id, '', audiences || ',' FROM content_revisions
    UNION ALL
    SELECT revision_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO content_audiences (revision_id, audience)
SELECT revision_id, trim(item) FROM split WHERE trim(item) <> '';

WITH RECURSIVE split (revision_id, item, rest) AS (
    SELECT id, '', topics || ',' FROM content_revisions
    UNION ALL
    SELECT revision_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO content_topics (revision_id, topic)
SELECT revision_id, trim(item) FROM split WHERE trim(item) <> '';

WITH RECURSIVE split (revision_id, item, rest, position) AS (
    SELECT id, '', attachment_ids || ',', -1 FROM content_revisions
    UNION ALL
    SELECT revision_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1), position + 1
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO revision_uploads (revision_id, upload_id, use, position)
SELECT s.revision_id, CAST(trim(s.item) AS INTEGER), 'attachment', s.position
FROM split s JOIN uploads u ON u.id = CAST(trim(s.item) AS INTEGER)
WHERE trim(s.item) <> '';

ALTER TABLE content_revisions DROP COLUMN audiences;
ALTER TABLE content_revisions DROP COLUMN topics;
ALTER TABLE content_revisions DROP COLUMN attachment_ids;

-- Foreign keys for the revisions an item points at, and a revision's cover and media.
ALTER TABLE content_items ADD COLUMN latest_revision BIGINT REFERENCES content_revisions (id);
ALTER TABLE content_items ADD COLUMN live_revision BIGINT REFERENCES content_revisions (id);
UPDATE content_items SET latest_revision = latest_revision_id, live_revision = live_revision_id;
ALTER TABLE content_items DROP COLUMN latest_revision_id;
ALTER TABLE content_items DROP COLUMN live_revision_id;
ALTER TABLE content_items RENAME COLUMN latest_revision TO latest_revision_id;
ALTER TABLE content_items RENAME COLUMN live_revision TO live_revision_id;

ALTER TABLE content_revisions ADD COLUMN cover_upload BIGINT REFERENCES uploads (id);
ALTER TABLE content_revisions ADD COLUMN media_upload BIGINT REFERENCES uploads (id);
UPDATE content_revisions SET
    cover_upload = (SELECT id FROM uploads WHERE id = cover_upload_id),
    media_upload = (SELECT id FROM uploads WHERE id = media_upload_id);
ALTER TABLE content_revisions DROP COLUMN cover_upload_id;
ALTER TABLE content_revisions DROP COLUMN media_upload_id;
ALTER TABLE content_revisions RENAME COLUMN cover_upload TO cover_upload_id;
ALTER TABLE content_revisions RENAME COLUMN media_upload TO media_upload_id;

-- Whether one person may approve their own writing (an organisation of one); off
-- unless an admin says so, and the audit log records it.
ALTER TABLE organisations ADD COLUMN allow_self_approval BIGINT NOT NULL DEFAULT 0;

-- A line belongs to one owner, the site (no organisation) or one organisation; the
-- same number may be listed by several owners, once each.
DROP INDEX hotlines_number;
CREATE UNIQUE INDEX hotlines_site_number ON hotlines (number) WHERE org_id IS NULL;
CREATE UNIQUE INDEX hotlines_org_number ON hotlines (org_id, number) WHERE org_id IS NOT NULL;

-- The hours of the national lines (12356, 12355) where this deployment is, as the
-- operator sets them; the built-in wording applies where none is set.
CREATE TABLE national_line_hours (
    number TEXT PRIMARY KEY,
    hours_zh TEXT NOT NULL,
    hours_en TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- An account whose roles were all revoked belongs to the organisation that last held it.
ALTER TABLE staff ADD COLUMN home_org_id BIGINT REFERENCES organisations (id);
UPDATE staff SET home_org_id = (SELECT MIN(org_id) FROM memberships WHERE staff_id = staff.id);

-- Two-factor sign-in: a TOTP secret once confirmed, and single-use recovery codes
-- (only their hashes).
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_enabled_at BIGINT;
-- The last time step whose code was accepted: a code is never accepted twice.
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
CREATE TABLE recovery_codes (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);
-- A password accepted, a code still to come: only the token's hash is stored.
CREATE TABLE pending_logins (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);

-- Login attempts per account and per address (or IPv6 /64), counted in one row each so
-- that parallel guesses are counted one by one. Replaces the list of failures.
DROP TABLE login_failures;
CREATE TABLE login_limits (
    scope TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);

-- The account an entry is about (a login, a role), so that only admins who reach that
-- account read it.
ALTER TABLE audit_log ADD COLUMN subject_staff_id BIGINT REFERENCES staff (id);
CREATE INDEX audit_log_subject ON audit_log (subject_staff_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
