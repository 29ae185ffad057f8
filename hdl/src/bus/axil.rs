//! AXI4-Lite, 12-bit byte addresses (one 4 KiB register page) and 32-bit
//! data with byte strobes: the register window's bus (SPEC F7).
use rust_hdl::prelude::*;

bus! {
    /// The host's side (the CPU, or the harness's `axil_master`).
    pub struct AxilMaster;
    /// The register window's side (`s_axil_*`).
    pub struct AxilSlave;
    {
        awaddr: Out Bits<12>, awvalid: Out Bit, awready: In Bit,
        wdata: Out Bits<32>, wstrb: Out Bits<4>, wvalid: Out Bit, wready: In Bit,
        bresp: In Bits<2>, bvalid: In Bit, bready: Out Bit,
        araddr: Out Bits<12>, arvalid: Out Bit, arready: In Bit,
        rdata: In Bits<32>, rresp: In Bits<2>, rvalid: In Bit, rready: Out Bit,
    }
}
