//! A bench around the Verilator model of `tso_segmenter` (SPEC F5): a command
//! source, a byte source with random idle, a frame sink with random
//! backpressure, and a record of every frame and every `cmd_done` report.
//!
//! One core clock. Each cycle the bench drives inputs with the clock low and
//! evaluates; it then decides the transfers from the settled outputs (a beat
//! moves when valid and ready are both high, as AXI-Stream defines) and raises
//! the clock. A source keeps `valid` and its data stable until the handshake.
//! The bench knows nothing of headers: it only moves bytes and records.
use crate::model::TsoSegmenter;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// One command for the segmenter: a whole TX buffer and its descriptor fields.
///
/// `cmd_len` is the buffer's length, and the bench streams exactly those bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TsoCommand {
    /// Headers then payload; `cmd_len = buf.len()` (at most 2^17 − 1).
    pub buf: Vec<u8>,
    pub hdr_len: u8,
    pub mss: u16,
    pub tso: bool,
    pub csum: bool,
}

/// A frame that left on `m_axis`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutFrame {
    pub bytes: Vec<u8>,
    /// `m_axis_csum` on the first beat.
    pub csum: bool,
    /// `m_axis_csum` was the same on every beat.
    pub csum_steady: bool,
    /// Cycle of the first and of the last beat.
    pub first_cycle: u64,
    pub last_cycle: u64,
}

/// What the block reported for a command, with the frames it emitted since the
/// previous report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CmdReport {
    pub frames: Vec<OutFrame>,
    /// `cmd_frames` at the `cmd_done` pulse.
    pub cmd_frames: u16,
    /// `cmd_error` at the `cmd_done` pulse.
    pub cmd_error: bool,
    /// `seg_done` pulses seen since the previous report.
    pub seg_done: usize,
    /// Cycle of the `cmd_done` pulse.
    pub done_cycle: u64,
}

/// How the bench drives the block.
#[derive(Clone, Copy, Debug)]
pub struct TsoBenchConfig {
    pub seed: u64,
    /// Probability that the byte source idles a cycle before presenting a byte.
    pub in_idle: f64,
    /// Probability that the sink is not ready in a cycle.
    pub out_backpressure: f64,
}

impl Default for TsoBenchConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            in_idle: 0.0,
            out_backpressure: 0.0,
        }
    }
}

pub struct TsoBench {
    model: TsoSegmenter,
    config: TsoBenchConfig,
    rng: ChaCha8Rng,
    cycle: u64,
    commands: VecDeque<TsoCommand>,
    cmd_valid: bool,
    /// Bytes of accepted and queued commands, in order, with `tlast`.
    bytes: VecDeque<(u8, bool)>,
    in_valid: bool,
    out_ready: bool,
    current: Option<OutFrame>,
    frames: Vec<OutFrame>,
    seg_done: usize,
    reports: Vec<CmdReport>,
}

impl TsoBench {
    pub fn new(config: TsoBenchConfig) -> Self {
        let mut model = TsoSegmenter::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            cycle: 0,
            commands: VecDeque::new(),
            cmd_valid: false,
            bytes: VecDeque::new(),
            in_valid: false,
            out_ready: false,
            current: None,
            frames: Vec::new(),
            seg_done: 0,
            reports: Vec::new(),
        }
    }

    /// Queues a command; its bytes follow those of the commands before it.
    pub fn submit(&mut self, cmd: TsoCommand) {
        assert!(cmd.buf.len() < 1 << 17, "cmd_len is 17 bits");
        let n = cmd.buf.len();
        self.bytes
            .extend(cmd.buf.iter().enumerate().map(|(i, &b)| (b, i + 1 == n)));
        self.commands.push_back(cmd);
    }

    /// Reports of finished commands, oldest first; takes them.
    pub fn take_reports(&mut self) -> Vec<CmdReport> {
        std::mem::take(&mut self.reports)
    }

    /// Clock cycles run so far.
    pub fn cycles(&self) -> u64 {
        self.cycle
    }

    /// Runs until `count` commands have been reported, or `max_cycles` pass;
    /// returns whether they were.
    pub fn run_until_reports(&mut self, count: usize, max_cycles: u64) -> bool {
        let limit = self.cycle + max_cycles;
        while self.reports.len() < count && self.cycle < limit {
            self.step();
        }
        self.reports.len() >= count
    }

    /// Runs `cycles` clock cycles.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }

    fn step(&mut self) {
        let m = &mut self.model;
        // Clock low: drive the inputs and settle.
        m.set_clock(0);
        if !self.cmd_valid
            && let Some(cmd) = self.commands.front()
        {
            self.cmd_valid = true;
            m.set_cmd_len(cmd.buf.len() as u64);
            m.set_cmd_hdr_len(cmd.hdr_len as u64);
            m.set_cmd_mss(cmd.mss as u64);
            m.set_cmd_tso(cmd.tso as u64);
            m.set_cmd_csum(cmd.csum as u64);
        }
        m.set_cmd_valid(self.cmd_valid as u64);
        if !self.in_valid
            && let Some(&(data, last)) = self.bytes.front()
            && !self.rng.random_bool(self.config.in_idle)
        {
            self.in_valid = true;
            m.set_s_axis_tdata(data as u64);
            m.set_s_axis_tlast(last as u64);
        }
        m.set_s_axis_tvalid(self.in_valid as u64);
        self.out_ready = !self.rng.random_bool(self.config.out_backpressure);
        m.set_m_axis_tready(self.out_ready as u64);
        m.eval();

        // Transfers and pulses, from the settled outputs.
        if self.cmd_valid && m.cmd_ready() != 0 {
            self.cmd_valid = false;
            self.commands.pop_front();
        }
        if self.in_valid && m.s_axis_tready() != 0 {
            self.in_valid = false;
            self.bytes.pop_front();
        }
        if self.out_ready && m.m_axis_tvalid() != 0 {
            let csum = m.m_axis_csum() != 0;
            let frame = self.current.get_or_insert_with(|| OutFrame {
                bytes: Vec::new(),
                csum,
                csum_steady: true,
                first_cycle: self.cycle,
                last_cycle: self.cycle,
            });
            frame.bytes.push(m.m_axis_tdata() as u8);
            frame.csum_steady &= frame.csum == csum;
            frame.last_cycle = self.cycle;
            if m.m_axis_tlast() != 0 {
                self.frames.extend(self.current.take());
            }
        }
        if m.seg_done() != 0 {
            self.seg_done += 1;
        }
        if m.cmd_done() != 0 {
            self.reports.push(CmdReport {
                frames: std::mem::take(&mut self.frames),
                cmd_frames: m.cmd_frames() as u16,
                cmd_error: m.cmd_error() != 0,
                seg_done: std::mem::take(&mut self.seg_done),
                done_cycle: self.cycle,
            });
        }

        m.set_clock(1);
        m.eval();
        self.cycle += 1;
    }
}
