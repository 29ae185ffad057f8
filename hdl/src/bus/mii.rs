//! MII (IEEE 802.3 clause 22), the MAC's side: the PHY drives both clocks
//! (25 MHz at 100 Mb/s, 2.5 MHz at 10 Mb/s); a nibble moves per clock.
use rust_hdl::prelude::*;

/// The MAC's MII port (`mii_*` at a top). Only the MAC side exists: the PHY
/// is outside the fabric (the harness's `mii` model, or the board's chip).
#[derive(LogicInterface, Default)]
pub struct Mii {
    pub tx_clk: Signal<In, Clock>,
    pub txd: Signal<Out, Bits<4>>,
    pub tx_en: Signal<Out, Bit>,
    pub rx_clk: Signal<In, Clock>,
    pub rxd: Signal<In, Bits<4>>,
    pub rx_dv: Signal<In, Bit>,
    pub rx_er: Signal<In, Bit>,
}
