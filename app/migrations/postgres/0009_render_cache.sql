-- Public pages are rendered once and kept by each instance (the render cache). This
-- counter goes up, in the same transaction, whenever a change staff make alters what
-- public pages show (publication, hotlines, organisations, parent school); every
-- instance watches it and forgets its pages when it moves. One row, id 1, written on
-- the first change.
CREATE TABLE public_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
