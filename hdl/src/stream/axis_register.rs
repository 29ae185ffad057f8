//! `axis_register`: a byte-stream register slice (a skid buffer) that cuts
//! every combinational path through it, forward and back, at full rate.
//!
//! `s_axis` in, `m_axis` out. `m_axis` (`tdata`, `tlast`, `tvalid`) comes
//! straight from flip-flops, and so does `s_axis.tready` (high while the
//! skid register is empty), so neither side's logic reaches the other's.
//! It is what stands after a block RAM's unregistered output (a FIFO with
//! first-word fall-through) when the logic behind it must not add to the
//! RAM's clock-to-output time.
//!
//! Invariants: beats leave in the order they came, none lost or repeated;
//! a beat is taken whenever `tready` is high (the skid register is empty),
//! and with `m_axis.tready` held high one beat passes per cycle, so the
//! slice costs one cycle of latency and no throughput; at most two beats
//! are inside.
use crate::bus::axis::{AxisMaster, AxisSlave};
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct AxisRegister {
    pub clock: Signal<In, Clock>,
    pub s_axis: AxisSlave,
    pub m_axis: AxisMaster,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<8>>,
    out_last: DFF<Bit>,
    skid_valid: DFF<Bit>,
    skid_data: DFF<Bits<8>>,
    skid_last: DFF<Bit>,
    /// A beat comes in / goes out this cycle.
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
}

impl Logic for AxisRegister {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, out_valid, out_data, out_last, skid_valid, skid_data, skid_last
        );
        self.s_axis.tready.next = !self.skid_valid.q.val();
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        self.push.next = self.s_axis.tvalid.val() & !self.skid_valid.q.val();
        self.pop.next = self.out_valid.q.val() & self.m_axis.tready.val();
        if !self.out_valid.q.val() | self.pop.val() {
            // The output register is free this cycle: the skid beat first
            // (it is older), else the incoming one.
            if self.skid_valid.q.val() {
                self.out_valid.d.next = true;
                self.out_data.d.next = self.skid_data.q.val();
                self.out_last.d.next = self.skid_last.q.val();
                self.skid_valid.d.next = false;
            } else {
                self.out_valid.d.next = self.push.val();
                self.out_data.d.next = self.s_axis.tdata.val();
                self.out_last.d.next = self.s_axis.tlast.val();
            }
        } else if self.push.val() {
            // The output is held: park the incoming beat.
            self.skid_valid.d.next = true;
            self.skid_data.d.next = self.s_axis.tdata.val();
            self.skid_last.d.next = self.s_axis.tlast.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift for idle and backpressure.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Random idle upstream and random backpressure downstream: every beat
    /// arrives once, in order, with its `tlast`; never more than two inside.
    fn run(seed: u64, idle_pct: u64, stall_pct: u64) {
        const BEATS: u64 = 300;
        let mut uut = AxisRegister::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<AxisRegister>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<AxisRegister>| {
            let mut x = sim.init()?;
            let mut rng = seed;
            let (mut sent, mut received, mut cycles) = (0u64, 0u64, 0u64);
            while received < BEATS {
                let offer = sent < BEATS && next(&mut rng) % 100 >= idle_pct;
                x.s_axis.tvalid.next = offer;
                x.s_axis.tdata.next = (sent % 256).to_bits();
                x.s_axis.tlast.next = sent % 7 == 6;
                x.m_axis.tready.next = next(&mut rng) % 100 >= stall_pct;
                x = sim.wait(1, x)?;
                let taken = offer && x.s_axis.tready.val();
                if x.m_axis.tvalid.val() && x.m_axis.tready.val() {
                    sim_assert_eq!(
                        sim,
                        x.m_axis.tdata.val(),
                        (received % 256).to_bits::<8>(),
                        x
                    );
                    sim_assert_eq!(sim, x.m_axis.tlast.val(), received % 7 == 6, x);
                    received += 1;
                }
                if taken {
                    sent += 1;
                }
                sim_assert!(sim, sent - received <= 2, x);
                wait_clock_cycle!(sim, clock, x);
                cycles += 1;
                sim_assert!(sim, cycles < 20 * BEATS, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn beats_pass_in_order_once_under_random_idle_and_backpressure() {
        for (seed, idle, stall) in [(1, 0, 0), (2, 30, 0), (3, 0, 40), (4, 50, 50), (5, 10, 80)] {
            run(seed, idle, stall);
        }
    }

    #[test]
    fn one_beat_a_cycle_when_nothing_stalls() {
        let mut uut = AxisRegister::default();
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(verilog.contains("module top"), "{verilog}");
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<AxisRegister>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<AxisRegister>| {
            let mut x = sim.init()?;
            x.m_axis.tready.next = true;
            x.s_axis.tvalid.next = true;
            let mut out = 0;
            for i in 0..40u8 {
                x.s_axis.tdata.next = u64::from(i).to_bits();
                x = sim.wait(1, x)?;
                sim_assert!(sim, x.s_axis.tready.val(), x);
                if x.m_axis.tvalid.val() {
                    sim_assert_eq!(sim, x.m_axis.tdata.val(), (out as u64).to_bits::<8>(), x);
                    out += 1;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            // One cycle of latency, then a beat every cycle.
            sim_assert_eq!(sim, out, 39, x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }
}
