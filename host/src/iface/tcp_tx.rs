//! TCP transmit: the engine's runs ([`TxRun`]) become frames, their payload
//! copied once, straight from the connection's send buffer into the frame.
//!
//! With TSO ([`InterfaceConfig::tso_max_len`]) a run of several segments
//! is one frame — one header, all the payload — that the fabric cuts
//! (SPEC F5); otherwise the run is cut here, by [`TxRun::pieces`], into one
//! frame per segment: the first built field by field ([`emit_piece`], as a
//! TSO frame is), the others from its headers ([`CutTemplate`]), their
//! checksums finished from sums rather than read back from the frame.
//!
//! Invariants:
//! - No segment longer than the MTU leaves (SPEC W5): a run whose segments
//!   would not fit is dropped whole and counted as [`DropCause::Oversize`].
//! - A TSO frame's IPv4 identification is its first segment's; the run's
//!   other segments take the following values (the segmenter counts up),
//!   so identifications stay unique as if software had cut the run.
//! - TCP packets carry DF (SPEC W2).
//!
//! [`InterfaceConfig::tso_max_len`]: super::InterfaceConfig::tso_max_len

use crate::tcp::{Piece, RunLimit, TxRun};
use crate::time::Instant;
use crate::wire::{
    Checksum, ChecksumCapabilities, IpProtocol, Ipv4Address, Ipv4Packet, Ipv4Repr, TcpPacket,
    TcpRepr, UdpPacket, checksum, ipv4,
};

// Where the fields a cut piece changes sit in the IPv4 header (RFC 791
// §3.1) and the TCP header (RFC 9293 §3.1).
use crate::wire::ipv4::field::{
    CHECKSUM as IP_CHECKSUM, IDENT as IP_IDENT, LENGTH as IP_TOTAL_LEN,
};
use crate::wire::tcp::field::{
    CHECKSUM as TCP_CHECKSUM, DATA_OFF as TCP_DATA_OFF, FLAGS as TCP_FLAGS, SEQ_NUM as TCP_SEQ,
};

use super::config::InterfaceConfig;
use super::stats::DropCause;
use super::transmit::{Transmit, TsoMeta, TxMeta};
use super::{Interface, segment};

/// Payload bytes a software-cut run may hold: a TSO-sized batch, so the
/// engine's per-run work is shared by up to ~45 segments.
const SOFTWARE_RUN_BYTES: usize = 64 * 1024;

/// Largest IPv4 packet (total length is 16 bits).
const MAX_IPV4_LEN: usize = 65_535;

impl Interface {
    /// Ask the engine for its next run and turn it into frames; false if
    /// the engine had nothing to send.
    pub(super) fn transmit_tcp_run(&mut self, now: Instant) -> bool {
        let limit = self.run_limit();
        let Interface {
            engine,
            cfg,
            ident,
            run_frames,
            ..
        } = self;
        let built =
            engine.poll_transmit_run(now, limit, |run| build_run(cfg, ident, run, run_frames));
        let Some(built) = built else {
            return false;
        };
        match built {
            Ok(dst) => {
                let mut frames = core::mem::take(&mut self.run_frames);
                for t in frames.drain(..) {
                    self.dispatch(now, dst, t);
                }
                // Keep the (now empty) vector's allocation for the next run.
                self.run_frames = frames;
            }
            Err(cause) => self.stats.drop(cause),
        }
        true
    }

    /// The largest run the link takes: a TSO frame, or as many
    /// software-cut frames as the ready queue has room for.
    fn run_limit(&self) -> RunLimit {
        let headers = self.cfg.medium.header_len() + ipv4::HEADER_LEN + 60;
        match self.cfg.tso_max_len {
            Some(max) => RunLimit {
                bytes: max.min(self.cfg.medium.header_len() + MAX_IPV4_LEN) - headers,
                segments: usize::MAX,
                defer: true,
            },
            None => RunLimit {
                bytes: SOFTWARE_RUN_BYTES,
                segments: self
                    .cfg
                    .tx_queue_len
                    .saturating_sub(self.ready.len())
                    .max(1),
                defer: false,
            },
        }
    }
}

/// The frames for one run, appended to `frames`, and their destination; or
/// why the run is dropped.
fn build_run(
    cfg: &InterfaceConfig,
    ident: &mut u16,
    run: &TxRun<'_>,
    frames: &mut Vec<Transmit>,
) -> Result<Ipv4Address, DropCause> {
    let header = segment::to_repr(run.header);
    let tcp_hdr = header.header_len();
    let per_segment = ipv4::HEADER_LEN + tcp_hdr + run.len().min(run.mss);
    if per_segment > usize::from(cfg.mtu) {
        return Err(DropCause::Oversize);
    }
    let dst = Ipv4Address::from(*run.header.dst.ip());
    let segments = run.segments();
    match cfg.tso_max_len {
        Some(max) if segments > 1 => {
            let len = run.len();
            let frame_len = cfg.medium.header_len() + ipv4::HEADER_LEN + tcp_hdr + len;
            if frame_len > max || ipv4::HEADER_LEN + tcp_hdr + len > MAX_IPV4_LEN {
                return Err(DropCause::Oversize);
            }
            let whole = Piece {
                seq: run.header.seq,
                flags: run.header.flags,
                offset: 0,
                len,
                last: true,
            };
            *ident = ident.wrapping_add(1);
            let mut t = emit_piece(cfg, &header, *ident, run, &whole);
            // The segmenter gives the other segments the following identifications.
            *ident = ident.wrapping_add(segments as u16 - 1);
            t.meta.tso = Some(TsoMeta {
                mss: run.mss as u16,
                hdr_len: (cfg.medium.header_len() + ipv4::HEADER_LEN + tcp_hdr) as u16,
            });
            frames.push(t);
        }
        _ => {
            // The first frame is built field by field; the others copy its
            // headers and patch what differs, as the segmenter does.
            frames.reserve(segments);
            let mut pieces = run.pieces();
            let Some(first) = pieces.next() else {
                return Ok(dst);
            };
            *ident = ident.wrapping_add(1);
            let t = emit_piece(cfg, &header, *ident, run, &first);
            // A run of one segment (a handshake, an ACK, a short write)
            // has no use for a template.
            if segments == 1 {
                frames.push(t);
                return Ok(dst);
            }
            let template = CutTemplate::new(cfg, &t.frame[..t.frame.len() - first.len]);
            frames.push(t);
            for piece in pieces {
                *ident = ident.wrapping_add(1);
                frames.push(template.cut(cfg, *ident, run, &piece));
            }
        }
    }
    Ok(dst)
}

/// What the device must do for a TCP frame built here (checksums as `caps`
/// leaves them; no segmentation).
fn tcp_meta(cfg: &InterfaceConfig) -> TxMeta {
    let l3 = cfg.medium.header_len();
    TxMeta {
        fabric_ipv4_checksum: !cfg.caps.ipv4.tx(),
        fabric_l4_checksum: !cfg.caps.tcp.tx(),
        l3_offset: Some(l3 as u16),
        l4_offset: Some((l3 + ipv4::HEADER_LEN) as u16),
        tso: None,
    }
}

/// Room for a frame's headers: link, IPv4 (no options) and TCP (≤ 60).
const MAX_HEADERS: usize = 128;
/// The headers a software-cut run's later frames copy from its first, and
/// the ones'-complement sums of what they share, taken once per run.
///
/// Each frame's checksums are finished from these sums, the few fields
/// that differ (held in registers) and its payload, summed as it is copied
/// out of the send buffer; the checksum fields are written last. Nothing is
/// read back from the frame being built. Reading back a header just written
/// field by field is a load no store can forward, so it waits for every
/// earlier store to reach the cache, the previous frame's payload included:
/// that wait was 12% of a 1500-byte-MTU stream's CPU, charged to the IPv4
/// header's 20 bytes.
struct CutTemplate {
    headers: [u8; MAX_HEADERS],
    len: usize,
    /// The IPv4 header's sum with its length, identification and checksum as zero.
    ip_sum: u16,
    /// The pseudo-header's sum without its length, plus the TCP header's
    /// with its sequence number, data offset and flags and checksum as zero.
    tcp_sum: u16,
}

impl CutTemplate {
    /// From a frame's headers (`headers`: link, IPv4 and TCP).
    fn new(cfg: &InterfaceConfig, headers: &[u8]) -> Self {
        let l3 = cfg.medium.header_len();
        let l4 = l3 + ipv4::HEADER_LEN;
        let mut copy = [0; MAX_HEADERS];
        copy[..headers.len()].copy_from_slice(headers);
        let mut zeroed = copy;
        for at in [IP_TOTAL_LEN, IP_IDENT, IP_CHECKSUM] {
            zeroed[l3 + at..l3 + at + 2].fill(0);
        }
        for (at, len) in [(TCP_SEQ, 4), (TCP_DATA_OFF, 2), (TCP_CHECKSUM, 2)] {
            zeroed[l4 + at..l4 + at + len].fill(0);
        }
        let ip = Ipv4Packet::new_unchecked(&copy[l3..]);
        let (src, dst) = (ip.src_addr(), ip.dst_addr());
        CutTemplate {
            headers: copy,
            len: headers.len(),
            ip_sum: checksum::data(&zeroed[l3..l4]),
            tcp_sum: checksum::combine(&[
                checksum::pseudo_header(&src, &dst, IpProtocol::Tcp, 0),
                checksum::data(&zeroed[l4..headers.len()]),
            ]),
        }
    }

    /// The frame for `piece`: these headers with its IPv4 length,
    /// identification and checksum, and its TCP sequence number, flags and
    /// checksum (checksums as `cfg.caps` says software must), then its
    /// payload.
    fn cut(&self, cfg: &InterfaceConfig, ident: u16, run: &TxRun<'_>, piece: &Piece) -> Transmit {
        let l3 = cfg.medium.header_len();
        let l4 = l3 + ipv4::HEADER_LEN;
        let tcp_len = (self.len - l4 + piece.len) as u16;
        let total_len = (self.len - l3 + piece.len) as u16;
        let seq = piece.seq.0;
        // The frame is written, never read: the headers from the template
        // (written once per run), then the fields, then the payload (summed
        // as it is copied), then the TCP checksum.
        let mut frame = crate::buffer::frame_pool::take(self.len + piece.len);
        frame.extend_from_slice(&self.headers[..self.len]);
        let h = &mut frame[..self.len];
        h[l3 + IP_TOTAL_LEN..][..2].copy_from_slice(&total_len.to_be_bytes());
        h[l3 + IP_IDENT..][..2].copy_from_slice(&ident.to_be_bytes());
        if cfg.caps.ipv4.tx() {
            let sum = checksum::combine(&[self.ip_sum, total_len, ident]);
            h[l3 + IP_CHECKSUM..][..2].copy_from_slice(&checksum::finish(sum).to_be_bytes());
        }
        h[l4 + TCP_SEQ..][..4].copy_from_slice(&seq.to_be_bytes());
        h[l4 + TCP_FLAGS] = piece.flags.0;
        if cfg.caps.tcp.tx() {
            let sum = checksum::combine(&[
                self.tcp_sum,
                tcp_len,
                (seq >> 16) as u16,
                seq as u16,
                u16::from_be_bytes([self.headers[l4 + TCP_DATA_OFF], piece.flags.0]),
                checksum::extend_summing(&mut frame, run.piece_parts(piece)),
            ]);
            frame[l4 + TCP_CHECKSUM..][..2].copy_from_slice(&checksum::finish(sum).to_be_bytes());
        } else {
            run.extend_piece(piece, &mut frame);
        }
        Transmit {
            frame,
            meta: tcp_meta(cfg),
        }
    }
}

/// One frame: link header room, IPv4 and TCP headers (`header` with the
/// piece's sequence number and flags), then the piece's payload; checksums
/// as `cfg.caps` says software must.
fn emit_piece(
    cfg: &InterfaceConfig,
    header: &TcpRepr<'_>,
    ident: u16,
    run: &TxRun<'_>,
    piece: &Piece,
) -> Transmit {
    let mut tcp = *header;
    tcp.seq_number = piece.seq.0;
    tcp.flags = piece.flags;
    tcp.payload = &[];
    let tcp_hdr = tcp.header_len();
    let ip = Ipv4Repr {
        src_addr: Ipv4Address::from(*run.header.src.ip()),
        dst_addr: Ipv4Address::from(*run.header.dst.ip()),
        protocol: IpProtocol::Tcp,
        payload_len: tcp_hdr + piece.len,
        ttl: cfg.ttl,
        ident,
        // SPEC W2: DF on TCP; path MTU discovery relies on it.
        dont_frag: true,
    };
    let l3 = cfg.medium.header_len();
    let l4 = l3 + ipv4::HEADER_LEN;
    // The headers first, then the payload, summed as it is copied out of
    // the send buffer, then the checksum: the frame's payload is written but
    // never read back (a read behind its stores waits for all of them).
    let mut frame = crate::buffer::frame_pool::take(l4 + tcp_hdr + piece.len);
    frame.resize(l4 + tcp_hdr, 0);
    ip.emit(&mut Ipv4Packet::new_unchecked(&mut frame[l3..]), &cfg.caps);
    let header_only = ChecksumCapabilities {
        tcp: Checksum::None,
        ..cfg.caps
    };
    let mut packet = TcpPacket::new_unchecked(&mut frame[l4..]);
    tcp.emit(&mut packet, &ip.src_addr, &ip.dst_addr, &header_only);
    if cfg.caps.tcp.tx() {
        // `emit` left the checksum zero, as the sum wants it.
        let sum = checksum::combine(&[
            checksum::pseudo_header(
                &ip.src_addr,
                &ip.dst_addr,
                IpProtocol::Tcp,
                (tcp_hdr + piece.len) as u32,
            ),
            checksum::data(&frame[l4..]),
            checksum::extend_summing(&mut frame, run.piece_parts(piece)),
        ]);
        TcpPacket::new_unchecked(&mut frame[l4..]).set_checksum(checksum::finish(sum));
    } else {
        run.extend_piece(piece, &mut frame);
    }
    Transmit {
        frame,
        meta: tcp_meta(cfg),
    }
}

impl Interface {
    /// What the device puts on the wire for `t`: a TSO frame cut by the
    /// segmenter's rule, checksums the device inserts filled in — for logs,
    /// traces and stand-ins for the fabric. A frame this interface did not
    /// build comes back as it is.
    pub fn wire_frames(&self, t: &Transmit) -> Vec<Vec<u8>> {
        if let (Some(tso), Some(l3)) = (t.meta.tso, t.meta.l3_offset) {
            if let Some(frames) =
                cut_frame(&self.cfg, &t.frame, usize::from(l3), usize::from(tso.mss))
            {
                return frames;
            }
        }
        let mut frame = t.frame.clone();
        fill_device_checksums(&mut frame, &t.meta);
        vec![frame]
    }
}

/// Insert the checksums `meta` leaves to the device.
fn fill_device_checksums(frame: &mut [u8], meta: &TxMeta) {
    let (Some(l3), Some(l4)) = (meta.l3_offset, meta.l4_offset) else {
        return;
    };
    let (l3, l4) = (usize::from(l3), usize::from(l4));
    let Ok(mut ip) = Ipv4Packet::new_checked(&mut frame[l3..]) else {
        return;
    };
    let (src, dst, protocol) = (ip.src_addr(), ip.dst_addr(), ip.protocol());
    if meta.fabric_ipv4_checksum {
        ip.fill_checksum();
    }
    if !meta.fabric_l4_checksum {
        return;
    }
    match protocol {
        IpProtocol::Tcp => {
            if let Ok(mut tcp) = TcpPacket::new_checked(&mut frame[l4..]) {
                tcp.fill_checksum(&src, &dst);
            }
        }
        IpProtocol::Udp => {
            if let Ok(mut udp) = UdpPacket::new_checked(&mut frame[l4..]) {
                udp.fill_checksum(&src, &dst);
            }
        }
        _ => {}
    }
}

/// [`Interface::wire_frames`] for one TSO frame: re-read its headers and
/// cut it with [`emit_piece`].
fn cut_frame(cfg: &InterfaceConfig, frame: &[u8], l3: usize, mss: usize) -> Option<Vec<Vec<u8>>> {
    let caps = ChecksumCapabilities::offloaded();
    let packet = Ipv4Packet::new_checked(frame.get(l3..)?).ok()?;
    let ip = Ipv4Repr::parse(&packet, &caps).ok()?;
    let tcp_packet = TcpPacket::new_checked(packet.payload_ref()).ok()?;
    let tcp = TcpRepr::parse(&tcp_packet, &ip.src_addr, &ip.dst_addr, &caps).ok()?;
    let seg = segment::from_wire(&ip, &tcp, crate::tcp::segment::Payload::new());
    let run = TxRun {
        header: &seg,
        data: [tcp.payload, &[]],
        mss: mss.max(1),
    };
    let wire_cfg = InterfaceConfig {
        caps: ChecksumCapabilities::software(),
        ttl: ip.ttl,
        ..cfg.clone()
    };
    let header = segment::to_repr(&seg);
    let frames = run
        .pieces()
        .enumerate()
        .map(|(k, piece)| {
            let ident = ip.ident.wrapping_add(k as u16);
            let mut t = emit_piece(&wire_cfg, &header, ident, &run, &piece);
            t.frame[..l3].copy_from_slice(&frame[..l3]);
            t.frame
        })
        .collect();
    Some(frames)
}
