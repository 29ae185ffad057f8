//! `stat_bank`: the statistics counters (SPEC F8) as one bank of distributed
//! RAM with a single shared adder, instead of fourteen 32-bit counters, each
//! with its own adder and its own way into the register read multiplexer.
//!
//! Inputs: `events` (bit `i` pulses for one event of counter `i`, indices as
//! `synack_abi::regs::stat`), `tx_bytes` and `rx_bytes` (the amounts of
//! `TX_BYTES` and `RX_BYTES`, valid while their event bits pulse), and
//! `rd_addr`. Output: `rd_data`, counter `rd_addr`, in the same cycle
//! (combinational: the register window latches it at the read handshake).
//!
//! How: a slot pointer visits the 16 words in turn, one per cycle, and
//! writes `word + amount` back, where the amount is what the slot's source
//! has gathered since its last visit; the source's pending state is cleared
//! by the visit (an event in that same cycle starts the next batch). The
//! pointer rests while nothing is pending (an idle NIC holds still, which
//! the co-simulation's fast fidelity relies on to skip its clock) and moves
//! on the cycle after an event. A counter therefore shows an event at most
//! 18 cycles after it happened; counters are 32-bit and wrap, as before.
//!
//! Invariants (no event is lost):
//! - Sources that can fire in consecutive cycles gather in 5-bit pending
//!   counters: at most 16 events (one per cycle) fall between two visits,
//!   so these never overflow whatever the event rate. They are
//!   `RX_DROP_RUNT` and `RX_DROP_RX_ER` (a PHY that toggles rx_dv can end a
//!   "frame" every two nibbles, and the MII crossing delivers nibbles in
//!   bursts) and `TX_TSO_SEGMENTS` (given a counter for margin: a segment
//!   has at least 55 beats, but short non-TSO sends are bounded only by the
//!   descriptor and completion traffic between them).
//! - Every other source keeps one pending bit (and the byte counters one
//!   amount register), which is enough because its events are at least 16
//!   cycles apart: each is at most one per frame that reached 64 bytes on
//!   the wire (good, FCS, oversize, overflow and no-buffer drops, checksum
//!   verdicts, frames sent: the MAC reads or writes at most one nibble per
//!   cycle) or one per 1,515 beats (`TX_DROP_OVERSIZE`). Two different
//!   sources may fire in the same cycle: each has its own pending state.
//! - Slots 14 and 15 have no source and stay zero.
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::DffEn;
use crate::prim::lut_ram::LutRam;
use rust_hdl::prelude::*;
use synack_abi::regs::stat;

// The slot numbers written as literals in `update` (hdl_gen takes no named
// constants in match arms).
const _: () = assert!(stat::TX_BYTES == 1);
const _: () = assert!(stat::RX_BYTES == 4);
const _: () = assert!(stat::RX_DROP_RUNT == 6);
const _: () = assert!(stat::RX_DROP_RX_ER == 8);
const _: () = assert!(stat::TX_TSO_SEGMENTS == 13);
const _: () = assert!(stat::COUNT == 14);

/// Sources with a pending bit: all but the three with pending counters.
const ONE_BIT_SOURCES: u64 = ((1 << stat::COUNT) - 1)
    & !(1 << stat::RX_DROP_RUNT)
    & !(1 << stat::RX_DROP_RX_ER)
    & !(1 << stat::TX_TSO_SEGMENTS);

#[derive(LogicBlock, Default)]
pub struct StatBank {
    pub clock: Signal<In, Clock>,
    pub events: Signal<In, Bits<14>>,
    pub tx_bytes: Signal<In, Bits<12>>,
    pub rx_bytes: Signal<In, Bits<12>>,
    pub rd_addr: Signal<In, Bits<4>>,
    pub rd_data: Signal<Out, Bits<32>>,
    bank: LutRam<Bits<32>, 4>,
    slot: DFF<Bits<4>>,
    pending: DFF<Bits<16>>,
    runt: DFF<Bits<5>>,
    rx_er: DFF<Bits<5>>,
    segments: DFF<Bits<5>>,
    tx_amount: DffEn<Bits<12>>,
    rx_amount: DffEn<Bits<12>>,
    visit: Signal<Local, Bits<16>>,
    amount: Signal<Local, Bits<32>>,
    one_bit_sources: ConstBits<16, ONE_BIT_SOURCES>,
}

impl Logic for StatBank {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, slot, pending, runt, rx_er, segments);
        clock!(self, clock, bank, tx_amount, rx_amount);
        // The pointer moves while anything waits to be added (and rests
        // otherwise, so an idle bank holds still).
        self.slot.d.next = self.slot.q.val();
        if self.pending.q.val().any()
            | self.runt.q.val().any()
            | self.rx_er.q.val().any()
            | self.segments.q.val().any()
        {
            self.slot.d.next = self.slot.q.val() + 1;
        }
        self.visit.next = bit_cast::<16, 1>(true.into()) << self.slot.q.val();

        // Gather: a visit clears what it adds; an event in the same cycle
        // starts the next batch.
        self.pending.d.next = (bit_cast::<16, 14>(self.events.val()) & self.one_bit_sources.val())
            | (self.pending.q.val() & !self.visit.val());
        self.tx_amount.en.next = self.events.val().get_bit(1);
        self.tx_amount.d.next = self.tx_bytes.val();
        self.rx_amount.en.next = self.events.val().get_bit(4);
        self.rx_amount.d.next = self.rx_bytes.val();
        self.runt.d.next =
            self.runt.q.val() + bit_cast::<5, 1>(self.events.val().get_bit(6).into());
        if self.slot.q.val() == 6 {
            self.runt.d.next = bit_cast::<5, 1>(self.events.val().get_bit(6).into());
        }
        self.rx_er.d.next =
            self.rx_er.q.val() + bit_cast::<5, 1>(self.events.val().get_bit(8).into());
        if self.slot.q.val() == 8 {
            self.rx_er.d.next = bit_cast::<5, 1>(self.events.val().get_bit(8).into());
        }
        self.segments.d.next =
            self.segments.q.val() + bit_cast::<5, 1>(self.events.val().get_bit(13).into());
        if self.slot.q.val() == 13 {
            self.segments.d.next = bit_cast::<5, 1>(self.events.val().get_bit(13).into());
        }

        // Add the visited slot's batch to its word.
        self.amount.next =
            bit_cast::<32, 1>((self.pending.q.val() & self.visit.val()).any().into());
        match self.slot.q.val().index() {
            // TX_BYTES
            1 => {
                if !self.pending.q.val().get_bit(1) {
                    self.amount.next = 0.into();
                } else {
                    self.amount.next = bit_cast::<32, 12>(self.tx_amount.q.val());
                }
            }
            // RX_BYTES
            4 => {
                if !self.pending.q.val().get_bit(4) {
                    self.amount.next = 0.into();
                } else {
                    self.amount.next = bit_cast::<32, 12>(self.rx_amount.q.val());
                }
            }
            // RX_DROP_RUNT, RX_DROP_RX_ER, TX_TSO_SEGMENTS
            6 => self.amount.next = bit_cast::<32, 5>(self.runt.q.val()),
            8 => self.amount.next = bit_cast::<32, 5>(self.rx_er.q.val()),
            13 => self.amount.next = bit_cast::<32, 5>(self.segments.q.val()),
            _ => {}
        }
        self.bank.read_address_a.next = self.slot.q.val();
        self.bank.write_address.next = self.slot.q.val();
        self.bank.write_enable.next = true;
        self.bank.write_data.next = self.bank.read_data_a.val() + self.amount.val();
        self.bank.read_address_b.next = self.rd_addr.val();
        self.rd_data.next = self.bank.read_data_b.val();
    }
}

/// The bank's Verilog on its own, for its Verilator tests.
pub fn verilog() -> String {
    crate::emit::top_verilog(StatBank::default(), &[])
}
