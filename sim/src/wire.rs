//! The simulated cable between two NICs (SPEC S2): frames go in with the time
//! they left one MAC and come out at the other after a delay, with seeded
//! faults — loss, duplication, reordering, corruption.
//!
//! Invariants: the same seed and the same input give the same output; a
//! frame is delivered at most twice (once more when duplicated); without
//! faults, frames arrive in order after exactly `delay`; a reordered frame is
//! held back by `reorder_delay` so later frames overtake it; a corrupted
//! frame differs from the original in exactly one bit (the receiving MAC's
//! FCS check must catch it).
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Fault rates (probabilities per frame) and timings.
#[derive(Clone, Debug, PartialEq)]
pub struct WireConfig {
    pub seed: u64,
    pub loss: f64,
    pub duplicate: f64,
    pub reorder: f64,
    pub corrupt: f64,
    /// Propagation delay, nanoseconds.
    pub delay_ns: u64,
    /// Extra delay of a reordered frame, nanoseconds.
    pub reorder_delay_ns: u64,
}

impl Default for WireConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            corrupt: 0.0,
            delay_ns: 5_000,
            reorder_delay_ns: 500_000,
        }
    }
}

/// What happened to frames on this wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireStats {
    pub sent: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
    pub corrupted: u64,
    pub delivered: u64,
    /// Frames the drop filter took (also counted in `lost`).
    pub filtered: u64,
}

/// Decides, per frame (bytes with FCS), whether the wire drops it: for tests
/// that need one particular segment lost.
pub type DropFilter = Box<dyn FnMut(&[u8]) -> bool>;

/// One direction of the cable.
pub struct Wire {
    config: WireConfig,
    rng: ChaCha8Rng,
    /// (arrival time, sequence for a stable order) → frame.
    in_flight: BinaryHeap<Reverse<(u64, u64, Vec<u8>)>>,
    sequence: u64,
    stats: WireStats,
    filter: Option<DropFilter>,
}

impl Wire {
    pub fn new(config: WireConfig) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            in_flight: BinaryHeap::new(),
            sequence: 0,
            stats: WireStats::default(),
            filter: None,
        }
    }

    /// Drops every frame `filter` returns true for, before any seeded fault.
    pub fn set_drop_filter(&mut self, filter: DropFilter) {
        self.filter = Some(filter);
    }

    pub fn stats(&self) -> WireStats {
        self.stats
    }

    /// A frame left the sending MAC at `now_ns`.
    pub fn send(&mut self, now_ns: u64, frame: Vec<u8>) {
        self.stats.sent += 1;
        if self.filter.as_mut().is_some_and(|f| f(&frame)) {
            self.stats.filtered += 1;
            self.stats.lost += 1;
            return;
        }
        if self.rng.random_bool(self.config.loss) {
            self.stats.lost += 1;
            return;
        }
        let copies = if self.rng.random_bool(self.config.duplicate) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut copy = frame.clone();
            // Saturating: a delay of any size is a frame that arrives late, not a panic.
            let mut at = now_ns.saturating_add(self.config.delay_ns);
            if self.rng.random_bool(self.config.reorder) {
                self.stats.reordered += 1;
                at = at.saturating_add(self.config.reorder_delay_ns);
            }
            if !copy.is_empty() && self.rng.random_bool(self.config.corrupt) {
                self.stats.corrupted += 1;
                let bit = self.rng.random_range(0..copy.len() * 8);
                copy[bit / 8] ^= 1 << (bit % 8);
            }
            self.sequence += 1;
            self.in_flight.push(Reverse((at, self.sequence, copy)));
        }
    }

    /// When the next frame arrives, if any is on its way.
    pub fn next_arrival(&self) -> Option<u64> {
        self.in_flight.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Frames that have arrived by `now_ns`, in arrival order.
    pub fn receive(&mut self, now_ns: u64) -> Vec<Vec<u8>> {
        self.receive_timed(now_ns)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// Frames that arrive by `until_ns`, in arrival order, each with its
    /// arrival time (for a receiver that takes frames ahead of time).
    pub fn receive_timed(&mut self, until_ns: u64) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        while self.next_arrival().is_some_and(|at| at <= until_ns) {
            let Reverse((at, _, frame)) = self.in_flight.pop().expect("peeked");
            self.stats.delivered += 1;
            out.push((at, frame));
        }
        out
    }

    /// The wire's propagation delay: no frame arrives sooner after it left.
    pub fn delay_ns(&self) -> u64 {
        self.config.delay_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(n: u32) -> Vec<Vec<u8>> {
        (0..n).map(|i| i.to_be_bytes().repeat(16)).collect()
    }

    fn run(config: WireConfig, n: u32) -> (Vec<Vec<u8>>, WireStats) {
        let mut wire = Wire::new(config);
        for (i, f) in frames(n).into_iter().enumerate() {
            wire.send(i as u64 * 10_000, f);
        }
        let out = wire.receive(u64::MAX);
        (out, wire.stats())
    }

    #[test]
    fn without_faults_frames_arrive_in_order_after_the_delay() {
        let mut wire = Wire::new(WireConfig::default());
        wire.send(100, vec![1]);
        wire.send(200, vec![2]);
        assert_eq!(wire.next_arrival(), Some(5_100));
        assert!(wire.receive(5_099).is_empty());
        assert_eq!(wire.receive(5_200), vec![vec![1], vec![2]]);
    }

    #[test]
    fn loss_drops_about_the_configured_share() {
        let (out, stats) = run(
            WireConfig {
                loss: 0.1,
                ..Default::default()
            },
            10_000,
        );
        assert_eq!(out.len() as u64, 10_000 - stats.lost);
        assert!((800..1200).contains(&stats.lost), "lost {}", stats.lost);
    }

    #[test]
    fn duplicates_arrive_twice_and_reordered_frames_are_overtaken() {
        let config = WireConfig {
            duplicate: 0.05,
            reorder: 0.05,
            ..Default::default()
        };
        let (out, stats) = run(config, 2_000);
        assert_eq!(out.len() as u64, 2_000 + stats.duplicated);
        assert!(stats.duplicated > 50 && stats.reordered > 50);
        let order: Vec<u32> = out
            .iter()
            .map(|f| u32::from_be_bytes(f[..4].try_into().unwrap()))
            .collect();
        assert!(
            order.windows(2).any(|w| w[0] > w[1]),
            "some frame was overtaken"
        );
    }

    #[test]
    fn a_corrupted_frame_differs_in_exactly_one_bit() {
        let (out, stats) = run(
            WireConfig {
                corrupt: 1.0,
                ..Default::default()
            },
            50,
        );
        assert_eq!(stats.corrupted, 50);
        for (got, sent) in out.iter().zip(frames(50)) {
            let flipped: u32 = got
                .iter()
                .zip(&sent)
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            assert_eq!(flipped, 1);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_wire() {
        let config = WireConfig {
            seed: 9,
            loss: 0.1,
            duplicate: 0.1,
            reorder: 0.1,
            corrupt: 0.1,
            ..Default::default()
        };
        assert_eq!(run(config.clone(), 500), run(config, 500));
    }
}
