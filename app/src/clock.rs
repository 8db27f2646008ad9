//! The time as the server sees it. Every operation takes it from its context rather
//! than reading the system clock, so scheduled publication, session expiry, slot
//! release and reminders can be tested at any instant (see [`Clock::fixed`]).

use chrono::{DateTime, Utc};
use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The operating system's clock.
    #[default]
    System,
    /// A clock that stands still at a Unix second until moved; shared by its clones.
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    /// A clock standing at `at` (Unix seconds).
    pub fn fixed(at: i64) -> Clock {
        Clock::Fixed(Arc::new(AtomicI64::new(at)))
    }

    /// Now, in Unix seconds (how times are stored).
    pub fn unix(&self) -> i64 {
        match self {
            Clock::System => Utc::now().timestamp(),
            Clock::Fixed(at) => at.load(Ordering::SeqCst),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.unix(), 0).unwrap_or_default()
    }

    /// Moves a fixed clock on by `seconds` (or back, if negative); the system clock
    /// cannot be moved.
    pub fn advance(&self, seconds: i64) {
        if let Clock::Fixed(at) = self {
            at.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Sets a fixed clock to `at`.
    pub fn set(&self, at: i64) {
        if let Clock::Fixed(now) = self {
            now.store(at, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_its_clones_follow() {
        let clock = Clock::fixed(1_000);
        let seen_elsewhere = clock.clone();
        assert_eq!(clock.unix(), 1_000);
        clock.advance(60);
        assert_eq!(seen_elsewhere.unix(), 1_060);
        seen_elsewhere.set(5);
        assert_eq!(clock.now().timestamp(), 5);
        assert!(Clock::System.unix() > 1_700_000_000);
    }
}
