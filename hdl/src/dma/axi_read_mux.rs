//! `axi_read_mux`: two AXI4 read masters (`a`, `b`) share one AXI4 read
//! port (`m`, with its IDs `m_id`), told apart by ARID/RID (a = 0, b = 1).
//!
//! Invariants: once an address is presented it stays, unchanged, until
//! accepted (AXI4 rule), even if the other master asks meanwhile; when both
//! ask, the one not served last goes first; read data is routed by RID, so
//! bursts of the two masters may interleave as the slave likes. `rdata`,
//! `rresp` and `rlast` go to both masters; only the one whose `rvalid` is
//! high takes them.
use crate::bus::axi_read::{AxiReadIdMaster, AxiReadMaster, AxiReadSlave};
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct AxiReadMux {
    pub clock: Signal<In, Clock>,
    pub a: AxiReadSlave,
    pub b: AxiReadSlave,
    pub m: AxiReadMaster,
    pub m_id: AxiReadIdMaster,
    locked: DFF<Bit>,
    owner: DFF<Bit>,
    last_b: DFF<Bit>,
    select_b: Signal<Local, Bit>,
}

impl Logic for AxiReadMux {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, locked, owner, last_b);
        self.select_b.next = self.b.arvalid.val() & (!self.a.arvalid.val() | !self.last_b.q.val());
        if self.locked.q.val() {
            self.select_b.next = self.owner.q.val();
        }
        self.m_id.arid.next = self.select_b.val();
        // The address channel is `a`'s unless `b` is selected; only the
        // selected master hears `arready`.
        self.m.araddr.next = self.a.araddr.val();
        self.m.arlen.next = self.a.arlen.val();
        self.m.arsize.next = self.a.arsize.val();
        self.m.arburst.next = self.a.arburst.val();
        self.m.arvalid.next = self.a.arvalid.val();
        if self.select_b.val() {
            self.m.araddr.next = self.b.araddr.val();
            self.m.arlen.next = self.b.arlen.val();
            self.m.arsize.next = self.b.arsize.val();
            self.m.arburst.next = self.b.arburst.val();
            self.m.arvalid.next = self.b.arvalid.val();
        }
        self.a.arready.next = self.m.arready.val() & !self.select_b.val();
        self.b.arready.next = self.m.arready.val() & self.select_b.val();
        if self.m.arvalid.val() & !self.m.arready.val() {
            self.locked.d.next = true;
            self.owner.d.next = self.select_b.val();
        }
        if self.m.arvalid.val() & self.m.arready.val() {
            self.locked.d.next = false;
            self.last_b.d.next = self.select_b.val();
        }
        // The read data channel: each master sees every beat, but `rvalid`
        // only on those with its ID.
        self.a.rvalid.next = self.m.rvalid.val() & !self.m_id.rid.val();
        self.a.rdata.next = self.m.rdata.val();
        self.a.rresp.next = self.m.rresp.val();
        self.a.rlast.next = self.m.rlast.val();
        self.b.rvalid.next = self.m.rvalid.val() & self.m_id.rid.val();
        self.b.rdata.next = self.m.rdata.val();
        self.b.rresp.next = self.m.rresp.val();
        self.b.rlast.next = self.m.rlast.val();
        self.m.rready.next = self.a.rready.val();
        if self.m_id.rid.val() {
            self.m.rready.next = self.b.rready.val();
        }
    }
}
