//! The AXI4 write channels (AW, W and B) without IDs, 32-bit address and
//! data, as the fabric's one DMA writer drives them.
use rust_hdl::prelude::*;

bus! {
    /// The writer's side: address and data out, response in.
    pub struct AxiWriteMaster;
    /// The memory's side: address and data in, response out.
    pub struct AxiWriteSlave;
    {
        awaddr: Out Bits<32>, awlen: Out Bits<8>, awsize: Out Bits<3>, awburst: Out Bits<2>,
        awvalid: Out Bit, awready: In Bit,
        wdata: Out Bits<32>, wstrb: Out Bits<4>, wlast: Out Bit, wvalid: Out Bit, wready: In Bit,
        bresp: In Bits<2>, bvalid: In Bit, bready: Out Bit,
    }
}
