//! `event_counters`: a bank of `N` 32-bit event counters with one read port,
//! for a block that counts a handful of causes (`host_bridge`'s request
//! outcomes) and lets a register read show one of them.
//!
//! Ports: `clock`; `count` (bit `i` high at a rising edge adds one to counter
//! `i`; several bits may be high together); `sel` → `value`, counter `sel`
//! in the same cycle (combinational), zero for `sel >= N`.
//!
//! Why a block: each counter is a register, an incrementer and an input of
//! the read multiplexer; written out in the parent that is a field, a
//! `dff_setup!` entry, an `if` and a match arm per counter. Here they are
//! one port each way, and the Verilog is written once for any `N`.
//!
//! Invariants: every counter starts at zero and wraps at 2^32; a counter
//! changes only on a rising `clock` edge with its `count` bit high, by one;
//! `N <= 2^A`.
use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock)]
pub struct EventCounters<const N: usize, const A: usize> {
    pub clock: Signal<In, Clock>,
    pub count: Signal<In, Bits<N>>,
    pub sel: Signal<In, Bits<A>>,
    pub value: Signal<Out, Bits<32>>,
    // Fields starting with `_` are not signals (LogicBlock skips them).
    _counters: Vec<Bits<32>>,
}

impl<const N: usize, const A: usize> Default for EventCounters<N, A> {
    fn default() -> Self {
        assert!(
            N >= 1 && A < 8 && N <= 1 << A,
            "{N} counters, {A} select bits"
        );
        Self {
            clock: Signal::default(),
            count: Signal::default(),
            sel: Signal::default(),
            value: Signal::default(),
            _counters: vec![Bits::default(); N],
        }
    }
}

impl<const N: usize, const A: usize> Logic for EventCounters<N, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            for (i, counter) in self._counters.iter_mut().enumerate() {
                if self.count.val().get_bit(i) {
                    *counter = *counter + 1;
                }
            }
        }
        self.value.next = self
            ._counters
            .get(self.sel.val().index())
            .copied()
            .unwrap_or_default();
    }
    fn connect(&mut self) {
        self.value.connect();
    }
    fn hdl(&self) -> Verilog {
        let regs: String = (0..N).map(|i| format!("reg [31:0] c{i};\n")).collect();
        let init: String = (0..N).map(|i| format!("   c{i} = 32'h0;\n")).collect();
        let bump: String = (0..N)
            .map(|i| format!("   if (count[{i}]) c{i} <= c{i} + 32'h1;\n"))
            .collect();
        let read: String = (0..N)
            .map(|i| format!("      {A}'d{i}: value = c{i};\n"))
            .collect();
        Verilog::Custom(format!(
            "\
{regs}
initial begin
{init}end

always @(posedge clock) begin
{bump}end

always @(*) begin
   case (sel)
{read}      default: value = 32'h0;
   endcase
end
"
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "event_counters".into(),
            clock: "clock".into(),
            inputs: vec!["count".into()],
            outputs: vec![],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_cause_and_reads_zero_past_the_last() {
        let mut uut = EventCounters::<3, 2>::default();
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(
            verilog.contains("if (count[2]) c2 <= c2 + 32'h1;"),
            "{verilog}"
        );
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<EventCounters<3, 2>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<EventCounters<3, 2>>| {
            let mut x = sim.init()?;
            x.count.next = 0b101.into();
            wait_clock_cycle!(sim, clock, x);
            x.count.next = 0b100.into();
            wait_clock_cycle!(sim, clock, x);
            x.count.next = 0.into();
            for (sel, expected) in [(0u64, 1u64), (1, 0), (2, 2), (3, 0)] {
                x.sel.next = sel.into();
                x = sim.wait(1, x)?;
                sim_assert_eq!(sim, x.value.val(), Bits::<32>::from(expected), x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 200).unwrap();
    }
}
