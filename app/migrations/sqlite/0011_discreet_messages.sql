-- What a text message, an e-mail and a calendar entry call an appointment. A phone or an
-- inbox may be shared with family, so messages never name the service, the clinic or
-- its department: they say "安心预约" / "Anxin appointment", or this title when the
-- service sets one (checked to name nothing sensitive). Empty: the neutral default.
ALTER TABLE services ADD COLUMN discreet_title_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN discreet_title_en TEXT NOT NULL DEFAULT '';
