//! Control and status registers over AXI4-Lite (SPEC F7).
pub mod axil_csr;
