//! UDP: any bytes (as an IP payload) parse or fail cleanly; what parses
//! re-emits and re-parses to the same repr.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{ChecksumCapabilities, Ipv4Address, UdpPacket, UdpRepr};

const SRC: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
const DST: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = UdpPacket::new_checked(data) else {
        return;
    };
    let _ = (packet.payload(), packet.verify_checksum(&SRC, &DST));
    for caps in [
        ChecksumCapabilities::software(),
        ChecksumCapabilities::offloaded(),
    ] {
        let Ok(repr) = UdpRepr::parse(&packet, &SRC, &DST, &caps) else {
            continue;
        };
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(
            &mut UdpPacket::new_unchecked(&mut out[..]),
            &SRC,
            &DST,
            &ChecksumCapabilities::software(),
        );
        let again = UdpRepr::parse(
            &UdpPacket::new_checked(&out[..]).unwrap(),
            &SRC,
            &DST,
            &ChecksumCapabilities::software(),
        )
        .unwrap();
        assert_eq!(again, repr);
    }
});
