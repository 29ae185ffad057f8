//! Helpers shared by the interface tests.
#![allow(dead_code)] // each test crate uses its own share

pub mod stream;

use synack_host::wire::{ChecksumCapabilities, Ipv4Address, UdpPacket, UdpRepr};

/// A UDP datagram (an IP payload) from `src`:`src_port` to `dst`:`dst_port`,
/// its checksum filled.
pub fn udp_bytes(
    src: Ipv4Address,
    dst: Ipv4Address,
    src_port: u16,
    dst_port: u16,
    data: &[u8],
) -> Vec<u8> {
    let repr = UdpRepr {
        src_port,
        dst_port,
        payload: data,
    };
    let mut d = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut UdpPacket::new_unchecked(&mut d[..]),
        &src,
        &dst,
        &ChecksumCapabilities::software(),
    );
    d
}
