//! IPv4: any bytes parse or fail cleanly, with checksums verified in software
//! or trusted to the fabric; what parses re-emits and re-parses to the same
//! repr.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{ChecksumCapabilities, Ipv4Packet, Ipv4Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Ipv4Packet::new_checked(data) else {
        return;
    };
    let _ = (packet.options(), packet.payload(), packet.verify_checksum());
    for caps in [
        ChecksumCapabilities::software(),
        ChecksumCapabilities::offloaded(),
    ] {
        let Ok(repr) = Ipv4Repr::parse(&packet, &caps) else {
            continue;
        };
        let mut out = vec![0u8; repr.buffer_len() + repr.payload_len];
        let mut p = Ipv4Packet::new_unchecked(&mut out[..]);
        repr.emit(&mut p, &ChecksumCapabilities::software());
        p.payload_mut().copy_from_slice(packet.payload());
        let again = Ipv4Repr::parse(
            &Ipv4Packet::new_checked(&out[..]).unwrap(),
            &ChecksumCapabilities::software(),
        )
        .unwrap();
        assert_eq!(again, repr);
    }
});
