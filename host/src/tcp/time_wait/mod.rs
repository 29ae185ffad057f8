//! TIME-WAIT as compact records in their own table (SPEC T1, T5, T10–T12;
//! DESIGN: "TIME-WAIT entries are compact records ... so a million of them
//! are cheap"). Storage is in `table`: 48-byte records in a FIFO by
//! expiry, with a hash index of positions; this module is the behaviour.
//!
//! Invariants:
//! - One record per 4-tuple; at most `max_tw_buckets` records (SPEC T11).
//! - Behaviour follows Linux `tcp_timewait_state_process`.

mod table;

use crate::time::Instant;

use super::config::Config;
use super::segment::{Flags, FourTuple, Segment, SeqNumber, Timestamps};

pub use table::RECORD_BYTES;

/// One connection in TIME-WAIT, as the engine reads and writes it (the
/// table stores it more compactly, times to the millisecond, rounded up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWaitEntry {
    pub tuple: FourTuple,
    pub snd_nxt: SeqNumber,
    pub rcv_nxt: SeqNumber,
    pub ts_recent: u32,
    pub ts_offset: u32,
    /// When `ts_recent` was last updated.
    pub ts_recent_stamp: Instant,
    pub expires: Instant,
    /// Last out-of-window ACK sent (rate limit, Linux `tw_last_oow_ack_time`),
    /// in ms since the origin, truncated.
    pub last_oow_ms: u32,
    /// Unscaled window to advertise.
    pub window: u16,
    pub ts_ok: bool,
}

/// What to do with a segment that hit a TIME-WAIT record.
#[derive(Debug)]
pub enum TwAction {
    /// Nothing to send.
    Drop,
    /// Send this ACK.
    Ack(Segment),
    /// A provably newer SYN (SPEC T10): remove the record and let a listener
    /// take the SYN, using this ISN (Linux: `tw_snd_nxt + 65535 + 2`).
    Syn(SeqNumber),
    /// The record was removed by an exact RST (RFC 1337 assassination, Linux default).
    Killed,
}

#[derive(Debug, Default)]
pub struct TimeWaitTable {
    table: table::Table,
}

impl TimeWaitTable {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, tuple: &FourTuple) -> Option<TimeWaitEntry> {
        self.table.get(tuple)
    }

    pub fn contains(&self, tuple: &FourTuple) -> bool {
        self.table.contains(tuple)
    }

    pub fn iter(&self) -> impl Iterator<Item = TimeWaitEntry> + '_ {
        self.table.iter()
    }

    /// Insert unless the table holds `max` records already (SPEC T11); returns
    /// false on overflow, in which case existing records are kept.
    pub fn insert(&mut self, e: TimeWaitEntry, max: usize) -> bool {
        if self.len() >= max && !self.contains(&e.tuple) {
            return false;
        }
        self.table.remove(&e.tuple);
        self.table.push(&e);
        true
    }

    pub fn remove(&mut self, tuple: &FourTuple) -> Option<TimeWaitEntry> {
        self.table.remove(tuple)
    }

    /// When `expire` next has work (perhaps early: see `table`).
    pub fn next_expiry(&self) -> Option<Instant> {
        self.table.next_expiry()
    }

    /// Remove every record expired at `now`; returns how many.
    pub fn expire(&mut self, now: Instant) -> usize {
        self.table.expire(now)
    }

    /// Linux `tcp_timewait_state_process` for a segment addressed to `tuple`.
    pub fn process(&mut self, now: Instant, seg: &Segment, cfg: &Config) -> TwAction {
        let tuple = seg.receiver_tuple();
        self.table.tick(now);
        let Some(mut e) = self.table.get(&tuple) else {
            return TwAction::Drop;
        };
        let f = seg.flags;
        let ts = seg.options.timestamps;
        // PAWS (RFC 7323 §5; SPEC T10, T12, T13).
        let paws_reject = match (e.ts_ok, ts) {
            (true, Some(t)) if !f.rst() => (t.tsval.wrapping_sub(e.ts_recent) as i32) < 0,
            _ => false,
        };
        if !paws_reject && seg.seq == e.rcv_nxt && (seg.seq_len() == 0 || f.rst()) {
            // In-window: a bare ACK or a RST.
            if f.rst() {
                self.remove(&tuple);
                return TwAction::Killed;
            }
            e.expires = now + cfg.time_wait_len;
            if let Some(t) = ts {
                e.ts_recent = t.tsval;
                e.ts_recent_stamp = now;
            }
            self.table.store(&e);
            return TwAction::Drop;
        }
        // A new SYN is accepted only if provably newer (SPEC T10).
        if f.syn()
            && !f.rst()
            && !f.ack()
            && !paws_reject
            && (seg.seq > e.rcv_nxt
                || matches!(ts, Some(t) if e.ts_ok && (e.ts_recent.wrapping_sub(t.tsval) as i32) < 0))
        {
            let mut isn = e.snd_nxt + 65_535 + 2;
            if isn.0 == 0 {
                isn = SeqNumber(1);
            }
            self.remove(&tuple);
            return TwAction::Syn(isn);
        }
        if f.rst() {
            return TwAction::Drop;
        }
        // SPEC T5: re-ACK (a retransmitted FIN, an old duplicate) and restart 2·MSL.
        if paws_reject || f.ack() {
            e.expires = now + cfg.time_wait_len;
        }
        // Linux `tcp_timewait_check_oow_rate_limit`: data-less segments are rate-limited.
        let now_ms = now.total_millis() as u32;
        let mut limited = false;
        if seg.payload.is_empty() || f.syn() {
            let since = now_ms.wrapping_sub(e.last_oow_ms);
            if e.last_oow_ms != 0 && u64::from(since) < cfg.invalid_ratelimit.as_millis() as u64 {
                limited = true;
            } else {
                e.last_oow_ms = now_ms.max(1);
            }
        }
        self.table.store(&e);
        if limited {
            return TwAction::Drop;
        }
        TwAction::Ack(ack_segment(&e, now))
    }
}

/// Linux `tcp_v4_timewait_ack`.
pub fn ack_segment(e: &TimeWaitEntry, now: Instant) -> Segment {
    let mut s = Segment::new(
        e.tuple.local,
        e.tuple.remote,
        e.snd_nxt,
        e.rcv_nxt,
        Flags::ACK,
    );
    s.window = e.window;
    if e.ts_ok {
        s.options.timestamps = Some(Timestamps {
            tsval: (now.total_millis() as u32).wrapping_add(e.ts_offset),
            tsecr: e.ts_recent,
        });
    }
    s
}
