//! ICMP: any bytes (as an IP payload) parse or fail cleanly; what parses
//! re-emits to a message that parses to the same repr; an error's quoted
//! datagram is read or refused cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{IcmpPacket, IcmpQuote, IcmpRepr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = IcmpPacket::new_checked(data) else {
        return;
    };
    let _ = (packet.data(), packet.ident(), packet.seq_no());
    let _ = IcmpQuote::parse(packet.data());
    let Ok(repr) = IcmpRepr::parse(&packet) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut IcmpPacket::new_unchecked(&mut out[..]));
    let again = IcmpRepr::parse(&IcmpPacket::new_checked(&out[..]).unwrap()).unwrap();
    assert_eq!(again, repr);
});
