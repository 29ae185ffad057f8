//! A ring's registers (SPEC F6) as the host wrote them: `axil_csr` drives
//! them, a ring engine takes them. Names are the registers' (`TX_RING_BASE_LO`
//! → `ring_base_lo`), so `axil_csr` as a top keeps its `reg_tx_*` ports.
use rust_hdl::prelude::*;

bus! {
    /// The register window's side.
    pub struct RingConfigMaster;
    /// A ring engine's side.
    pub struct RingConfigSlave;
    {
        ring_base_lo: Out Bits<32>, ring_log2: Out Bits<4>, producer: Out Bits<32>,
        cpl_base_lo: Out Bits<32>,
    }
}
