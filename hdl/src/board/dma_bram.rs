//! `dma_bram`: the board's DMA memory, 64 KiB of block RAM (SPEC A1), as an
//! AXI4 slave for the NIC's DMA master (port A) and a byte port for the
//! host bridge (port B).
//!
//! AXI4 side (`axi_rd`/`axi_wr`, 32-bit, INCR bursts; reads carry a 1-bit
//! ID, `axi_id`): one burst at a time, reads and writes taking turns when both wait.
//! Reads stream a beat per cycle behind the RAM's one-cycle latency and
//! honour `rready` (a beat's data stays on the RAM's output until taken).
//! An address at or above 64 KiB answers SLVERR and writes nothing.
//!
//! Byte side (`b_*`): `b_en` with `b_addr`; `b_write` writes `b_wdata` to
//! that byte; otherwise `b_rdata` holds the byte the cycle after.
//!
//! Invariants: every accepted read burst gets exactly `arlen + 1` beats,
//! the last with `rlast`, in order, with its ID; every accepted write
//! burst gets one B response after its `wlast`; no port reads a word in
//! the cycle it or the other port writes that word: port A reads and writes
//! in separate bursts, port B reads or writes a byte, and by the ring
//! protocol the host bridge and the NIC never share a word (descriptors,
//! completions and buffers are word-aligned, each with one owner at a time).
//!
//! So what such a read returns is left open (`no_rw_check` on the array):
//! Vivado maps the RAM read-first as before (it ignores the attribute);
//! Yosys may then map it to ECP5's DP16KD, which promises nothing across
//! ports, for the open-flow timing proxy. Verilator and `TdpRam`'s Rust
//! model return the old value.
use crate::bus::axi_read::{AxiReadIdSlave, AxiReadSlave};
use crate::bus::axi_write::AxiWriteSlave;
use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// 16 Ki words of 32 bits: 64 KiB, sixteen RAMB36 on a 7-series part.
pub const WORDS_LOG2: usize = 14;
const _: () = assert!(4 << WORDS_LOG2 == synack_abi::board::DMA_BYTES);
// `update` slices word addresses as `get_bits::<14>(2)`.
const _: () = assert!(WORDS_LOG2 == 14);

/// A true dual-port RAM, one clock, 32-bit words with byte write enables,
/// read-first on both ports: the shape Vivado and Yosys map to block RAM.
#[derive(LogicBlock, Default)]
pub struct TdpRam {
    pub clock: Signal<In, Clock>,
    pub a_en: Signal<In, Bit>,
    pub a_we: Signal<In, Bits<4>>,
    pub a_addr: Signal<In, Bits<WORDS_LOG2>>,
    pub a_wdata: Signal<In, Bits<32>>,
    pub a_rdata: Signal<Out, Bits<32>>,
    pub b_en: Signal<In, Bit>,
    pub b_we: Signal<In, Bits<4>>,
    pub b_addr: Signal<In, Bits<WORDS_LOG2>>,
    pub b_wdata: Signal<In, Bits<32>>,
    pub b_rdata: Signal<Out, Bits<32>>,
    _sim: BTreeMap<Bits<WORDS_LOG2>, Bits<32>>,
}

impl TdpRam {
    fn port(
        &mut self,
        en: bool,
        we: u64,
        addr: Bits<WORDS_LOG2>,
        wdata: Bits<32>,
    ) -> Option<Bits<32>> {
        if !en {
            return None;
        }
        let old = self._sim.get(&addr).copied().unwrap_or_default();
        let mut word = old.index() as u64;
        for lane in 0..4 {
            if we >> lane & 1 == 1 {
                let mask = 0xFFu64 << (8 * lane);
                word = (word & !mask) | (wdata.index() as u64 & mask);
            }
        }
        self._sim.insert(addr, word.to_bits());
        Some(old)
    }
}

impl Logic for TdpRam {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let (a_en, a_we, a_addr, a_wdata) = (
                self.a_en.val(),
                self.a_we.val().index() as u64,
                self.a_addr.val(),
                self.a_wdata.val(),
            );
            let (b_en, b_we, b_addr, b_wdata) = (
                self.b_en.val(),
                self.b_we.val().index() as u64,
                self.b_addr.val(),
                self.b_wdata.val(),
            );
            if let Some(old) = self.port(a_en, a_we, a_addr, a_wdata) {
                self.a_rdata.next = old;
            }
            if let Some(old) = self.port(b_en, b_we, b_addr, b_wdata) {
                self.b_rdata.next = old;
            }
        }
    }

    fn connect(&mut self) {
        self.a_rdata.connect();
        self.b_rdata.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
// Two processes, one per port, as the vendors' true dual-port templates
// write it; Verilator would call the shared array multi-driven, which it
// is by design (a block RAM has two write ports). no_rw_check: Yosys may
// leave a read of a word written in the same cycle undefined (see the
// module's notes); without it no ECP5 block RAM qualifies. Vivado ignores it.
/* verilator lint_off MULTIDRIVEN */
(* no_rw_check *) reg [31:0] mem [0:{last}];
/* verilator lint_on MULTIDRIVEN */
always @(posedge clock) begin
    if (a_en) begin
        if (a_we[0]) mem[a_addr][7:0] <= a_wdata[7:0];
        if (a_we[1]) mem[a_addr][15:8] <= a_wdata[15:8];
        if (a_we[2]) mem[a_addr][23:16] <= a_wdata[23:16];
        if (a_we[3]) mem[a_addr][31:24] <= a_wdata[31:24];
        a_rdata <= mem[a_addr];
    end
end
always @(posedge clock) begin
    if (b_en) begin
        if (b_we[0]) mem[b_addr][7:0] <= b_wdata[7:0];
        if (b_we[1]) mem[b_addr][15:8] <= b_wdata[15:8];
        if (b_we[2]) mem[b_addr][23:16] <= b_wdata[23:16];
        if (b_we[3]) mem[b_addr][31:24] <= b_wdata[31:24];
        b_rdata <= mem[b_addr];
    end
end
",
            last = (1usize << WORDS_LOG2) - 1
        ))
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum BramState {
    Idle,
    Read,
    Write,
    WriteResp,
}

#[derive(LogicBlock, Default)]
pub struct DmaBram {
    pub clock: Signal<In, Clock>,
    pub axi_rd: AxiReadSlave,
    pub axi_id: AxiReadIdSlave,
    pub axi_wr: AxiWriteSlave,
    pub b_en: Signal<In, Bit>,
    pub b_write: Signal<In, Bit>,
    pub b_addr: Signal<In, Bits<16>>,
    pub b_wdata: Signal<In, Bits<8>>,
    pub b_rdata: Signal<Out, Bits<8>>,
    ram: TdpRam,
    state: DFF<BramState>,
    word: DFF<Bits<WORDS_LOG2>>,
    beats_left: DFF<Bits<9>>,
    id: DFF<Bit>,
    out_of_range: DFF<Bit>,
    rvalid: DFF<Bit>,
    rlast: DFF<Bit>,
    prefer_write: DFF<Bit>,
    b_lane: DFF<Bits<2>>,
    issue: Signal<Local, Bit>,
    take_read: Signal<Local, Bit>,
    take_write: Signal<Local, Bit>,
}

impl Logic for DmaBram {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            word,
            beats_left,
            id,
            out_of_range,
            rvalid,
            rlast,
            prefer_write,
            b_lane
        );
        self.ram.clock.next = self.clock.val();
        // Port A: the NIC.
        self.ram.a_en.next = false;
        self.ram.a_we.next = 0.into();
        self.ram.a_addr.next = self.word.q.val();
        self.ram.a_wdata.next = self.axi_wr.wdata.val();
        self.axi_rd.arready.next = false;
        self.axi_wr.awready.next = false;
        self.axi_wr.wready.next = false;
        self.axi_wr.bvalid.next = false;
        self.axi_wr.bresp.next = 0.into();
        self.axi_rd.rvalid.next = self.rvalid.q.val();
        self.axi_rd.rlast.next = self.rlast.q.val();
        self.axi_rd.rdata.next = self.ram.a_rdata.val();
        self.axi_rd.rresp.next = 0.into();
        if self.out_of_range.q.val() {
            self.axi_rd.rresp.next = 2.into();
            self.axi_wr.bresp.next = 2.into();
        }
        self.axi_id.rid.next = self.id.q.val();
        self.issue.next = false;
        self.take_read.next =
            self.axi_rd.arvalid.val() & (!self.axi_wr.awvalid.val() | !self.prefer_write.q.val());
        self.take_write.next = self.axi_wr.awvalid.val() & !self.take_read.val();
        // A beat taken frees the output for the next.
        if self.axi_rd.rready.val() {
            self.rvalid.d.next = false;
        }

        match self.state.q.val() {
            BramState::Idle => {
                if self.take_read.val() {
                    self.axi_rd.arready.next = true;
                    self.word.d.next = self.axi_rd.araddr.val().get_bits::<14>(2);
                    self.beats_left.d.next = bit_cast::<9, 8>(self.axi_rd.arlen.val()) + 1;
                    self.id.d.next = self.axi_id.arid.val();
                    self.out_of_range.d.next = self.axi_rd.araddr.val().get_bits::<16>(16).any();
                    self.prefer_write.d.next = true;
                    self.state.d.next = BramState::Read;
                } else if self.take_write.val() {
                    self.axi_wr.awready.next = true;
                    self.word.d.next = self.axi_wr.awaddr.val().get_bits::<14>(2);
                    self.out_of_range.d.next = self.axi_wr.awaddr.val().get_bits::<16>(16).any();
                    self.prefer_write.d.next = false;
                    self.state.d.next = BramState::Write;
                }
            }
            BramState::Read => {
                self.issue.next = self.beats_left.q.val().any()
                    & (!self.rvalid.q.val() | self.axi_rd.rready.val());
                if self.issue.val() {
                    self.ram.a_en.next = true;
                    self.word.d.next = self.word.q.val() + 1;
                    self.beats_left.d.next = self.beats_left.q.val() - 1;
                    self.rvalid.d.next = true;
                    self.rlast.d.next = self.beats_left.q.val() == 1;
                }
                if !self.beats_left.q.val().any() & self.rvalid.q.val() & self.axi_rd.rready.val() {
                    self.state.d.next = BramState::Idle;
                }
            }
            BramState::Write => {
                self.axi_wr.wready.next = true;
                if self.axi_wr.wvalid.val() {
                    self.ram.a_en.next = !self.out_of_range.q.val();
                    if !self.out_of_range.q.val() {
                        self.ram.a_we.next = self.axi_wr.wstrb.val();
                    }
                    self.word.d.next = self.word.q.val() + 1;
                    if self.axi_wr.wlast.val() {
                        self.state.d.next = BramState::WriteResp;
                    }
                }
            }
            BramState::WriteResp => {
                self.axi_wr.bvalid.next = true;
                if self.axi_wr.bready.val() {
                    self.state.d.next = BramState::Idle;
                }
            }
            _ => {
                self.state.d.next = BramState::Idle;
            }
        }

        // Port B: the host bridge, a byte at a time.
        self.ram.b_en.next = self.b_en.val();
        self.ram.b_addr.next = self.b_addr.val().get_bits::<14>(2);
        self.ram.b_wdata.next = bit_cast::<32, 8>(self.b_wdata.val())
            | (bit_cast::<32, 8>(self.b_wdata.val()) << 8)
            | (bit_cast::<32, 8>(self.b_wdata.val()) << 16)
            | (bit_cast::<32, 8>(self.b_wdata.val()) << 24);
        self.ram.b_we.next = 0.into();
        if self.b_write.val() {
            match self.b_addr.val().get_bits::<2>(0).index() {
                0 => self.ram.b_we.next = 1.into(),
                1 => self.ram.b_we.next = 2.into(),
                2 => self.ram.b_we.next = 4.into(),
                _ => self.ram.b_we.next = 8.into(),
            }
        }
        if self.b_en.val() {
            self.b_lane.d.next = self.b_addr.val().get_bits::<2>(0);
        }
        match self.b_lane.q.val().index() {
            0 => self.b_rdata.next = self.ram.b_rdata.val().get_bits::<8>(0),
            1 => self.b_rdata.next = self.ram.b_rdata.val().get_bits::<8>(8),
            2 => self.b_rdata.next = self.ram.b_rdata.val().get_bits::<8>(16),
            _ => self.b_rdata.next = self.ram.b_rdata.val().get_bits::<8>(24),
        }
    }
}
