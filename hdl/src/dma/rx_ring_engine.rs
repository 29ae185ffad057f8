//! `rx_ring_engine`: the RX side of SPEC F6. It takes a buffer the host
//! posted on the RX ring (`synack_abi::ring::RxDesc`), writes the next
//! received frame into it, and writes an `RxCompletion` (length, checksum
//! verdict from `ip_csum_verify`, phase bit) at the same ring index.
//!
//! Ports: `enable` (its CONTROL bit) and `ring`, the ring's registers
//! (`ring_base_lo`, `ring_log2`, `producer`, `cpl_base_lo`); out, `consumer`
//! (buffers filled), `busy` and `dma_error` (sticky);
//! received frames on `s_axis` (from the MAC, FCS checked); the checksum
//! verdict `csum_valid`/`csum_result` for the frame just taken; `axi`, the
//! AXI4 read channel for descriptors; `drop_no_buffer` (pulse per frame
//! dropped because the host had posted no buffer); `wr`, the DMA write port:
//! one command + byte stream for the frame and one for its completion.
//!
//! The descriptor and completion layouts are `synack_abi::ring`'s
//! (`rx_desc`, `rx_cpl`): every bit position written below as a literal is
//! checked against them at compile time.
//!
//! Invariants: buffers are filled strictly in ring order; cleared
//! `enable` returns the engine to idle (at once while it waits for a frame,
//! else after the frame in progress) with `consumer` back at 0; a completion is
//! written only after its frame's last write response, so the host never sees
//! a completion before the data; a frame longer than its buffer is cut at the
//! buffer's length and flagged TRUNCATED; a frame that arrives while no
//! buffer is posted is consumed and counted, never left to block the MAC.
use crate::bus::axi_read::AxiReadMaster;
use crate::bus::axis::AxisSlave;
use crate::bus::dma_write::DmaWriteMaster;
use crate::bus::ring::RingConfigSlave;
use crate::dma::cpl_writer::CplWriter;
use crate::dma::dma_read_stream::DmaReadStream;
use crate::dma::ring_position::RingPosition;
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::DffEn;
use rust_hdl::prelude::*;
use synack_abi::ring::{PHASE, rx_cpl, rx_desc, rx_flags};

// The layouts, as `update` writes them in literals (hdl_gen takes no named
// constants there): a change in `synack_abi::ring` stops the build here.
const _: () = {
    // `desc: Bits<128>` filled a byte at a time from bit 120; read as 16
    // bytes from `RingPosition::desc_addr`.
    assert!(rx_desc::BYTES == 16);
    // The low 32 bits of the address: the DMA bus is 32-bit.
    assert!(rx_desc::ADDR.is(0, 64));
    assert!(rx_desc::LEN.is(64, 32));
    // `record: Bits<64>` sent as 8 bytes by `CplWriter` to `RingPosition::cpl_addr`.
    assert!(rx_cpl::BYTES == 8);
    assert!(rx_cpl::LEN.is(0, 16));
    assert!(rx_cpl::CSUM.is(16, 8));
    assert!(rx_cpl::FLAGS.is(24, 8));
};

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
    Cpl,
}

#[derive(LogicBlock, Default)]
pub struct RxRingEngine {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub ring: RingConfigSlave,
    pub consumer: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dma_error: Signal<Out, Bit>,
    pub drop_no_buffer: Signal<Out, Bit>,
    pub s_axis: AxisSlave,
    pub csum_valid: Signal<In, Bit>,
    pub csum_result: Signal<In, Bits<8>>,
    pub axi: AxiReadMaster,
    pub wr: DmaWriteMaster,
    reader: DmaReadStream,
    position: RingPosition,
    cpl: CplWriter,
    state: DFF<RxEngineState>,
    desc: DffEn<Bits<128>>,
    length: DFF<Bits<16>>,
    truncated: DFF<Bit>,
    csum: DFF<Bits<8>>,
    sticky_error: DFF<Bit>,
    capacity: Signal<Local, Bits<32>>,
    room: Signal<Local, Bit>,
    record: Signal<Local, Bits<64>>,
    flags: Signal<Local, Bits<8>>,
    phase_bit: ConstBits<8, { PHASE as u64 }>,
    truncated_bit: ConstBits<8, { rx_flags::TRUNCATED as u64 }>,
}

impl Logic for RxRingEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, length, truncated, csum, sticky_error);
        clock!(self, clock, desc);
        // The ring index: cleared while disabled and idle, +1 per completion.
        self.position.clock.next = self.clock.val();
        RingConfigSlave::link(&mut self.ring, &mut self.position.ring);
        self.position.clear.next = false;
        self.position.advance.next = false;
        self.reader.clock.next = self.clock.val();
        self.consumer.next = self.position.index.val();
        self.busy.next = (self.state.q.val() != RxEngineState::Idle)
            & (self.state.q.val() != RxEngineState::Ready);
        self.dma_error.next = self.sticky_error.q.val();
        self.drop_no_buffer.next = false;
        self.capacity.next = self.desc.q.val().get_bits::<32>(64);
        self.room.next = bit_cast::<32, 16>(self.length.q.val()) < self.capacity.val();

        AxiReadMaster::link(&mut self.axi, &mut self.reader.axi);
        self.reader.cmd_valid.next = false;
        self.reader.cmd_addr.next = self.position.desc_addr.val();
        self.reader.cmd_len.next = 16.into();
        self.reader.m_axis.tready.next = true;
        self.desc.d.next =
            (self.desc.q.val() >> 8) | (bit_cast::<128, 8>(self.reader.m_axis.tdata.val()) << 120);
        self.desc.en.next = self.reader.m_axis.tvalid.val();
        if self.reader.done.val() & self.reader.error.val() {
            self.sticky_error.d.next = true;
        }

        // Frame bytes go to the writer while the buffer has room.
        self.s_axis.tready.next = false;
        self.wr.cmd_valid.next = false;
        self.wr.cmd_addr.next = self.desc.q.val().get_bits::<32>(0);
        self.wr.tdata.next = self.s_axis.tdata.val();
        self.wr.tvalid.next = false;
        self.wr.tlast.next = self.s_axis.tlast.val()
            | ((bit_cast::<32, 16>(self.length.q.val()) + 1) == self.capacity.val());
        if self.csum_valid.val() {
            self.csum.d.next = self.csum_result.val();
        }
        if self.wr.done.val() & self.wr.error.val() {
            self.sticky_error.d.next = true;
        }

        // The completion record, sent low byte first.
        self.flags.next = 0.into();
        if self.position.phase.val() {
            self.flags.next = self.phase_bit.val();
        }
        if self.truncated.q.val() {
            self.flags.next = self.flags.val() | self.truncated_bit.val();
        }
        self.record.next = bit_cast::<64, 16>(self.length.q.val())
            | (bit_cast::<64, 8>(self.csum.q.val()) << 16)
            | (bit_cast::<64, 8>(self.flags.val()) << 24);

        self.cpl.clock.next = self.clock.val();
        self.cpl.start.next = false;
        self.cpl.addr.next = self.position.cpl_addr.val();
        self.cpl.record.next = self.record.val();
        self.cpl.wr.cmd_ready.next = self.wr.cmd_ready.val();
        self.cpl.wr.tready.next = self.wr.tready.val();
        self.cpl.wr.done.next = self.wr.done.val();
        self.cpl.wr.error.next = self.wr.error.val();
        match self.state.q.val() {
            RxEngineState::Idle => {
                if !self.enable.val() {
                    self.position.clear.next = true;
                    // Frames still arrive: with no buffer they are dropped.
                    if self.s_axis.tvalid.val() {
                        self.state.d.next = RxEngineState::Discard;
                    }
                } else if self.position.pending.val() {
                    self.state.d.next = RxEngineState::DescCommand;
                } else if self.s_axis.tvalid.val() {
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
                // Disabled while a buffer waits for a frame: the buffer is
                // given back (nothing was written to it), so a driver that
                // starts again finds the engine idle at index 0.
                if !self.enable.val() {
                    self.state.d.next = RxEngineState::Idle;
                } else if self.s_axis.tvalid.val() {
                    self.state.d.next = RxEngineState::DataCommand;
                }
            }
            RxEngineState::DataCommand => {
                self.wr.cmd_valid.next = true;
                if self.wr.cmd_ready.val() {
                    self.state.d.next = RxEngineState::Data;
                }
            }
            RxEngineState::Data => {
                self.wr.tvalid.next = self.s_axis.tvalid.val() & self.room.val();
                self.s_axis.tready.next = self.wr.tready.val() | !self.room.val();
                if self.s_axis.tvalid.val() & self.s_axis.tready.val() {
                    if self.room.val() {
                        self.length.d.next = self.length.q.val() + 1;
                    } else {
                        self.truncated.d.next = true;
                    }
                    if self.s_axis.tlast.val() {
                        self.state.d.next = RxEngineState::DataWait;
                    }
                }
            }
            RxEngineState::Discard => {
                self.s_axis.tready.next = true;
                if self.s_axis.tvalid.val() & self.s_axis.tlast.val() {
                    self.drop_no_buffer.next = true;
                    self.state.d.next = RxEngineState::Idle;
                }
            }
            RxEngineState::DataWait => {
                if self.wr.done.val() {
                    self.state.d.next = RxEngineState::Cpl;
                }
            }
            // The completion goes out on the same write port.
            RxEngineState::Cpl => {
                self.cpl.start.next = true;
                self.wr.cmd_valid.next = self.cpl.wr.cmd_valid.val();
                self.wr.cmd_addr.next = self.cpl.wr.cmd_addr.val();
                self.wr.tdata.next = self.cpl.wr.tdata.val();
                self.wr.tvalid.next = self.cpl.wr.tvalid.val();
                self.wr.tlast.next = self.cpl.wr.tlast.val();
                if self.cpl.done.val() {
                    self.position.advance.next = true;
                    self.state.d.next = RxEngineState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxEngineState::Idle;
            }
        }
    }
}
