//! `tx_ring_engine`: the TX side of SPEC F6. It follows the host's TX ring:
//! fetches each descriptor (`synack_abi::ring::TxDesc`) the producer index
//! offers, reads its buffer through the TSO segmenter (SPEC F5), and writes
//! a `TxCompletion` with the phase bit at the same ring index.
//!
//! Ports: `enable` (its CONTROL bit) and `ring`, the ring's registers
//! (`ring_base_lo`, `ring_log2`, `producer`, `cpl_base_lo`); out, `consumer`
//! (descriptors completed), `busy` and `dma_error` (sticky); `axi`, the AXI4 read channel (its reader's);
//! frames out on `m_axis` with `m_axis_csum` for the checksum inserter;
//! `segments` (a pulse per frame emitted); `wr`, the DMA write port, for an
//! 8-byte completion record (a command, then its bytes). Write errors are
//! the writer's to report (`dma_write_arbiter` gives both ports `error`);
//! this engine ignores `wr.error`.
//!
//! The descriptor and completion layouts are `synack_abi::ring`'s
//! (`tx_desc`, `tx_cpl`): every bit position written below as a literal is
//! checked against them at compile time.
//!
//! Invariants: descriptors are handled strictly in ring order, one at a time;
//! a completion is written only after every byte of its buffer has been read
//! and every frame handed on; clearing `enable` while idle resets `consumer`
//! and the phase, so the host restarts the ring by writing producer = 0.
use crate::bus::axi_read::AxiReadMaster;
use crate::bus::axis::AxisMaster;
use crate::bus::dma_write::DmaWriteMaster;
use crate::bus::ring::RingConfigSlave;
use crate::dma::cpl_writer::CplWriter;
use crate::dma::dma_read_stream::DmaReadStream;
use crate::dma::ring_position::RingPosition;
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::{DffEn, DffEnInit};
use crate::tso::tso_segmenter::TsoSegmenter;
use rust_hdl::prelude::*;
use synack_abi::ring::{PHASE, tx_cpl, tx_desc, tx_flags, tx_status};

// The layouts, as `update` writes them in literals (hdl_gen takes no named
// constants there): a change in `synack_abi::ring` stops the build here.
const _: () = {
    // `desc: Bits<128>` filled a byte at a time from bit 120; read as 16
    // bytes from `RingPosition::desc_addr`.
    assert!(tx_desc::BYTES == 16);
    // The low 32 bits of the address: the DMA bus is 32-bit.
    assert!(tx_desc::ADDR.is(0, 64));
    assert!(tx_desc::LEN.is(64, 32));
    assert!(tx_desc::MSS.is(96, 16));
    assert!(tx_desc::HDR_LEN.is(112, 8));
    assert!(tx_desc::FLAGS.is(120, 8));
    // `record: Bits<64>` sent as 8 bytes by `CplWriter` to `RingPosition::cpl_addr`.
    assert!(tx_cpl::BYTES == 8);
    assert!(tx_cpl::FRAMES.is(0, 16));
    assert!(tx_cpl::STATUS.is(16, 8));
    assert!(tx_cpl::FLAGS.is(24, 8));
};

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TxEngineState {
    Idle,
    DescCommand,
    DescData,
    Check,
    Send,
    Wait,
    Cpl,
}

#[derive(LogicBlock, Default)]
pub struct TxRingEngine {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub ring: RingConfigSlave,
    pub consumer: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dma_error: Signal<Out, Bit>,
    pub segments: Signal<Out, Bit>,
    pub axi: AxiReadMaster,
    pub m_axis: AxisMaster,
    pub m_axis_csum: Signal<Out, Bit>,
    pub wr: DmaWriteMaster,
    reader: DmaReadStream,
    position: RingPosition,
    cpl: CplWriter,
    tso: TsoSegmenter,
    state: DFF<TxEngineState>,
    desc: DffEn<Bits<128>>,
    status: DFF<Bits<8>>,
    frames: DffEnInit<Bits<16>>,
    read_error: DFF<Bit>,
    sticky_error: DFF<Bit>,
    tso_taken: DFF<Bit>,
    read_taken: DFF<Bit>,
    tso_finished: DFF<Bit>,
    read_finished: DFF<Bit>,
    desc_addr: Signal<Local, Bits<32>>,
    desc_len: Signal<Local, Bits<32>>,
    desc_mss: Signal<Local, Bits<16>>,
    desc_hdr_len: Signal<Local, Bits<8>>,
    desc_flags: Signal<Local, Bits<8>>,
    record: Signal<Local, Bits<64>>,
    flag_csum: ConstBits<8, { tx_flags::CSUM as u64 }>,
    flag_tso: ConstBits<8, { tx_flags::TSO as u64 }>,
    status_ok: ConstBits<8, { tx_status::OK as u64 }>,
    status_dma_error: ConstBits<8, { tx_status::DMA_ERROR as u64 }>,
    status_bad_descriptor: ConstBits<8, { tx_status::BAD_DESCRIPTOR as u64 }>,
    phase_bit: ConstBits<8, { PHASE as u64 }>,
}

impl Logic for TxRingEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            status,
            read_error,
            sticky_error,
            tso_taken,
            read_taken,
            tso_finished,
            read_finished
        );
        clock!(self, clock, desc, frames);
        // The ring index: cleared while disabled and idle, +1 per completion.
        self.position.clock.next = self.clock.val();
        RingConfigSlave::link(&mut self.ring, &mut self.position.ring);
        self.position.clear.next = false;
        self.position.advance.next = false;
        // The descriptor shifts in a byte at a time, low byte first.
        self.desc.d.next =
            (self.desc.q.val() >> 8) | (bit_cast::<128, 8>(self.reader.m_axis.tdata.val()) << 120);
        self.desc.en.next = false;
        // Frames of this descriptor: cleared in Check, taken from the TSO.
        self.frames.d.next = self.tso.cmd_frames.val();
        self.frames.en.next = false;
        self.frames.init.next = false;
        self.reader.clock.next = self.clock.val();
        self.tso.clock.next = self.clock.val();
        self.consumer.next = self.position.index.val();
        self.busy.next = self.state.q.val() != TxEngineState::Idle;
        self.dma_error.next = self.sticky_error.q.val();
        self.segments.next = self.tso.seg_done.val();
        self.desc_addr.next = self.desc.q.val().get_bits::<32>(0);
        self.desc_len.next = self.desc.q.val().get_bits::<32>(64);
        self.desc_mss.next = self.desc.q.val().get_bits::<16>(96);
        self.desc_hdr_len.next = self.desc.q.val().get_bits::<8>(112);
        self.desc_flags.next = self.desc.q.val().get_bits::<8>(120);

        // The reader's AXI4 channel is ours.
        AxiReadMaster::link(&mut self.axi, &mut self.reader.axi);
        self.reader.cmd_valid.next = false;
        self.reader.cmd_addr.next = self.desc_addr.val();
        self.reader.cmd_len.next = bit_cast::<17, 32>(self.desc_len.val());
        // The read stream feeds the segmenter, except while a descriptor is read.
        self.tso.s_axis.tdata.next = self.reader.m_axis.tdata.val();
        self.tso.s_axis.tlast.next = self.reader.m_axis.tlast.val();
        self.tso.s_axis.tvalid.next =
            self.reader.m_axis.tvalid.val() & (self.state.q.val() != TxEngineState::DescData);
        self.reader.m_axis.tready.next = self.tso.s_axis.tready.val();
        self.tso.cmd_valid.next = false;
        self.tso.cmd_len.next = bit_cast::<17, 32>(self.desc_len.val());
        self.tso.cmd_hdr_len.next = self.desc_hdr_len.val();
        self.tso.cmd_mss.next = self.desc_mss.val();
        self.tso.cmd_tso.next = (self.desc_flags.val() & self.flag_tso.val()).any();
        self.tso.cmd_csum.next = (self.desc_flags.val() & self.flag_csum.val()).any();
        AxisMaster::link(&mut self.m_axis, &mut self.tso.m_axis);
        self.m_axis_csum.next = self.tso.m_axis_csum.val();

        // The completion record, sent low byte first.
        self.record.next = bit_cast::<64, 16>(self.frames.q.val())
            | (bit_cast::<64, 8>(self.status.q.val()) << 16);
        if self.position.phase.val() {
            self.record.next = self.record.val() | (bit_cast::<64, 8>(self.phase_bit.val()) << 24);
        }
        self.cpl.clock.next = self.clock.val();
        self.cpl.start.next = false;
        self.cpl.addr.next = self.position.cpl_addr.val();
        self.cpl.record.next = self.record.val();
        DmaWriteMaster::link(&mut self.wr, &mut self.cpl.wr);

        if self.reader.done.val() & self.reader.error.val() {
            self.read_error.d.next = true;
            self.sticky_error.d.next = true;
        }

        match self.state.q.val() {
            TxEngineState::Idle => {
                if !self.enable.val() {
                    self.position.clear.next = true;
                } else if self.position.pending.val() {
                    self.state.d.next = TxEngineState::DescCommand;
                }
            }
            TxEngineState::DescCommand => {
                self.reader.cmd_valid.next = true;
                self.reader.cmd_addr.next = self.position.desc_addr.val();
                self.reader.cmd_len.next = 16.into();
                self.read_error.d.next = false;
                if self.reader.cmd_ready.val() {
                    self.state.d.next = TxEngineState::DescData;
                }
            }
            TxEngineState::DescData => {
                self.reader.m_axis.tready.next = true;
                self.desc.en.next = self.reader.m_axis.tvalid.val();
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
                    self.state.d.next = TxEngineState::Cpl;
                } else if !self.desc_len.val().any() | self.desc_len.val().get_bits::<15>(17).any()
                {
                    self.status.d.next = self.status_bad_descriptor.val();
                    self.state.d.next = TxEngineState::Cpl;
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
                    self.state.d.next = TxEngineState::Cpl;
                }
            }
            TxEngineState::Cpl => {
                self.cpl.start.next = true;
                if self.cpl.done.val() {
                    self.position.advance.next = true;
                    self.state.d.next = TxEngineState::Idle;
                }
            }
            _ => {
                self.state.d.next = TxEngineState::Idle;
            }
        }
    }
}
