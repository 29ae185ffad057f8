//! Send side: the byte buffer from SND.UNA onwards and the retransmission
//! queue of segments as they were first sent.
//!
//! Invariants:
//! - `bytes[0]` is the byte at SND.UNA (or at ISS+1 before the SYN is acked:
//!   the SYN's sequence slot is accounted by the connection, not here).
//! - `rtx` holds every sent, unacknowledged segment in sequence order, with
//!   no gaps and no overlaps; its first entry starts at SND.UNA.

use std::collections::VecDeque;

use crate::time::Instant;

use super::super::segment::{SackBlock, SeqNumber};

/// One sent, unacknowledged segment (Linux: an skb on the rtx queue).
#[derive(Clone, Debug)]
pub struct SentSegment {
    pub seq: SeqNumber,
    /// Payload bytes (not counting SYN/FIN).
    pub len: usize,
    pub syn: bool,
    pub fin: bool,
    pub first_sent: Instant,
    pub last_sent: Instant,
    /// Transmitted at least once (a SYN is queued before it is sent).
    pub sent: bool,
    /// Retransmitted at least once (Karn's rule).
    pub retransmitted: bool,
    /// Marked lost by an RTO or fast retransmit and not yet resent.
    pub lost: bool,
    /// Covered by a SACK block from the peer (RFC 2018); not retransmitted.
    pub sacked: bool,
    /// Retransmitted in the current recovery and not yet acknowledged
    /// (Linux `TCPCB_SACKED_RETRANS`); not marked lost again by SACK.
    pub rtx_pending: bool,
}

impl SentSegment {
    pub fn seq_len(&self) -> usize {
        self.len + usize::from(self.syn) + usize::from(self.fin)
    }
    pub fn end(&self) -> SeqNumber {
        self.seq + self.seq_len()
    }
}

#[derive(Clone, Debug, Default)]
pub struct SendBuffer {
    bytes: VecDeque<u8>,
    pub rtx: VecDeque<SentSegment>,
}

impl SendBuffer {
    /// Bytes queued (sent-unacked plus unsent).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Queue up to `limit - len()` bytes of `data`; returns how many were taken.
    pub fn push(&mut self, data: &[u8], limit: usize) -> usize {
        let room = limit.saturating_sub(self.bytes.len());
        let n = room.min(data.len());
        self.bytes.extend(&data[..n]);
        n
    }

    /// Copy `len` bytes starting `offset` bytes after SND.UNA.
    pub fn slice(&self, offset: usize, len: usize) -> Vec<u8> {
        self.bytes.iter().skip(offset).take(len).copied().collect()
    }

    /// Drop `n` acknowledged bytes from the front.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.bytes.len());
        self.bytes.drain(..n);
    }

    /// Discard everything (abort, linger-0 close).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.rtx.clear();
    }

    /// Segments in flight (Linux `tcp_packets_in_flight`, RFC 6675 "pipe"):
    /// sent, neither marked lost nor SACKed.
    pub fn packets_in_flight(&self) -> u32 {
        self.rtx.iter().filter(|s| !s.lost && !s.sacked).count() as u32
    }

    /// Mark segments inside the peer's SACK blocks (RFC 2018 §4). Blocks
    /// outside `(snd_una, snd_nxt]` (D-SACKs, garbage) are ignored.
    /// Returns how many segments became SACKed.
    pub fn apply_sack(
        &mut self,
        blocks: &[SackBlock],
        snd_una: SeqNumber,
        snd_nxt: SeqNumber,
    ) -> u32 {
        let mut n = 0;
        for b in blocks {
            if !(b.left > snd_una && b.left < b.right && b.right <= snd_nxt) {
                continue;
            }
            for s in self.rtx.iter_mut() {
                if !s.sacked && s.seq >= b.left && s.end() <= b.right {
                    s.sacked = true;
                    s.lost = false;
                    n += 1;
                }
            }
        }
        n
    }

    /// RFC 6675 `IsLost`, by segments: an un-SACKed segment with at least
    /// `dupthresh` SACKed segments above it is lost (unless already resent
    /// in this recovery).
    pub fn mark_lost_by_sack(&mut self, dupthresh: u32) {
        let mut sacked_above = 0u32;
        for s in self.rtx.iter_mut().rev() {
            if s.sacked {
                sacked_above += 1;
            } else if sacked_above >= dupthresh && !s.rtx_pending {
                s.lost = true;
            }
        }
    }

    /// Forget per-recovery retransmission marks.
    pub fn end_recovery(&mut self) {
        for s in self.rtx.iter_mut() {
            s.rtx_pending = false;
        }
    }
}
