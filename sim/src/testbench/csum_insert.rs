//! A bench around the Verilator model of `ip_csum_insert`: an AXI-Stream
//! source with random idle (each frame carries its `s_axis_csum` flag) and a
//! sink with random backpressure, on one clock.
//!
//! Inputs change on the falling edge and are settled by that step's eval;
//! transfers are decided from the settled outputs and happen at the
//! following rising edge, as AXI-Stream defines. The source keeps `tvalid`,
//! its data, `tlast` and the frame's `csum` flag stable until the handshake.
use crate::model::IpCsumInsert;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// How the bench drives the inserter.
#[derive(Clone, Debug)]
pub struct CsumInsertBenchConfig {
    pub seed: u64,
    /// Probability that the source idles a cycle before presenting a byte.
    pub idle: f64,
    /// Probability that the sink is not ready in a cycle.
    pub backpressure: f64,
}

pub struct CsumInsertBench {
    model: IpCsumInsert,
    config: CsumInsertBenchConfig,
    rng: ChaCha8Rng,
    cycles: u64,
    queue: VecDeque<(Vec<u8>, bool)>,
    index: usize,
    valid: bool,
    ready: bool,
    current: Vec<u8>,
    received: Vec<Vec<u8>>,
    sent: usize,
}

impl CsumInsertBench {
    pub fn new(config: CsumInsertBenchConfig) -> Self {
        let mut model = IpCsumInsert::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            cycles: 0,
            queue: VecDeque::new(),
            index: 0,
            valid: false,
            ready: false,
            current: Vec::new(),
            received: Vec::new(),
            sent: 0,
        }
    }

    /// Queues a frame; `csum` asks for checksum insertion.
    pub fn send(&mut self, frame: Vec<u8>, csum: bool) {
        assert!(
            !frame.is_empty(),
            "an AXI-Stream frame has at least one beat"
        );
        self.queue.push_back((frame, csum));
        self.sent += 1;
    }

    /// Frames delivered on `m_axis`, oldest first; takes them.
    pub fn take_received(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.received)
    }

    /// Clock cycles run so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Runs until every frame sent has come out whole, or `max_cycles` pass;
    /// returns whether they all came out.
    pub fn run_until_done(&mut self, max_cycles: u64) -> bool {
        let limit = self.cycles + max_cycles;
        while self.cycles < limit {
            if self.queue.is_empty() && self.received.len() == self.sent {
                return true;
            }
            self.cycle();
        }
        false
    }

    /// One clock cycle: falling edge (drive), rising edge (transfer).
    fn cycle(&mut self) {
        self.model.set_clock(0);
        self.drive();
        self.model.eval();
        if self.valid && self.model.s_axis_tready() != 0 {
            self.valid = false;
            self.index += 1;
            if self.index == self.queue.front().map_or(0, |(f, _)| f.len()) {
                self.queue.pop_front();
                self.index = 0;
            }
        }
        if self.ready && self.model.m_axis_tvalid() != 0 {
            self.current.push(self.model.m_axis_tdata() as u8);
            if self.model.m_axis_tlast() != 0 {
                self.received.push(std::mem::take(&mut self.current));
            }
        }
        self.model.set_clock(1);
        self.model.eval();
        self.cycles += 1;
    }

    fn drive(&mut self) {
        if !self.valid
            && let Some((frame, csum)) = self.queue.front()
            && !self.rng.random_bool(self.config.idle)
        {
            self.valid = true;
            self.model.set_s_axis_tdata(frame[self.index] as u64);
            self.model
                .set_s_axis_tlast((self.index + 1 == frame.len()) as u64);
            self.model.set_s_axis_csum(*csum as u64);
        }
        self.model.set_s_axis_tvalid(self.valid as u64);
        self.ready = !self.rng.random_bool(self.config.backpressure);
        self.model.set_m_axis_tready(self.ready as u64);
    }
}
