//! `cpl_writer`: writes one ring completion record (SPEC F6) through a DMA
//! write port, for both ring engines: the command at `addr`, then the 8
//! bytes of `record`, low byte first, then it waits for the write's `done`.
//!
//! Ports: `start` (held by the engine while it wants the completion
//! written; taken when idle), `addr` and `record` (held steady from `start`
//! to `done`); `wr`, the DMA write port's outputs and inputs (the RX engine
//! shares its port with the frame's data, so it passes them through itself
//! while it is in its completion state); out, `done`, for one cycle when
//! the write has been answered (its `error` is the engine's to look at).
//!
//! Timing: the command is offered in the cycle `start` rises, as the
//! engines' own completion states used to do, so an engine that moves on at
//! `done` spends the same cycles as before.
//!
//! Invariants: exactly 8 bytes per command, the 8th with `tlast`; `done`
//! only after the last byte has been taken; back to idle with `done`.
use crate::bus::dma_write::DmaWriteMaster;
use rust_hdl::prelude::*;
use synack_abi::ring::{rx_cpl, tx_cpl};

// Both records are 8 bytes: `count` runs 0..=7 below.
const _: () = assert!(rx_cpl::BYTES == 8 && tx_cpl::BYTES == 8);

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CplWriterState {
    Idle,
    Data,
    Wait,
}

#[derive(LogicBlock, Default)]
pub struct CplWriter {
    pub clock: Signal<In, Clock>,
    pub start: Signal<In, Bit>,
    pub addr: Signal<In, Bits<32>>,
    pub record: Signal<In, Bits<64>>,
    pub wr: DmaWriteMaster,
    pub done: Signal<Out, Bit>,
    state: DFF<CplWriterState>,
    count: DFF<Bits<4>>,
    record_shifted: Signal<Local, Bits<64>>,
}

impl Logic for CplWriter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, count);
        self.record_shifted.next =
            self.record.val() >> (bit_cast::<64, 4>(self.count.q.val()) << 3);
        self.wr.cmd_valid.next = false;
        self.wr.cmd_addr.next = self.addr.val();
        self.wr.tdata.next = self.record_shifted.val().get_bits::<8>(0);
        self.wr.tvalid.next = false;
        self.wr.tlast.next = self.count.q.val() == 7;
        self.done.next = false;
        match self.state.q.val() {
            CplWriterState::Idle => {
                if self.start.val() {
                    self.wr.cmd_valid.next = true;
                    self.count.d.next = 0.into();
                    if self.wr.cmd_ready.val() {
                        self.state.d.next = CplWriterState::Data;
                    }
                }
            }
            CplWriterState::Data => {
                self.wr.tvalid.next = true;
                if self.wr.tready.val() {
                    self.count.d.next = self.count.q.val() + 1;
                    if self.count.q.val() == 7 {
                        self.state.d.next = CplWriterState::Wait;
                    }
                }
            }
            CplWriterState::Wait => {
                if self.wr.done.val() {
                    self.done.next = true;
                    self.state.d.next = CplWriterState::Idle;
                }
            }
            _ => {
                self.state.d.next = CplWriterState::Idle;
            }
        }
    }
}
