//! TCP: any bytes (as an IP payload) parse or fail cleanly, options included;
//! what parses re-emits and re-parses to the same header fields and options.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{ChecksumCapabilities, Ipv4Address, TcpOption, TcpPacket, TcpRepr};

const SRC: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
const DST: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

fuzz_target!(|data: &[u8]| {
    // The option parser alone, on raw bytes.
    let mut rest = data;
    while let Ok((r, _)) = TcpOption::parse(rest) {
        if r.len() == rest.len() {
            break;
        }
        rest = r;
    }

    let Ok(packet) = TcpPacket::new_checked(data) else {
        return;
    };
    let _ = (
        packet.options(),
        packet.payload(),
        packet.verify_checksum(&SRC, &DST),
    );
    for caps in [
        ChecksumCapabilities::software(),
        ChecksumCapabilities::offloaded(),
    ] {
        let Ok(repr) = TcpRepr::parse(&packet, &SRC, &DST, &caps) else {
            continue;
        };
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(
            &mut TcpPacket::new_unchecked(&mut out[..]),
            &SRC,
            &DST,
            &ChecksumCapabilities::software(),
        );
        let again = TcpRepr::parse(
            &TcpPacket::new_checked(&out[..]).unwrap(),
            &SRC,
            &DST,
            &ChecksumCapabilities::software(),
        )
        .unwrap();
        // SACK blocks may be trimmed to fit the Linux layout; all else survives.
        let mut expect = repr;
        expect.sack_ranges = again.sack_ranges;
        assert_eq!(again, expect);
        assert!(
            again.sack_ranges.iter().flatten().count() <= repr.sack_ranges.iter().flatten().count()
        );
    }
});
