//! In-order received data waiting for `read`: the payloads of the segments
//! themselves — views of the frames they arrived in — so bytes are copied
//! once, by `read`, into the application's buffer.
//!
//! A view keeps its whole frame alive, which for a tiny segment costs far
//! more than its bytes. Payloads shorter than [`COLLAPSE_BELOW`] are
//! therefore copied into a shared tail chunk instead (Linux collapses
//! small skbs the same way, `tcp_collapse`), so memory stays within a small
//! factor of the bytes held whatever segment sizes the peer chooses.
//!
//! Invariants: `len` is the sum of the chunks' lengths plus `tail.len()`;
//! no chunk is empty; `tail`'s bytes come after every chunk's.

use std::collections::VecDeque;

use crate::buffer::payload::Payload;

/// Payloads shorter than this are copied into the tail chunk.
pub const COLLAPSE_BELOW: usize = 512;

/// Capacity of a tail chunk.
const TAIL_CAPACITY: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct ReadyQueue {
    chunks: VecDeque<Payload>,
    /// Small payloads, collapsed; after every chunk.
    tail: Vec<u8>,
    len: usize,
}

impl ReadyQueue {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The queue's storage, emptied (views dropped), for another connection.
    pub(crate) fn take_storage(&mut self) -> (VecDeque<Payload>, Vec<u8>) {
        self.chunks.clear();
        self.tail.clear();
        (
            core::mem::take(&mut self.chunks),
            core::mem::take(&mut self.tail),
        )
    }

    /// Take over another queue's emptied storage (what is queued stays).
    pub(crate) fn adopt(&mut self, chunks: VecDeque<Payload>, tail: Vec<u8>) {
        super::storage::adopt_deque(&mut self.chunks, chunks);
        if self.tail.is_empty() && tail.capacity() > self.tail.capacity() {
            self.tail = tail;
        }
    }

    /// Append `data` (a view of a received frame).
    pub fn push(&mut self, data: Payload) {
        if data.is_empty() {
            return;
        }
        self.len += data.len();
        if data.len() < COLLAPSE_BELOW {
            if self.tail.len() + data.len() > TAIL_CAPACITY && !self.tail.is_empty() {
                self.seal_tail();
            }
            if self.tail.len() + data.len() > self.tail.capacity() {
                // Grow by doubling up to a chunk: a single small request
                // costs a small buffer, not 4 KiB.
                let want = (self.tail.len() + data.len())
                    .next_power_of_two()
                    .clamp(256, TAIL_CAPACITY);
                self.tail.reserve_exact(want - self.tail.len());
            }
            self.tail.extend_from_slice(&data);
            return;
        }
        self.seal_tail();
        self.chunks.push_back(data);
    }

    /// Append a copy of `data` (bytes with no frame to keep).
    pub fn push_copy(&mut self, data: &[u8]) {
        self.push(Payload::copy_from_slice(data));
    }

    /// Move the tail chunk behind the other chunks.
    fn seal_tail(&mut self) {
        if !self.tail.is_empty() {
            self.chunks
                .push_back(Payload::from(core::mem::take(&mut self.tail)));
        }
    }

    /// Up to `max` bytes from the front as one piece: a view of a received
    /// payload (no copy), or a copy of collapsed small payloads.
    pub fn pop_bytes(&mut self, max: usize) -> Payload {
        if let Some(front) = self.chunks.front_mut() {
            let out = front.split_to(max.min(front.len()));
            if front.is_empty() {
                self.chunks.pop_front();
            }
            self.len -= out.len();
            return out;
        }
        let k = max.min(self.tail.len());
        let out = Payload::copy_from_slice(&self.tail[..k]);
        self.tail.drain(..k);
        self.len -= k;
        out
    }

    /// Copy up to `buf.len()` bytes out, oldest first.
    pub fn pop(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let k = front.len().min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&front[..k]);
            front.advance(k);
            n += k;
            if front.is_empty() {
                self.chunks.pop_front();
            }
        }
        if n < buf.len() && !self.tail.is_empty() {
            let k = self.tail.len().min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&self.tail[..k]);
            self.tail.drain(..k);
            n += k;
        }
        self.len -= n;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order_across_views_and_the_collapsed_tail() {
        let mut q = ReadyQueue::default();
        let big: Vec<u8> = (0..2000u32).map(|i| i as u8).collect();
        let mut expect = Vec::new();
        for round in 0..5u8 {
            q.push(Payload::from(big.clone()));
            expect.extend_from_slice(&big);
            for k in 0..20u8 {
                let small = vec![round ^ k; usize::from(k) * 7 + 1];
                q.push(Payload::from(small.clone()));
                expect.extend_from_slice(&small);
            }
        }
        assert_eq!(q.len(), expect.len());
        let mut got = Vec::new();
        let mut buf = [0u8; 333];
        loop {
            let n = q.pop(&mut buf);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, expect);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn pop_bytes_hands_out_views_then_the_collapsed_tail() {
        let mut q = ReadyQueue::default();
        let frame = Payload::from(vec![1u8; 1000]);
        q.push(frame.slice(..));
        q.push(Payload::from_static(b"small"));
        let a = q.pop_bytes(600);
        assert_eq!(a.len(), 600);
        assert_eq!(a.as_ptr(), frame.as_ptr(), "a view, not a copy");
        let b = q.pop_bytes(600);
        assert_eq!(b.len(), 400, "one piece never spans two payloads");
        assert_eq!(&q.pop_bytes(600)[..], b"small");
        assert_eq!(q.len(), 0);
        assert!(q.pop_bytes(10).is_empty());
    }

    #[test]
    fn tiny_segments_do_not_keep_their_frames() {
        let mut q = ReadyQueue::default();
        for i in 0..10_000u32 {
            // A one-byte view of a 1500-byte frame.
            let frame = Payload::from(vec![i as u8; 1500]);
            q.push(frame.slice(100..101));
        }
        assert_eq!(q.len(), 10_000);
        // Collapsed: a few 4 KiB chunks, not 10 000 frames.
        assert!(q.chunks.len() <= 3, "{} chunks", q.chunks.len());
    }
}
