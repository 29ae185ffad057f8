//! Send side: the byte buffer from SND.UNA onwards and the retransmission
//! queue of segments as they were first sent.
//!
//! Unsent data is kept in [`Chunk`]s as Linux keeps it in skbs on its write
//! queue: a write fills the unsent tail chunk up to the size goal (one MSS,
//! taking its PSH mark away) and opens new ones; the last chunk of every
//! write carries PSH (Linux `tcp_push`), and so does a chunk that filled
//! up after more than half the peer's largest window was written since the
//! last push (Linux `forced_push`). A segment never spans two chunks, so
//! segment boundaries and PSH flags follow the application's writes as
//! Linux's do (SPEC R8).
//!
//! Invariants:
//! - `bytes[0]` is the byte at SND.UNA (or at ISS+1 before the SYN is acked:
//!   the SYN's sequence slot is accounted by the connection, not here).
//! - `rtx` holds every sent, unacknowledged segment in sequence order, with
//!   no gaps and no overlaps; its first entry starts at SND.UNA.
//! - `chunks` covers exactly the unsent bytes `[SND.NXT, end of buffer)`, in
//!   order, each chunk non-empty: the first starts at SND.NXT, each ends where
//!   the next starts.

use std::collections::VecDeque;

use super::super::segment::SeqNumber;
use super::byte_ring::ByteRing;
use super::rtx_queue::{RtxQueue, SentSegment};

/// A run of unsent bytes that leaves as one segment (Linux: an skb on the
/// write queue). It starts where the previous chunk (or SND.NXT) ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub end: SeqNumber,
    pub psh: bool,
}

#[derive(Clone, Debug)]
pub struct SendBuffer {
    bytes: ByteRing,
    pub rtx: RtxQueue,
    chunks: VecDeque<Chunk>,
    /// End of the data when PSH was last marked (Linux `pushed_seq`).
    pushed: SeqNumber,
}

/// Where a write lands: the sequence space around the unsent data.
#[derive(Clone, Copy, Debug)]
pub struct WriteAt {
    /// SND.NXT: bytes before it are sent, so no chunk may grow there.
    pub snd_nxt: SeqNumber,
    /// Sequence number of the first byte the write appends.
    pub end: SeqNumber,
    /// Size goal of a chunk (the MSS).
    pub size_goal: usize,
    /// The peer's largest window so far, for `forced_push`.
    pub max_window: u32,
}

impl SendBuffer {
    /// An empty buffer whose first byte will have sequence number `start`.
    pub fn starting_at(start: SeqNumber) -> Self {
        SendBuffer {
            bytes: ByteRing::default(),
            rtx: RtxQueue::default(),
            chunks: VecDeque::new(),
            pushed: start,
        }
    }

    /// The buffer's storage, emptied, for another connection ([`Self::adopt`]).
    pub(crate) fn take_storage(&mut self) -> (Vec<u8>, VecDeque<SentSegment>, VecDeque<Chunk>) {
        self.chunks.clear();
        (
            self.bytes.take_buffer(),
            self.rtx.take_storage(),
            core::mem::take(&mut self.chunks),
        )
    }

    /// Take over another connection's emptied storage; what this buffer
    /// holds stays (a ring already holding bytes keeps its own buffer).
    pub(crate) fn adopt(
        &mut self,
        ring: Vec<u8>,
        rtx: VecDeque<SentSegment>,
        chunks: VecDeque<Chunk>,
    ) {
        if self.bytes.is_empty() && ring.len() > self.bytes.capacity() {
            self.bytes = ByteRing::reuse(ring);
        }
        self.rtx.adopt(rtx);
        super::storage::adopt_deque(&mut self.chunks, chunks);
    }

    /// Bytes queued (sent-unacked plus unsent).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Queue up to `limit - len()` bytes of `data` as one `write()`;
    /// returns how many were taken.
    pub fn push(&mut self, data: &[u8], limit: usize, at: WriteAt) -> usize {
        let room = limit.saturating_sub(self.bytes.len());
        let n = room.min(data.len());
        self.bytes.push(&data[..n]);
        if n > 0 {
            self.chunk_write(n, at);
        }
        n
    }

    /// Linux `tcp_sendmsg_locked`'s skb filling, for `n` new bytes.
    fn chunk_write(&mut self, mut n: usize, at: WriteAt) {
        let goal = at.size_goal.max(1);
        let mut end = at.end;
        let mut first = true;
        while n > 0 {
            let tail_len = match self.chunks.back() {
                Some(c) => c.end.distance_from(self.tail_start(at.snd_nxt)),
                None => goal,
            };
            let take = if tail_len < goal {
                let take = (goal - tail_len).min(n);
                let c = self
                    .chunks
                    .back_mut()
                    .expect("a tail chunk is shorter than the goal");
                if first {
                    // Appending to the unsent tail takes its PSH away.
                    c.psh = false;
                }
                c.end = end + take;
                take
            } else {
                let take = goal.min(n);
                self.chunks.push_back(Chunk {
                    end: end + take,
                    psh: false,
                });
                take
            };
            end += take;
            n -= take;
            first = false;
            // Bytes left over mean the chunk just filled up (Linux checks
            // `forced_push` only then, and never on the write's last chunk).
            if n > 0 && end > self.pushed + (at.max_window / 2) as usize {
                self.mark_push(end);
            }
        }
        // `tcp_push` at the end of the write.
        self.mark_push(end);
    }

    /// Where the tail chunk starts.
    fn tail_start(&self, snd_nxt: SeqNumber) -> SeqNumber {
        match self.chunks.len() {
            0 | 1 => snd_nxt,
            k => self.chunks[k - 2].end,
        }
    }

    /// Linux `tcp_mark_push` on the tail chunk.
    fn mark_push(&mut self, end: SeqNumber) {
        if let Some(c) = self.chunks.back_mut() {
            c.psh = true;
        }
        self.pushed = end;
    }

    /// The first unsent chunk, if any.
    pub fn next_chunk(&self) -> Option<Chunk> {
        self.chunks.front().copied()
    }

    /// `len` bytes from SND.NXT are being sent: take them off the chunks.
    pub fn take_unsent(&mut self, snd_nxt: SeqNumber, len: usize) {
        let upto = snd_nxt + len;
        while let Some(c) = self.chunks.front() {
            if c.end <= upto {
                self.chunks.pop_front();
            } else {
                break;
            }
        }
    }

    /// Send the first `len` unsent bytes with PSH (Linux `tcp_write_wakeup`
    /// probing a window that is open but too small for the next segment).
    pub fn push_first(&mut self, snd_nxt: SeqNumber, len: usize) {
        let cut = snd_nxt + len;
        if let Some(c) = self.chunks.front().copied() {
            if cut < c.end {
                self.chunks.push_front(Chunk {
                    end: cut,
                    psh: true,
                });
            } else if let Some(c) = self.chunks.front_mut() {
                c.psh = true;
            }
        }
        self.pushed = self.pushed.max(cut);
    }

    /// Copy `len` bytes starting `offset` bytes after SND.UNA.
    pub fn slice(&self, offset: usize, len: usize) -> Vec<u8> {
        let (a, b) = self.range(offset, len);
        let mut v = Vec::with_capacity(a.len() + b.len());
        v.extend_from_slice(a);
        v.extend_from_slice(b);
        v
    }

    /// `len` bytes starting `offset` bytes after SND.UNA, as the two slices
    /// of the ring they lie in (the second empty when they do not wrap).
    pub fn range(&self, offset: usize, len: usize) -> (&[u8], &[u8]) {
        self.bytes.range(offset, len)
    }

    /// Drop `n` acknowledged bytes from the front.
    pub fn consume(&mut self, n: usize) {
        self.bytes.consume(n);
    }

    /// Discard everything (abort, linger-0 close).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.rtx.clear();
        self.chunks.clear();
    }
}
