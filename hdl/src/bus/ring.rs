//! A ring engine's registers (SPEC F6): what the host wrote, and what the
//! engine reports back. `nic_core` wires them to `axil_csr`.
use rust_hdl::prelude::*;

/// The engine's side: `enable` (its CONTROL bit), `ring_base` and
/// `cpl_base` (low 32 bits), `ring_log2`, `producer` in; `consumer`,
/// `busy`, `dma_error` (sticky) out.
#[derive(LogicInterface, Default)]
pub struct RingRegs {
    pub enable: Signal<In, Bit>,
    pub ring_base: Signal<In, Bits<32>>,
    pub ring_log2: Signal<In, Bits<4>>,
    pub producer: Signal<In, Bits<32>>,
    pub cpl_base: Signal<In, Bits<32>>,
    pub consumer: Signal<Out, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dma_error: Signal<Out, Bit>,
}
