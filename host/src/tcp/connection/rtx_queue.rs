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

    /// The last index of the run segment `i` went out in: the segments after
    /// it first sent at the same instant (one TSO send, Linux one skb), up
    /// to and including one carrying PSH or FIN. `lost_only`: stop before a
    /// segment not marked lost.
    fn run_end(&self, i: usize, lost_only: bool) -> usize {
        let first_sent = self.q[i].first_sent;
        let mut end = i;
        while !self.q[end].psh && !self.q[end].fin {
            match self.q.get(end + 1) {
                Some(n)
                    if n.sent && !n.syn && n.first_sent == first_sent && (n.lost || !lost_only) =>
                {
                    end += 1
                }
                _ => break,
            }
        }
        end
    }

    /// Linux `tcp_simple_retransmit`: every sent run holding a segment
    /// longer than `mss` payload bytes (Linux: an skb whose segments are
    /// longer) is lost, but for SACKed segments, and no longer counts as
    /// resent in this recovery. Returns how many segments were newly marked.
    pub fn mark_longer_lost(&mut self, mss: usize) -> u32 {
        let mut n = 0;
        let mut i = 0;
        while i < self.q.len() {
            if !self.q[i].sent || self.q[i].syn {
                i += 1;
                continue;
            }
            let end = self.run_end(i, false);
            if (i..=end).any(|j| self.q[j].len > mss) {
                for j in i..=end {
                    let s = &mut self.q[j];
                    if s.sacked {
                        continue;
                    }
                    s.rtx_pending = false;
                    if !s.lost {
                        n += 1;
                    }
                    self.set_lost(j, true);
                }
            }
            i = end + 1;
        }
        n
    }

    /// Re-cut segment `i`, longer than `mss`, and the rest of its run still
    /// marked lost into segments of `mss` (Linux `__tcp_retransmit_skb`
    /// re-segmenting an skb at the current MSS, `tcp_fragment`): the pieces
    /// keep the run's marks and times; PSH and FIN go on the last. A SYN, or
    /// a segment no longer than `mss`, is left alone.
    pub fn recut(&mut self, i: usize, mss: usize) {
        let Some(head) = self.q.get(i) else { return };
        if head.syn || mss == 0 || head.len <= mss {
            return;
        }
        let end = if head.lost { self.run_end(i, true) } else { i };
        // Queue = front, run, after: rebuilt once as front, pieces, after.
        let mut after = self.q.split_off(i);
        let run: Vec<SentSegment> = after.drain(..=end - i).collect();
        let total: usize = run.iter().map(|s| s.len).sum();
        let mut piece = run[0].clone();
        piece.retransmitted = run.iter().any(|s| s.retransmitted);
        piece.psh = false;
        piece.fin = false;
        let last = &run[run.len() - 1];
        let count = total.div_ceil(mss);
        for k in 0..count {
            let mut p = piece.clone();
            p.seq = piece.seq + k * mss;
            p.len = mss.min(total - k * mss);
            if k + 1 == count {
                p.psh = last.psh;
                p.fin = last.fin;
            }
            self.q.push_back(p);
        }
        self.q.append(&mut after);
        let was_lost = run.iter().filter(|s| s.lost).count() as u32;
        self.lost = self.lost - was_lost + if piece.lost { count as u32 } else { 0 };
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

    /// `lens` as one run each (first sent at second `run`), PSH on each
    /// run's last segment.
    fn runs(runs: &[&[usize]]) -> RtxQueue {
        let mut q = RtxQueue::default();
        let mut seq = SeqNumber(1000);
        for (r, lens) in runs.iter().enumerate() {
            let at = Instant::from_secs(r as u64);
            for (k, &len) in lens.iter().enumerate() {
                let mut s = SentSegment::new(seq, len, at);
                s.psh = k + 1 == lens.len();
                q.push_back(s);
                seq += len;
            }
        }
        q
    }

    fn shape(q: &RtxQueue) -> Vec<(usize, bool, bool)> {
        q.iter().map(|s| (s.len, s.is_lost(), s.psh)).collect()
    }

    #[test]
    fn a_narrower_path_marks_whole_runs_holding_a_longer_segment() {
        let mut r = runs(&[&[100, 100, 30], &[60], &[100]]);
        assert_eq!(
            r.mark_longer_lost(60),
            4,
            "the two long runs, their short tail too"
        );
        assert_eq!(r.mark_longer_lost(60), 0, "already lost");
        assert_eq!((r.lost(), r.in_flight()), (4, 1));
        assert_eq!(
            shape(&r),
            [
                (100, true, false),
                (100, true, false),
                (30, true, true),
                (60, false, true),
                (100, true, true)
            ]
        );
    }

    #[test]
    fn a_lost_run_is_recut_at_the_new_mss_with_psh_on_its_last_piece() {
        let mut r = runs(&[&[100, 100, 30], &[60]]);
        r.mark_longer_lost(60);
        r.recut(0, 60);
        // 230 bytes: 60, 60, 60, 50; then the untouched run.
        assert_eq!(
            shape(&r),
            [
                (60, true, false),
                (60, true, false),
                (60, true, false),
                (50, true, true),
                (60, false, true)
            ]
        );
        assert_eq!((r.len(), r.lost(), r.in_flight()), (5, 4, 1));
        let seqs: Vec<u32> = r.iter().map(|s| s.seq.0).collect();
        assert_eq!(seqs, [1000, 1060, 1120, 1180, 1230]);
        r.recut(0, 60);
        assert_eq!(r.len(), 5, "nothing longer than the MSS is left");
    }

    #[test]
    fn a_recut_stops_at_a_segment_not_lost_and_leaves_a_lone_segment_its_marks() {
        let mut r = runs(&[&[100, 100, 100]]);
        r.set_lost(0, true);
        r.recut(0, 60);
        assert_eq!(
            shape(&r),
            [
                (60, true, false),
                (40, true, false),
                (100, false, false),
                (100, false, true)
            ]
        );
        assert_eq!(r.lost(), 2);
        // A segment not lost (a loss probe of the tail) is cut alone.
        r.recut(3, 60);
        assert_eq!(&shape(&r)[3..], [(60, false, false), (40, false, true)]);
        assert_eq!((r.lost(), r.in_flight()), (2, 3));
    }
}
