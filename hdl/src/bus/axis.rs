//! Byte-wide AXI-Stream (AMBA AXI4-Stream): `tdata` moves when `tvalid` and
//! `tready` are both high; `tlast` marks a frame's last byte. Every stream
//! in the fabric is one byte wide.
use rust_hdl::prelude::*;

bus! {
    /// The transmitting side of a byte stream (`m_axis_*`).
    pub struct AxisMaster;
    /// The receiving side of a byte stream (`s_axis_*`).
    pub struct AxisSlave;
    {
        tdata: Out Bits<8>, tvalid: Out Bit, tlast: Out Bit, tready: In Bit,
    }
}
