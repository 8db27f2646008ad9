-- Organisations (city bureau -> county centres -> schools and clinics), staff, roles,
-- sessions, the audit log, and the content they publish.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT REFERENCES organisations (id),
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id);

-- A line belongs to the whole site (NULL) or to one organisation.
ALTER TABLE hotlines ADD COLUMN org_id BIGINT REFERENCES organisations (id);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, org_id, role)
);

-- Only a hash of the session token is stored, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- Failed logins, by 'account:<name>' and 'address:<ip>', for rate limiting.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_scope ON login_failures (scope, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    staff_id BIGINT REFERENCES staff (id),
    org_id BIGINT REFERENCES organisations (id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, at);

-- A course, lesson or article. The working copy is the latest revision; the public
-- sees `live_revision_id` from `live_from` on, unless the item is archived.
CREATE TABLE content_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    course_id BIGINT REFERENCES content_items (id),
    position BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    latest_revision_id BIGINT,
    live_revision_id BIGINT,
    live_from BIGINT,
    review_comment TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES staff (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX content_items_course ON content_items (course_id, position);
CREATE INDEX content_items_org ON content_items (org_id);

CREATE TABLE content_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES content_items (id),
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    language TEXT NOT NULL,
    audiences TEXT NOT NULL,
    topics TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    cover_upload_id BIGINT,
    media_upload_id BIGINT,
    media_url TEXT NOT NULL DEFAULT '',
    attachment_ids TEXT NOT NULL DEFAULT '',
    saved_by BIGINT REFERENCES staff (id),
    saved_at BIGINT NOT NULL,
    UNIQUE (item_id, number)
);

CREATE TABLE uploads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    item_id BIGINT REFERENCES content_items (id),
    stored_name TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by BIGINT REFERENCES staff (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX uploads_item ON uploads (item_id);
