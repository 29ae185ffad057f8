//! `dff_en`: a register with a clock enable, `q <= d` on a rising `clock`
//! edge when `en` is high.
//!
//! Why it exists: rust-hdl's `DFF` is its own Verilog module and
//! `dff_setup!` holds it by assigning `d = q` in the parent, so a register
//! updated only sometimes costs a LUT per bit in the parent (the hold
//! multiplexer), which synthesis that keeps the hierarchy cannot fold into
//! the flip-flop's CE pin. Here the enable is inside the register's module,
//! so it maps to CE (FDRE) and the parent computes only the new value.
//!
//! Use: assign `en` (false by default, set it where the register loads) and
//! `d` (the value to load) on every path; `d` need not be `q` when `en` is
//! low, so give it the most common new value unconditionally. `hdl_gen`
//! accepts only its own macros, so a block wires the clocks with
//! `clock!(self, clock, a, b)` and clears each `en` by hand.
//!
//! `DffByteEn<N>` is the same with one enable per byte lane (`en[k]` loads
//! bits `8k..8k+8` of `d`), for registers written through byte strobes:
//! the strobes become enables, so no read-modify-write merge is needed.
//!
//! `DffEnInit<T, INIT>` adds `init`, a synchronous load of a fixed value
//! (`INIT`, part of the type, zero by default) that wins over `en`: it maps to the flip-flops' set/reset
//! pins (FDSE/FDRE), so clearing a counter or presetting a CRC at the start
//! of a frame costs no LUT either. It starts at that value.
//!
//! Invariants: `q` starts at zero (`T::default()`, as `DFF`); it changes only
//! on a rising `clock` edge with `en` high (for `DffByteEn`, only the lanes
//! whose `en` bit is high).
use rust_hdl::prelude::*;

#[derive(Clone, Debug, LogicBlock)]
pub struct DffEn<T: Synth> {
    pub d: Signal<In, T>,
    pub en: Signal<In, Bit>,
    pub q: Signal<Out, T>,
    pub clock: Signal<In, Clock>,
}

impl<T: Synth> Default for DffEn<T> {
    fn default() -> Self {
        Self {
            d: Signal::default(),
            en: Signal::default(),
            q: Signal::default(),
            clock: Signal::default(),
        }
    }
}

impl<T: Synth> Logic for DffEn<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.en.val() {
            self.q.next = self.d.val()
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
initial begin
   q = {:x};
end

always @(posedge clock) begin
   if (en) q <= d;
end
      ",
            T::default().verilog()
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "dff_en".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "en".into()],
            outputs: vec!["q".into()],
        }]
    }
}

/// A register with a clock enable and a synchronous load of a fixed value,
/// `INIT` (zero unless given): see the module notes.
#[derive(Clone, Debug, LogicBlock)]
pub struct DffEnInit<T: Synth + FromInit, const INIT: u64 = 0> {
    pub d: Signal<In, T>,
    pub en: Signal<In, Bit>,
    pub init: Signal<In, Bit>,
    pub q: Signal<Out, T>,
    pub clock: Signal<In, Clock>,
    _value: T,
}

/// The types a `DffEnInit` holds, built from its `INIT`.
pub trait FromInit {
    /// `init` as this type; it must fit.
    fn from_init(init: u64) -> Self;
}

impl<const N: usize> FromInit for Bits<N> {
    fn from_init(init: u64) -> Self {
        assert!(
            N >= 64 || init >> N == 0,
            "{init:#x} does not fit in {N} bits"
        );
        init.to_bits()
    }
}

impl FromInit for Bit {
    fn from_init(init: u64) -> Self {
        assert!(init <= 1, "{init:#x} does not fit in a bit");
        init == 1
    }
}

impl<T: Synth + FromInit, const INIT: u64> Default for DffEnInit<T, INIT> {
    /// A register that starts at, and is loaded by `init` with, `INIT`.
    fn default() -> Self {
        let value = T::from_init(INIT);
        let mut q = Signal::default();
        q.next = value;
        Self {
            d: Signal::default(),
            en: Signal::default(),
            init: Signal::default(),
            q,
            clock: Signal::default(),
            _value: value,
        }
    }
}

impl<T: Synth + FromInit, const INIT: u64> Logic for DffEnInit<T, INIT> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.init.val() {
                self.q.next = self._value;
            } else if self.en.val() {
                self.q.next = self.d.val();
            }
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        let value = self._value.verilog();
        Verilog::Custom(format!(
            "\
initial begin
   q = {value:x};
end

always @(posedge clock) begin
   if (init) q <= {value:x};
   else if (en) q <= d;
end
      "
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "dff_en_init".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "en".into(), "init".into()],
            outputs: vec!["q".into()],
        }]
    }
}

/// A register of `N` bits (at most 32) loaded per byte lane: see the module notes.
#[derive(Clone, Debug, LogicBlock)]
pub struct DffByteEn<const N: usize> {
    pub d: Signal<In, Bits<N>>,
    pub en: Signal<In, Bits<4>>,
    pub q: Signal<Out, Bits<N>>,
    pub clock: Signal<In, Clock>,
}

impl<const N: usize> Default for DffByteEn<N> {
    fn default() -> Self {
        assert!(N <= 32, "DffByteEn has four byte lanes");
        Self {
            d: Signal::default(),
            en: Signal::default(),
            q: Signal::default(),
            clock: Signal::default(),
        }
    }
}

impl<const N: usize> Logic for DffByteEn<N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let mut q = self.q.val();
            for bit in 0..N {
                if self.en.val().get_bit(bit / 8) {
                    q = q.replace_bit(bit, self.d.val().get_bit(bit));
                }
            }
            self.q.next = q;
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        let lanes: String = (0..N.div_ceil(8))
            .map(|lane| {
                let (lo, hi) = (lane * 8, (lane * 8 + 7).min(N - 1));
                format!("   if (en[{lane}]) q[{hi}:{lo}] <= d[{hi}:{lo}];\n")
            })
            .collect();
        Verilog::Custom(format!(
            "\
initial begin
   q = {N}'h0;
end

always @(posedge clock) begin
{lanes}end
      "
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "dff_byte_en".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "en".into()],
            outputs: vec!["q".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(LogicBlock, Default)]
    struct Harness {
        clock: Signal<In, Clock>,
        load: Signal<In, Bit>,
        value: Signal<In, Bits<8>>,
        out: Signal<Out, Bits<8>>,
        held: DffEn<Bits<8>>,
    }

    impl Logic for Harness {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, held);
            self.held.en.next = false;
            self.held.d.next = self.value.val();
            if self.load.val() {
                self.held.en.next = true;
            }
            self.out.next = self.held.q.val();
        }
    }

    #[derive(LogicBlock, Default)]
    struct LaneHarness {
        clock: Signal<In, Clock>,
        strobe: Signal<In, Bits<4>>,
        value: Signal<In, Bits<20>>,
        out: Signal<Out, Bits<20>>,
        held: DffByteEn<20>,
    }

    impl Logic for LaneHarness {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, held);
            self.held.d.next = self.value.val();
            self.held.en.next = self.strobe.val();
            self.out.next = self.held.q.val();
        }
    }

    #[test]
    fn byte_lanes_load_only_their_bits() {
        let mut uut = LaneHarness::default();
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(
            verilog.contains("if (en[2]) q[19:16] <= d[19:16];"),
            "{verilog}"
        );
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<LaneHarness>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<LaneHarness>| {
            let mut x = sim.init()?;
            x.strobe.next = 0b1111.into();
            x.value.next = 0x12345.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<20>::from(0x12345), x);
            x.strobe.next = 0b0101.into();
            x.value.next = 0xABCDE.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<20>::from(0xA23DE), x);
            x.strobe.next = 0.into();
            x.value.next = 0.into();
            wait_clock_cycles!(sim, clock, x, 2);
            sim_assert_eq!(sim, x.out.val(), Bits::<20>::from(0xA23DE), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 200).unwrap();
    }

    #[derive(LogicBlock, Default)]
    struct InitHarness {
        clock: Signal<In, Clock>,
        load: Signal<In, Bit>,
        preset: Signal<In, Bit>,
        value: Signal<In, Bits<8>>,
        out: Signal<Out, Bits<8>>,
        held: DffEnInit<Bits<8>, 0xF0>,
    }

    impl Logic for InitHarness {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, held);
            self.held.d.next = self.value.val();
            self.held.en.next = self.load.val();
            self.held.init.next = self.preset.val();
            self.out.next = self.held.q.val();
        }
    }

    #[test]
    fn init_loads_its_value_over_the_enable() {
        let mut uut = InitHarness::default();
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(verilog.contains("if (init) q <= 8'hf0;"), "{verilog}");
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<InitHarness>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<InitHarness>| {
            let mut x = sim.init()?;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0xF0), x);
            x.load.next = true;
            x.value.next = 0x12.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0x12), x);
            x.preset.next = true;
            x.value.next = 0x34.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0xF0), x);
            x.preset.next = false;
            x.load.next = false;
            wait_clock_cycles!(sim, clock, x, 2);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0xF0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 200).unwrap();
    }

    #[test]
    fn loads_only_when_enabled_and_emits_a_clock_enable() {
        let mut uut = Harness::default();
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(verilog.contains("if (en) q <= d;"), "{verilog}");
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Harness>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Harness>| {
            let mut x = sim.init()?;
            x.load.next = true;
            x.value.next = 0x5A.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0x5A), x);
            x.load.next = false;
            x.value.next = 0xC3.into();
            wait_clock_cycles!(sim, clock, x, 3);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0x5A), x);
            x.load.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.out.val(), Bits::<8>::from(0xC3), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 200).unwrap();
    }
}
