use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct Probe {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<8>>,
    pub y: Signal<Out, Bits<8>>,
    r: DFF<Bits<8>>,
}
impl Logic for Probe {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, r);
        self.r.d.next = self.a.val() ^ 0x55;
        match self.a.val().get_bits::<4>(0).index() {
            0 => {
                self.y.next = 1.into();
            }
            _ => {
                self.y.next = self.r.q.val();
            }
        }
    }
}
pub fn probe_verilog() -> String {
    let mut p = Probe::default();
    p.connect_all();
    generate_verilog(&p)
}
