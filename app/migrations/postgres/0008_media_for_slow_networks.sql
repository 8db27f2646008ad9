-- Media for slow networks: a picture's size in pixels (its WebP variants are named
-- from its digest and these widths), and the text of a WebVTT captions file (shown as
-- the lesson's transcript).
ALTER TABLE uploads ADD COLUMN width BIGINT;
ALTER TABLE uploads ADD COLUMN height BIGINT;
ALTER TABLE uploads ADD COLUMN transcript TEXT NOT NULL DEFAULT '';
