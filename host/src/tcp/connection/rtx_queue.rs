//! The retransmission queue: every sent, unacknowledged segment as it was
//! first cut (Linux: the skbs of the rtx rbtree), with the counts the
//! sender asks about on every segment kept up to date, so no question
//! scans the queue (Linux's `lost_out`, `sacked_out`).
//!
//! Invariants:
//! - Segments are in sequence order, contiguous, non-overlapping; the first
//!   starts at SND.UNA.
//! - `lost` and `sacked` count the segments with those marks; no segment
//!   is both lost and SACKed.
//! - Marks change only through the methods here.

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
    lost: bool,
    /// Covered by a SACK block from the peer (RFC 2018); not retransmitted.
    sacked: bool,
    /// Retransmitted in the current recovery and not yet acknowledged
    /// (Linux `TCPCB_SACKED_RETRANS`); not marked lost again by SACK.
    pub rtx_pending: bool,
    /// Sent with PSH, and resent with it (Linux keeps an skb's flags).
    pub psh: bool,
}

impl SentSegment {
    /// A segment about to be sent for the first time (or, `lost`, a SYN
    /// queued to be sent).
    pub fn new(seq: SeqNumber, len: usize, now: Instant) -> Self {
        SentSegment {
            seq,
            len,
            syn: false,
            fin: false,
            first_sent: now,
            last_sent: now,
            sent: true,
            retransmitted: false,
            lost: false,
            sacked: false,
            rtx_pending: false,
            psh: false,
        }
    }

    /// The SYN of an active open, queued to be sent (marked lost so the
    /// first transmission takes it).
    pub fn syn(iss: SeqNumber, now: Instant) -> Self {
        SentSegment {
            syn: true,
            sent: false,
            lost: true,
            ..SentSegment::new(iss, 0, now)
        }
    }

    pub fn seq_len(&self) -> usize {
        self.len + usize::from(self.syn) + usize::from(self.fin)
    }

    pub fn end(&self) -> SeqNumber {
        self.seq + self.seq_len()
    }

    pub fn is_lost(&self) -> bool {
        self.lost
    }

    pub fn is_sacked(&self) -> bool {
        self.sacked
    }
}

#[derive(Clone, Debug, Default)]
pub struct RtxQueue {
    q: VecDeque<SentSegment>,
    lost: u32,
    sacked: u32,
}

impl RtxQueue {
    pub fn len(&self) -> usize {
        self.q.len()
    }

    /// The queue's storage, emptied, for another connection ([`Self::adopt`]).
    pub(crate) fn take_storage(&mut self) -> VecDeque<SentSegment> {
        self.q.clear();
        core::mem::take(&mut self.q)
    }

    /// Take over `spare`'s capacity (what is queued stays, in order).
    pub(crate) fn adopt(&mut self, spare: VecDeque<SentSegment>) {
        super::storage::adopt_deque(&mut self.q, spare);
    }

    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    pub fn front(&self) -> Option<&SentSegment> {
        self.q.front()
    }

    pub fn back(&self) -> Option<&SentSegment> {
        self.q.back()
    }

    pub fn get(&self, i: usize) -> Option<&SentSegment> {
        self.q.get(i)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &SentSegment> {
        self.q.iter()
    }

    /// Segments marked lost and not yet resent (Linux `lost_out`).
    pub fn lost(&self) -> u32 {
        self.lost
    }

    /// Segments SACKed (Linux `sacked_out`).
    pub fn sacked(&self) -> u32 {
        self.sacked
    }

    /// Segments in flight (RFC 6675 "pipe", Linux `tcp_packets_in_flight`
    /// without retransmissions): sent, neither lost nor SACKed.
    pub fn in_flight(&self) -> u32 {
        self.q.len() as u32 - self.lost - self.sacked
    }

    /// The first segment marked lost, if any (a scan only when some are).
    pub fn first_lost(&self) -> Option<usize> {
        if self.lost == 0 {
            return None;
        }
        self.q.iter().position(|s| s.lost)
    }

    pub fn push_back(&mut self, s: SentSegment) {
        self.lost += u32::from(s.lost);
        self.sacked += u32::from(s.sacked);
        self.q.push_back(s);
    }

    pub fn pop_front(&mut self) -> Option<SentSegment> {
        let s = self.q.pop_front()?;
        self.lost -= u32::from(s.lost);
        self.sacked -= u32::from(s.sacked);
        Some(s)
    }

    /// A partial ACK of the head: its first `n` bytes are acknowledged
    /// (Linux `tcp_trim_head`).
    pub fn trim_front(&mut self, n: usize) {
        if let Some(h) = self.q.front_mut() {
            let n = n.min(h.len);
            h.seq += n;
            h.len -= n;
        }
    }

    pub fn set_lost(&mut self, i: usize, lost: bool) {
        let Some(s) = self.q.get_mut(i) else { return };
        if s.lost != lost && !(lost && s.sacked) {
            s.lost = lost;
            if lost {
                self.lost += 1;
            } else {
                self.lost -= 1;
            }
        }
    }

    fn set_sacked(&mut self, i: usize) {
        let Some(s) = self.q.get_mut(i) else { return };
        if !s.sacked {
            s.sacked = true;
            self.sacked += 1;
            if s.lost {
                s.lost = false;
                self.lost -= 1;
            }
        }
    }

    /// Segment `i` goes on the wire now; returns true the first time.
    pub fn transmit(&mut self, i: usize, now: Instant) -> bool {
        self.set_lost(i, false);
        let s = &mut self.q[i];
        let first = !s.sent;
        s.sent = true;
        if first {
            s.first_sent = now;
        } else {
            s.retransmitted = true;
            s.rtx_pending = true;
        }
        s.last_sent = now;
        first
    }

    /// Linux `tcp_enter_loss`: every segment not SACKed is lost.
    pub fn mark_all_lost(&mut self) {
        for s in self.q.iter_mut() {
            s.lost = !s.sacked;
            s.rtx_pending = false;
        }
        self.lost = self.q.len() as u32 - self.sacked;
    }

    /// Linux `tcp_simple_retransmit`: every sent, un-SACKed segment longer
    /// than `mss` payload bytes is lost (and no longer counted as resent in
    /// this recovery). Returns how many were newly marked.
    pub fn mark_longer_lost(&mut self, mss: usize) -> u32 {
        let mut n = 0;
        for i in 0..self.q.len() {
            let s = &mut self.q[i];
            if s.sent && !s.sacked && s.len > mss {
                s.rtx_pending = false;
                if !s.lost {
                    n += 1;
                }
                self.set_lost(i, true);
            }
        }
        n
    }

    /// Cut segment `i` after its first `at` payload bytes, in place (Linux
    /// `tcp_fragment`): both pieces keep its marks and times; FIN and PSH
    /// stay with the second. A SYN, or a cut outside the payload, is a no-op.
    pub fn split(&mut self, i: usize, at: usize) {
        let Some(s) = self.q.get_mut(i) else { return };
        if s.syn || at == 0 || at >= s.len {
            return;
        }
        let mut rest = s.clone();
        rest.seq = s.seq + at;
        rest.len = s.len - at;
        s.len = at;
        s.fin = false;
        s.psh = false;
        self.lost += u32::from(rest.lost);
        self.sacked += u32::from(rest.sacked);
        self.q.insert(i + 1, rest);
    }

    /// Mark segments inside the peer's SACK blocks (RFC 2018 §4). Blocks
    /// outside `(snd_una, snd_nxt]` (D-SACKs, garbage) are ignored. A block
    /// is found by binary search. Returns how many segments became SACKed.
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
            let first = self.q.partition_point(|s| s.seq < b.left);
            let mut i = first;
            while let Some(s) = self.q.get(i) {
                if s.end() > b.right {
                    break;
                }
                if !s.sacked {
                    self.set_sacked(i);
                    n += 1;
                }
                i += 1;
            }
        }
        n
    }

    /// RFC 6675 `IsLost`, by segments: an un-SACKed segment with at least
    /// `dupthresh` SACKed segments above it is lost (unless already resent
    /// in this recovery).
    pub fn mark_lost_by_sack(&mut self, dupthresh: u32) {
        if self.sacked < dupthresh {
            return;
        }
        let mut sacked_above = 0u32;
        for i in (0..self.q.len()).rev() {
            let s = &self.q[i];
            if s.sacked {
                sacked_above += 1;
            } else if sacked_above >= dupthresh && !s.rtx_pending && !s.lost {
                self.set_lost(i, true);
            }
        }
    }

    /// Forget per-recovery retransmission marks.
    pub fn end_recovery(&mut self) {
        for s in self.q.iter_mut() {
            s.rtx_pending = false;
        }
    }

    pub fn clear(&mut self) {
        self.q.clear();
        self.lost = 0;
        self.sacked = 0;
    }

    /// The head, to change its sequence-independent fields.
    pub fn front_mut(&mut self) -> Option<&mut SentSegment> {
        self.q.front_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: u32) -> RtxQueue {
        let mut q = RtxQueue::default();
        for i in 0..n {
            q.push_back(SentSegment::new(
                SeqNumber(1000 + 100 * i),
                100,
                Instant::ZERO,
            ));
        }
        q
    }

    #[test]
    fn counts_follow_every_mark_and_removal() {
        let mut r = q(10);
        assert_eq!((r.in_flight(), r.lost(), r.sacked()), (10, 0, 0));
        let blocks = [SackBlock {
            left: SeqNumber(1300),
            right: SeqNumber(1600),
        }];
        assert_eq!(r.apply_sack(&blocks, SeqNumber(1000), SeqNumber(2000)), 3);
        assert_eq!(r.apply_sack(&blocks, SeqNumber(1000), SeqNumber(2000)), 0);
        r.mark_lost_by_sack(3);
        assert_eq!((r.lost(), r.sacked(), r.in_flight()), (3, 3, 4));
        assert_eq!(r.first_lost(), Some(0));
        r.set_lost(3, true);
        assert_eq!(r.lost(), 3, "a SACKed segment is never lost");
        assert!(!r.transmit(0, Instant::ZERO), "a resend");
        assert_eq!(r.lost(), 2);
        r.mark_all_lost();
        assert_eq!((r.lost(), r.sacked()), (7, 3));
        while r.pop_front().is_some() {}
        assert_eq!((r.lost(), r.sacked(), r.in_flight()), (0, 0, 0));
    }

    #[test]
    fn a_narrower_path_marks_only_longer_segments_and_splits_keep_the_counts() {
        let mut r = q(4);
        r.split(1, 40);
        assert_eq!(r.len(), 5);
        assert_eq!(
            (r.get(1).unwrap().len, r.get(2).unwrap().seq),
            (40, SeqNumber(1140))
        );
        assert_eq!(
            r.mark_longer_lost(60),
            3,
            "the 100-byte segments, not 40 or 60"
        );
        assert_eq!(r.mark_longer_lost(60), 0, "already lost");
        assert_eq!((r.lost(), r.in_flight()), (3, 2));
        r.split(0, 60);
        assert_eq!(
            (r.len(), r.lost(), r.in_flight()),
            (6, 4, 2),
            "both pieces lost"
        );
        let seqs: Vec<_> = r.iter().map(|s| (s.seq.0, s.len)).collect();
        assert_eq!(
            seqs,
            [
                (1000, 60),
                (1060, 40),
                (1100, 40),
                (1140, 60),
                (1200, 100),
                (1300, 100)
            ]
        );
        r.split(0, 60);
        r.split(0, 0);
        assert_eq!(r.len(), 6, "a cut at either end changes nothing");
    }
}
