//! ARP: any bytes parse or fail cleanly; what parses re-emits and re-parses
//! to the same repr.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{ArpPacket, ArpRepr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = ArpPacket::new_checked(data) else {
        return;
    };
    let _ = (
        packet.source_hardware_addr(),
        packet.source_protocol_addr(),
        packet.target_hardware_addr(),
        packet.target_protocol_addr(),
    );
    let Ok(repr) = ArpRepr::parse(&packet) else {
        return;
    };
    let mut out = [0u8; 28];
    repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]));
    let again = ArpRepr::parse(&ArpPacket::new_checked(&out[..]).unwrap()).unwrap();
    assert_eq!(again, repr);
    assert_eq!(&out[..], &data[..28]);
});
