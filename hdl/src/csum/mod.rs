//! Checksum offload (SPEC F3, F4): IPv4 header and TCP/UDP checksums with the
//! pseudo-header, inserted on transmit and verified on receive.
pub mod ip_csum_insert;
pub mod ip_csum_parse;
pub mod ip_csum_verify;
