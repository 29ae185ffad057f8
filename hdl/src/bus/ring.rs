//! A ring engine's registers (SPEC F6): what the host wrote, and what the
//! engine reports back. `nic_core` wires them to `axil_csr`.
use rust_hdl::prelude::*;

bus! {
    /// The engine's side: `enable` (its CONTROL bit), `ring_base` and
    /// `cpl_base` (low 32 bits), `ring_log2`, `producer` in; `consumer`,
    /// `busy`, `dma_error` (sticky) out.
    pub struct RingRegs;
    {
        enable: In Bit, ring_base: In Bits<32>, ring_log2: In Bits<4>, producer: In Bits<32>,
        cpl_base: In Bits<32>,
        consumer: Out Bits<32>, busy: Out Bit, dma_error: Out Bit,
    }
}
