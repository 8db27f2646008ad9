-- The parent school by grade band. A course can be a numbered programme (lesson 1 in
-- the week of `starts_on`, the next every `every_days`: "24 micro-lessons, one a
-- week"); a centre features a lesson for a date range ("this term's lesson"); and a
-- school puts the series it assigns to its parents first. Days are Unix times of
-- midnight in China.
CREATE TABLE course_programmes (
    course_id BIGINT PRIMARY KEY REFERENCES content_items (id),
    starts_on BIGINT NOT NULL,
    every_days BIGINT NOT NULL,
    CHECK (every_days >= 1 AND every_days <= 31)
);
CREATE TABLE featured_lessons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    item_id BIGINT NOT NULL REFERENCES content_items (id),
    from_on BIGINT NOT NULL,
    until_on BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (until_on >= from_on)
);
CREATE INDEX featured_lessons_org ON featured_lessons (org_id, until_on);
CREATE TABLE org_series (
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    course_id BIGINT NOT NULL REFERENCES content_items (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (org_id, course_id)
);
