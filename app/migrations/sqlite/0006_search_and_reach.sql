-- Search: an inverted index of what is live, the same on both databases with no
-- extension. One row per live item (the revision it was cut from, so a newer live
-- revision never matches through stale terms; its weighted length for BM25; its
-- title and plain text for matching passages and the short-query scan), and one row
-- per term of it with its weighted count.
CREATE TABLE search_documents (
    item_id BIGINT PRIMARY KEY REFERENCES content_items (id),
    revision_id BIGINT NOT NULL REFERENCES content_revisions (id),
    length BIGINT NOT NULL,
    title TEXT NOT NULL,
    plain TEXT NOT NULL
);
CREATE TABLE search_terms (
    term TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES content_items (id),
    weight BIGINT NOT NULL,
    PRIMARY KEY (term, item_id)
);
CREATE INDEX search_terms_item ON search_terms (item_id);

-- Reach, for centres' reports: page views of each published item per month
-- (`month` is yyyymm in China's time), counted on the server from page requests.
-- No cookie, address or any other per-person datum is kept: only the count.
CREATE TABLE content_views (
    item_id BIGINT NOT NULL REFERENCES content_items (id),
    month BIGINT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, month),
    CHECK (views >= 0)
);
CREATE INDEX content_views_month ON content_views (month);
