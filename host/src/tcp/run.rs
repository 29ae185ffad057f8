//! Transmit work as runs (SPEC F5): one header and up to 64 KiB of payload
//! taken straight from a connection's send buffer, to be cut into segments
//! of `mss` bytes — by the fabric's segmenter (TSO), or in software by
//! [`TxRun::pieces`], the one place the cutting rule lives.
//!
//! The cutting rule is the segmenter's: segment `k` starts at
//! `header.seq + k·mss` and carries the header's ACK, window and options;
//! FIN and PSH (if the header has them) go on the last segment only.
//!
//! Invariants (kept by the connection that builds a run):
//! - every segment but the last carries exactly `mss` bytes; the engine
//!   accounts for each one separately (one retransmission-queue entry per
//!   segment), so a loss costs one segment;
//! - a run of more than one segment carries no SYN, RST or SACK blocks;
//! - the data is `header.seq .. header.seq + len` of the stream.

use super::segment::{Flags, Payload, Segment, SeqNumber};

/// How much one run may hold: at most `bytes` of payload (but always at
/// least one segment) and at most `segments` segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimit {
    pub bytes: usize,
    pub segments: usize,
    /// The device segments runs (TSO): a small run may be held back while
    /// an ACK that would let it grow is due (Linux `tcp_tso_should_defer`).
    pub defer: bool,
}

impl RunLimit {
    /// One segment per run.
    pub const ONE: RunLimit = RunLimit {
        bytes: 0,
        segments: 1,
        defer: false,
    };
}

/// One run of transmit work, lent by [`super::Engine::poll_transmit_run`].
#[derive(Clone, Copy, Debug)]
pub struct TxRun<'a> {
    /// The first segment's header fields. Its `payload` is not part of the
    /// run: `data` is.
    pub header: &'a Segment,
    /// The payload: two slices (a ring buffer may wrap), the second often empty.
    pub data: [&'a [u8]; 2],
    /// Payload bytes per segment; the run is one segment when `len() <= mss`.
    pub mss: usize,
}

/// One segment of a run: where it starts, its flags and its payload bytes
/// (`offset..offset + len` of the run's data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub seq: SeqNumber,
    pub flags: Flags,
    pub offset: usize,
    pub len: usize,
    /// The last piece (it carries FIN and PSH).
    pub last: bool,
}

impl<'a> TxRun<'a> {
    /// A run of one owned segment (its payload is the data).
    pub fn single(seg: &'a Segment) -> Self {
        TxRun {
            header: seg,
            data: [&seg.payload, &[]],
            mss: seg.payload.len().max(1),
        }
    }

    /// Payload bytes in the run.
    pub fn len(&self) -> usize {
        self.data[0].len() + self.data[1].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Segments the run is cut into (at least one: a bare header is one).
    pub fn segments(&self) -> usize {
        self.len().div_ceil(self.mss.max(1)).max(1)
    }

    /// The segments, first to last, by the cutting rule.
    pub fn pieces(&self) -> impl Iterator<Item = Piece> + '_ {
        let len = self.len();
        let n = self.segments();
        let mss = self.mss.max(1);
        let tail = Flags(Flags::FIN.0 | Flags::PSH.0);
        (0..n).map(move |k| {
            let offset = k * mss;
            let last = k + 1 == n;
            let flags = if last {
                self.header.flags
            } else {
                Flags(self.header.flags.0 & !tail.0)
            };
            Piece {
                seq: self.header.seq + offset,
                flags,
                offset,
                len: (len - offset.min(len)).min(mss),
                last,
            }
        })
    }

    /// Copy `piece`'s payload bytes into `out` (exactly `piece.len` long).
    pub fn copy_piece(&self, piece: &Piece, out: &mut [u8]) {
        copy_range(self.data, piece.offset, out);
    }

    /// `piece`'s payload bytes where they lie: one or two slices (the
    /// second empty unless the piece crosses the send buffer's wrap).
    pub fn piece_parts(&self, piece: &Piece) -> [&'a [u8]; 2] {
        let [a, b] = self.data;
        let (start, end) = (piece.offset, piece.offset + piece.len);
        if start >= a.len() {
            [&b[start - a.len()..end - a.len()], &[]]
        } else if end <= a.len() {
            [&a[start..end], &[]]
        } else {
            [&a[start..], &b[..end - a.len()]]
        }
    }

    /// Append `piece`'s payload bytes to `out`.
    pub fn extend_piece(&self, piece: &Piece, out: &mut Vec<u8>) {
        for part in self.piece_parts(piece) {
            out.extend_from_slice(part);
        }
    }

    /// The run as owned segments, cut by the rule (tests, and users that
    /// want whole segments).
    pub fn to_segments(&self) -> Vec<Segment> {
        self.pieces()
            .map(|p| {
                let mut s = self.header.clone();
                s.seq = p.seq;
                s.flags = p.flags;
                let mut bytes = vec![0; p.len];
                self.copy_piece(&p, &mut bytes);
                s.payload = Payload::from(bytes);
                s
            })
            .collect()
    }
}

/// Copy `out.len()` bytes starting `offset` bytes into the concatenation of
/// `parts` (which must hold them).
pub fn copy_range(parts: [&[u8]; 2], offset: usize, out: &mut [u8]) {
    let [a, b] = parts;
    let len = out.len();
    if offset >= a.len() {
        out.copy_from_slice(&b[offset - a.len()..][..len]);
    } else if offset + len <= a.len() {
        out.copy_from_slice(&a[offset..offset + len]);
    } else {
        let first = a.len() - offset;
        out[..first].copy_from_slice(&a[offset..]);
        out[first..].copy_from_slice(&b[..len - first]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::segment::addr;

    fn header(flags: Flags) -> Segment {
        Segment::new(
            addr(10, 0, 0, 1, 1000),
            addr(10, 0, 0, 2, 80),
            SeqNumber(u32::MAX - 1000),
            SeqNumber(5),
            flags,
        )
    }

    #[test]
    fn a_run_is_cut_at_the_mss_with_fin_and_psh_on_the_last_piece_only() {
        let h = header(Flags::ACK | Flags::PSH | Flags::FIN);
        let bytes: Vec<u8> = (0..2500u32).map(|i| i as u8).collect();
        let (a, b) = bytes.split_at(700);
        let run = TxRun {
            header: &h,
            data: [a, b],
            mss: 1000,
        };
        let segs = run.to_segments();
        assert_eq!(segs.len(), 3);
        assert_eq!(
            segs.iter().map(|s| s.payload.len()).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        for (k, s) in segs.iter().enumerate() {
            assert_eq!(s.seq, h.seq + k * 1000, "sequence across the wrap");
            assert_eq!(s.ack, h.ack);
            assert_eq!(
                &s.payload[..],
                &bytes[k * 1000..(k * 1000 + 1000).min(2500)]
            );
        }
        assert_eq!(segs[0].flags, Flags::ACK);
        assert_eq!(segs[1].flags, Flags::ACK);
        assert_eq!(segs[2].flags, Flags::ACK | Flags::PSH | Flags::FIN);
    }

    #[test]
    fn a_bare_header_is_one_piece() {
        let h = header(Flags::ACK);
        let run = TxRun::single(&h);
        assert_eq!(run.segments(), 1);
        let segs = run.to_segments();
        assert_eq!(segs, vec![h]);
    }

    #[test]
    fn copy_range_reads_across_the_two_slices() {
        let parts: [&[u8]; 2] = [b"abc", b"defg"];
        let h = header(Flags::ACK);
        let run = TxRun {
            header: &h,
            data: parts,
            mss: 1,
        };
        for off in 0..7 {
            for len in 0..=(7 - off) {
                let mut out = vec![0; len];
                copy_range(parts, off, &mut out);
                assert_eq!(out, &b"abcdefg"[off..off + len]);
                let piece = Piece {
                    seq: h.seq,
                    flags: h.flags,
                    offset: off,
                    len,
                    last: true,
                };
                let mut appended = vec![9];
                run.extend_piece(&piece, &mut appended);
                assert_eq!(appended[1..], b"abcdefg"[off..off + len]);
            }
        }
    }
}
