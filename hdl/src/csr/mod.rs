//! Control and status registers over AXI4-Lite (SPEC F7), and the
//! statistics counter bank behind them (SPEC F8).
pub mod axil_csr;
pub mod stat_bank;
