//! MII (IEEE 802.3 clause 22), the MAC's side: the PHY drives both clocks
//! (25 MHz at 100 Mb/s, 2.5 MHz at 10 Mb/s); a nibble moves per clock.
use rust_hdl::prelude::*;

bus! {
    /// The MAC's MII port (`mii_*` at a top). Only the MAC side exists: the
    /// PHY is outside the fabric (the harness's `mii` model, or the board's
    /// chip).
    pub struct Mii;
    {
        tx_clk: In Clock, txd: Out Bits<4>, tx_en: Out Bit,
        rx_clk: In Clock, rxd: In Bits<4>, rx_dv: In Bit, rx_er: In Bit,
    }
}

bus! {
    /// The management data pin (MDIO), bidirectional: `eth_mdio` at a
    /// board's top (the bundle is named so that it flattens to that).
    pub struct MdioPin;
    {
        mdio: InOut Bit,
    }
}
