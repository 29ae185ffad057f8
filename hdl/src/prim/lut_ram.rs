//! `lut_ram`: a small memory with one synchronous write port and two
//! asynchronous (combinational) read ports, which synthesis maps to
//! distributed RAM (LUTRAM: RAM32M/RAM64M on 7-series) instead of block RAM
//! or flip-flops and multiplexers.
//!
//! Ports: `clock`; `write_enable`, `write_address`, `write_data` (stored at
//! the rising edge); `read_address_a` → `read_data_a` and `read_address_b`
//! → `read_data_b`, both in the same cycle (no register). rust-hdl's `RAM`
//! reads one cycle late, which a read-modify-write in one cycle cannot use.
//! A memory built by [`LutRam::with_one_read_port`] ties `read_data_b` to
//! zero, so synthesis builds no second copy of the words for it (each read
//! port of distributed RAM is its own set of LUTs).
//!
//! Invariants: every word starts at zero, or at the value given to
//! [`LutRam::new`]; a read of the word being written returns the old value
//! (the write lands at the edge).
use rust_hdl::prelude::*;
use std::collections::BTreeMap;

#[derive(LogicBlock)]
pub struct LutRam<D: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<N>>,
    pub write_data: Signal<In, D>,
    pub read_address_a: Signal<In, Bits<N>>,
    pub read_data_a: Signal<Out, D>,
    pub read_address_b: Signal<In, Bits<N>>,
    pub read_data_b: Signal<Out, D>,
    // Fields starting with `_` are not signals (LogicBlock skips them).
    _init: BTreeMap<usize, D>,
    _mem: Vec<D>,
    _port_b: bool,
}

impl<D: Synth, const N: usize> Default for LutRam<D, N> {
    fn default() -> Self {
        Self::new(BTreeMap::new())
    }
}

impl<D: Synth, const N: usize> LutRam<D, N> {
    /// A memory whose words start at `init` (address → value), zero elsewhere.
    pub fn new(init: BTreeMap<usize, D>) -> Self {
        Self::build(init, true)
    }

    /// The same with port B unused: `read_data_b` is always zero.
    pub fn with_one_read_port(init: BTreeMap<usize, D>) -> Self {
        Self::build(init, false)
    }

    fn build(init: BTreeMap<usize, D>, port_b: bool) -> Self {
        assert!(N <= 7, "distributed RAM, at most 128 words");
        let mut mem = vec![D::default(); 1 << N];
        for (&address, &value) in &init {
            mem[address] = value;
        }
        Self {
            clock: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            read_address_a: Default::default(),
            read_data_a: Default::default(),
            read_address_b: Default::default(),
            read_data_b: Default::default(),
            _init: init,
            _mem: mem,
            _port_b: port_b,
        }
    }
}

impl<D: Synth, const N: usize> Logic for LutRam<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.write_enable.val() {
            self._mem[self.write_address.val().index()] = self.write_data.val();
        }
        self.read_data_a.next = self._mem[self.read_address_a.val().index()];
        self.read_data_b.next = if self._port_b {
            self._mem[self.read_address_b.val().index()]
        } else {
            D::default()
        };
    }
    fn connect(&mut self) {
        self.read_data_a.connect();
        self.read_data_b.connect();
    }
    fn hdl(&self) -> Verilog {
        let words = 1usize << N;
        let init: String = self
            ._init
            .iter()
            .map(|(address, value)| format!("   mem[{address}] = {};\n", value.verilog()))
            .collect();
        let read_b = if self._port_b {
            "mem[read_address_b]".to_string()
        } else {
            format!("{}'h0", D::BITS)
        };
        Verilog::Custom(format!(
            "\
reg [{top}:0] mem [0:{last}];
integer i;

initial begin
   for (i = 0; i < {words}; i = i + 1) mem[i] = 0;
{init}end

always @(posedge clock) begin
   if (write_enable) mem[write_address] <= write_data;
end

always @(*) begin
   read_data_a = mem[read_address_a];
   read_data_b = {read_b};
end
",
            top = D::BITS - 1,
            last = words - 1,
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "lut_ram_write".into(),
            clock: "clock".into(),
            inputs: vec![
                "write_enable".into(),
                "write_address".into(),
                "write_data".into(),
            ],
            outputs: vec![],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_the_same_cycle_and_starts_from_its_initial_words() {
        let mut init = BTreeMap::new();
        init.insert(1usize, Bits::<8>::from(0xA5));
        let mut uut = LutRam::<Bits<8>, 2>::new(init);
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        assert!(verilog.contains("mem[1] = 8'ha5;"), "{verilog}");
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<LutRam<Bits<8>, 2>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<LutRam<Bits<8>, 2>>| {
            let mut x = sim.init()?;
            x.read_address_a.next = 1.into();
            x.read_address_b.next = 2.into();
            x = sim.wait(1, x)?;
            sim_assert_eq!(sim, x.read_data_a.val(), Bits::<8>::from(0xA5), x);
            sim_assert_eq!(sim, x.read_data_b.val(), Bits::<8>::from(0), x);
            x.write_enable.next = true;
            x.write_address.next = 2.into();
            x.write_data.next = 0x3C.into();
            wait_clock_cycle!(sim, clock, x);
            x.write_enable.next = false;
            x = sim.wait(1, x)?;
            sim_assert_eq!(sim, x.read_data_b.val(), Bits::<8>::from(0x3C), x);
            x.read_address_a.next = 2.into();
            x = sim.wait(1, x)?;
            sim_assert_eq!(sim, x.read_data_a.val(), Bits::<8>::from(0x3C), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 200).unwrap();
    }
}
