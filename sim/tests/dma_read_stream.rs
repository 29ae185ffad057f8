//! `dma_read_stream` in Verilator against the AXI4 memory model: random
//! addresses and lengths (any alignment, across 4 KiB pages), random read
//! latency and stalls, random backpressure on the byte stream; the bytes must
//! be exactly memory's, the bursts legal, and error responses reported.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_sim::axi_memory::{AxiMaster, AxiMemory, AxiMemoryConfig, AxiSlave};
use synack_sim::model::DmaReadStream;

struct Bench {
    model: DmaReadStream,
    mem: AxiMemory,
    rng: ChaCha8Rng,
    backpressure: f64,
    cycles: u64,
}

struct Outcome {
    bytes: Vec<u8>,
    lasts: usize,
    error: bool,
}

impl Bench {
    fn new(seed: u64, stall: f64, backpressure: f64, error_range: Option<(u32, u32)>) -> Self {
        let mut mem = AxiMemory::new(
            1 << 18,
            AxiMemoryConfig {
                seed,
                stall,
                error_range,
                ..Default::default()
            },
        )
        .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.fill(mem.bytes_mut());
        let mut model = DmaReadStream::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            mem,
            rng,
            backpressure,
            cycles: 0,
        }
    }

    fn master(&self) -> AxiMaster {
        let m = &self.model;
        AxiMaster {
            arvalid: m.arvalid() != 0,
            araddr: m.araddr() as u32,
            arlen: m.arlen() as u8,
            arsize: m.arsize() as u8,
            arburst: m.arburst() as u8,
            rready: m.rready() != 0,
            ..Default::default()
        }
    }

    fn drive(&mut self, s: &AxiSlave) {
        let m = &mut self.model;
        m.set_arready(s.arready as u64);
        m.set_rvalid(s.rvalid as u64);
        m.set_rdata(s.rdata as u64);
        m.set_rresp(s.rresp as u64);
        m.set_rlast(s.rlast as u64);
    }

    /// Runs one command to completion.
    fn read(&mut self, addr: u32, len: u32) -> Outcome {
        let mut out = Outcome {
            bytes: Vec::new(),
            lasts: 0,
            error: false,
        };
        let mut cmd_pending = true;
        for _ in 0..(len as u64 * 20 + 2000) {
            // Falling edge: inputs for this cycle.
            self.model.set_clock(0);
            let s = self.mem.drive();
            self.drive(&s);
            self.model.set_cmd_valid(cmd_pending as u64);
            self.model.set_cmd_addr(addr as u64);
            self.model.set_cmd_len(len as u64);
            let ready = !self.rng.random_bool(self.backpressure);
            self.model.set_m_axis_tready(ready as u64);
            self.model.eval();
            // Rising edge: handshakes.
            let m = self.master();
            if cmd_pending && self.model.cmd_ready() != 0 {
                cmd_pending = false;
            }
            if ready && self.model.m_axis_tvalid() != 0 {
                out.bytes.push(self.model.m_axis_tdata() as u8);
                out.lasts += self.model.m_axis_tlast() as usize;
            }
            let done = self.model.done() != 0;
            if done {
                out.error = self.model.error() != 0;
            }
            self.mem.clock(&m, &s);
            self.model.set_clock(1);
            self.model.eval();
            self.cycles += 1;
            if done && !cmd_pending {
                return out;
            }
        }
        panic!("read of {len} bytes at {addr:#x} did not finish");
    }
}

fn check(bench: &mut Bench, addr: u32, len: u32) {
    let out = bench.read(addr, len);
    let expected = &bench.mem.bytes()[addr as usize..(addr + len) as usize];
    assert_eq!(out.bytes.len(), expected.len(), "length at {addr:#x}+{len}");
    assert!(out.bytes == expected, "bytes differ at {addr:#x}+{len}");
    assert_eq!(out.lasts, (len > 0) as usize, "one tlast, on the last byte");
    assert!(!out.error);
    assert!(
        bench.mem.violations().is_empty(),
        "{:?}",
        bench.mem.violations()
    );
}

#[test]
fn reads_any_alignment_and_length_exactly() {
    let mut bench = Bench::new(1, 0.0, 0.0, None);
    for (addr, len) in [
        (0, 1),
        (1, 1),
        (2, 3),
        (3, 4),
        (4, 64),
        (5, 65),
        (0x100, 16 * 4 + 3),
    ] {
        check(&mut bench, addr, len);
    }
}

#[test]
fn reads_random_commands_under_stalls_and_backpressure() {
    let mut bench = Bench::new(2, 0.3, 0.4, None);
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    for _ in 0..40 {
        let len = rng.random_range(1..=3000);
        let addr = rng.random_range(0..(1 << 18) - len);
        check(&mut bench, addr, len);
    }
}

#[test]
fn long_reads_cross_4k_pages_in_legal_bursts() {
    let mut bench = Bench::new(3, 0.1, 0.0, None);
    check(&mut bench, 0x0FF1, 65_535 + 134);
    check(&mut bench, 0x1FFE, 9000);
}

#[test]
fn a_slave_error_is_reported_with_done() {
    let mut bench = Bench::new(4, 0.1, 0.1, Some((0x2000, 0x2100)));
    let out = bench.read(0x1F00, 0x300);
    assert!(out.error, "an SLVERR beat must be reported");
    assert_eq!(out.bytes.len(), 0x300, "the command still completes");
    check(&mut bench, 0x3000, 100); // and the next command is clean
}

#[test]
fn zero_length_command_completes_without_bus_traffic() {
    let mut bench = Bench::new(5, 0.0, 0.0, None);
    let out = bench.read(0x40, 0);
    assert!(out.bytes.is_empty());
    assert_eq!(bench.mem.reads_accepted, 0);
}
