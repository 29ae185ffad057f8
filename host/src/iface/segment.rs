//! Conversion between wire reprs and the engine's [`Segment`].
//!
//! Invariant: `to_repr(&from_wire(ip, tcp))` emits the same header fields and
//! understood options as `tcp` (unknown options are dropped by the wire
//! layer); options go out in Linux's order (`TcpOptions::linux_layout`, which
//! `TcpRepr::emit` reproduces), with as many SACK blocks as fit.

use std::net::SocketAddrV4;

use crate::tcp::segment::{Payload, SackBlock};
use crate::tcp::{Segment, SeqNumber, TcpOptions};
use crate::wire::tcp::MAX_SACK_BLOCKS;
use crate::wire::{Ipv4Repr, TcpRepr};

/// The engine's view of a received TCP segment, with `payload` as its
/// payload: `tcp.payload`'s bytes (a view of the received frame, or a
/// copy), or nothing when only the header matters.
pub fn from_wire(ip: &Ipv4Repr, tcp: &TcpRepr<'_>, payload: Payload) -> Segment {
    Segment {
        src: SocketAddrV4::new(ip.src_addr.into(), tcp.src_port),
        dst: SocketAddrV4::new(ip.dst_addr.into(), tcp.dst_port),
        seq: SeqNumber(tcp.seq_number),
        ack: SeqNumber(tcp.ack_number),
        flags: tcp.flags,
        window: tcp.window_len,
        options: TcpOptions {
            mss: tcp.max_seg_size,
            window_scale: tcp.window_scale,
            sack_permitted: tcp.sack_permitted,
            sack_blocks: tcp
                .sack_ranges
                .iter()
                .flatten()
                .map(|&(l, r)| SackBlock {
                    left: SeqNumber(l),
                    right: SeqNumber(r),
                })
                .collect(),
            timestamps: tcp.timestamp,
        },
        payload,
    }
}

/// The wire repr of a segment the engine wants sent. The ACK field is sent
/// as 0 without the ACK flag (RFC 9293 §3.1: it is meaningful only then).
pub fn to_repr(seg: &Segment) -> TcpRepr<'_> {
    let mut sack_ranges = [None; MAX_SACK_BLOCKS];
    for (slot, b) in sack_ranges.iter_mut().zip(&seg.options.sack_blocks) {
        *slot = Some((b.left.0, b.right.0));
    }
    TcpRepr {
        src_port: seg.src.port(),
        dst_port: seg.dst.port(),
        seq_number: seg.seq.0,
        ack_number: if seg.flags.ack() { seg.ack.0 } else { 0 },
        flags: seg.flags,
        window_len: seg.window,
        urgent_pointer: 0,
        max_seg_size: seg.options.mss,
        window_scale: seg.options.window_scale,
        sack_permitted: seg.options.sack_permitted,
        sack_ranges,
        timestamp: seg.options.timestamps,
        payload: &seg.payload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::segment::{OptionItem, addr};
    use crate::tcp::{Flags, Timestamps};
    use crate::wire::{ChecksumCapabilities, IpProtocol, Ipv4Address, TcpPacket};

    #[test]
    fn round_trip_keeps_fields_and_linux_option_order() {
        let mut seg = Segment::new(
            addr(10, 0, 0, 1, 40000),
            addr(10, 0, 0, 2, 80),
            SeqNumber(0xdead_beef),
            SeqNumber(7),
            Flags::SYN | Flags::ACK,
        );
        seg.window = 64240;
        seg.options = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            sack_blocks: Default::default(),
            timestamps: Some(Timestamps { tsval: 5, tsecr: 9 }),
        };
        seg.payload = Payload::from_static(b"abc");
        let repr = to_repr(&seg);
        let (src, dst) = (Ipv4Address::new(10, 0, 0, 1), Ipv4Address::new(10, 0, 0, 2));
        let mut buf = vec![0u8; repr.buffer_len()];
        let caps = ChecksumCapabilities::software();
        repr.emit(
            &mut TcpPacket::new_unchecked(&mut buf[..]),
            &src,
            &dst,
            &caps,
        );
        // The options bytes are exactly Linux's SYN-ACK layout.
        assert_eq!(seg.options.wire_len(), 20);
        assert_eq!(
            seg.options.linux_layout()[..2],
            [OptionItem::Mss(1460), OptionItem::SackPermitted]
        );
        assert_eq!(&buf[20..24], &[2, 4, 0x05, 0xb4]);
        assert_eq!(&buf[24..26], &[4, 2]);
        assert_eq!(buf[26], 8);
        assert_eq!(&buf[36..40], &[1, 3, 3, 7]);
        let packet = TcpPacket::new_checked(&buf[..]).unwrap();
        let parsed = TcpRepr::parse(&packet, &src, &dst, &caps).unwrap();
        let ip = Ipv4Repr {
            src_addr: src,
            dst_addr: dst,
            protocol: IpProtocol::Tcp,
            payload_len: buf.len(),
            ttl: 64,
            ident: 0,
            dont_frag: true,
        };
        let payload = Payload::copy_from_slice(parsed.payload);
        assert_eq!(from_wire(&ip, &parsed, payload), seg);
    }

    #[test]
    fn ack_field_is_zero_without_ack_flag_and_sack_blocks_are_capped() {
        let mut seg = Segment::new(
            addr(10, 0, 0, 1, 1),
            addr(10, 0, 0, 2, 2),
            SeqNumber(1),
            SeqNumber(99),
            Flags::SYN,
        );
        // Four blocks: as many as the option holds (the type holds no more).
        seg.options.sack_blocks = (0..4)
            .map(|i| SackBlock {
                left: SeqNumber(i * 10),
                right: SeqNumber(i * 10 + 5),
            })
            .collect();
        let repr = to_repr(&seg);
        assert_eq!(repr.ack_number, 0);
        assert_eq!(repr.sack_ranges.iter().flatten().count(), MAX_SACK_BLOCKS);
        assert!(repr.options_len() <= 40);
    }
}
