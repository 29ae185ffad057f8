//! A tiny design that exercises the Verilator harness: a registered XOR and a
//! 32-bit free-running counter. Kept as the harness's own smoke test.
use rust_hdl::prelude::*;

/// Inputs: `clock`, `a`. Outputs: `y` = `a ^ 0x55` one cycle later, `count`.
#[derive(LogicBlock, Default)]
pub struct Probe {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<8>>,
    pub y: Signal<Out, Bits<8>>,
    pub count: Signal<Out, Bits<32>>,
    r: DFF<Bits<8>>,
    counter: DFF<Bits<32>>,
}

impl Logic for Probe {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, r, counter);
        self.r.d.next = self.a.val() ^ 0x55;
        self.counter.d.next = self.counter.q.val() + 1;
        self.y.next = self.r.q.val();
        self.count.next = self.counter.q.val();
    }
}

/// The probe's Verilog.
pub fn verilog() -> String {
    crate::emit::top_verilog(Probe::default(), &[])
}
