//! IPv4 reassembly under attack: the fuzzer's bytes become fragments (any
//! identification, offset, MF, length, protocol) of datagrams to the
//! interface, with time passing between them.
//!
//! Asserts: no panic; every frame is accounted for; the bytes reassembly
//! holds never pass its bound by more than one fragment; after the
//! timeout, nothing is held.
#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use synack_host::iface::{Interface, InterfaceConfig, ReassemblyConfig};
use synack_host::tcp::{Config, Engine};
use synack_host::time::Instant;
use synack_host::wire::{ChecksumCapabilities, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr};

const US: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
const HIGH_THRESH: usize = 64 * 1024;

fn byte(data: &mut &[u8]) -> u8 {
    match data.split_first() {
        Some((&b, rest)) => {
            *data = rest;
            b
        }
        None => 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut cfg = InterfaceConfig::ip(US, Ipv4Address::new(255, 255, 255, 0));
    cfg.reassembly = ReassemblyConfig {
        high_thresh: HIGH_THRESH,
        ..ReassemblyConfig::default()
    };
    let mut i = Interface::new(cfg, Engine::with_seed(Config::default(), 1)).unwrap();
    let mut now = Instant::from_secs(10);
    let mut input = data;
    let mut frames = 0u64;
    while !input.is_empty() {
        let how = byte(&mut input);
        let ident = u16::from(how & 3);
        let offset = u16::from_le_bytes([byte(&mut input), byte(&mut input)]) & 0x1fff;
        let len = usize::from(byte(&mut input)) * if how & 4 != 0 { 8 } else { 1 };
        let protocol = match (how >> 3) & 3 {
            0 => IpProtocol::Udp,
            1 => IpProtocol::Tcp,
            2 => IpProtocol::Icmp,
            _ => IpProtocol::Unknown(99),
        };
        let ip = Ipv4Repr {
            src_addr: Ipv4Address::new(10, 0, 0, 2 + (how >> 7)),
            dst_addr: US,
            protocol,
            payload_len: len,
            ttl: 64,
            ident,
            dont_frag: false,
        };
        let mut b = vec![byte(&mut input); 20 + len];
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        ip.emit(&mut p, &ChecksumCapabilities::software());
        p.set_flags_and_frag_offset(false, how & 0x20 != 0, offset << 3);
        p.fill_checksum();
        i.receive(now, &b);
        frames += 1;
        while i.poll_transmit(now).is_some() {}
        let (_, held) = i.reassembly_footprint();
        assert!(held <= HIGH_THRESH + 65_535 + 64, "{held} bytes held");
        now += Duration::from_millis(u64::from(how & 0x40) * 8);
        if i.poll_timeout().is_some_and(|t| t <= now) {
            i.handle_timeout(now);
        }
    }
    let s = i.stats();
    assert_eq!(s.rx_frames, frames);
    assert_eq!(
        s.rx_drops() + s.rx_consumed(),
        frames + s.rx_reassembled,
        "{s:?}"
    );
    now += Duration::from_secs(31);
    i.handle_timeout(now);
    assert_eq!(i.reassembly_footprint(), (0, 0));
});
