//! Xilinx 7-series primitives, instantiated as black boxes: the emitted
//! Verilog names them (`MMCME2_BASE`, `BUFG`, `BUFGCE`, `ODDR`, `FDRE`,
//! `IOBUF`) and defines none, so Vivado links its own. Verilator and the
//! open ECP5 flow read `hdl/board/xilinx_standins.v` beside the design
//! instead ([`STANDINS`]), behavioural models with the same ports.
//!
//! Each wrapper's rust-hdl `update` models the same behaviour as the
//! stand-in, so far as rust-hdl's simulator needs it; the real tests run
//! the Verilog in Verilator.
use crate::bus::mii::MdioPin;
use rust_hdl::prelude::*;

/// The stand-ins' Verilog (see the module notes).
pub const STANDINS: &str = include_str!("../../board/xilinx_standins.v");

/// The clock tree: the oscillator through a BUFG (`sys_clock`, for the reset
/// sequencer, which must run before the MMCM locks); the MMCM making the
/// 100 MHz core clock (through a BUFGCE: it stops while `core_enable` is low)
/// and the PHY's 25 MHz reference, forwarded to its pin through an ODDR
/// (a clock never drives a pin from the fabric directly).
///
/// MMCM: VCO = 100 MHz × 10 = 1000 MHz (600–1200 for speed grade -1);
/// CLKOUT0 ÷ 10 = 100 MHz, CLKOUT1 ÷ 40 = 25 MHz.
#[derive(LogicBlock, Default)]
pub struct ArtyClocks {
    pub clk100: Signal<In, Clock>,
    pub mmcm_reset: Signal<In, Bit>,
    pub core_enable: Signal<In, Bit>,
    pub sys_clock: Signal<Out, Clock>,
    pub core_clock: Signal<Out, Clock>,
    pub locked: Signal<Out, Bit>,
    pub eth_ref_clk: Signal<Out, Bit>,
}

impl Logic for ArtyClocks {
    fn update(&mut self) {
        self.sys_clock.next = self.clk100.val();
        self.core_clock.next = Clock::from(self.clk100.val().clk & self.core_enable.val());
        self.locked.next = !self.mmcm_reset.val();
        self.eth_ref_clk.next = false;
    }

    fn connect(&mut self) {
        self.sys_clock.connect();
        self.core_clock.connect();
        self.locked.connect();
        self.eth_ref_clk.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: r#"
    wire clk_feedback;
    wire clk_core_raw;
    wire clk_phy_raw;
    wire clk_phy;
    BUFG sys_bufg (.I(clk100), .O(sys_clock));
    MMCME2_BASE #(
        .CLKIN1_PERIOD(10.0),
        .CLKFBOUT_MULT_F(10.0),
        .DIVCLK_DIVIDE(1),
        .CLKOUT0_DIVIDE_F(10.0),
        .CLKOUT1_DIVIDE(40)
    ) mmcm (
        .CLKIN1(clk100),
        .CLKFBIN(clk_feedback),
        .RST(mmcm_reset),
        .PWRDWN(1'b0),
        .CLKFBOUT(clk_feedback),
        .CLKOUT0(clk_core_raw),
        .CLKOUT1(clk_phy_raw),
        .LOCKED(locked)
    );
    BUFGCE core_bufgce (.I(clk_core_raw), .CE(core_enable), .O(core_clock));
    BUFG phy_bufg (.I(clk_phy_raw), .O(clk_phy));
    ODDR #(.DDR_CLK_EDGE("SAME_EDGE"), .INIT(1'b0), .SRTYPE("SYNC")) phy_ref_oddr (
        .Q(eth_ref_clk), .C(clk_phy), .CE(1'b1), .D1(1'b1), .D2(1'b0), .R(1'b0), .S(1'b0)
    );
"#
            .into(),
            cores: String::new(),
        })
    }
}

/// A clock input buffered onto a global clock net (the PHY's MII clocks).
#[derive(LogicBlock, Default)]
pub struct ClockBuffer {
    pub i: Signal<In, Clock>,
    pub o: Signal<Out, Clock>,
}

impl Logic for ClockBuffer {
    fn update(&mut self) {
        self.o.next = self.i.val();
    }

    fn connect(&mut self) {
        self.o.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: "\n    BUFG bufg (.I(i), .O(o));\n".into(),
            cores: String::new(),
        })
    }
}

/// `N` registers packed into the I/O blocks of their pins (`IOB = "TRUE"`,
/// also set on the ports in the XDC): the MII pins' timing then depends on
/// nothing the placer does. `reset` (synchronous to `clock`) clears them.
#[derive(LogicBlock, Default)]
pub struct IobRegs<const N: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub d: Signal<In, Bits<N>>,
    pub q: Signal<Out, Bits<N>>,
}

impl<const N: usize> Logic for IobRegs<N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.q.next = if self.reset.val() {
                Bits::default()
            } else {
                self.d.val()
            };
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: format!(
                r#"
    genvar i;
    generate for (i = 0; i < {N}; i = i + 1) begin : pin
        (* IOB = "TRUE" *) FDRE #(.INIT(1'b0)) ff (.Q(q[i]), .C(clock), .CE(1'b1), .D(d[i]), .R(reset));
    end endgenerate
"#
            ),
            cores: String::new(),
        })
    }
}

/// A bidirectional pad (the PHY's MDIO, `pad`): `o` is the pin's level; the pin is
/// driven with `i` while `t` is low, released (high impedance) while high.
#[derive(LogicBlock, Default)]
pub struct TristatePad {
    pub pad: MdioPin,
    pub i: Signal<In, Bit>,
    pub t: Signal<In, Bit>,
    pub o: Signal<Out, Bit>,
}

impl Logic for TristatePad {
    fn update(&mut self) {
        self.o.next = if self.t.val() { true } else { self.i.val() };
    }

    fn connect(&mut self) {
        self.o.connect();
        self.pad.mdio.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: "\n    IOBUF iobuf (.O(o), .IO(pad$mdio), .I(i), .T(t));\n".into(),
            cores: String::new(),
        })
    }
}
