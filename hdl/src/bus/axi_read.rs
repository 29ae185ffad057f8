//! The AXI4 read channels (AR and R) without IDs, 32-bit address and data,
//! as the fabric's DMA readers use them. IDs are added where readers share
//! one port (`dma::axi_read_mux`).
use rust_hdl::prelude::*;

bus! {
    /// A reader's side: addresses out, data in.
    pub struct AxiReadMaster;
    /// The memory's side: addresses in, data out.
    pub struct AxiReadSlave;
    {
        araddr: Out Bits<32>, arlen: Out Bits<8>, arsize: Out Bits<3>, arburst: Out Bits<2>,
        arvalid: Out Bit, arready: In Bit,
        rdata: In Bits<32>, rresp: In Bits<2>, rlast: In Bit, rvalid: In Bit, rready: Out Bit,
    }
}
