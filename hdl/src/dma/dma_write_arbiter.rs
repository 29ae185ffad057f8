//! `dma_write_arbiter`: two DMA write ports (`a`, `b`: a command then its
//! bytes, `bus::dma_write`) share one `dma_write_stream` and so one AXI4
//! write port (`axi`).
//!
//! Invariants: a port owns the writer from its accepted command to the
//! writer's `done`, so bursts never mix (AXI4 has no write interleaving);
//! port `a` wins when both ask at once (the receive path cannot wait long:
//! the MAC's receive FIFO holds about one frame).
use crate::bus::axi_write::AxiWriteMaster;
use crate::bus::dma_write::DmaWriteSlave;
use crate::dma::dma_write_stream::DmaWriteStream;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct DmaWriteArbiter {
    pub clock: Signal<In, Clock>,
    pub a: DmaWriteSlave,
    pub b: DmaWriteSlave,
    pub axi: AxiWriteMaster,
    writer: DmaWriteStream,
    active: DFF<Bit>,
    owner_b: DFF<Bit>,
    select_b: Signal<Local, Bit>,
    cmd_valid: Signal<Local, Bit>,
    tvalid: Signal<Local, Bit>,
}

impl Logic for DmaWriteArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, active, owner_b);
        self.writer.clock.next = self.clock.val();
        AxiWriteMaster::link(&mut self.axi, &mut self.writer.axi);

        self.select_b.next = !self.a.cmd_valid.val() & self.b.cmd_valid.val();
        if self.active.q.val() {
            self.select_b.next = self.owner_b.q.val();
        }
        // The selected port's command and bytes reach the writer (a command
        // only while no transfer is active, bytes only while one is); only
        // the selected port hears back.
        self.writer.cmd_addr.next = self.a.cmd_addr.val();
        self.writer.s_axis.tdata.next = self.a.tdata.val();
        self.writer.s_axis.tlast.next = self.a.tlast.val();
        self.cmd_valid.next = self.a.cmd_valid.val();
        self.tvalid.next = self.a.tvalid.val();
        if self.select_b.val() {
            self.writer.cmd_addr.next = self.b.cmd_addr.val();
            self.writer.s_axis.tdata.next = self.b.tdata.val();
            self.writer.s_axis.tlast.next = self.b.tlast.val();
            self.cmd_valid.next = self.b.cmd_valid.val();
            self.tvalid.next = self.b.tvalid.val();
        }
        self.writer.cmd_valid.next = self.cmd_valid.val() & !self.active.q.val();
        self.writer.s_axis.tvalid.next = self.tvalid.val() & self.active.q.val();
        self.a.cmd_ready.next =
            self.writer.cmd_ready.val() & !self.active.q.val() & !self.select_b.val();
        self.b.cmd_ready.next =
            self.writer.cmd_ready.val() & !self.active.q.val() & self.select_b.val();
        self.a.tready.next =
            self.writer.s_axis.tready.val() & self.active.q.val() & !self.select_b.val();
        self.b.tready.next =
            self.writer.s_axis.tready.val() & self.active.q.val() & self.select_b.val();
        self.a.done.next = self.writer.done.val() & !self.select_b.val();
        self.b.done.next = self.writer.done.val() & self.select_b.val();
        self.a.error.next = self.writer.error.val();
        self.b.error.next = self.writer.error.val();
        if !self.active.q.val() & self.writer.cmd_valid.val() & self.writer.cmd_ready.val() {
            self.active.d.next = true;
            self.owner_b.d.next = self.select_b.val();
        }
        if self.writer.done.val() {
            self.active.d.next = false;
        }
    }
}
