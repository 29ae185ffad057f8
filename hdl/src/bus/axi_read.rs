//! The AXI4 read channels (AR and R) without IDs, 32-bit address and data,
//! as the fabric's DMA readers use them; and their 1-bit IDs (ARID, RID) as
//! a bundle of their own, added where readers share one port
//! (`dma::axi_read_mux`) and carried with it to the memory.
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

bus! {
    /// The shared port's side: the ID of the address sent, of the data taken.
    pub struct AxiReadIdMaster;
    /// The memory's side: answers each burst with its address's ID.
    pub struct AxiReadIdSlave;
    {
        arid: Out Bit, rid: In Bit,
    }
}
