//! Receive side: in-order data ready for `read`, and out-of-order segments
//! held until the gap fills (SPEC R3).
//!
//! Invariants:
//! - `ready` holds bytes below RCV.NXT not yet read, in order.
//! - `ooo` ranges are sorted by distance from RCV.NXT, non-empty, pairwise
//!   disjoint and non-adjacent (adjacent ranges are merged), and all start
//!   strictly after RCV.NXT.
//! - No byte is ever delivered twice: data below RCV.NXT is trimmed on insert.

use std::collections::VecDeque;

use super::super::segment::{SackBlock, SeqNumber};

#[derive(Clone, Debug, Default)]
pub struct RecvBuffer {
    ready: VecDeque<u8>,
    ooo: Vec<(SeqNumber, Vec<u8>)>,
    /// Most recently touched out-of-order range start, reported first in SACK (RFC 2018 §4).
    last_ooo: Option<SeqNumber>,
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
}

impl RecvBuffer {
    /// Bytes ready to read.
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }

    /// Bytes held out of order.
    pub fn ooo_len(&self) -> usize {
        self.ooo.iter().map(|(_, d)| d.len()).sum()
    }

    pub fn has_ooo(&self) -> bool {
        !self.ooo.is_empty()
    }

    /// Read up to `buf.len()` in-order bytes.
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.ready.len());
        for (dst, src) in buf.iter_mut().zip(self.ready.drain(..n)) {
            *dst = src;
        }
        n
    }

    pub fn clear(&mut self) {
        self.ready.clear();
        self.ooo.clear();
        self.last_ooo = None;
    }

    /// Insert `data` at `seq`, with RCV.NXT = `rcv_nxt` and the receive window
    /// ending at `wnd_end`. Bytes outside `[rcv_nxt, wnd_end)` are dropped.
    pub fn insert(
        &mut self,
        rcv_nxt: SeqNumber,
        seq: SeqNumber,
        data: &[u8],
        wnd_end: SeqNumber,
    ) -> Inserted {
        let mut seq = seq;
        let mut data = data;
        // Trim what we already have (RFC 9293 §3.10.7.4, "trim to the window").
        if seq < rcv_nxt {
            let skip = rcv_nxt.distance_from(seq).min(data.len());
            data = &data[skip..];
            seq = rcv_nxt;
        }
        let room = wnd_end.distance_from(seq);
        data = &data[..data.len().min(room)];
        if data.is_empty() {
            return Inserted {
                delivered: 0,
                out_of_order: false,
                duplicate: true,
            };
        }
        if seq == rcv_nxt {
            self.ready.extend(data);
            let mut next = rcv_nxt + data.len();
            let mut delivered = data.len();
            // Pull now-contiguous ranges (and trim overlaps).
            while let Some((s, _)) = self.ooo.first() {
                if *s > next {
                    break;
                }
                let (s, d) = self.ooo.remove(0);
                let skip = next.distance_from(s);
                if skip < d.len() {
                    self.ready.extend(&d[skip..]);
                    delivered += d.len() - skip;
                    next = s + d.len();
                }
            }
            if self.ooo.is_empty() {
                self.last_ooo = None;
            }
            return Inserted {
                delivered,
                out_of_order: false,
                duplicate: false,
            };
        }
        let duplicate = self.store_ooo(rcv_nxt, seq, data);
        Inserted {
            delivered: 0,
            out_of_order: true,
            duplicate,
        }
    }

    /// Merge `[seq, seq+len)` into the out-of-order list; returns true if it
    /// was entirely held already.
    fn store_ooo(&mut self, rcv_nxt: SeqNumber, seq: SeqNumber, data: &[u8]) -> bool {
        let end = seq + data.len();
        if self
            .ooo
            .iter()
            .any(|(s, d)| *s <= seq && end <= *s + d.len())
        {
            return true;
        }
        // Build the union of the new range and every range it touches.
        let mut start = seq;
        let mut stop = end;
        let mut touching = Vec::new();
        let mut rest = Vec::new();
        for (s, d) in self.ooo.drain(..) {
            let e = s + d.len();
            if e >= start && s <= stop {
                start = start.min(s);
                stop = stop.max(e);
                touching.push((s, d));
            } else {
                rest.push((s, d));
            }
        }
        let mut merged = vec![0u8; stop.distance_from(start)];
        for (s, d) in touching.iter() {
            let off = s.distance_from(start);
            merged[off..off + d.len()].copy_from_slice(d);
        }
        let off = seq.distance_from(start);
        merged[off..off + data.len()].copy_from_slice(data);
        rest.push((start, merged));
        rest.sort_by_key(|(s, _)| s.distance_from(rcv_nxt));
        self.ooo = rest;
        self.last_ooo = Some(start);
        false
    }

    /// SACK blocks (RFC 2018), most recent first, at most `max`.
    pub fn sack_blocks(&self, max: usize) -> Vec<SackBlock> {
        let mut blocks: Vec<SackBlock> = self
            .ooo
            .iter()
            .map(|(s, d)| SackBlock {
                left: *s,
                right: *s + d.len(),
            })
            .collect();
        if let Some(last) = self.last_ooo {
            if let Some(i) = blocks.iter().position(|b| b.left == last) {
                let b = blocks.remove(i);
                blocks.insert(0, b);
            }
        }
        blocks.truncate(max);
        blocks
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
        let r = b.insert(base, base + 4, b"efgh", end);
        assert!(r.out_of_order);
        let r = b.insert(base, base + 6, b"ghij", end);
        assert!(!r.duplicate);
        assert_eq!(
            b.sack_blocks(3),
            vec![SackBlock {
                left: base + 4,
                right: base + 10
            }]
        );
        let r = b.insert(base, base, b"abcdef", end);
        assert_eq!(r.delivered, 10);
        let r = b.insert(base + 10, base + 2, b"cdef", end + 10);
        assert!(r.duplicate);
        let mut out = [0u8; 16];
        let n = b.read(&mut out);
        assert_eq!(&out[..n], b"abcdefghij");
    }
}
