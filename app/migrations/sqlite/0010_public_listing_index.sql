-- Public listings (catalogues, a grade band's series and articles) ask for published
-- items of one kind, newest first. Without this index every listing read all of a
-- city's 10,000 items and sorted them; with it a page of 100 is read in order.
CREATE INDEX content_items_public ON content_items (kind, live_from);
