//! `dma_write_arbiter`: two writers of byte streams (`a_*`, `b_*`: a command
//! then its bytes) share one `dma_write_stream` and so one AXI4 write port.
//!
//! Invariants: a port owns the writer from its accepted command to the
//! writer's `done`, so bursts never mix (AXI4 has no write interleaving);
//! port `a` wins when both ask at once (the receive path cannot wait long:
//! the MAC's receive FIFO holds about one frame).
use crate::dma::dma_write_stream::DmaWriteStream;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct DmaWriteArbiter {
    pub clock: Signal<In, Clock>,
    pub a_cmd_valid: Signal<In, Bit>,
    pub a_cmd_addr: Signal<In, Bits<32>>,
    pub a_cmd_ready: Signal<Out, Bit>,
    pub a_tdata: Signal<In, Bits<8>>,
    pub a_tvalid: Signal<In, Bit>,
    pub a_tlast: Signal<In, Bit>,
    pub a_tready: Signal<Out, Bit>,
    pub a_done: Signal<Out, Bit>,
    pub a_error: Signal<Out, Bit>,
    pub b_cmd_valid: Signal<In, Bit>,
    pub b_cmd_addr: Signal<In, Bits<32>>,
    pub b_cmd_ready: Signal<Out, Bit>,
    pub b_tdata: Signal<In, Bits<8>>,
    pub b_tvalid: Signal<In, Bit>,
    pub b_tlast: Signal<In, Bit>,
    pub b_tready: Signal<Out, Bit>,
    pub b_done: Signal<Out, Bit>,
    pub b_error: Signal<Out, Bit>,
    pub awaddr: Signal<Out, Bits<32>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    pub wdata: Signal<Out, Bits<32>>,
    pub wstrb: Signal<Out, Bits<4>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    writer: DmaWriteStream,
    active: DFF<Bit>,
    owner_b: DFF<Bit>,
    select_b: Signal<Local, Bit>,
}

impl Logic for DmaWriteArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, active, owner_b);
        self.writer.clock.next = self.clock.val();
        self.awaddr.next = self.writer.awaddr.val();
        self.awlen.next = self.writer.awlen.val();
        self.awsize.next = self.writer.awsize.val();
        self.awburst.next = self.writer.awburst.val();
        self.awvalid.next = self.writer.awvalid.val();
        self.writer.awready.next = self.awready.val();
        self.wdata.next = self.writer.wdata.val();
        self.wstrb.next = self.writer.wstrb.val();
        self.wlast.next = self.writer.wlast.val();
        self.wvalid.next = self.writer.wvalid.val();
        self.writer.wready.next = self.wready.val();
        self.writer.bresp.next = self.bresp.val();
        self.writer.bvalid.next = self.bvalid.val();
        self.bready.next = self.writer.bready.val();

        self.select_b.next = !self.a_cmd_valid.val() & self.b_cmd_valid.val();
        if self.active.q.val() {
            self.select_b.next = self.owner_b.q.val();
        }
        self.a_cmd_ready.next = false;
        self.b_cmd_ready.next = false;
        self.a_tready.next = false;
        self.b_tready.next = false;
        self.a_done.next = false;
        self.b_done.next = false;
        self.a_error.next = self.writer.error.val();
        self.b_error.next = self.writer.error.val();
        self.writer.cmd_valid.next = false;
        if self.select_b.val() {
            self.writer.cmd_addr.next = self.b_cmd_addr.val();
            self.writer.s_axis_tdata.next = self.b_tdata.val();
            self.writer.s_axis_tvalid.next = self.b_tvalid.val() & self.active.q.val();
            self.writer.s_axis_tlast.next = self.b_tlast.val();
            self.b_tready.next = self.writer.s_axis_tready.val() & self.active.q.val();
            self.b_done.next = self.writer.done.val();
            if !self.active.q.val() {
                self.writer.cmd_valid.next = self.b_cmd_valid.val();
                self.b_cmd_ready.next = self.writer.cmd_ready.val();
            }
        } else {
            self.writer.cmd_addr.next = self.a_cmd_addr.val();
            self.writer.s_axis_tdata.next = self.a_tdata.val();
            self.writer.s_axis_tvalid.next = self.a_tvalid.val() & self.active.q.val();
            self.writer.s_axis_tlast.next = self.a_tlast.val();
            self.a_tready.next = self.writer.s_axis_tready.val() & self.active.q.val();
            self.a_done.next = self.writer.done.val();
            if !self.active.q.val() {
                self.writer.cmd_valid.next = self.a_cmd_valid.val();
                self.a_cmd_ready.next = self.writer.cmd_ready.val();
            }
        }
        if !self.active.q.val() & self.writer.cmd_valid.val() & self.writer.cmd_ready.val() {
            self.active.d.next = true;
            self.owner_b.d.next = self.select_b.val();
        }
        if self.writer.done.val() {
            self.active.d.next = false;
        }
    }
}
