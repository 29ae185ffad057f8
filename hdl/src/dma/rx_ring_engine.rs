//! `rx_ring_engine`: the RX side of SPEC F6. It takes a buffer the host
//! posted on the RX ring (`synack_abi::ring::RxDesc`), writes the next
//! received frame into it, and writes an `RxCompletion` (length, checksum
//! verdict from `ip_csum_verify`, phase bit) at the same ring index.
//!
//! Inputs: `enable`, `ring_base`, `ring_log2`, `producer`, `cpl_base` (from the
//! registers); received frames on `s_axis_*` (from the MAC, FCS checked); the
//! checksum verdict `csum_valid`/`csum_result` for the frame just taken; the
//! AXI4 read channel for descriptors; the writer's `wr_*` handshakes.
//! Outputs: `consumer`, `busy`, `dma_error` (sticky), `drop_no_buffer` (pulse
//! per frame dropped because the host had posted no buffer), `s_axis_tready`,
//! one write command + byte stream for the frame and one for its completion.
//!
//! Invariants: buffers are filled strictly in ring order; a completion is
//! written only after its frame's last write response, so the host never sees
//! a completion before the data; a frame longer than its buffer is cut at the
//! buffer's length and flagged TRUNCATED; a frame that arrives while no
//! buffer is posted is consumed and counted, never left to block the MAC.
use crate::dma::dma_read_stream::DmaReadStream;
use crate::dma::ring_cursor::RingCursor;
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;
use synack_abi::ring::{PHASE, rx_flags};

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxEngineState {
    Idle,
    DescCommand,
    DescData,
    Ready,
    DataCommand,
    Data,
    Discard,
    DataWait,
    CplCommand,
    CplData,
    CplWait,
}

#[derive(LogicBlock)]
pub struct RxRingEngine {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub ring_base: Signal<In, Bits<32>>,
    pub ring_log2: Signal<In, Bits<4>>,
    pub producer: Signal<In, Bits<32>>,
    pub cpl_base: Signal<In, Bits<32>>,
    pub consumer: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dma_error: Signal<Out, Bit>,
    pub drop_no_buffer: Signal<Out, Bit>,
    // Frames in.
    pub s_axis_tdata: Signal<In, Bits<8>>,
    pub s_axis_tvalid: Signal<In, Bit>,
    pub s_axis_tlast: Signal<In, Bit>,
    pub s_axis_tready: Signal<Out, Bit>,
    pub csum_valid: Signal<In, Bit>,
    pub csum_result: Signal<In, Bits<8>>,
    // AXI4 read channel (descriptors).
    pub araddr: Signal<Out, Bits<32>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rdata: Signal<In, Bits<32>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    // Writes: frame data, then the completion.
    pub wr_cmd_valid: Signal<Out, Bit>,
    pub wr_cmd_addr: Signal<Out, Bits<32>>,
    pub wr_cmd_ready: Signal<In, Bit>,
    pub wr_tdata: Signal<Out, Bits<8>>,
    pub wr_tvalid: Signal<Out, Bit>,
    pub wr_tlast: Signal<Out, Bit>,
    pub wr_tready: Signal<In, Bit>,
    pub wr_done: Signal<In, Bit>,
    pub wr_error: Signal<In, Bit>,
    reader: DmaReadStream,
    cursor: RingCursor,
    state: DFF<RxEngineState>,
    next_index: DffEnInit<Bits<32>>,
    desc: DffEn<Bits<128>>,
    length: DFF<Bits<16>>,
    truncated: DFF<Bit>,
    csum: DFF<Bits<8>>,
    count: DFF<Bits<4>>,
    sticky_error: DFF<Bit>,
    slot: Signal<Local, Bits<32>>,
    capacity: Signal<Local, Bits<32>>,
    room: Signal<Local, Bit>,
    record: Signal<Local, Bits<64>>,
    record_shifted: Signal<Local, Bits<64>>,
    flags: Signal<Local, Bits<8>>,
    phase_bit: Constant<Bits<8>>,
    truncated_bit: Constant<Bits<8>>,
}

impl Default for RxRingEngine {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            enable: Default::default(),
            ring_base: Default::default(),
            ring_log2: Default::default(),
            producer: Default::default(),
            cpl_base: Default::default(),
            consumer: Default::default(),
            busy: Default::default(),
            dma_error: Default::default(),
            drop_no_buffer: Default::default(),
            s_axis_tdata: Default::default(),
            s_axis_tvalid: Default::default(),
            s_axis_tlast: Default::default(),
            s_axis_tready: Default::default(),
            csum_valid: Default::default(),
            csum_result: Default::default(),
            araddr: Default::default(),
            arlen: Default::default(),
            arsize: Default::default(),
            arburst: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            wr_cmd_valid: Default::default(),
            wr_cmd_addr: Default::default(),
            wr_cmd_ready: Default::default(),
            wr_tdata: Default::default(),
            wr_tvalid: Default::default(),
            wr_tlast: Default::default(),
            wr_tready: Default::default(),
            wr_done: Default::default(),
            wr_error: Default::default(),
            reader: Default::default(),
            cursor: Default::default(),
            state: Default::default(),
            next_index: Default::default(),
            desc: Default::default(),
            length: Default::default(),
            truncated: Default::default(),
            csum: Default::default(),
            count: Default::default(),
            sticky_error: Default::default(),
            slot: Default::default(),
            capacity: Default::default(),
            room: Default::default(),
            record: Default::default(),
            record_shifted: Default::default(),
            flags: Default::default(),
            phase_bit: Constant::new((PHASE as u64).to_bits()),
            truncated_bit: Constant::new((rx_flags::TRUNCATED as u64).to_bits()),
        }
    }
}

impl Logic for RxRingEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            length,
            truncated,
            csum,
            count,
            sticky_error
        );
        clock!(self, clock, next_index, desc);
        // The ring index: cleared while disabled and idle, +1 per completion.
        self.next_index.d.next = self.next_index.q.val() + 1;
        self.next_index.en.next = false;
        self.next_index.init.next = false;
        self.reader.clock.next = self.clock.val();
        self.consumer.next = self.next_index.q.val();
        self.busy.next = (self.state.q.val() != RxEngineState::Idle)
            & (self.state.q.val() != RxEngineState::Ready);
        self.dma_error.next = self.sticky_error.q.val();
        self.drop_no_buffer.next = false;
        self.cursor.log2.next = self.ring_log2.val();
        self.cursor.index.next = self.next_index.q.val();
        self.slot.next = self.cursor.slot.val();
        self.capacity.next = self.desc.q.val().get_bits::<32>(64);
        self.room.next = bit_cast::<32, 16>(self.length.q.val()) < self.capacity.val();

        self.araddr.next = self.reader.araddr.val();
        self.arlen.next = self.reader.arlen.val();
        self.arsize.next = self.reader.arsize.val();
        self.arburst.next = self.reader.arburst.val();
        self.arvalid.next = self.reader.arvalid.val();
        self.reader.arready.next = self.arready.val();
        self.reader.rdata.next = self.rdata.val();
        self.reader.rresp.next = self.rresp.val();
        self.reader.rlast.next = self.rlast.val();
        self.reader.rvalid.next = self.rvalid.val();
        self.rready.next = self.reader.rready.val();
        self.reader.cmd_valid.next = false;
        self.reader.cmd_addr.next = self.ring_base.val() + (self.slot.val() << 4);
        self.reader.cmd_len.next = 16.into();
        self.reader.m_axis_tready.next = true;
        self.desc.d.next =
            (self.desc.q.val() >> 8) | (bit_cast::<128, 8>(self.reader.m_axis_tdata.val()) << 120);
        self.desc.en.next = self.reader.m_axis_tvalid.val();
        if self.reader.done.val() & self.reader.error.val() {
            self.sticky_error.d.next = true;
        }

        // Frame bytes go to the writer while the buffer has room.
        self.s_axis_tready.next = false;
        self.wr_cmd_valid.next = false;
        self.wr_cmd_addr.next = self.desc.q.val().get_bits::<32>(0);
        self.wr_tdata.next = self.s_axis_tdata.val();
        self.wr_tvalid.next = false;
        self.wr_tlast.next = self.s_axis_tlast.val()
            | ((bit_cast::<32, 16>(self.length.q.val()) + 1) == self.capacity.val());
        if self.csum_valid.val() {
            self.csum.d.next = self.csum_result.val();
        }
        if self.wr_done.val() & self.wr_error.val() {
            self.sticky_error.d.next = true;
        }

        // The completion record, sent low byte first.
        self.flags.next = 0.into();
        if self.cursor.phase.val() {
            self.flags.next = self.phase_bit.val();
        }
        if self.truncated.q.val() {
            self.flags.next = self.flags.val() | self.truncated_bit.val();
        }
        self.record.next = bit_cast::<64, 16>(self.length.q.val())
            | (bit_cast::<64, 8>(self.csum.q.val()) << 16)
            | (bit_cast::<64, 8>(self.flags.val()) << 24);

        self.record_shifted.next =
            self.record.val() >> (bit_cast::<64, 4>(self.count.q.val()) << 3);
        match self.state.q.val() {
            RxEngineState::Idle => {
                if !self.enable.val() {
                    self.next_index.init.next = true;
                    // Frames still arrive: with no buffer they are dropped.
                    if self.s_axis_tvalid.val() {
                        self.state.d.next = RxEngineState::Discard;
                    }
                } else if self.producer.val() != self.next_index.q.val() {
                    self.state.d.next = RxEngineState::DescCommand;
                } else if self.s_axis_tvalid.val() {
                    self.state.d.next = RxEngineState::Discard;
                }
            }
            RxEngineState::DescCommand => {
                self.reader.cmd_valid.next = true;
                if self.reader.cmd_ready.val() {
                    self.state.d.next = RxEngineState::DescData;
                }
            }
            RxEngineState::DescData => {
                if self.reader.done.val() {
                    self.state.d.next = RxEngineState::Ready;
                }
            }
            RxEngineState::Ready => {
                self.length.d.next = 0.into();
                self.truncated.d.next = false;
                self.csum.d.next = 0.into();
                if self.s_axis_tvalid.val() {
                    self.state.d.next = RxEngineState::DataCommand;
                }
            }
            RxEngineState::DataCommand => {
                self.wr_cmd_valid.next = true;
                if self.wr_cmd_ready.val() {
                    self.state.d.next = RxEngineState::Data;
                }
            }
            RxEngineState::Data => {
                self.wr_tvalid.next = self.s_axis_tvalid.val() & self.room.val();
                self.s_axis_tready.next = self.wr_tready.val() | !self.room.val();
                if self.s_axis_tvalid.val() & self.s_axis_tready.val() {
                    if self.room.val() {
                        self.length.d.next = self.length.q.val() + 1;
                    } else {
                        self.truncated.d.next = true;
                    }
                    if self.s_axis_tlast.val() {
                        self.state.d.next = RxEngineState::DataWait;
                    }
                }
            }
            RxEngineState::Discard => {
                self.s_axis_tready.next = true;
                if self.s_axis_tvalid.val() & self.s_axis_tlast.val() {
                    self.drop_no_buffer.next = true;
                    self.state.d.next = RxEngineState::Idle;
                }
            }
            RxEngineState::DataWait => {
                if self.wr_done.val() {
                    self.state.d.next = RxEngineState::CplCommand;
                }
            }
            RxEngineState::CplCommand => {
                self.wr_cmd_valid.next = true;
                self.wr_cmd_addr.next = self.cpl_base.val() + (self.slot.val() << 3);
                self.count.d.next = 0.into();
                if self.wr_cmd_ready.val() {
                    self.state.d.next = RxEngineState::CplData;
                }
            }
            RxEngineState::CplData => {
                self.wr_tvalid.next = true;
                self.wr_tdata.next = self.record_shifted.val().get_bits::<8>(0);
                self.wr_tlast.next = self.count.q.val() == 7;
                if self.wr_tready.val() {
                    self.count.d.next = self.count.q.val() + 1;
                    if self.count.q.val() == 7 {
                        self.state.d.next = RxEngineState::CplWait;
                    }
                }
            }
            RxEngineState::CplWait => {
                if self.wr_done.val() {
                    self.next_index.en.next = true;
                    self.state.d.next = RxEngineState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxEngineState::Idle;
            }
        }
    }
}
