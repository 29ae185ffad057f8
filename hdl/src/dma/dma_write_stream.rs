//! `dma_write_stream`: writes a byte stream to host memory at `cmd_addr` over
//! an AXI4 write channel (`axi`: 32-bit data, INCR bursts of up to 16 beats).
//!
//! Inputs: `cmd_addr` (4-byte aligned), `cmd_valid`; `s_axis` (the bytes;
//! `tlast` ends the command). Outputs: `cmd_ready` (idle), `done` (one-cycle
//! pulse after the last write response) with `error` (some response was not
//! OKAY), `bytes_written[17]`. As a top its AXI4 ports have their bare names
//! (`awaddr`, …).
//!
//! Invariants: up to 16 words are gathered before their address is sent, so
//! the W beats of a burst follow its AW without gaps; a burst never crosses
//! 4 KiB; bytes past the stream's end are masked off with `wstrb`, so memory
//! after the last byte is untouched.
use crate::bus::axi_write::AxiWriteMaster;
use crate::bus::axis::AxisSlave;
use crate::dma::MAX_BURST;
use crate::prim::const_bits::ConstBits;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum WriteState {
    Idle,
    Fill,
    Address,
    Data,
    Response,
}

type BeatFifo = SynchronousFIFO<Bits<36>, 5, 6, 1>;

#[derive(LogicBlock, Default)]
pub struct DmaWriteStream {
    pub clock: Signal<In, Clock>,
    pub cmd_addr: Signal<In, Bits<32>>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub s_axis: AxisSlave,
    pub done: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    pub bytes_written: Signal<Out, Bits<17>>,
    pub axi: AxiWriteMaster,
    state: DFF<WriteState>,
    addr: DFF<Bits<32>>,
    word: DFF<Bits<32>>,
    strobes: DFF<Bits<4>>,
    lane: DFF<Bits<2>>,
    beats: DFF<Bits<5>>,
    sent: DFF<Bits<5>>,
    ended: DFF<Bit>,
    saw_error: DFF<Bit>,
    count: DFF<Bits<17>>,
    fifo: BeatFifo,
    take: Signal<Local, Bit>,
    merged_word: Signal<Local, Bits<32>>,
    merged_strobes: Signal<Local, Bits<4>>,
    push: Signal<Local, Bit>,
    to_boundary: Signal<Local, Bits<11>>,
    max_burst: ConstBits<11, MAX_BURST>,
    page_words: ConstBits<11, 1024>,
}

impl Logic for DmaWriteStream {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, addr, word, strobes, lane, beats, sent, ended, saw_error, count
        );
        self.fifo.clock.next = self.clock.val();
        self.cmd_ready.next = self.state.q.val() == WriteState::Idle;
        self.done.next = false;
        self.error.next = self.saw_error.q.val();
        self.bytes_written.next = self.count.q.val();
        self.axi.awaddr.next = self.addr.q.val();
        self.axi.awlen.next = bit_cast::<8, 5>(self.beats.q.val()) - 1;
        self.axi.awsize.next = 2.into();
        self.axi.awburst.next = 1.into();
        self.axi.awvalid.next = false;
        self.axi.wdata.next = self.fifo.data_out.val().get_bits::<32>(0);
        self.axi.wstrb.next = self.fifo.data_out.val().get_bits::<4>(32);
        self.axi.wlast.next = (self.sent.q.val() + 1) == self.beats.q.val();
        self.axi.wvalid.next = false;
        self.fifo.read.next = false;
        self.axi.bready.next = false;
        self.s_axis.tready.next = false;
        self.fifo.write.next = false;
        // Beats to the 4 KiB boundary from the current address, at most 16.
        // Not `!addr + 1`: Verilog would widen before inverting.
        self.to_boundary.next =
            self.page_words.val() - bit_cast::<11, 10>(self.addr.q.val().get_bits::<10>(2));
        if self.to_boundary.val() > self.max_burst.val() {
            self.to_boundary.next = self.max_burst.val();
        }

        // Byte packing: the incoming byte lands in lane `lane`.
        self.merged_word.next = self.word.q.val();
        self.merged_strobes.next = self.strobes.q.val();
        match self.lane.q.val().index() {
            0 => {
                self.merged_word.next = bit_cast::<32, 8>(self.s_axis.tdata.val());
                self.merged_strobes.next = 1.into();
            }
            1 => {
                self.merged_word.next =
                    self.word.q.val() | (bit_cast::<32, 8>(self.s_axis.tdata.val()) << 8);
                self.merged_strobes.next = 3.into();
            }
            2 => {
                self.merged_word.next =
                    self.word.q.val() | (bit_cast::<32, 8>(self.s_axis.tdata.val()) << 16);
                self.merged_strobes.next = 7.into();
            }
            _ => {
                self.merged_word.next =
                    self.word.q.val() | (bit_cast::<32, 8>(self.s_axis.tdata.val()) << 24);
                self.merged_strobes.next = 15.into();
            }
        }
        self.take.next = false;
        self.push.next = false;
        self.fifo.data_in.next = bit_cast::<36, 32>(self.merged_word.val())
            | (bit_cast::<36, 4>(self.merged_strobes.val()) << 32);

        match self.state.q.val() {
            WriteState::Idle => {
                if self.cmd_valid.val() {
                    self.addr.d.next = self.cmd_addr.val();
                    self.state.d.next = WriteState::Fill;
                    self.lane.d.next = 0.into();
                    self.beats.d.next = 0.into();
                    self.ended.d.next = false;
                    self.saw_error.d.next = false;
                    self.count.d.next = 0.into();
                }
            }
            WriteState::Fill => {
                self.s_axis.tready.next = true;
                self.take.next = self.s_axis.tvalid.val();
                if self.take.val() {
                    self.count.d.next = self.count.q.val() + 1;
                    self.word.d.next = self.merged_word.val();
                    self.strobes.d.next = self.merged_strobes.val();
                    self.lane.d.next = self.lane.q.val() + 1;
                    if (self.lane.q.val() == 3) | self.s_axis.tlast.val() {
                        self.push.next = true;
                        self.fifo.write.next = true;
                        self.lane.d.next = 0.into();
                        self.beats.d.next = self.beats.q.val() + 1;
                        if self.s_axis.tlast.val() {
                            self.ended.d.next = true;
                        }
                        if self.s_axis.tlast.val()
                            | ((self.beats.q.val() + 1)
                                == bit_cast::<5, 11>(self.to_boundary.val()))
                        {
                            self.state.d.next = WriteState::Address;
                        }
                    }
                }
            }
            WriteState::Address => {
                self.axi.awvalid.next = true;
                self.sent.d.next = 0.into();
                if self.axi.awready.val() {
                    self.state.d.next = WriteState::Data;
                }
            }
            WriteState::Data => {
                self.axi.wvalid.next = !self.fifo.empty.val();
                if self.axi.wvalid.val() & self.axi.wready.val() {
                    self.fifo.read.next = true;
                    self.sent.d.next = self.sent.q.val() + 1;
                    if self.axi.wlast.val() {
                        self.state.d.next = WriteState::Response;
                    }
                }
            }
            WriteState::Response => {
                self.axi.bready.next = true;
                if self.axi.bvalid.val() {
                    if self.axi.bresp.val().any() {
                        self.saw_error.d.next = true;
                    }
                    self.addr.d.next =
                        self.addr.q.val() + (bit_cast::<32, 5>(self.beats.q.val()) << 2);
                    self.beats.d.next = 0.into();
                    if self.ended.q.val() {
                        self.done.next = true;
                        self.error.next = self.saw_error.q.val() | self.axi.bresp.val().any();
                        self.state.d.next = WriteState::Idle;
                    } else {
                        self.state.d.next = WriteState::Fill;
                    }
                }
            }
            _ => {
                self.state.d.next = WriteState::Idle;
            }
        }
    }
}

/// The block's Verilog on its own, for its Verilator tests.
pub fn verilog() -> String {
    crate::emit::top_verilog(DmaWriteStream::default(), &[("axi$", "")])
}
