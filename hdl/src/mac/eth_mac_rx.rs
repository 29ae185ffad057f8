//! `eth_mac_rx`: the MAC's receive deframer, in the core clock domain.
//!
//! Input: every MII receive nibble, crossed from rx_clk: `nib_data` =
//! `{rx_er, rx_dv, rxd[3:0]}` with `nib_valid`; all are consumed (`nib_read`).
//! Output: the write side of an `axis_frame_fifo` (`wr`): the frame without
//! preamble, SFD and FCS, committed when good, dropped when not.
//!
//! SPEC F1: after the preamble's 0x5 nibbles, the SFD nibble 0xD starts the
//! frame; bytes arrive low nibble first. A frame ends when rx_dv falls. It is
//! dropped, and exactly one `drop_*` cause pulses, when: rx_er was seen
//! during it (`drop_rx_er`); it is shorter than 64 bytes with FCS
//! (`drop_runt`); longer than 1518 (`drop_oversize`); its CRC residue is
//! wrong or it ends on half a byte (`drop_fcs`); or the FIFO filled up
//! (`drop_overflow`). Otherwise `frame_good` pulses with `frame_bytes`, the
//! byte count without FCS.
//!
//! The last four bytes are the FCS, known only when rx_dv falls, so bytes go
//! to the FIFO through a five-byte delay line: at the end, its oldest byte
//! is the last data byte and is written with `wr.last`.
//!
//! The CRC, byte count, nibble and delay line load through enables
//! (`DffEn`, `DffEnInit`), so they need no hold multiplexer.
use crate::bus::frame_write::FrameWriteMaster;
use crate::mac::eth_crc32_nibble::{CRC32_INIT, CRC32_RESIDUE, EthCrc32Nibble};
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxState {
    Idle,
    Preamble,
    Data,
    Discard,
}

/// Smallest frame, FCS included (SPEC F1).
pub const MIN_FRAME: u64 = 64;
/// Largest frame, FCS included (SPEC F1).
pub const MAX_FRAME: u64 = 1518;

/// Bytes in the delay line, and in the FCS it holds back.
const LINE_DEPTH: u64 = 5;
const FCS_BYTES: u64 = 4;

#[derive(LogicBlock, Default)]
pub struct EthMacRx {
    pub clock: Signal<In, Clock>,
    pub nib_data: Signal<In, Bits<6>>,
    pub nib_valid: Signal<In, Bit>,
    pub nib_read: Signal<Out, Bit>,
    pub wr: FrameWriteMaster,
    pub frame_good: Signal<Out, Bit>,
    pub frame_bytes: Signal<Out, Bits<12>>,
    pub drop_fcs: Signal<Out, Bit>,
    pub drop_runt: Signal<Out, Bit>,
    pub drop_oversize: Signal<Out, Bit>,
    pub drop_rx_er: Signal<Out, Bit>,
    pub drop_overflow: Signal<Out, Bit>,
    state: DFF<RxState>,
    crc: DffEnInit<Bits<32>, CRC32_INIT>,
    high_phase: DFF<Bit>,
    low_nibble: DffEn<Bits<4>>,
    bytes: DffEnInit<Bits<12>>,
    saw_rx_er: DFF<Bit>,
    oversize: DFF<Bit>,
    overflow: DFF<Bit>,
    line0: DffEn<Bits<8>>,
    line1: DffEn<Bits<8>>,
    line2: DffEn<Bits<8>>,
    line3: DffEn<Bits<8>>,
    line4: DffEn<Bits<8>>,
    crc_step: EthCrc32Nibble,
    nibble: Signal<Local, Bits<4>>,
    dv: Signal<Local, Bit>,
    er: Signal<Local, Bit>,
    assembled: Signal<Local, Bits<8>>,
    data_nibble: Signal<Local, Bit>,
    data_byte: Signal<Local, Bit>,
    min_frame: ConstBits<12, MIN_FRAME>,
    max_frame: ConstBits<12, MAX_FRAME>,
    line_depth: ConstBits<12, LINE_DEPTH>,
    fcs_bytes: ConstBits<12, FCS_BYTES>,
    crc_residue: ConstBits<32, { CRC32_RESIDUE as u64 }>,
}

impl Logic for EthMacRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, high_phase, saw_rx_er, oversize, overflow
        );
        clock!(
            self, clock, crc, low_nibble, bytes, line0, line1, line2, line3, line4
        );
        self.nibble.next = self.nib_data.val().get_bits::<4>(0);
        self.dv.next = self.nib_data.val().get_bit(4);
        self.er.next = self.nib_data.val().get_bit(5);
        self.assembled.next =
            (bit_cast::<8, 4>(self.nibble.val()) << 4) | bit_cast::<8, 4>(self.low_nibble.q.val());
        self.nib_read.next = self.nib_valid.val();
        // A data nibble, and one that completes a byte (high nibble).
        self.data_nibble.next =
            (self.state.q.val() == RxState::Data) & self.nib_valid.val() & self.dv.val();
        self.data_byte.next = self.data_nibble.val() & self.high_phase.q.val();
        self.crc.d.next = self.crc_step.crc_out.val();
        self.crc.en.next = self.data_nibble.val();
        self.crc.init.next = self.state.q.val() == RxState::Idle;
        self.low_nibble.d.next = self.nibble.val();
        self.low_nibble.en.next = self.data_nibble.val() & !self.high_phase.q.val();
        self.bytes.d.next = self.bytes.q.val() + 1;
        self.bytes.en.next = self.data_byte.val();
        self.bytes.init.next = self.state.q.val() == RxState::Idle;
        self.line0.d.next = self.assembled.val();
        self.line1.d.next = self.line0.q.val();
        self.line2.d.next = self.line1.q.val();
        self.line3.d.next = self.line2.q.val();
        self.line4.d.next = self.line3.q.val();
        self.line0.en.next = self.data_byte.val();
        self.line1.en.next = self.data_byte.val();
        self.line2.en.next = self.data_byte.val();
        self.line3.en.next = self.data_byte.val();
        self.line4.en.next = self.data_byte.val();
        self.crc_step.crc_in.next = self.crc.q.val();
        self.crc_step.nibble.next = self.nibble.val();
        self.wr.data.next = self.line4.q.val();
        self.wr.last.next = false;
        self.wr.en.next = false;
        self.wr.commit.next = false;
        self.wr.drop.next = false;
        self.frame_good.next = false;
        self.frame_bytes.next = self.bytes.q.val() - self.fcs_bytes.val();
        self.drop_fcs.next = false;
        self.drop_runt.next = false;
        self.drop_oversize.next = false;
        self.drop_rx_er.next = false;
        self.drop_overflow.next = false;
        match self.state.q.val() {
            RxState::Idle => {
                self.high_phase.d.next = false;
                self.saw_rx_er.d.next = false;
                self.oversize.d.next = false;
                self.overflow.d.next = false;
                if self.nib_valid.val() & self.dv.val() {
                    if self.nibble.val() == 0x5 {
                        self.state.d.next = RxState::Preamble;
                    } else if self.nibble.val() == 0xD {
                        self.state.d.next = RxState::Data;
                    } else {
                        self.state.d.next = RxState::Discard;
                    }
                    self.saw_rx_er.d.next = self.er.val();
                }
            }
            RxState::Preamble => {
                if self.nib_valid.val() {
                    if !self.dv.val() {
                        self.state.d.next = RxState::Idle;
                    } else if self.nibble.val() == 0xD {
                        self.state.d.next = RxState::Data;
                    } else if self.nibble.val() != 0x5 {
                        self.state.d.next = RxState::Discard;
                    }
                    self.saw_rx_er.d.next = self.saw_rx_er.q.val() | self.er.val();
                }
            }
            RxState::Data => {
                if self.nib_valid.val() & self.dv.val() {
                    self.saw_rx_er.d.next = self.saw_rx_er.q.val() | self.er.val();
                    self.high_phase.d.next = !self.high_phase.q.val();
                    if self.high_phase.q.val() {
                        if self.bytes.q.val() == self.max_frame.val() {
                            self.oversize.d.next = true;
                        }
                        // line4 is about to leave the line: it is a data byte.
                        if (self.bytes.q.val() >= self.line_depth.val())
                            & !self.oversize.q.val()
                            & !self.overflow.q.val()
                        {
                            self.wr.en.next = true;
                            if self.wr.full.val() {
                                self.overflow.d.next = true;
                            }
                        }
                    }
                } else if self.nib_valid.val() {
                    // rx_dv fell: the frame is complete; judge it.
                    self.state.d.next = RxState::Idle;
                    if self.saw_rx_er.q.val() {
                        self.drop_rx_er.next = true;
                        self.wr.drop.next = true;
                    } else if self.oversize.q.val() {
                        // Before the runt test: a jabbering frame wraps `bytes`.
                        self.drop_oversize.next = true;
                        self.wr.drop.next = true;
                    } else if self.bytes.q.val() < self.min_frame.val() {
                        self.drop_runt.next = true;
                        self.wr.drop.next = true;
                    } else if self.high_phase.q.val() | (self.crc.q.val() != self.crc_residue.val())
                    {
                        self.drop_fcs.next = true;
                        self.wr.drop.next = true;
                    } else if self.overflow.q.val() | self.wr.full.val() {
                        self.drop_overflow.next = true;
                        self.wr.drop.next = true;
                    } else {
                        self.wr.en.next = true;
                        self.wr.last.next = true;
                        self.wr.commit.next = true;
                        self.frame_good.next = true;
                    }
                }
            }
            RxState::Discard => {
                if self.nib_valid.val() & !self.dv.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxState::Idle;
            }
        }
    }
}
