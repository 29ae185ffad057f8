//! `axi_read_mux`: two AXI4 read masters (`a_*`, `b_*`) share one AXI4 read
//! port (`m_*`), told apart by ARID/RID (a = 0, b = 1).
//!
//! Invariants: once an address is presented it stays, unchanged, until
//! accepted (AXI4 rule), even if the other master asks meanwhile; when both
//! ask, the one not served last goes first; read data is routed by RID, so
//! bursts of the two masters may interleave as the slave likes.
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct AxiReadMux {
    pub clock: Signal<In, Clock>,
    pub a_araddr: Signal<In, Bits<32>>,
    pub a_arlen: Signal<In, Bits<8>>,
    pub a_arsize: Signal<In, Bits<3>>,
    pub a_arburst: Signal<In, Bits<2>>,
    pub a_arvalid: Signal<In, Bit>,
    pub a_arready: Signal<Out, Bit>,
    pub a_rvalid: Signal<Out, Bit>,
    pub a_rready: Signal<In, Bit>,
    pub b_araddr: Signal<In, Bits<32>>,
    pub b_arlen: Signal<In, Bits<8>>,
    pub b_arsize: Signal<In, Bits<3>>,
    pub b_arburst: Signal<In, Bits<2>>,
    pub b_arvalid: Signal<In, Bit>,
    pub b_arready: Signal<Out, Bit>,
    pub b_rvalid: Signal<Out, Bit>,
    pub b_rready: Signal<In, Bit>,
    pub m_arid: Signal<Out, Bit>,
    pub m_araddr: Signal<Out, Bits<32>>,
    pub m_arlen: Signal<Out, Bits<8>>,
    pub m_arsize: Signal<Out, Bits<3>>,
    pub m_arburst: Signal<Out, Bits<2>>,
    pub m_arvalid: Signal<Out, Bit>,
    pub m_arready: Signal<In, Bit>,
    pub m_rid: Signal<In, Bit>,
    pub m_rvalid: Signal<In, Bit>,
    pub m_rready: Signal<Out, Bit>,
    locked: DFF<Bit>,
    owner: DFF<Bit>,
    last_b: DFF<Bit>,
    select_b: Signal<Local, Bit>,
}

impl Logic for AxiReadMux {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, locked, owner, last_b);
        self.select_b.next = self.b_arvalid.val() & (!self.a_arvalid.val() | !self.last_b.q.val());
        if self.locked.q.val() {
            self.select_b.next = self.owner.q.val();
        }
        self.m_arid.next = self.select_b.val();
        self.a_arready.next = false;
        self.b_arready.next = false;
        if self.select_b.val() {
            self.m_araddr.next = self.b_araddr.val();
            self.m_arlen.next = self.b_arlen.val();
            self.m_arsize.next = self.b_arsize.val();
            self.m_arburst.next = self.b_arburst.val();
            self.m_arvalid.next = self.b_arvalid.val();
            self.b_arready.next = self.m_arready.val();
        } else {
            self.m_araddr.next = self.a_araddr.val();
            self.m_arlen.next = self.a_arlen.val();
            self.m_arsize.next = self.a_arsize.val();
            self.m_arburst.next = self.a_arburst.val();
            self.m_arvalid.next = self.a_arvalid.val();
            self.a_arready.next = self.m_arready.val();
        }
        if self.m_arvalid.val() & !self.m_arready.val() {
            self.locked.d.next = true;
            self.owner.d.next = self.select_b.val();
        }
        if self.m_arvalid.val() & self.m_arready.val() {
            self.locked.d.next = false;
            self.last_b.d.next = self.select_b.val();
        }
        self.a_rvalid.next = self.m_rvalid.val() & !self.m_rid.val();
        self.b_rvalid.next = self.m_rvalid.val() & self.m_rid.val();
        self.m_rready.next = self.a_rready.val();
        if self.m_rid.val() {
            self.m_rready.next = self.b_rready.val();
        }
    }
}
