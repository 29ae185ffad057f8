//! A bench around the Verilator model of `ip_csum_verify`: it plays frames
//! past the tap one byte per beat, with random idle cycles between beats,
//! and collects one result per frame.
//!
//! Inputs change on the falling edge and are settled by that step's eval;
//! the tap samples them at the following rising edge. `result_valid` is read
//! from the settled outputs before each rising edge.
use crate::model::IpCsumVerify;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// One frame's verdict: the `synack_abi::ring::rx_csum` bits, and the
/// number of cycles from the frame's last beat to `result_valid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyResult {
    pub bits: u8,
    pub latency: u64,
}

pub struct CsumVerifyBench {
    model: IpCsumVerify,
    rng: ChaCha8Rng,
    idle: f64,
    cycles: u64,
    queue: VecDeque<Vec<u8>>,
    index: usize,
    last_beat_at: u64,
    results: Vec<VerifyResult>,
    sent: usize,
    spurious: usize,
}

impl CsumVerifyBench {
    /// `idle`: probability that a cycle carries no beat.
    pub fn new(seed: u64, idle: f64) -> Self {
        let mut model = IpCsumVerify::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            rng: ChaCha8Rng::seed_from_u64(seed),
            idle,
            cycles: 0,
            queue: VecDeque::new(),
            index: 0,
            last_beat_at: 0,
            results: Vec::new(),
            sent: 0,
            spurious: 0,
        }
    }

    /// Queues a frame to play past the tap.
    pub fn send(&mut self, frame: Vec<u8>) {
        assert!(
            !frame.is_empty(),
            "an AXI-Stream frame has at least one beat"
        );
        self.queue.push_back(frame);
        self.sent += 1;
    }

    /// One result per frame, in order; takes them.
    pub fn take_results(&mut self) -> Vec<VerifyResult> {
        std::mem::take(&mut self.results)
    }

    /// `result_valid` pulses that came with no frame to account for them.
    pub fn spurious_results(&self) -> usize {
        self.spurious
    }

    /// Runs until every frame has been played and has its result (plus a few
    /// quiet cycles to catch extra pulses), or `max_cycles` pass.
    pub fn run_until_done(&mut self, max_cycles: u64) -> bool {
        let limit = self.cycles + max_cycles;
        while self.cycles < limit {
            if self.queue.is_empty() && self.results.len() >= self.sent {
                for _ in 0..4 {
                    self.cycle();
                }
                return true;
            }
            self.cycle();
        }
        false
    }

    fn cycle(&mut self) {
        self.model.set_clock(0);
        let mut beat = false;
        let mut last = false;
        if let Some(frame) = self.queue.front()
            && !self.rng.random_bool(self.idle)
        {
            beat = true;
            last = self.index + 1 == frame.len();
            self.model.set_tdata(frame[self.index] as u64);
        }
        self.model.set_beat(beat as u64);
        self.model.set_tlast(last as u64);
        self.model.eval();
        if self.model.result_valid() != 0 {
            if self.results.len() < self.sent - self.queue.len() {
                self.results.push(VerifyResult {
                    bits: self.model.result() as u8,
                    latency: self.cycles - self.last_beat_at,
                });
            } else {
                self.spurious += 1;
            }
        }
        if beat {
            self.index += 1;
            if last {
                self.queue.pop_front();
                self.index = 0;
                self.last_beat_at = self.cycles;
            }
        }
        self.model.set_clock(1);
        self.model.eval();
        self.cycles += 1;
    }
}
