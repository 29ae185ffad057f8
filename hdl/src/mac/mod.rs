//! The MII Ethernet MAC (SPEC F1, F2).
pub mod eth_crc32_nibble;
pub mod eth_mac_mii;
pub mod eth_mac_rx;
pub mod eth_mac_tx;
