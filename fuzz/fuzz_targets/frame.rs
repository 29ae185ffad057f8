//! A whole frame through every layer, as the receive path sees it: any bytes
//! parse or fail cleanly; what parses re-emits into a frame that parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synack_host::wire::{ChecksumCapabilities, FrameRepr};

fuzz_target!(|data: &[u8]| {
    for caps in [
        ChecksumCapabilities::software(),
        ChecksumCapabilities::offloaded(),
    ] {
        let Ok(frame) = FrameRepr::parse(data, &caps) else {
            continue;
        };
        let software = ChecksumCapabilities::software();
        let mut out = vec![0u8; frame.buffer_len()];
        assert_eq!(frame.emit(&mut out, &software), out.len());
        let again = FrameRepr::parse(&out, &software).expect("emitted frame parses");
        assert_eq!(again.ethernet.src_addr, frame.ethernet.src_addr);
        assert_eq!(again.ethernet.dst_addr, frame.ethernet.dst_addr);
    }
});
