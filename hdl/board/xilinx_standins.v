// Behavioural stand-ins for the Xilinx 7-series primitives ArtyTop
// instantiates, with the same ports and parameters. Verilator and the open
// ECP5 timing proxy read this file; Vivado never does (it brings the real
// primitives). Each models only what ArtyTop uses:
// - MMCME2_BASE: CLKOUT0 = CLKIN1 (the 100 MHz core clock), CLKOUT1 =
//   CLKIN1 / 4 (the PHY's 25 MHz), CLKFBOUT = CLKIN1; LOCKED rises
//   LOCK_CYCLES input cycles after RST falls (a real MMCM takes tens of µs).
// - BUFGCE: a glitch-free gate (enable sampled on the falling edge); for
//   Yosys (`SYNTHESIS`, the ECP5 timing proxy), a buffer.
// - BUFG: a wire. ODDR: both edges, SAME/OPPOSITE_EDGE alike for constant
//   D1/D2. FDRE: a register with synchronous reset and clock enable.
// - IOBUF: a tri-state pad.
// Lint waivers for this file only: the stand-ins keep every parameter and
// port the real primitives have, so the design's instances are the same
// for Vivado, but model only what ArtyTop uses (UNUSEDPARAM, UNUSEDSIGNAL);
// one file holds several primitives, none named after it (DECLFILENAME),
// and one a design does not instantiate (ArtyBoard has no IOBUF) is a
// second top (MULTITOP).
/* verilator lint_off UNUSEDPARAM */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off DECLFILENAME */
/* verilator lint_off MULTITOP */
module MMCME2_BASE #(
    parameter CLKIN1_PERIOD = 10.0,
    parameter CLKFBOUT_MULT_F = 10.0,
    parameter DIVCLK_DIVIDE = 1,
    parameter CLKOUT0_DIVIDE_F = 10.0,
    parameter CLKOUT1_DIVIDE = 40,
    parameter LOCK_CYCLES = 1024
) (
    input wire CLKIN1,
    input wire CLKFBIN,
    input wire RST,
    input wire PWRDWN,
    output wire CLKFBOUT,
    output wire CLKOUT0,
    output wire CLKOUT1,
    output wire LOCKED
);
    reg [1:0] div = 2'd0;
    reg [15:0] lock_count = 16'd0;
    always @(posedge CLKIN1) begin
        div <= div + 2'd1;
        if (RST | PWRDWN)
            lock_count <= 16'd0;
        else if (lock_count != LOCK_CYCLES[15:0])
            lock_count <= lock_count + 16'd1;
    end
    assign CLKFBOUT = CLKIN1;
    assign CLKOUT0 = CLKIN1;
    assign CLKOUT1 = div[1];
    assign LOCKED = lock_count == LOCK_CYCLES[15:0];
endmodule

module BUFG (input wire I, output wire O);
    assign O = I;
endmodule

module BUFGCE (input wire I, input wire CE, output wire O);
`ifdef SYNTHESIS
    // Yosys (the ECP5 timing proxy): a plain buffer. The enable only holds
    // the core clock until the MMCM locks; for timing, Vivado takes the
    // BUFGCE's output as the MMCM's clock, related to the oscillator's, and
    // nextpnr does the same with a buffer. A gate in a LUT would leave the
    // core clock unconstrained (nextpnr does not time through LUTs), and
    // ECP5's DCCA cannot be fed from the global network the oscillator is on.
    assign O = I;
`else
    reg enabled = 1'b0;
    always @(negedge I) enabled <= CE;
    assign O = I & enabled;
`endif
endmodule

module ODDR #(
    parameter DDR_CLK_EDGE = "OPPOSITE_EDGE",
    parameter INIT = 1'b0,
    parameter SRTYPE = "SYNC"
) (
    output wire Q,
    input wire C,
    input wire CE,
    input wire D1,
    input wire D2,
    input wire R,
    input wire S
);
    reg rise = 1'b0;
    reg fall = 1'b0;
    always @(posedge C) if (R) rise <= 1'b0; else if (CE) rise <= D1;
    always @(negedge C) if (R) fall <= 1'b0; else if (CE) fall <= D2;
    assign Q = C ? rise : fall;
endmodule

module FDRE #(parameter INIT = 1'b0) (
    output reg Q,
    input wire C,
    input wire CE,
    input wire D,
    input wire R
);
    initial Q = INIT;
    always @(posedge C) if (R) Q <= 1'b0; else if (CE) Q <= D;
endmodule

module IOBUF (output wire O, inout wire IO, input wire I, input wire T);
    assign IO = T ? 1'bz : I;
    assign O = IO;
endmodule
/* verilator lint_on MULTITOP */
/* verilator lint_on DECLFILENAME */
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on UNUSEDPARAM */
