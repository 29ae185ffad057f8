//! `reset_seq`: the board's reset sequence, in the oscillator's domain
//! (`clock`, which runs from configuration on, before the MMCM locks).
//!
//! From configuration, and again whenever the reset button (`button_n`, C2,
//! low while pressed) is pressed:
//! 1. `mmcm_reset` high for 16 cycles (the MMCM restarts and loses lock);
//! 2. `phy_reset_n` low for `PHY_RESET_CYCLES` (10 ms; the DP83848J needs
//!    at least 1 µs), then high;
//! 3. `core_enable` (the core clock's BUFGCE) only once LOCKED, synchronised,
//!    is high and the button is released: the core clock never runs from an
//!    unlocked MMCM;
//! 4. `core_reset` high until 32 cycles after `core_enable` rose, so every
//!    core-domain synchroniser of it sees at least 30 running core cycles.
//!
//! Invariants: `core_reset` is high whenever `core_enable` is low;
//! `phy_reset_n` is low for exactly `PHY_RESET_CYCLES` cycles after each
//! start; the button and LOCKED reach this logic only through `SyncBit`s.
use crate::prim::const_bits::ConstBits;
use crate::prim::sync_bit::SyncBit;
use rust_hdl::prelude::*;

/// PHY reset pulse, oscillator cycles: 10 ms at 100 MHz.
pub const PHY_RESET_CYCLES: u64 = 1_000_000;

#[derive(LogicBlock, Default)]
pub struct ResetSeq {
    pub clock: Signal<In, Clock>,
    pub button_n: Signal<In, Bit>,
    pub locked: Signal<In, Bit>,
    pub mmcm_reset: Signal<Out, Bit>,
    pub core_enable: Signal<Out, Bit>,
    pub core_reset: Signal<Out, Bit>,
    pub phy_reset_n: Signal<Out, Bit>,
    /// LOCKED as this domain sees it (for the status register).
    pub locked_sync: Signal<Out, Bit>,
    button: SyncBit,
    lock: SyncBit,
    start: DFF<Bits<5>>,
    phy_count: DFF<Bits<20>>,
    settle: DFF<Bits<6>>,
    pressed: Signal<Local, Bit>,
    phy_cycles: ConstBits<20, PHY_RESET_CYCLES>,
}

impl Logic for ResetSeq {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, start, phy_count, settle);
        self.button.clock.next = self.clock.val();
        self.lock.clock.next = self.clock.val();
        self.button.d.next = self.button_n.val();
        self.lock.d.next = self.locked.val();
        self.locked_sync.next = self.lock.q.val();
        // The synchroniser starts at 0, which reads as pressed: the
        // sequence also runs from configuration.
        self.pressed.next = !self.button.q.val();

        self.mmcm_reset.next = !self.start.q.val().get_bit(4);
        if !self.start.q.val().get_bit(4) {
            self.start.d.next = self.start.q.val() + 1;
        }
        self.phy_reset_n.next = self.phy_count.q.val() == self.phy_cycles.val();
        if self.phy_count.q.val() != self.phy_cycles.val() {
            self.phy_count.d.next = self.phy_count.q.val() + 1;
        }
        self.core_enable.next =
            self.lock.q.val() & !self.pressed.val() & self.start.q.val().get_bit(4);
        self.core_reset.next = !self.settle.q.val().get_bit(5);
        if self.core_enable.val() & !self.settle.q.val().get_bit(5) {
            self.settle.d.next = self.settle.q.val() + 1;
        }
        if !self.core_enable.val() {
            self.settle.d.next = 0.into();
        }
        if self.pressed.val() {
            self.start.d.next = 0.into();
            self.phy_count.d.next = 0.into();
        }
    }
}
