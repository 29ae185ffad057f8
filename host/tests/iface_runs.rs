//! SPEC F5 at the interface: the engine's runs leave as one TSO frame each
//! when the device segments, or cut in software otherwise; cutting a TSO
//! frame by the segmenter's rule gives, byte for byte, the frames the
//! software cut sends. Frames are checked with etherparse as the oracle.

mod common;

use common::stream::stream;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use synack_host::iface::{ConfigError, Interface, InterfaceConfig, Transmit};
use synack_host::tcp::{Config, Engine};
use synack_host::wire::{ChecksumCapabilities, Ipv4Address};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);
const US: Ipv4Address = Ipv4Address::new(192, 168, 1, 10);
const PEER: Ipv4Address = Ipv4Address::new(192, 168, 1, 20);
const TSO_MAX: usize = 64 * 1024;

/// A sends 100 KB in three writes to B over raw IPv4; returns what went on
/// the wire from A (TSO frames cut by the rule) and A's frames as built.
fn transfer(tso: bool) -> (Vec<Vec<u8>>, Vec<Transmit>) {
    transfer_with(tso, Config::default(), 40_000)
}

/// [`transfer`] with A's engine configured as `engine` and writes of at
/// most `write` bytes.
fn transfer_with(tso: bool, engine: Config, write: usize) -> (Vec<Vec<u8>>, Vec<Transmit>) {
    let mut cfg = InterfaceConfig::ip(US, MASK);
    if tso {
        cfg.caps = ChecksumCapabilities::offloaded();
        cfg.tso_max_len = Some(TSO_MAX);
    }
    let mut a = Interface::new(cfg, Engine::with_seed(engine, 9)).unwrap();
    let mut b = Interface::new(
        InterfaceConfig::ip(PEER, MASK),
        Engine::with_seed(Config::default(), 10),
    )
    .unwrap();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut wire = Vec::new();
    // Three writes by default: PSH ends each.
    let built = stream(&mut a, &mut b, 80, &data, write, |_, p| {
        wire.push(p.to_vec());
        None
    });
    (wire, built)
}

#[test]
fn tso_frames_cut_by_the_rule_are_the_software_cut_byte_for_byte() {
    let (soft_wire, soft_built) = transfer(false);
    let (tso_wire, tso_built) = transfer(true);
    assert_eq!(soft_wire.len(), tso_wire.len(), "same number of segments");
    for (i, (s, t)) in soft_wire.iter().zip(&tso_wire).enumerate() {
        assert_eq!(s, t, "frame {i} differs");
    }
    // The TSO side handed the device far fewer frames, each a whole run.
    let runs = tso_built.iter().filter(|t| t.meta.tso.is_some()).count();
    assert!(runs > 0, "no TSO frame was built");
    assert!(
        tso_built.len() * 4 <= soft_built.len(),
        "{} TSO-side frames for {} segments",
        tso_built.len(),
        soft_built.len()
    );
    for t in tso_built.iter().filter(|t| t.meta.tso.is_some()) {
        assert!(t.frame.len() <= TSO_MAX);
        assert!(t.frame.len() > 1500, "a TSO frame holds several segments");
    }
}

/// Every frame's IPv4 and TCP checksums, by etherparse; returns how many
/// segments carried PSH.
fn check_checksums(wire: &[Vec<u8>]) -> usize {
    let mut pushes = 0;
    for f in wire {
        let p = SlicedPacket::from_ip(f).expect("etherparse reads the packet");
        let Some(NetSlice::Ipv4(ip)) = p.net else {
            panic!("not IPv4")
        };
        let hdr = ip.header().to_header();
        assert_eq!(hdr.header_checksum, hdr.calc_header_checksum());
        let Some(TransportSlice::Tcp(tcp)) = p.transport else {
            panic!("not TCP")
        };
        let expect = tcp
            .to_header()
            .calc_checksum_ipv4(&hdr, tcp.payload())
            .unwrap();
        assert_eq!(tcp.checksum(), expect, "TCP checksum");
        pushes += usize::from(tcp.psh());
    }
    pushes
}

#[test]
fn software_cut_checksums_hold_for_segments_across_the_send_buffers_wrap() {
    // An 8 KiB send ring and 3,001-byte writes: segments start at odd
    // offsets and cross the ring's end, so their payload is summed in two
    // parts.
    let engine = Config {
        snd_buf: 8192,
        ..Config::default()
    };
    let (wire, _) = transfer_with(false, engine, 3001);
    assert!(wire.len() > 60, "{} frames", wire.len());
    check_checksums(&wire);
}

#[test]
fn software_cut_frames_are_valid_segments_with_counting_ids_and_psh_per_write() {
    let (wire, _) = transfer(false);
    assert_eq!(check_checksums(&wire), 3, "one PSH per write");
    let mut last_id: Option<u16> = None;
    for f in &wire {
        assert!(f.len() <= 1500);
        let p = SlicedPacket::from_ip(f).expect("etherparse reads the packet");
        let Some(NetSlice::Ipv4(ip)) = p.net else {
            panic!("not IPv4")
        };
        let hdr = ip.header().to_header();
        assert!(hdr.dont_fragment, "SPEC W2");
        if let Some(prev) = last_id {
            assert_eq!(hdr.identification, prev.wrapping_add(1), "IDs count up");
        }
        last_id = Some(hdr.identification);
    }
}

#[test]
fn tso_needs_device_checksums_and_room_for_a_packet() {
    let engine = || Engine::with_seed(Config::default(), 1);
    let mut cfg = InterfaceConfig::ip(US, MASK);
    cfg.tso_max_len = Some(TSO_MAX);
    assert_eq!(
        Interface::new(cfg.clone(), engine()).err(),
        Some(ConfigError::TsoWithoutChecksumOffload)
    );
    cfg.caps = ChecksumCapabilities::offloaded();
    cfg.tso_max_len = Some(1000);
    assert_eq!(
        Interface::new(cfg, engine()).err(),
        Some(ConfigError::TsoMaxTooSmall)
    );
}
