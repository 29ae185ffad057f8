//! `ring_position`: where a ring engine stands on its ring (SPEC F6), the
//! same for the TX and the RX engine: the free-running index of the entry it
//! works on, and what follows from it and the ring's registers.
//!
//! Ports: `clock`; `ring`, the ring's registers (linked from the engine's
//! own `ring` port); `clear` (the index back to 0: the engine is disabled
//! and idle) and `advance` (+1: the entry's completion is written), both
//! taken at the rising edge, `clear` first. Out, all combinational from the
//! index: `index` (the engine's consumer index); `pending` (the host has
//! posted entries the engine has not taken: `producer != index`);
//! `desc_addr` and `cpl_addr`, where the entry's 16-byte descriptor and its
//! 8-byte completion record are (`ring_base + slot * 16`,
//! `cpl_base + slot * 8`); `phase`, the completion's phase bit
//! (`ring_cursor`).
//!
//! Invariants: the index starts at 0 and changes only at a rising edge with
//! `clear` or `advance` high; it runs free (the slot is the index modulo
//! the ring's size, `ring_cursor`).
use crate::bus::ring::RingConfigSlave;
use crate::dma::ring_cursor::RingCursor;
use crate::prim::dff_en::DffEnInit;
use rust_hdl::prelude::*;
use synack_abi::ring::{rx_cpl, rx_desc, tx_cpl, tx_desc};

// The strides `update` writes as shifts (hdl_gen takes no named constants):
// a change in `synack_abi::ring` stops the build here.
const _: () = {
    assert!(tx_desc::BYTES == 16 && rx_desc::BYTES == 16);
    assert!(tx_cpl::BYTES == 8 && rx_cpl::BYTES == 8);
};

#[derive(LogicBlock, Default)]
pub struct RingPosition {
    pub clock: Signal<In, Clock>,
    pub ring: RingConfigSlave,
    pub clear: Signal<In, Bit>,
    pub advance: Signal<In, Bit>,
    pub index: Signal<Out, Bits<32>>,
    pub pending: Signal<Out, Bit>,
    pub desc_addr: Signal<Out, Bits<32>>,
    pub cpl_addr: Signal<Out, Bits<32>>,
    pub phase: Signal<Out, Bit>,
    cursor: RingCursor,
    next_index: DffEnInit<Bits<32>>,
}

impl Logic for RingPosition {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, next_index);
        self.next_index.d.next = self.next_index.q.val() + 1;
        self.next_index.en.next = self.advance.val();
        self.next_index.init.next = self.clear.val();
        self.index.next = self.next_index.q.val();
        self.pending.next = self.ring.producer.val() != self.next_index.q.val();
        self.cursor.log2.next = self.ring.ring_log2.val();
        self.cursor.index.next = self.next_index.q.val();
        self.desc_addr.next = self.ring.ring_base_lo.val() + (self.cursor.slot.val() << 4);
        self.cpl_addr.next = self.ring.cpl_base_lo.val() + (self.cursor.slot.val() << 3);
        self.phase.next = self.cursor.phase.val();
    }
}
