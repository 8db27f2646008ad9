-- Local help lines an operator adds beside the built-in national ones.
CREATE TABLE hotlines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    number TEXT NOT NULL,
    hours_zh TEXT NOT NULL,
    hours_en TEXT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    is_demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX hotlines_number ON hotlines (number);
