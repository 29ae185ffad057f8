//! The Arty A7's pins that both board tops have (`board::arty`): all but
//! the MDIO pad, which `ArtyBoard` has as its three sides and `ArtyTop` as
//! the pad itself. Emitted as a top, the bundle's ports keep the pins' own
//! names (the constraints' and the Verilator harness's), with no prefix.
use rust_hdl::prelude::*;

bus! {
    /// The board's pins, the fabric's side (directions as the FPGA sees
    /// them): the oscillator and reset button, the PHY's MII and reset and
    /// reference clock and MDC, the USB-UART, the four LEDs.
    pub struct ArtyPins;
    {
        clk100: In Clock, ck_rst_n: In Bit,
        eth_ref_clk: Out Bit, eth_rstn: Out Bit,
        eth_tx_clk: In Clock, eth_txd: Out Bits<4>, eth_tx_en: Out Bit,
        eth_rx_clk: In Clock, eth_rxd: In Bits<4>, eth_rx_dv: In Bit, eth_rxerr: In Bit,
        eth_col: In Bit, eth_crs: In Bit,
        eth_mdc: Out Bit,
        uart_txd_in: In Bit, uart_rxd_out: Out Bit,
        led: Out Bits<4>,
    }
}
