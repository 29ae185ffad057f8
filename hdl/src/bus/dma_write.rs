//! A DMA write port: one command (`cmd_addr`, 4-byte aligned), then its bytes
//! as a stream (`tlast` ends the command), then `done` for one cycle after
//! the last write response, with `error` if any response was not OKAY. The
//! ring engines write through it; `dma_write_arbiter` serves two of them
//! with one `dma_write_stream`.
use rust_hdl::prelude::*;

bus! {
    /// The side with something to write (a ring engine).
    pub struct DmaWriteMaster;
    /// The writer's side.
    pub struct DmaWriteSlave;
    {
        cmd_valid: Out Bit, cmd_addr: Out Bits<32>, cmd_ready: In Bit,
        tdata: Out Bits<8>, tvalid: Out Bit, tlast: Out Bit, tready: In Bit,
        done: In Bit, error: In Bit,
    }
}
