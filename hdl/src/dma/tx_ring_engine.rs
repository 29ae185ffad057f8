//! `tx_ring_engine`: the TX side of SPEC F6. It follows the host's TX ring:
//! fetches each descriptor (`synack_abi::ring::TxDesc`) the producer index
//! offers, reads its buffer through the TSO segmenter (SPEC F5), and writes
//! a `TxCompletion` with the phase bit at the same ring index.
//!
//! Inputs: `enable`, `ring_base`, `ring_log2`, `producer`, `cpl_base` (from the
//! registers); the AXI4 read channel (`ar*`/`r*`, passed to its reader); the
//! completion writer's `wr_*` handshakes; `m_axis_tready`.
//! Outputs: `consumer` (descriptors completed), `busy`, `dma_error` (sticky),
//! `segments` (a pulse per frame emitted), frames on `m_axis_*` with
//! `m_axis_csum` for the checksum inserter, and an 8-byte completion record
//! as a write command plus byte stream (`wr_*`).
//!
//! Invariants: descriptors are handled strictly in ring order, one at a time;
//! a completion is written only after every byte of its buffer has been read
//! and every frame handed on; clearing `enable` while idle resets `consumer`
//! and the phase, so the host restarts the ring by writing producer = 0.
use crate::dma::dma_read_stream::DmaReadStream;
use crate::dma::ring_cursor::RingCursor;
use crate::prim::dff_en::{DffEn, DffEnInit};
use crate::tso::tso_segmenter::TsoSegmenter;
use rust_hdl::prelude::*;
use synack_abi::ring::{PHASE, tx_flags, tx_status};

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TxEngineState {
    Idle,
    DescCommand,
    DescData,
    Check,
    Send,
    Wait,
    CplCommand,
    CplData,
    CplWait,
}

#[derive(LogicBlock)]
pub struct TxRingEngine {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub ring_base: Signal<In, Bits<32>>,
    pub ring_log2: Signal<In, Bits<4>>,
    pub producer: Signal<In, Bits<32>>,
    pub cpl_base: Signal<In, Bits<32>>,
    pub consumer: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dma_error: Signal<Out, Bit>,
    pub segments: Signal<Out, Bit>,
    // AXI4 read channel.
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
    // Frames out.
    pub m_axis_tdata: Signal<Out, Bits<8>>,
    pub m_axis_tvalid: Signal<Out, Bit>,
    pub m_axis_tlast: Signal<Out, Bit>,
    pub m_axis_tready: Signal<In, Bit>,
    pub m_axis_csum: Signal<Out, Bit>,
    // Completion writes.
    pub wr_cmd_valid: Signal<Out, Bit>,
    pub wr_cmd_addr: Signal<Out, Bits<32>>,
    pub wr_cmd_ready: Signal<In, Bit>,
    pub wr_tdata: Signal<Out, Bits<8>>,
    pub wr_tvalid: Signal<Out, Bit>,
    pub wr_tlast: Signal<Out, Bit>,
    pub wr_tready: Signal<In, Bit>,
    pub wr_done: Signal<In, Bit>,
    reader: DmaReadStream,
    cursor: RingCursor,
    tso: TsoSegmenter,
    state: DFF<TxEngineState>,
    next_index: DffEnInit<Bits<32>>,
    desc: DffEn<Bits<128>>,
    count: DFF<Bits<4>>,
    status: DFF<Bits<8>>,
    frames: DffEnInit<Bits<16>>,
    read_error: DFF<Bit>,
    sticky_error: DFF<Bit>,
    tso_taken: DFF<Bit>,
    read_taken: DFF<Bit>,
    tso_finished: DFF<Bit>,
    read_finished: DFF<Bit>,
    slot: Signal<Local, Bits<32>>,
    desc_addr: Signal<Local, Bits<32>>,
    desc_len: Signal<Local, Bits<32>>,
    desc_mss: Signal<Local, Bits<16>>,
    desc_hdr_len: Signal<Local, Bits<8>>,
    desc_flags: Signal<Local, Bits<8>>,
    record: Signal<Local, Bits<64>>,
    record_shifted: Signal<Local, Bits<64>>,
    flag_csum: Constant<Bits<8>>,
    flag_tso: Constant<Bits<8>>,
    status_ok: Constant<Bits<8>>,
    status_dma_error: Constant<Bits<8>>,
    status_bad_descriptor: Constant<Bits<8>>,
    phase_bit: Constant<Bits<8>>,
}

impl Default for TxRingEngine {
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
            segments: Default::default(),
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
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            m_axis_csum: Default::default(),
            wr_cmd_valid: Default::default(),
            wr_cmd_addr: Default::default(),
            wr_cmd_ready: Default::default(),
            wr_tdata: Default::default(),
            wr_tvalid: Default::default(),
            wr_tlast: Default::default(),
            wr_tready: Default::default(),
            wr_done: Default::default(),
            reader: Default::default(),
            cursor: Default::default(),
            tso: Default::default(),
            state: Default::default(),
            next_index: Default::default(),
            desc: Default::default(),
            count: Default::default(),
            status: Default::default(),
            frames: Default::default(),
            read_error: Default::default(),
            sticky_error: Default::default(),
            tso_taken: Default::default(),
            read_taken: Default::default(),
            tso_finished: Default::default(),
            read_finished: Default::default(),
            slot: Default::default(),
            desc_addr: Default::default(),
            desc_len: Default::default(),
            desc_mss: Default::default(),
            desc_hdr_len: Default::default(),
            desc_flags: Default::default(),
            record: Default::default(),
            record_shifted: Default::default(),
            flag_csum: Constant::new((tx_flags::CSUM as u64).to_bits()),
            flag_tso: Constant::new((tx_flags::TSO as u64).to_bits()),
            status_ok: Constant::new((tx_status::OK as u64).to_bits()),
            status_dma_error: Constant::new((tx_status::DMA_ERROR as u64).to_bits()),
            status_bad_descriptor: Constant::new((tx_status::BAD_DESCRIPTOR as u64).to_bits()),
            phase_bit: Constant::new((PHASE as u64).to_bits()),
        }
    }
}

impl Logic for TxRingEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            count,
            status,
            read_error,
            sticky_error,
            tso_taken,
            read_taken,
            tso_finished,
            read_finished
        );
        clock!(self, clock, next_index, desc, frames);
        // The ring index: cleared while disabled and idle, +1 per completion.
        self.next_index.d.next = self.next_index.q.val() + 1;
        self.next_index.en.next = false;
        self.next_index.init.next = false;
        // The descriptor shifts in a byte at a time, low byte first.
        self.desc.d.next =
            (self.desc.q.val() >> 8) | (bit_cast::<128, 8>(self.reader.m_axis_tdata.val()) << 120);
        self.desc.en.next = false;
        // Frames of this descriptor: cleared in Check, taken from the TSO.
        self.frames.d.next = self.tso.cmd_frames.val();
        self.frames.en.next = false;
        self.frames.init.next = false;
        self.reader.clock.next = self.clock.val();
        self.tso.clock.next = self.clock.val();
        self.consumer.next = self.next_index.q.val();
        self.busy.next = self.state.q.val() != TxEngineState::Idle;
        self.dma_error.next = self.sticky_error.q.val();
        self.segments.next = self.tso.seg_done.val();
        self.cursor.log2.next = self.ring_log2.val();
        self.cursor.index.next = self.next_index.q.val();
        self.slot.next = self.cursor.slot.val();
        self.desc_addr.next = self.desc.q.val().get_bits::<32>(0);
        self.desc_len.next = self.desc.q.val().get_bits::<32>(64);
        self.desc_mss.next = self.desc.q.val().get_bits::<16>(96);
        self.desc_hdr_len.next = self.desc.q.val().get_bits::<8>(112);
        self.desc_flags.next = self.desc.q.val().get_bits::<8>(120);

        // The reader's AXI4 channel is ours.
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
        self.reader.cmd_addr.next = self.desc_addr.val();
        self.reader.cmd_len.next = bit_cast::<17, 32>(self.desc_len.val());
        // The read stream feeds the segmenter, except while a descriptor is read.
        self.tso.s_axis_tdata.next = self.reader.m_axis_tdata.val();
        self.tso.s_axis_tlast.next = self.reader.m_axis_tlast.val();
        self.tso.s_axis_tvalid.next =
            self.reader.m_axis_tvalid.val() & (self.state.q.val() != TxEngineState::DescData);
        self.reader.m_axis_tready.next = self.tso.s_axis_tready.val();
        self.tso.cmd_valid.next = false;
        self.tso.cmd_len.next = bit_cast::<17, 32>(self.desc_len.val());
        self.tso.cmd_hdr_len.next = self.desc_hdr_len.val();
        self.tso.cmd_mss.next = self.desc_mss.val();
        self.tso.cmd_tso.next = (self.desc_flags.val() & self.flag_tso.val()).any();
        self.tso.cmd_csum.next = (self.desc_flags.val() & self.flag_csum.val()).any();
        self.m_axis_tdata.next = self.tso.m_axis_tdata.val();
        self.m_axis_tvalid.next = self.tso.m_axis_tvalid.val();
        self.m_axis_tlast.next = self.tso.m_axis_tlast.val();
        self.m_axis_csum.next = self.tso.m_axis_csum.val();
        self.tso.m_axis_tready.next = self.m_axis_tready.val();

        // The completion record, sent low byte first.
        self.record.next = bit_cast::<64, 16>(self.frames.q.val())
            | (bit_cast::<64, 8>(self.status.q.val()) << 16);
        if self.cursor.phase.val() {
            self.record.next = self.record.val() | (bit_cast::<64, 8>(self.phase_bit.val()) << 24);
        }
        self.record_shifted.next =
            self.record.val() >> (bit_cast::<64, 4>(self.count.q.val()) << 3);
        self.wr_cmd_valid.next = false;
        self.wr_cmd_addr.next = self.cpl_base.val() + (self.slot.val() << 3);
        self.wr_tdata.next = self.record_shifted.val().get_bits::<8>(0);
        self.wr_tvalid.next = false;
        self.wr_tlast.next = self.count.q.val() == 7;

        if self.reader.done.val() & self.reader.error.val() {
            self.read_error.d.next = true;
            self.sticky_error.d.next = true;
        }

        match self.state.q.val() {
            TxEngineState::Idle => {
                if !self.enable.val() {
                    self.next_index.init.next = true;
                } else if self.producer.val() != self.next_index.q.val() {
                    self.state.d.next = TxEngineState::DescCommand;
                }
            }
            TxEngineState::DescCommand => {
                self.reader.cmd_valid.next = true;
                self.reader.cmd_addr.next = self.ring_base.val() + (self.slot.val() << 4);
                self.reader.cmd_len.next = 16.into();
                self.read_error.d.next = false;
                if self.reader.cmd_ready.val() {
                    self.state.d.next = TxEngineState::DescData;
                }
            }
            TxEngineState::DescData => {
                self.reader.m_axis_tready.next = true;
                self.desc.en.next = self.reader.m_axis_tvalid.val();
                if self.reader.done.val() {
                    self.state.d.next = TxEngineState::Check;
                }
            }
            TxEngineState::Check => {
                self.frames.init.next = true;
                self.tso_taken.d.next = false;
                self.read_taken.d.next = false;
                self.tso_finished.d.next = false;
                self.read_finished.d.next = false;
                if self.read_error.q.val() {
                    self.status.d.next = self.status_dma_error.val();
                    self.state.d.next = TxEngineState::CplCommand;
                } else if !self.desc_len.val().any() | self.desc_len.val().get_bits::<15>(17).any()
                {
                    self.status.d.next = self.status_bad_descriptor.val();
                    self.state.d.next = TxEngineState::CplCommand;
                } else {
                    self.status.d.next = self.status_ok.val();
                    self.state.d.next = TxEngineState::Send;
                }
            }
            TxEngineState::Send => {
                self.tso.cmd_valid.next = !self.tso_taken.q.val();
                self.reader.cmd_valid.next = !self.read_taken.q.val();
                if self.tso.cmd_ready.val() {
                    self.tso_taken.d.next = true;
                }
                if self.reader.cmd_ready.val() {
                    self.read_taken.d.next = true;
                }
                if (self.tso_taken.q.val() | self.tso.cmd_ready.val())
                    & (self.read_taken.q.val() | self.reader.cmd_ready.val())
                {
                    self.state.d.next = TxEngineState::Wait;
                }
            }
            TxEngineState::Wait => {
                if self.tso.cmd_done.val() {
                    self.tso_finished.d.next = true;
                    self.frames.en.next = true;
                    if self.tso.cmd_error.val() {
                        self.status.d.next = self.status_bad_descriptor.val();
                    }
                }
                if self.reader.done.val() {
                    self.read_finished.d.next = true;
                    if self.reader.error.val() {
                        self.status.d.next = self.status_dma_error.val();
                    }
                }
                if (self.tso_finished.q.val() | self.tso.cmd_done.val())
                    & (self.read_finished.q.val() | self.reader.done.val())
                {
                    self.state.d.next = TxEngineState::CplCommand;
                }
            }
            TxEngineState::CplCommand => {
                self.wr_cmd_valid.next = true;
                self.count.d.next = 0.into();
                if self.wr_cmd_ready.val() {
                    self.state.d.next = TxEngineState::CplData;
                }
            }
            TxEngineState::CplData => {
                self.wr_tvalid.next = true;
                if self.wr_tready.val() {
                    self.count.d.next = self.count.q.val() + 1;
                    if self.count.q.val() == 7 {
                        self.state.d.next = TxEngineState::CplWait;
                    }
                }
            }
            TxEngineState::CplWait => {
                if self.wr_done.val() {
                    self.next_index.en.next = true;
                    self.state.d.next = TxEngineState::Idle;
                }
            }
            _ => {
                self.state.d.next = TxEngineState::Idle;
            }
        }
    }
}
