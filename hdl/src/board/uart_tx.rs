//! `uart_tx`: a UART transmitter (8N1, LSB first) at the rate `divisor`
//! sets (the bit time in sixteenths of a core cycle, as `uart_rx`).
//!
//! Inputs: `data` with `valid`; `ready` is high while idle, and a byte is
//! taken when both are high. `txd` idles high. `idle` is high when no byte
//! is being sent (a new divisor may be applied then).
//!
//! Invariants: every bit lasts `divisor` sixteenths of a cycle on average
//! (each within one cycle); the stop bit is whole before `ready` rises.
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub divisor: Signal<In, Bits<16>>,
    pub data: Signal<In, Bits<8>>,
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub txd: Signal<Out, Bit>,
    /// Start bit, 8 data bits, stop bit: bit 0 is on the line.
    frame: DFF<Bits<10>>,
    bits_left: DFF<Bits<4>>,
    acc: DFF<Bits<17>>,
    tick: Signal<Local, Bit>,
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, frame, bits_left, acc);
        self.ready.next = !self.bits_left.q.val().any();
        self.txd.next = true;
        if self.bits_left.q.val().any() {
            self.txd.next = self.frame.q.val().get_bit(0);
        }
        self.tick.next = (self.acc.q.val() + 16) >= bit_cast::<17, 16>(self.divisor.val());
        self.acc.d.next = self.acc.q.val() + 16;
        if self.tick.val() {
            self.acc.d.next = self.acc.q.val() + 16 - bit_cast::<17, 16>(self.divisor.val());
        }
        if self.bits_left.q.val().any() {
            if self.tick.val() {
                self.frame.d.next = (self.frame.q.val() >> 1) | 0x200;
                self.bits_left.d.next = self.bits_left.q.val() - 1;
            }
        } else if self.valid.val() {
            // Stop bit (1), the byte, start bit (0).
            self.frame.d.next = (bit_cast::<10, 8>(self.data.val()) << 1) | 0x200;
            self.bits_left.d.next = 10.into();
            self.acc.d.next = 0.into();
        }
        if self.reset.val() {
            self.bits_left.d.next = 0.into();
        }
    }
}
