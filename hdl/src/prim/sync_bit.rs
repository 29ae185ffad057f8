//! `sync_bit`: a two-flip-flop synchroniser for a level from another clock
//! domain (a reset, a lock flag, a pin), marked `ASYNC_REG` so Vivado keeps
//! both flip-flops in one slice and reports them as a synchroniser.
//!
//! `INIT` is both flip-flops' value from configuration: 1 for a reset
//! synchroniser, so the domain starts in reset until its clock has run
//! (and the reset's release has been clocked through).
//!
//! Invariants: `q` is `d` as sampled two `clock` edges ago; a change of `d`
//! reaches `q` after two or three edges; the first flip-flop may go
//! metastable, the second has a whole period to settle. The XDC constrains
//! every path into `sync_reg[0]` with `set_max_delay -datapath_only`.
use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock, Default)]
pub struct SyncBit<const INIT: bool = false> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, Bit>,
    pub q: Signal<Out, Bit>,
    _stage: Bit,
}

/// A reset synchroniser: starts asserted.
pub type ResetSync = SyncBit<true>;

impl<const INIT: bool> Logic for SyncBit<INIT> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.q.next = self._stage;
            self._stage = self.d.val();
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        let init = if INIT { "2'b11" } else { "2'b00" };
        Verilog::Custom(format!(
            "\
(* ASYNC_REG = \"TRUE\" *) reg [1:0] sync_reg = {init};
always @(posedge clock) sync_reg <= {{sync_reg[0], d}};
always @(*) q = sync_reg[1];
"
        ))
    }
}
