//! Screening engine (issue 4).
