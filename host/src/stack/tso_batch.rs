//! Coalescing consecutive TCP frames into one TSO send (SPEC F5): the
//! transmit-side inverse of what the fabric's segmenter does.
//!
//! The engine cuts its send buffer at the MSS (each piece is one entry of
//! its retransmission queue, so a loss costs one segment). The interface
//! turns each into a frame with checksums left to the fabric. A run of such
//! frames that the segmenter would reproduce exactly from the first one's
//! header goes to the fabric as one TSO descriptor:
//! - same Ethernet header; same IPv4 header but for total length, ID
//!   (first + k) and checksum (left 0); same TCP header but for sequence
//!   (first + k·MSS), checksum (left 0) and FIN/PSH;
//! - every frame but the last carries exactly MSS payload bytes (the first
//!   frame's payload sets the MSS) and no FIN or PSH;
//! - the IPv4 total length of the whole send fits 16 bits.
//!
//! The descriptor's header carries the last frame's flags: the segmenter
//! clears FIN and PSH on all segments but the last (SPEC F5). So the fabric
//! puts on the wire, byte for byte, the frames the engine built, with their
//! checksums filled in.

use crate::iface::TxMeta;

/// IPv4 header fields (RFC 791), offsets from the IPv4 header.
const IP_TOTAL_LEN: usize = 2;
const IP_IDENT: usize = 4;
const IP_CHECKSUM: usize = 10;
const IP_PROTOCOL: usize = 9;
/// TCP header fields (RFC 793), offsets from the TCP header.
const TCP_SEQ: usize = 4;
const TCP_DATA_OFFSET: usize = 12;
const TCP_FLAGS: usize = 13;
const TCP_CHECKSUM: usize = 16;
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Where a TSO-able frame's headers are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layout {
    l3: usize,
    l4: usize,
    hdr_len: usize,
}

/// The frame's layout if the fabric may segment it: IPv4 + TCP built for
/// checksum offload, header consistent with the frame's length, carrying
/// payload, and no SYN or RST.
fn tso_layout(frame: &[u8], meta: &TxMeta) -> Option<Layout> {
    if !(meta.fabric_ipv4_checksum && meta.fabric_l4_checksum) {
        return None;
    }
    let l3 = usize::from(meta.l3_offset?);
    let l4 = usize::from(meta.l4_offset?);
    if l3 < 14 || frame.len() < l4 + 20 || l4 < l3 + 20 {
        return None;
    }
    if l4 - l3 != usize::from(frame[l3] & 0x0F) * 4 || frame[l3 + IP_PROTOCOL] != 6 {
        return None;
    }
    if l3 + usize::from(be16(frame, l3 + IP_TOTAL_LEN)) != frame.len() {
        return None;
    }
    let hdr_len = l4 + usize::from(frame[l4 + TCP_DATA_OFFSET] >> 4) * 4;
    let flags = frame[l4 + TCP_FLAGS];
    if hdr_len >= frame.len() || hdr_len > 255 || flags & (SYN | RST) != 0 {
        return None;
    }
    Some(Layout { l3, l4, hdr_len })
}

/// A TSO send being assembled: the first frame's header, then every
/// frame's payload.
#[derive(Clone, Debug)]
pub struct TsoBatch {
    buf: Vec<u8>,
    layout: Layout,
    mss: usize,
    segments: u32,
    /// A frame with FIN or PSH, or shorter than the MSS, ended the run.
    closed: bool,
    max_len: usize,
}

impl TsoBatch {
    /// A batch starting with `frame`, growing to at most `max_len` bytes
    /// (headers included); `None` if the fabric may not segment `frame`.
    pub fn start(frame: &[u8], meta: &TxMeta, max_len: usize) -> Option<Self> {
        let layout = tso_layout(frame, meta)?;
        let max_len = max_len.min(layout.l3 + usize::from(u16::MAX));
        if frame.len() > max_len {
            return None;
        }
        let flags = frame[layout.l4 + TCP_FLAGS];
        Some(Self {
            buf: frame.to_vec(),
            layout,
            mss: frame.len() - layout.hdr_len,
            segments: 1,
            closed: flags & (FIN | PSH) != 0,
            max_len,
        })
    }

    /// Adds `frame` if the segmenter would produce it as the batch's next
    /// segment; otherwise leaves the batch as it was and returns false.
    pub fn try_append(&mut self, frame: &[u8], meta: &TxMeta) -> bool {
        if self.closed || tso_layout(frame, meta) != Some(self.layout) {
            return false;
        }
        let Layout { l3, l4, hdr_len } = self.layout;
        let payload = frame.len() - hdr_len;
        if payload > self.mss || self.buf.len() + payload > self.max_len {
            return false;
        }
        let first = &self.buf[..hdr_len];
        let k = self.segments;
        let same = |a: usize, b: usize| frame[a..b] == first[a..b];
        let header_matches = same(0, l3 + IP_TOTAL_LEN)
            && be16(frame, l3 + IP_IDENT) == be16(first, l3 + IP_IDENT).wrapping_add(k as u16)
            && same(l3 + IP_IDENT + 2, l3 + IP_CHECKSUM)
            && be16(frame, l3 + IP_CHECKSUM) == 0
            && be16(first, l3 + IP_CHECKSUM) == 0
            && same(l3 + IP_CHECKSUM + 2, l4 + TCP_SEQ)
            && be32(frame, l4 + TCP_SEQ)
                == be32(first, l4 + TCP_SEQ).wrapping_add(k * self.mss as u32)
            && same(l4 + TCP_SEQ + 4, l4 + TCP_FLAGS)
            && frame[l4 + TCP_FLAGS] & !(FIN | PSH) == first[l4 + TCP_FLAGS] & !(FIN | PSH)
            && same(l4 + TCP_FLAGS + 1, l4 + TCP_CHECKSUM)
            && be16(frame, l4 + TCP_CHECKSUM) == 0
            && same(l4 + TCP_CHECKSUM + 2, hdr_len);
        if !header_matches {
            return false;
        }
        let flags = frame[l4 + TCP_FLAGS];
        self.buf[l4 + TCP_FLAGS] = flags;
        self.buf.extend_from_slice(&frame[hdr_len..]);
        self.segments += 1;
        self.closed = flags & (FIN | PSH) != 0 || payload < self.mss;
        true
    }

    /// The descriptor's buffer: header, then every segment's payload.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Payload bytes per segment.
    pub fn mss(&self) -> u16 {
        self.mss as u16
    }

    /// Header bytes (Ethernet + IPv4 + TCP with options).
    pub fn hdr_len(&self) -> u8 {
        self.layout.hdr_len as u8
    }

    /// Frames the fabric will put on the wire.
    pub fn segments(&self) -> u32 {
        self.segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: TxMeta = TxMeta {
        fabric_ipv4_checksum: true,
        fabric_l4_checksum: true,
        l3_offset: Some(14),
        l4_offset: Some(34),
    };

    /// Ethernet + IPv4 (IHL 5) + TCP with 12 bytes of options, checksums 0.
    fn frame(id: u16, seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 14 + 20 + 32];
        f[0..6].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
        f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        let ip = &mut f[14..34];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&((20 + 32 + payload.len()) as u16).to_be_bytes());
        ip[4..6].copy_from_slice(&id.to_be_bytes());
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = 6;
        ip[12..16].copy_from_slice(&[10, 0, 0, 1]);
        ip[16..20].copy_from_slice(&[10, 0, 0, 2]);
        let tcp = &mut f[34..66];
        tcp[0..2].copy_from_slice(&40000u16.to_be_bytes());
        tcp[2..4].copy_from_slice(&80u16.to_be_bytes());
        tcp[4..8].copy_from_slice(&seq.to_be_bytes());
        tcp[8..12].copy_from_slice(&7u32.to_be_bytes());
        tcp[12] = 8 << 4;
        tcp[13] = 0x10 | flags;
        tcp[14..16].copy_from_slice(&502u16.to_be_bytes());
        tcp[20..32].copy_from_slice(&[1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 3]);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn a_run_of_full_segments_becomes_one_send_with_the_last_flags() {
        let p = |i: u8| vec![i; 100];
        let mut b = TsoBatch::start(&frame(7, 1000, 0, &p(0)), &META, 70_000).unwrap();
        assert!(b.try_append(&frame(8, 1100, 0, &p(1)), &META));
        assert!(b.try_append(&frame(9, 1200, PSH, &p(2)[..40]), &META));
        assert_eq!((b.segments(), b.mss(), b.hdr_len()), (3, 100, 66));
        assert_eq!(b.bytes().len(), 66 + 240);
        assert_eq!(
            b.bytes()[34 + 13],
            0x10 | PSH,
            "template carries the last flags"
        );
        assert_eq!(&b.bytes()[66 + 200..], &p(2)[..40]);
        // A short or pushed segment ends the run.
        assert!(!b.try_append(&frame(10, 1240, 0, &p(3)), &META));
    }

    #[test]
    fn frames_the_segmenter_would_not_reproduce_are_refused() {
        let p = vec![5u8; 100];
        let base = TsoBatch::start(&frame(7, 1000, 0, &p), &META, 70_000).unwrap();
        let refused = [
            frame(9, 1100, 0, &p),          // IP ID skips
            frame(8, 1101, 0, &p),          // sequence gap
            frame(8, 1100, 0, &[5u8; 101]), // longer than the MSS
        ];
        for f in refused {
            assert!(!base.clone().try_append(&f, &META));
        }
        let mut other_ack = frame(8, 1100, 0, &p);
        other_ack[34 + 11] = 8;
        assert!(!base.clone().try_append(&other_ack, &META));
        let mut other_ts = frame(8, 1100, 0, &p);
        other_ts[34 + 31] = 4;
        assert!(!base.clone().try_append(&other_ts, &META));
        let mut software_csum = frame(8, 1100, 0, &p);
        software_csum[34 + 16] = 1;
        assert!(!base.clone().try_append(&software_csum, &META));
        // A bigger send than the limit allows.
        let mut small = TsoBatch::start(&frame(7, 1000, 0, &p), &META, 66 + 150).unwrap();
        assert!(!small.try_append(&frame(8, 1100, 0, &p), &META));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_and_offsets_are_refused_or_batched_without_panic(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            l3 in 0u16..80,
            l4 in 0u16..120,
        ) {
            let meta = TxMeta { l3_offset: Some(l3), l4_offset: Some(l4), ..META };
            if let Some(mut batch) = TsoBatch::start(&a, &meta, 70_000) {
                let before = batch.bytes().len();
                if batch.try_append(&b, &meta) {
                    proptest::prop_assert!(batch.bytes().len() > before);
                }
            }
        }
    }

    #[test]
    fn only_tcp_data_with_offloaded_checksums_starts_a_batch() {
        let p = vec![1u8; 10];
        assert!(TsoBatch::start(&frame(1, 1, 0, &[]), &META, 70_000).is_none());
        assert!(TsoBatch::start(&frame(1, 1, SYN, &p), &META, 70_000).is_none());
        assert!(TsoBatch::start(&frame(1, 1, 0, &p), &TxMeta::default(), 70_000).is_none());
        let mut udp = frame(1, 1, 0, &p);
        udp[14 + 9] = 17;
        assert!(TsoBatch::start(&udp, &META, 70_000).is_none());
        let mut short_ip_len = frame(1, 1, 0, &p);
        short_ip_len[14 + 3] -= 1;
        assert!(TsoBatch::start(&short_ip_len, &META, 70_000).is_none());
    }
}
