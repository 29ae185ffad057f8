//! Time for the sans-IO host stack.
//!
//! Nothing in this crate reads a clock: callers pass the current [`Instant`] in.
//! An `Instant` is a count of microseconds since an arbitrary origin chosen by the
//! caller (the driver's start, or zero in tests on a virtual clock).
//!
//! Invariants:
//! - Arithmetic with [`Duration`] saturates instead of wrapping or panicking, so a
//!   timer computed far in the future is "never" rather than a crash.
//! - `Instant - Instant` saturates at zero: asking how long ago a future instant was
//!   yields `Duration::ZERO`.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};
use core::time::Duration;

/// A point in time, microseconds since an arbitrary origin.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant {
    micros: u64,
}

impl Instant {
    /// The origin.
    pub const ZERO: Instant = Instant { micros: 0 };
    /// The latest representable instant; useful as "no deadline".
    pub const MAX: Instant = Instant { micros: u64::MAX };

    /// `micros` microseconds after the origin.
    pub const fn from_micros(micros: u64) -> Self {
        Instant { micros }
    }

    /// `millis` milliseconds after the origin (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        Instant {
            micros: millis.saturating_mul(1_000),
        }
    }

    /// `secs` seconds after the origin (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        Instant {
            micros: secs.saturating_mul(1_000_000),
        }
    }

    /// Microseconds since the origin.
    pub const fn total_micros(self) -> u64 {
        self.micros
    }

    /// Whole milliseconds since the origin.
    pub const fn total_millis(self) -> u64 {
        self.micros / 1_000
    }

    /// Time since the origin as a `Duration`.
    pub const fn as_duration(self) -> Duration {
        Duration::from_micros(self.micros)
    }

    /// `self - earlier`, or `None` if `earlier` is later than `self`.
    pub const fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        match self.micros.checked_sub(earlier.micros) {
            Some(d) => Some(Duration::from_micros(d)),
            None => None,
        }
    }

    /// `self - earlier`, or zero if `earlier` is later than `self`.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_micros(self.micros.saturating_sub(earlier.micros))
    }
}

/// Microseconds in `d`, saturating at `u64::MAX`.
fn duration_micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant {
            micros: self.micros.saturating_add(duration_micros(rhs)),
        }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        Instant {
            micros: self.micros.saturating_sub(duration_micros(rhs)),
        }
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// Saturates at zero when `rhs` is later than `self`.
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Instant({self})")
    }
}

impl fmt::Display for Instant {
    /// Seconds with microsecond precision, as `12.000345s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:06}s",
            self.micros / 1_000_000,
            self.micros % 1_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_agree() {
        assert_eq!(Instant::from_secs(2), Instant::from_millis(2_000));
        assert_eq!(Instant::from_millis(3), Instant::from_micros(3_000));
        assert_eq!(Instant::from_secs(1).total_micros(), 1_000_000);
        assert_eq!(Instant::ZERO.total_micros(), 0);
    }

    #[test]
    fn arithmetic_with_duration() {
        let mut t = Instant::from_millis(10);
        t += Duration::from_millis(5);
        assert_eq!(t, Instant::from_millis(15));
        assert_eq!(t - Instant::from_millis(10), Duration::from_millis(5));
        assert_eq!(t - Duration::from_millis(15), Instant::ZERO);
        assert!(Instant::from_millis(1) < t);
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::ZERO - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(Instant::ZERO - Instant::from_secs(1), Duration::ZERO);
        assert_eq!(Instant::ZERO + Duration::MAX, Instant::MAX);
        assert_eq!(
            Instant::ZERO.checked_duration_since(Instant::from_secs(1)),
            None
        );
    }

    #[test]
    fn display_shows_seconds_and_micros() {
        assert_eq!(Instant::from_micros(12_000_345).to_string(), "12.000345s");
        assert_eq!(
            format!("{:?}", Instant::from_millis(1)),
            "Instant(0.001000s)"
        );
    }
}
