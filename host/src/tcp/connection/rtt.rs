//! RTT estimation and the retransmission timeout (SPEC R1, RFC 6298).
//!
//! Linux's variant: RTO = SRTT + max(4·RTTVAR, `rto_min`), bounded by
//! `rto_max`; before a sample the RTO is `rto_initial`. Backoff doubles the
//! RTO up to `rto_max`; only a valid sample resets it (RFC 6298 §5.7, Linux
//! `tcp_ack_update_rtt`). Karn's rule is applied by the caller: samples are
//! never taken from retransmitted segments unless timestamps give them.

use core::time::Duration;

#[derive(Clone, Debug)]
pub struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    /// Current (possibly backed-off) RTO.
    rto: Duration,
    /// Doublings since the last sample (Linux `icsk_backoff`).
    backoffs: u32,
    rto_min: Duration,
    rto_max: Duration,
}

impl RttEstimator {
    pub fn new(initial: Duration, rto_min: Duration, rto_max: Duration) -> Self {
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.min(rto_max),
            backoffs: 0,
            rto_min,
            rto_max,
        }
    }

    /// Smoothed RTT, if any sample was taken.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    pub fn rttvar(&self) -> Duration {
        self.rttvar
    }

    /// The RTO to arm now.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// The un-backed-off RTO from the estimator.
    pub fn base_rto(&self) -> Duration {
        match self.srtt {
            Some(srtt) => (srtt + (self.rttvar * 4).max(self.rto_min)).min(self.rto_max),
            None => self.rto,
        }
    }

    /// Feed one RTT measurement (RFC 6298 §2.2–2.3) and reset the backoff.
    pub fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let err = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar * 3 / 4 + err / 4;
                self.srtt = Some(srtt * 7 / 8 + rtt / 8);
            }
        }
        self.rto = self.base_rto();
        self.backoffs = 0;
    }

    /// Exponential backoff after a timeout (RFC 6298 §5.5).
    pub fn backoff(&mut self) {
        self.rto = (self.rto * 2).min(self.rto_max);
        self.backoffs = self.backoffs.saturating_add(1);
    }

    /// Doublings since the last sample (Linux `icsk_backoff`).
    pub fn backoffs(&self) -> u32 {
        self.backoffs
    }

    /// Take back one doubling (RFC 6069, Linux `tcp_ld_RTO_revert`): the RTO
    /// becomes the estimator's (or `initial` before any sample) doubled once
    /// less than now. False, changing nothing, if there was no doubling.
    pub fn undo_backoff(&mut self, initial: Duration) -> bool {
        if self.backoffs == 0 {
            return false;
        }
        self.backoffs -= 1;
        let base = if self.srtt.is_some() {
            self.base_rto()
        } else {
            initial.min(self.rto_max)
        };
        self.rto = base
            .saturating_mul(1u32 << self.backoffs.min(31))
            .min(self.rto_max);
        true
    }

    /// Set the RTO outright (RFC 6298 §5.7's 3 s fallback).
    pub fn set_rto(&mut self, rto: Duration) {
        self.rto = rto.min(self.rto_max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sample_gives_srtt_plus_max_of_4_rttvar_and_min() {
        let mut r = RttEstimator::new(
            Duration::from_secs(1),
            Duration::from_millis(200),
            Duration::from_secs(120),
        );
        assert_eq!(r.rto(), Duration::from_secs(1));
        r.sample(Duration::from_millis(10));
        // 10 ms + max(4·5 ms, 200 ms)
        assert_eq!(r.rto(), Duration::from_millis(210));
        r.backoff();
        assert_eq!(r.rto(), Duration::from_millis(420));
        r.sample(Duration::from_millis(10));
        assert_eq!(r.rto(), Duration::from_millis(210));
        for _ in 0..20 {
            r.backoff();
        }
        assert_eq!(r.rto(), Duration::from_secs(120));
    }

    #[test]
    fn an_undone_backoff_is_the_estimate_doubled_once_less() {
        let initial = Duration::from_secs(1);
        let mut r = RttEstimator::new(
            initial,
            Duration::from_millis(200),
            Duration::from_secs(120),
        );
        assert!(!r.undo_backoff(initial), "nothing to undo");
        r.backoff();
        r.backoff();
        assert_eq!((r.rto(), r.backoffs()), (Duration::from_secs(4), 2));
        assert!(r.undo_backoff(initial));
        assert_eq!((r.rto(), r.backoffs()), (Duration::from_secs(2), 1));
        r.sample(Duration::from_millis(10));
        assert_eq!(r.backoffs(), 0);
        for _ in 0..3 {
            r.backoff();
        }
        assert!(r.undo_backoff(initial));
        assert_eq!(r.rto(), Duration::from_millis(840), "210 ms × 4");
        for _ in 0..40 {
            r.backoff();
        }
        assert!(r.undo_backoff(initial));
        assert_eq!(r.rto(), Duration::from_secs(120));
    }
}
