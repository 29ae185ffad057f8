//! `dma_write_stream` in Verilator against the AXI4 memory model: random
//! 4-byte-aligned addresses and lengths (across 4 KiB pages), random stalls
//! and source idle; memory must hold exactly the bytes, nothing around them
//! may change, bursts must be legal and error responses reported.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_sim::axi_memory::{AxiMaster, AxiMemory, AxiMemoryConfig, AxiSlave};
use synack_sim::model::DmaWriteStream;

struct Bench {
    model: DmaWriteStream,
    mem: AxiMemory,
    rng: ChaCha8Rng,
    idle: f64,
}

impl Bench {
    fn new(seed: u64, stall: f64, idle: f64, error_range: Option<(u32, u32)>) -> Self {
        let mem = AxiMemory::new(
            1 << 18,
            AxiMemoryConfig {
                seed,
                stall,
                error_range,
                ..Default::default()
            },
        )
        .unwrap();
        let mut model = DmaWriteStream::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            mem,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x55),
            idle,
        }
    }

    fn master(&self) -> AxiMaster {
        let m = &self.model;
        AxiMaster {
            awvalid: m.awvalid() != 0,
            awaddr: m.awaddr() as u32,
            awlen: m.awlen() as u8,
            awsize: m.awsize() as u8,
            awburst: m.awburst() as u8,
            wvalid: m.wvalid() != 0,
            wdata: m.wdata() as u32,
            wstrb: m.wstrb() as u8,
            wlast: m.wlast() != 0,
            bready: m.bready() != 0,
            ..Default::default()
        }
    }

    /// Writes `data` at `addr`; returns (error, bytes_written).
    fn write(&mut self, addr: u32, data: &[u8]) -> (bool, u64) {
        let mut cmd_pending = true;
        let mut index = 0;
        let mut valid = false;
        for _ in 0..(data.len() as u64 * 30 + 2000) {
            self.model.set_clock(0);
            let s: AxiSlave = self.mem.drive();
            let m = &mut self.model;
            m.set_awready(s.awready as u64);
            m.set_wready(s.wready as u64);
            m.set_bvalid(s.bvalid as u64);
            m.set_bresp(s.bresp as u64);
            m.set_cmd_valid(cmd_pending as u64);
            m.set_cmd_addr(addr as u64);
            if !valid && index < data.len() && !self.rng.random_bool(self.idle) {
                valid = true;
            }
            if valid {
                m.set_s_axis_tdata(data[index] as u64);
                m.set_s_axis_tlast((index + 1 == data.len()) as u64);
            }
            m.set_s_axis_tvalid(valid as u64);
            m.eval();
            let master = self.master();
            if cmd_pending && self.model.cmd_ready() != 0 {
                cmd_pending = false;
            }
            if valid && self.model.s_axis_tready() != 0 {
                valid = false;
                index += 1;
            }
            let done = self.model.done() != 0;
            let result = (self.model.error() != 0, self.model.bytes_written());
            self.mem.clock(&master, &s);
            self.model.set_clock(1);
            self.model.eval();
            if done {
                assert_eq!(index, data.len(), "done before every byte was taken");
                return result;
            }
        }
        panic!("write of {} bytes at {addr:#x} did not finish", data.len());
    }
}

fn check(bench: &mut Bench, addr: u32, data: &[u8]) {
    let before = bench.mem.bytes().to_vec();
    let (error, written) = bench.write(addr, data);
    assert!(!error);
    assert_eq!(written, data.len() as u64);
    let after = bench.mem.bytes();
    let (a, b) = (addr as usize, addr as usize + data.len());
    assert!(after[a..b] == *data, "bytes at {addr:#x}+{}", data.len());
    assert!(
        after[..a] == before[..a] && after[b..] == before[b..],
        "memory around the write changed"
    );
    assert!(
        bench.mem.violations().is_empty(),
        "{:?}",
        bench.mem.violations()
    );
}

#[test]
fn writes_every_length_exactly_and_nothing_around_it() {
    let mut bench = Bench::new(1, 0.0, 0.0, None);
    bench.mem.bytes_mut().fill(0xEE);
    for len in [1usize, 2, 3, 4, 5, 63, 64, 65, 127, 128, 129] {
        let data: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5A).collect();
        check(&mut bench, 0x400 + 256 * len as u32, &data);
    }
}

#[test]
fn writes_random_frames_under_stalls_and_idle() {
    let mut bench = Bench::new(2, 0.3, 0.3, None);
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for _ in 0..30 {
        let len = rng.random_range(1..=2000usize);
        let addr = rng.random_range(0..((1u32 << 18) - len as u32 - 4)) & !3;
        let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        check(&mut bench, addr, &data);
    }
}

#[test]
fn long_writes_cross_4k_pages_in_legal_bursts() {
    let mut bench = Bench::new(3, 0.1, 0.0, None);
    let data: Vec<u8> = (0..9000).map(|i| (i * 7) as u8).collect();
    check(&mut bench, 0x0FF4, &data);
}

#[test]
fn a_slave_error_is_reported_with_done() {
    let mut bench = Bench::new(4, 0.1, 0.1, Some((0x2000, 0x2100)));
    let (error, _) = bench.write(0x1F80, &[7u8; 0x200]);
    assert!(error, "an SLVERR response must be reported");
    check(&mut bench, 0x3000, &[1, 2, 3]);
}
