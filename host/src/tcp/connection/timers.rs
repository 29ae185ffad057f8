//! One `enum Timer` and a timer table; the next deadline is the minimum.
//!
//! Invariant: a timer is either armed with one deadline or not armed; arming
//! replaces the old deadline (as Linux's `inet_csk_reset_xmit_timer`).

use crate::time::Instant;

/// The per-connection timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Retransmission of SYN, data or FIN (RFC 6298; SPEC R1, H5, T8).
    Retransmit,
    /// Tail loss probe (RFC 8985 §7; Linux `ICSK_TIME_LOSS_PROBE`). Shares
    /// Linux's single transmit-timer slot with `Retransmit`: at most one of
    /// the two is armed.
    LossProbe,
    /// Zero-window probe (persist) timer (SPEC R4).
    Probe,
    /// Delayed ACK (SPEC R5).
    DelayedAck,
    /// Keepalive (SPEC K1).
    Keepalive,
    /// Orphaned FIN-WAIT-2 lifetime (SPEC T6).
    FinWait2,
    /// End of a lingering `close()` (SPEC R9 `SO_LINGER`).
    Linger,
}

impl Timer {
    pub const ALL: [Timer; 7] = [
        Timer::Retransmit,
        Timer::LossProbe,
        Timer::Probe,
        Timer::DelayedAck,
        Timer::Keepalive,
        Timer::FinWait2,
        Timer::Linger,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Deadlines, one slot per [`Timer`].
#[derive(Clone, Debug, Default)]
pub struct TimerTable {
    slots: [Option<Instant>; Timer::ALL.len()],
}

impl TimerTable {
    pub fn set(&mut self, timer: Timer, at: Instant) {
        self.slots[timer.index()] = Some(at);
    }

    pub fn stop(&mut self, timer: Timer) {
        self.slots[timer.index()] = None;
    }

    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.slots[timer.index()]
    }

    pub fn is_armed(&self, timer: Timer) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest armed deadline.
    pub fn next_timeout(&self) -> Option<Instant> {
        self.slots.iter().flatten().min().copied()
    }

    /// Disarm and return the first timer expired at `now`, if any.
    pub fn expire(&mut self, now: Instant) -> Option<Timer> {
        for t in Timer::ALL {
            if let Some(at) = self.slots[t.index()] {
                if at <= now {
                    self.slots[t.index()] = None;
                    return Some(t);
                }
            }
        }
        None
    }

    pub fn stop_all(&mut self) {
        self.slots = [None; Timer::ALL.len()];
    }
}
