//! Receive side: in-order data ready for `read`, and out-of-order segments
//! held until the gap fills (SPEC R3).
//!
//! Out-of-order data lives in an ordered map of ranges keyed by stream
//! offset (bytes since the connection's first data byte, 64-bit, so keys
//! never wrap as sequence numbers do). An insert finds its neighbours in
//! O(log n) and copies only the bytes it adds; a hostile peer sending tiny
//! segments into many holes costs O(log n) per segment, not O(n).
//!
//! Bound: at most `max_ranges` ranges (holes) are held. Past it the range
//! furthest from RCV.NXT is dropped — the new segment itself when it is the
//! furthest — as Linux's `tcp_prune_ofo_queue` prunes from the far end. The
//! peer still holds that data (SACKed data may be reneged, RFC 2018 §8) and
//! resends it; each drop is counted.
//!
//! Invariants:
//! - `ready` holds bytes below RCV.NXT not yet read, in order.
//! - `nxt_off` is the stream offset of RCV.NXT: it grows by exactly the
//!   bytes delivered, so `offset(seq) = nxt_off + (seq - RCV.NXT)`.
//! - `ooo` ranges are non-empty, pairwise disjoint and non-adjacent
//!   (touching ranges are merged), all start strictly after `nxt_off`, and
//!   `ooo_bytes` is the sum of their lengths.
//! - No byte is ever delivered twice: data below RCV.NXT is trimmed on insert.

use std::collections::{BTreeMap, VecDeque};

use super::ready_queue::ReadyQueue;

use super::super::segment::{Payload, SackBlock, SeqNumber};

/// Ranges remembered as recently touched, for SACK block order.
const RECENT: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct RecvBuffer {
    ready: ReadyQueue,
    /// Stream offset of RCV.NXT.
    nxt_off: u64,
    /// Out-of-order ranges: start offset → bytes.
    ooo: BTreeMap<u64, Vec<u8>>,
    ooo_bytes: usize,
    /// Offsets of the most recently received out-of-order segments, newest
    /// first: their ranges lead the SACK blocks (RFC 2018 §4).
    recent: [Option<u64>; RECENT],
}

/// What an insert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inserted {
    /// Bytes that became in-order (RCV.NXT advances by this much).
    pub delivered: usize,
    /// The segment was stored out of order.
    pub out_of_order: bool,
    /// The segment carried nothing new.
    pub duplicate: bool,
    /// Out-of-order ranges dropped to respect the bound (possibly this segment).
    pub pruned: usize,
}

impl RecvBuffer {
    /// The in-order queue's storage, emptied, for another connection.
    pub(crate) fn take_storage(&mut self) -> (VecDeque<Payload>, Vec<u8>) {
        self.ready.take_storage()
    }

    /// Take over another connection's emptied in-order queue storage.
    pub(crate) fn adopt(&mut self, chunks: VecDeque<Payload>, tail: Vec<u8>) {
        self.ready.adopt(chunks, tail);
    }

    /// Bytes ready to read.
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// Bytes held out of order.
    pub fn ooo_len(&self) -> usize {
        self.ooo_bytes
    }

    /// Out-of-order ranges held (the holes behind them).
    pub fn ooo_ranges(&self) -> usize {
        self.ooo.len()
    }

    pub fn has_ooo(&self) -> bool {
        !self.ooo.is_empty()
    }

    /// Read up to `buf.len()` in-order bytes.
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        self.ready.pop(buf)
    }

    /// Up to `max` in-order bytes, shared rather than copied where they are
    /// a received payload.
    pub fn read_bytes(&mut self, max: usize) -> Payload {
        self.ready.pop_bytes(max)
    }

    /// Insert `data` at `seq`, with RCV.NXT = `rcv_nxt` and the receive window
    /// ending at `wnd_end`; at most `max_ranges` out-of-order ranges are kept.
    /// Bytes outside `[rcv_nxt, wnd_end)` are dropped. In-order data is
    /// kept as a view of `payload` (no copy); out-of-order data is copied.
    pub fn insert(
        &mut self,
        rcv_nxt: SeqNumber,
        seq: SeqNumber,
        payload: &Payload,
        wnd_end: SeqNumber,
        max_ranges: usize,
    ) -> Inserted {
        let mut seq = seq;
        let mut skip = 0;
        // Trim what we already have (RFC 9293 §3.10.7.4, "trim to the window").
        if seq < rcv_nxt {
            skip = rcv_nxt.distance_from(seq).min(payload.len());
            seq = rcv_nxt;
        }
        let room = wnd_end.distance_from(seq);
        let end = payload.len().min(skip.saturating_add(room));
        let data = &payload[skip..end];
        let mut r = Inserted {
            delivered: 0,
            out_of_order: false,
            duplicate: data.is_empty(),
            pruned: 0,
        };
        if data.is_empty() {
            return r;
        }
        if seq == rcv_nxt {
            self.ready.push(payload.slice(skip..end));
            r.delivered = data.len();
            self.nxt_off += data.len() as u64;
            r.delivered += self.pull_contiguous();
            return r;
        }
        let off = self.nxt_off + seq.distance_from(rcv_nxt) as u64;
        r.out_of_order = true;
        r.duplicate = self.store_ooo(off, data);
        if !r.duplicate {
            self.note_recent(off);
            while self.ooo.len() > max_ranges.max(1) {
                if let Some((_, v)) = self.ooo.pop_last() {
                    self.ooo_bytes -= v.len();
                    r.pruned += 1;
                }
            }
        }
        r
    }

    /// Move ranges that now start at or below RCV.NXT into `ready`; returns
    /// the bytes that became in-order.
    fn pull_contiguous(&mut self) -> usize {
        let mut delivered = 0;
        while let Some(entry) = self.ooo.first_entry() {
            let start = *entry.key();
            if start > self.nxt_off {
                break;
            }
            let d = entry.remove();
            self.ooo_bytes -= d.len();
            let skip = (self.nxt_off - start) as usize;
            if skip < d.len() {
                self.ready.push_copy(&d[skip..]);
                delivered += d.len() - skip;
                self.nxt_off += (d.len() - skip) as u64;
            }
        }
        if self.ooo.is_empty() {
            self.recent = [None; RECENT];
        }
        delivered
    }

    /// Merge `[off, off + data.len())` into the out-of-order ranges; returns
    /// true if it was entirely held already. Copies only new bytes.
    fn store_ooo(&mut self, off: u64, data: &[u8]) -> bool {
        let end = off + data.len() as u64;
        let (start, mut buf) = match self.ooo.range(..=off).next_back() {
            Some((&s, v)) if s + v.len() as u64 >= off => {
                if s + v.len() as u64 >= end {
                    return true;
                }
                let mut v = self.ooo.remove(&s).unwrap_or_default();
                self.ooo_bytes -= v.len();
                let have = (s + v.len() as u64 - off) as usize;
                v.extend_from_slice(&data[have..]);
                (s, v)
            }
            _ => (off, data.to_vec()),
        };
        // Absorb every range that starts inside or right after the new one.
        loop {
            let cur_end = start + buf.len() as u64;
            let next = self.ooo.range(start + 1..=cur_end).next().map(|(&k, _)| k);
            let Some(k) = next else { break };
            let v = self.ooo.remove(&k).unwrap_or_default();
            self.ooo_bytes -= v.len();
            let v_end = k + v.len() as u64;
            if v_end > cur_end {
                buf.extend_from_slice(&v[(cur_end - k) as usize..]);
            }
        }
        self.ooo_bytes += buf.len();
        self.ooo.insert(start, buf);
        false
    }

    fn note_recent(&mut self, off: u64) {
        self.recent.rotate_right(1);
        self.recent[0] = Some(off);
    }

    /// The range holding stream offset `off`, as `(start, end)`.
    fn range_at(&self, off: u64) -> Option<(u64, u64)> {
        let (&s, v) = self.ooo.range(..=off).next_back()?;
        let e = s + v.len() as u64;
        (off < e).then_some((s, e))
    }

    /// SACK blocks (RFC 2018), at most `max`: the ranges of the most recently
    /// received segments first, then the others from RCV.NXT up.
    /// `rcv_nxt` maps stream offsets back to sequence numbers.
    pub fn sack_blocks(&self, rcv_nxt: SeqNumber, max: usize) -> Vec<SackBlock> {
        let mut starts: Vec<(u64, u64)> = Vec::with_capacity(max);
        let recent = self
            .recent
            .iter()
            .flatten()
            .filter_map(|&o| self.range_at(o));
        let lowest = self.ooo.iter().map(|(&s, v)| (s, s + v.len() as u64));
        for r in recent.chain(lowest) {
            if starts.len() == max {
                break;
            }
            if !starts.contains(&r) {
                starts.push(r);
            }
        }
        starts
            .into_iter()
            .map(|(s, e)| SackBlock {
                left: rcv_nxt + (s - self.nxt_off) as usize,
                right: rcv_nxt + (e - self.nxt_off) as usize,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_is_held_and_delivered_in_order_without_duplicates() {
        let mut b = RecvBuffer::default();
        let base = SeqNumber(u32::MAX - 2);
        let end = base + 1000;
        let r = b.insert(base, base + 4, &Payload::from_static(b"efgh"), end, 16);
        assert!(r.out_of_order);
        let r = b.insert(base, base + 6, &Payload::from_static(b"ghij"), end, 16);
        assert!(!r.duplicate);
        assert_eq!(
            b.sack_blocks(base, 3),
            vec![SackBlock {
                left: base + 4,
                right: base + 10
            }]
        );
        let r = b.insert(base, base, &Payload::from_static(b"abcdef"), end, 16);
        assert_eq!(r.delivered, 10);
        let r = b.insert(
            base + 10,
            base + 2,
            &Payload::from_static(b"cdef"),
            end + 10,
            16,
        );
        assert!(r.duplicate);
        let mut out = [0u8; 16];
        let n = b.read(&mut out);
        assert_eq!(&out[..n], b"abcdefghij");
    }

    #[test]
    fn overlapping_and_bridging_segments_merge_into_one_range() {
        let mut b = RecvBuffer::default();
        let base = SeqNumber(100);
        let end = base + 1000;
        b.insert(base, base + 10, &Payload::from_static(b"KLM"), end, 16);
        b.insert(base, base + 20, &Payload::from_static(b"UVW"), end, 16);
        b.insert(base, base + 30, &Payload::from_static(b"4"), end, 16);
        assert_eq!(b.ooo_ranges(), 3);
        // Overlaps the first range's tail and reaches into the second.
        b.insert(
            base,
            base + 12,
            &Payload::from_static(b"MNOPQRSTUV"),
            end,
            16,
        );
        assert_eq!((b.ooo_ranges(), b.ooo_len()), (2, 14));
        b.insert(base, base, &Payload::from_static(b"ABCDEFGHIJ"), end, 16);
        let mut out = [0u8; 64];
        let n = b.read(&mut out);
        assert_eq!(&out[..n], b"ABCDEFGHIJKLMNOPQRSTUVW");
        assert_eq!((b.ooo_ranges(), b.ooo_len()), (1, 1));
    }

    #[test]
    fn past_the_range_bound_the_furthest_range_is_pruned() {
        let mut b = RecvBuffer::default();
        let base = SeqNumber(0);
        let end = base + 10_000;
        for i in 0..4 {
            let r = b.insert(
                base,
                base + (10 + 10 * i),
                &Payload::from_static(b"x"),
                end,
                4,
            );
            assert_eq!(r.pruned, 0);
        }
        // Nearer than the furthest: the furthest (offset 40) goes.
        let r = b.insert(base, base + 5, &Payload::from_static(b"y"), end, 4);
        assert_eq!((r.pruned, b.ooo_ranges()), (1, 4));
        assert!(b.range_at(40).is_none() && b.range_at(5).is_some());
        // Further than all: the new segment itself is refused.
        let r = b.insert(base, base + 500, &Payload::from_static(b"z"), end, 4);
        assert_eq!((r.pruned, b.ooo_ranges()), (1, 4));
        assert!(b.range_at(500).is_none());
    }

    #[test]
    fn sack_blocks_lead_with_the_most_recent_range() {
        let mut b = RecvBuffer::default();
        let base = SeqNumber(1000);
        let end = base + 10_000;
        for at in [100, 300, 500, 700, 900] {
            b.insert(base, base + at, &Payload::from_static(b"ab"), end, 16);
        }
        b.insert(base, base + 302, &Payload::from_static(b"cd"), end, 16);
        let blocks = b.sack_blocks(base, 3);
        let lefts: Vec<u32> = blocks.iter().map(|s| s.left.0 - base.0).collect();
        assert_eq!(lefts, vec![300, 900, 700]);
        assert_eq!(blocks[0].right, base + 304);
    }
}
