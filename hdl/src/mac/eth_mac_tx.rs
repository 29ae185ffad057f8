//! `eth_mac_tx`: the MAC's transmit framer, in the core clock domain.
//!
//! Input: an AXI-Stream of whole frames without FCS (`s_axis`), from a
//! frame FIFO that only presents committed
//! frames, so a frame never runs dry mid-way. Output: MII nibbles for the
//! transmit clock domain (`nib_data` = `{tx_en, txd[3:0]}`, `nib_write`,
//! `nib_full`), one per cycle at most; the consumer pops one per tx_clk.
//!
//! Per frame (SPEC F1): 15 × 0x5 and 0xD (preamble 7 × 0x55, SFD 0xD5), the
//! data low nibble first, zero padding up to 60 bytes, the FCS (`!crc`, low
//! nibble first), then 24 idle nibbles: the 12-byte inter-frame gap, counted
//! in transmit clocks because each idle nibble occupies one tx_clk.
//! Outputs for statistics: `frame_sent` pulses once per frame with
//! `frame_bytes` = data bytes before padding.
//!
//! Registers load through enables (`DffEn`, `DffEnInit`: no hold multiplexer
//! in front of them) and the FCS goes out by selecting the held CRC's nibble
//! `count` rather than shifting the CRC.
use crate::bus::axis::AxisSlave;
use crate::mac::eth_crc32_nibble::{CRC32_INIT, EthCrc32Nibble};
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TxState {
    Idle,
    Preamble,
    DataLow,
    DataHigh,
    Pad,
    Fcs,
    Gap,
}

/// Nibbles of data plus padding in a minimum frame: 60 bytes.
const MIN_DATA_NIBBLES: u64 = 120;
/// Preamble and SFD nibbles, less one (the counter runs 0..=15).
const PREAMBLE_LAST: u64 = 15;
/// FCS nibbles, less one.
const FCS_LAST: u64 = 7;
/// Inter-frame gap nibbles, less one: 12 bytes = 24 nibbles.
const GAP_LAST: u64 = 23;

#[derive(LogicBlock, Default)]
pub struct EthMacTx {
    pub clock: Signal<In, Clock>,
    pub s_axis: AxisSlave,
    pub nib_data: Signal<Out, Bits<5>>,
    pub nib_write: Signal<Out, Bit>,
    pub nib_full: Signal<In, Bit>,
    pub frame_sent: Signal<Out, Bit>,
    pub frame_bytes: Signal<Out, Bits<12>>,
    state: DFF<TxState>,
    count: DffEnInit<Bits<5>>,
    data_nibbles: DffEnInit<Bits<12>>,
    bytes: DffEnInit<Bits<12>>,
    high_nibble: DffEn<Bits<4>>,
    was_last: DffEn<Bit>,
    crc: DffEnInit<Bits<32>, CRC32_INIT>,
    write: Signal<Local, Bit>,
    fcs_nibble: Signal<Local, Bits<4>>,
    crc_step: EthCrc32Nibble,
    last_short_nibble: ConstBits<12, { MIN_DATA_NIBBLES - 1 }>,
    preamble_last: ConstBits<5, PREAMBLE_LAST>,
    fcs_last: ConstBits<5, FCS_LAST>,
    gap_last: ConstBits<5, GAP_LAST>,
}

impl Logic for EthMacTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state);
        clock!(
            self,
            clock,
            count,
            data_nibbles,
            bytes,
            high_nibble,
            was_last,
            crc
        );
        self.s_axis.tready.next = false;
        self.nib_write.next = false;
        self.nib_data.next = 0.into();
        self.frame_sent.next = false;
        self.frame_bytes.next = self.bytes.q.val();
        self.crc_step.crc_in.next = self.crc.q.val();
        self.crc_step.nibble.next = 0.into();
        // Loads: each register's new value, and whether it takes it.
        self.write.next = !self.nib_full.val();
        self.count.d.next = self.count.q.val() + 1;
        self.count.en.next = false;
        self.count.init.next = false;
        self.data_nibbles.d.next = self.data_nibbles.q.val() + 1;
        self.data_nibbles.en.next = false;
        self.data_nibbles.init.next = false;
        self.bytes.d.next = self.bytes.q.val() + 1;
        self.bytes.en.next = false;
        self.bytes.init.next = false;
        self.high_nibble.d.next = self.s_axis.tdata.val().get_bits::<4>(4);
        self.high_nibble.en.next = false;
        self.was_last.d.next = self.s_axis.tlast.val();
        self.was_last.en.next = false;
        self.crc.d.next = self.crc_step.crc_out.val();
        self.crc.en.next = false;
        self.crc.init.next = false;
        // The FCS is !crc, low nibble first (IEEE 802.3 §3.2.9).
        match self.count.q.val().get_bits::<3>(0).index() {
            0 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(0),
            1 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(4),
            2 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(8),
            3 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(12),
            4 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(16),
            5 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(20),
            6 => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(24),
            _ => self.fcs_nibble.next = self.crc.q.val().get_bits::<4>(28),
        }
        match self.state.q.val() {
            TxState::Idle => {
                self.count.init.next = true;
                if self.s_axis.tvalid.val() {
                    self.state.d.next = TxState::Preamble;
                }
            }
            TxState::Preamble => {
                if self.write.val() {
                    self.nib_write.next = true;
                    self.nib_data.next = 0x15.into();
                    self.count.en.next = true;
                    if self.count.q.val() == self.preamble_last.val() {
                        self.nib_data.next = 0x1D.into();
                        self.state.d.next = TxState::DataLow;
                        self.crc.init.next = true;
                        self.data_nibbles.init.next = true;
                        self.bytes.init.next = true;
                    }
                }
            }
            TxState::DataLow => {
                self.crc_step.nibble.next = self.s_axis.tdata.val().get_bits::<4>(0);
                if self.write.val() & self.s_axis.tvalid.val() {
                    self.s_axis.tready.next = true;
                    self.nib_write.next = true;
                    self.nib_data.next =
                        bit_cast::<5, 4>(self.s_axis.tdata.val().get_bits::<4>(0)) | 0x10;
                    self.crc.en.next = true;
                    self.high_nibble.en.next = true;
                    self.was_last.en.next = true;
                    self.data_nibbles.en.next = true;
                    self.bytes.en.next = true;
                    self.state.d.next = TxState::DataHigh;
                }
            }
            TxState::DataHigh => {
                self.crc_step.nibble.next = self.high_nibble.q.val();
                if self.write.val() {
                    self.nib_write.next = true;
                    self.nib_data.next = bit_cast::<5, 4>(self.high_nibble.q.val()) | 0x10;
                    self.crc.en.next = true;
                    self.data_nibbles.en.next = true;
                    self.count.init.next = true;
                    if self.was_last.q.val() {
                        // This nibble is number data_nibbles + 1 of at least 120.
                        if self.data_nibbles.q.val() < self.last_short_nibble.val() {
                            self.state.d.next = TxState::Pad;
                        } else {
                            self.state.d.next = TxState::Fcs;
                        }
                    } else {
                        self.state.d.next = TxState::DataLow;
                    }
                }
            }
            TxState::Pad => {
                if self.write.val() {
                    self.nib_write.next = true;
                    self.nib_data.next = 0x10.into();
                    self.crc.en.next = true;
                    self.data_nibbles.en.next = true;
                    if self.data_nibbles.q.val() == self.last_short_nibble.val() {
                        self.state.d.next = TxState::Fcs;
                    }
                }
            }
            TxState::Fcs => {
                if self.write.val() {
                    self.nib_write.next = true;
                    self.nib_data.next = bit_cast::<5, 4>(self.fcs_nibble.val() ^ 0xF) | 0x10;
                    self.count.en.next = true;
                    if self.count.q.val() == self.fcs_last.val() {
                        self.count.init.next = true;
                        self.frame_sent.next = true;
                        self.state.d.next = TxState::Gap;
                    }
                }
            }
            TxState::Gap => {
                if self.write.val() {
                    self.nib_write.next = true;
                    self.nib_data.next = 0.into();
                    self.count.en.next = true;
                    if self.count.q.val() == self.gap_last.val() {
                        self.state.d.next = TxState::Idle;
                    }
                }
            }
            _ => {
                self.state.d.next = TxState::Idle;
            }
        }
    }
}
