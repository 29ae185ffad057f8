//! The write side of an `axis_frame_fifo`: `data`/`last` are stored when
//! `en` and not `full`; `commit` publishes every byte written so far (this
//! cycle's included) to the reader; `drop` throws away every uncommitted one.
use rust_hdl::prelude::*;

bus! {
    /// The writer's side (a MAC deframer).
    pub struct FrameWriteMaster;
    /// The FIFO's side.
    pub struct FrameWriteSlave;
    {
        data: Out Bits<8>, last: Out Bit, en: Out Bit, full: In Bit,
        commit: Out Bit, drop: Out Bit,
    }
}
