//! `uart_rx`: a UART receiver (8 data bits, no parity, one stop bit, LSB
//! first) at a rate set by `divisor`: the bit time in sixteenths of a core
//! cycle (`synack_abi::board::baud_divisor`; 533 for 3 Mbaud at 100 MHz).
//!
//! The line (`rxd`, idle high) is synchronised, then a falling edge starts
//! a byte; each bit is sampled `divisor` sixteenths after the last, the
//! first (the start bit) half a bit after the edge, so samples fall in the
//! middle of each bit to within a core cycle. A byte whose start bit reads
//! high is dropped as noise; one whose stop bit reads low is dropped and
//! `framing_error` pulses. `valid` pulses with `data` the cycle after the
//! middle of a good stop bit, and the receiver hunts for the next start
//! edge at once. Both pulses come from registers, so a user's decision on a
//! byte starts a clock cycle clear of the bit-timing arithmetic (the
//! bridge's header path did not meet 100 MHz with them combinational).
//!
//! Outputs also `idle_cycles`: core cycles since the last byte ended (or
//! the receiver was reset), saturating, for the bridge's timeout.
//!
//! Invariants: `valid` and `framing_error` never pulse together, and each
//! at most once per byte time; `reset` (synchronous) returns to hunting.
use crate::prim::sync_bit::SyncBit;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum UartRxState {
    Hunt,
    Start,
    Data,
    Stop,
}

#[derive(LogicBlock, Default)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rxd: Signal<In, Bit>,
    pub divisor: Signal<In, Bits<16>>,
    pub data: Signal<Out, Bits<8>>,
    pub valid: Signal<Out, Bit>,
    pub framing_error: Signal<Out, Bit>,
    pub idle_cycles: Signal<Out, Bits<24>>,
    line: SyncBit,
    state: DFF<UartRxState>,
    /// Sixteenths of a cycle since the last sample point.
    acc: DFF<Bits<17>>,
    bit_index: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    idle: DFF<Bits<24>>,
    valid_q: DFF<Bit>,
    framing_error_q: DFF<Bit>,
    tick: Signal<Local, Bit>,
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            acc,
            bit_index,
            shift,
            idle,
            valid_q,
            framing_error_q
        );
        self.line.clock.next = self.clock.val();
        self.line.d.next = self.rxd.val();
        self.data.next = self.shift.q.val();
        self.valid.next = self.valid_q.q.val();
        self.framing_error.next = self.framing_error_q.q.val();
        self.valid_q.d.next = false;
        self.framing_error_q.d.next = false;
        self.idle_cycles.next = self.idle.q.val();
        if self.idle.q.val() != 0xFF_FFFF {
            self.idle.d.next = self.idle.q.val() + 1;
        }

        self.tick.next = (self.acc.q.val() + 16) >= bit_cast::<17, 16>(self.divisor.val());
        self.acc.d.next = self.acc.q.val() + 16;
        if self.tick.val() {
            self.acc.d.next = self.acc.q.val() + 16 - bit_cast::<17, 16>(self.divisor.val());
        }
        match self.state.q.val() {
            UartRxState::Hunt => {
                if !self.line.q.val() {
                    // Half a bit to the middle of the start bit.
                    self.acc.d.next = bit_cast::<17, 16>(self.divisor.val() >> 1);
                    self.state.d.next = UartRxState::Start;
                }
            }
            UartRxState::Start => {
                if self.tick.val() {
                    self.bit_index.d.next = 0.into();
                    if self.line.q.val() {
                        self.state.d.next = UartRxState::Hunt;
                    } else {
                        self.state.d.next = UartRxState::Data;
                    }
                }
            }
            UartRxState::Data => {
                if self.tick.val() {
                    self.shift.d.next = (self.shift.q.val() >> 1)
                        | (bit_cast::<8, 1>(self.line.q.val().into()) << 7);
                    self.bit_index.d.next = self.bit_index.q.val() + 1;
                    if self.bit_index.q.val() == 7 {
                        self.state.d.next = UartRxState::Stop;
                    }
                }
            }
            UartRxState::Stop => {
                if self.tick.val() {
                    self.state.d.next = UartRxState::Hunt;
                    self.idle.d.next = 0.into();
                    if self.line.q.val() {
                        self.valid_q.d.next = true;
                    } else {
                        self.framing_error_q.d.next = true;
                    }
                }
            }
            _ => {
                self.state.d.next = UartRxState::Hunt;
            }
        }
        if self.reset.val() {
            self.state.d.next = UartRxState::Hunt;
            self.idle.d.next = 0.into();
            self.valid_q.d.next = false;
            self.framing_error_q.d.next = false;
        }
    }
}
