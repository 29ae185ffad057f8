//! `irq_coalesce`: the interrupt line with coalescing (SPEC F6).
//!
//! Pending completions = (TX consumer − TX completion head) + (RX consumer −
//! RX completion head): those the fabric wrote and the host has not yet
//! acknowledged by writing the heads. The line `irq` is high while `enable`
//! and something is pending and either `count` completions are pending
//! (0 counts as 1) or the oldest pending one has waited `usecs` microseconds
//! (0: no timer). It is level-triggered: it falls when the host writes the
//! heads up to the consumers, with no register read having an effect.
//!
//! The wait is measured from the moment pending last rose from zero, in
//! microseconds of a 100 MHz `clock`. `count` and `usecs` are 16-bit (their
//! registers' width), so `waited`, which stops at `usecs`, is too. Once it
//! stops (or with no timer) the prescaler stops too: a NIC whose host has
//! not yet taken its completions holds still rather than counting forever
//! (which also lets the co-simulation skip its idle cycles).
use crate::prim::const_bits::ConstBits;
use rust_hdl::prelude::*;

/// Clock cycles per microsecond at 100 MHz, less one (the prescaler counts 0..=99).
const CYCLES_PER_US_LAST: u64 = 99;

#[derive(LogicBlock, Default)]
pub struct IrqCoalesce {
    pub clock: Signal<In, Clock>,
    pub enable: Signal<In, Bit>,
    pub tx_consumer: Signal<In, Bits<32>>,
    pub tx_head: Signal<In, Bits<32>>,
    pub rx_consumer: Signal<In, Bits<32>>,
    pub rx_head: Signal<In, Bits<32>>,
    pub count: Signal<In, Bits<16>>,
    pub usecs: Signal<In, Bits<16>>,
    pub irq: Signal<Out, Bit>,
    prescale: DFF<Bits<7>>,
    waited: DFF<Bits<16>>,
    pending: Signal<Local, Bits<32>>,
    threshold: Signal<Local, Bits<16>>,
    cycles_per_us: ConstBits<7, CYCLES_PER_US_LAST>,
}

impl Logic for IrqCoalesce {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, prescale, waited);
        self.pending.next = (self.tx_consumer.val() - self.tx_head.val())
            + (self.rx_consumer.val() - self.rx_head.val());
        self.threshold.next = self.count.val();
        if !self.count.val().any() {
            self.threshold.next = 1.into();
        }
        if !self.pending.val().any() {
            self.prescale.d.next = 0.into();
            self.waited.d.next = 0.into();
        } else if self.waited.q.val() == self.usecs.val() {
            // The wait is over (or there is no timer): both hold.
        } else if self.prescale.q.val() == self.cycles_per_us.val() {
            self.prescale.d.next = 0.into();
            self.waited.d.next = self.waited.q.val() + 1;
        } else {
            self.prescale.d.next = self.prescale.q.val() + 1;
        }
        self.irq.next = self.enable.val()
            & self.pending.val().any()
            & (self.pending.val().get_bits::<16>(16).any()
                | (self.pending.val().get_bits::<16>(0) >= self.threshold.val())
                | (self.usecs.val().any() & (self.waited.q.val() == self.usecs.val())));
    }
}
