//! Storage for TIME-WAIT records, sized for a million of them (SPEC T11):
//! each record is 48 bytes in a FIFO, indexed by a hash table of 4-byte
//! positions — the 4-tuple is stored once, in the record.
//!
//! Every record lives `time_wait_len` from its last filing, so records
//! expire in the order they were filed: the FIFO is ordered by `filed`.
//! A record whose 2·MSL restarts (SPEC T5) keeps its place with a later
//! `expires`; when it reaches the front it is filed again at the back. A
//! removed record leaves a dead slot that is dropped when it reaches the
//! front. (Shortening `time_wait_len` at run time can make a newer record
//! wait for older ones in front of it: it expires late, never early.)
//!
//! Times are milliseconds in 32 bits, compared by wrapping difference from
//! the table's clock (records live far less than 24 days), rounded up so a
//! record never expires early.
//!
//! Invariants: `index` holds exactly the positions of live slots; `live`
//! counts them; `base` is the position of the FIFO's front; `filed` never
//! decreases from front to back (for a constant `time_wait_len`).

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::net::{Ipv4Addr, SocketAddrV4};

use hashbrown::HashTable;

use crate::time::Instant;

use super::super::segment::{FourTuple, SeqNumber};
use super::TimeWaitEntry;

/// One record as stored.
#[derive(Clone, Copy, Debug)]
struct Record {
    local_ip: u32,
    remote_ip: u32,
    local_port: u16,
    remote_port: u16,
    snd_nxt: u32,
    rcv_nxt: u32,
    ts_recent: u32,
    ts_offset: u32,
    ts_recent_stamp: u32,
    expires: u32,
    /// Where the record stands in the FIFO's order (its expiry when filed).
    filed: u32,
    last_oow_ms: u32,
    window: u16,
    ts_ok: bool,
    live: bool,
}

/// Bytes one stored record takes (the index adds about 5 more per record).
pub const RECORD_BYTES: usize = core::mem::size_of::<Record>();
const _: () = assert!(RECORD_BYTES <= 48);

impl Record {
    fn tuple(&self) -> FourTuple {
        FourTuple::new(
            SocketAddrV4::new(Ipv4Addr::from(self.local_ip), self.local_port),
            SocketAddrV4::new(Ipv4Addr::from(self.remote_ip), self.remote_port),
        )
    }
}

/// Records `next_expiry` looks at before settling for an early answer.
const EXPIRY_WALK: usize = 16;

/// Milliseconds, rounded up.
fn ms_up(t: Instant) -> u64 {
    t.total_micros().div_ceil(1_000)
}

#[derive(Debug, Default)]
pub(super) struct Table {
    fifo: VecDeque<Record>,
    /// Position (wrapping) of `fifo[0]`.
    base: u32,
    /// Positions of live records, hashed by 4-tuple (keyed SipHash: the
    /// peer chooses the tuple).
    index: HashTable<u32>,
    hasher: RandomState,
    live: usize,
    /// The latest time seen, in ms: the reference for 32-bit times.
    now_ms: u64,
}

impl Table {
    pub fn len(&self) -> usize {
        self.live
    }

    fn hash(&self, t: &FourTuple) -> u64 {
        self.hasher.hash_one(t)
    }

    fn slot(&self, pos: u32) -> &Record {
        &self.fifo[pos.wrapping_sub(self.base) as usize]
    }

    fn slot_mut(&mut self, pos: u32) -> &mut Record {
        let i = pos.wrapping_sub(self.base) as usize;
        &mut self.fifo[i]
    }

    fn find(&self, t: &FourTuple) -> Option<u32> {
        let h = self.hash(t);
        self.index.find(h, |&p| self.slot(p).tuple() == *t).copied()
    }

    pub fn contains(&self, t: &FourTuple) -> bool {
        self.find(t).is_some()
    }

    /// A 32-bit time back to an instant, near the table's clock.
    fn instant(&self, v: u32) -> Instant {
        let d = i64::from(v.wrapping_sub(self.now_ms as u32) as i32);
        Instant::from_millis((self.now_ms as i64 + d).max(0) as u64)
    }

    fn view(&self, r: &Record) -> TimeWaitEntry {
        TimeWaitEntry {
            tuple: r.tuple(),
            snd_nxt: SeqNumber(r.snd_nxt),
            rcv_nxt: SeqNumber(r.rcv_nxt),
            ts_recent: r.ts_recent,
            ts_offset: r.ts_offset,
            ts_recent_stamp: self.instant(r.ts_recent_stamp),
            expires: self.instant(r.expires),
            last_oow_ms: r.last_oow_ms,
            window: r.window,
            ts_ok: r.ts_ok,
        }
    }

    pub fn get(&self, t: &FourTuple) -> Option<TimeWaitEntry> {
        self.find(t).map(|p| self.view(self.slot(p)))
    }

    /// Advance the table's clock (never backwards).
    pub fn tick(&mut self, now: Instant) {
        self.now_ms = self.now_ms.max(now.total_millis());
    }

    /// Write `e`'s fields over the record for its tuple (which must exist).
    pub fn store(&mut self, e: &TimeWaitEntry) {
        if let Some(p) = self.find(&e.tuple) {
            let r = self.slot_mut(p);
            r.ts_recent = e.ts_recent;
            r.ts_recent_stamp = ms_up(e.ts_recent_stamp) as u32;
            r.expires = ms_up(e.expires) as u32;
            r.last_oow_ms = e.last_oow_ms;
        }
    }

    /// File a new record at the back (the caller removed any old one).
    pub fn push(&mut self, e: &TimeWaitEntry) {
        let expires = ms_up(e.expires) as u32;
        let r = Record {
            local_ip: u32::from(*e.tuple.local.ip()),
            remote_ip: u32::from(*e.tuple.remote.ip()),
            local_port: e.tuple.local.port(),
            remote_port: e.tuple.remote.port(),
            snd_nxt: e.snd_nxt.0,
            rcv_nxt: e.rcv_nxt.0,
            ts_recent: e.ts_recent,
            ts_offset: e.ts_offset,
            ts_recent_stamp: ms_up(e.ts_recent_stamp) as u32,
            expires,
            filed: expires,
            last_oow_ms: e.last_oow_ms,
            window: e.window,
            ts_ok: e.ts_ok,
            live: true,
        };
        self.file(r);
        self.live += 1;
    }

    /// Put a live record at the back and index it there.
    fn file(&mut self, r: Record) {
        let pos = self.base.wrapping_add(self.fifo.len() as u32);
        let h = self.hash(&r.tuple());
        self.fifo.push_back(r);
        let Table {
            index,
            fifo,
            base,
            hasher,
            ..
        } = self;
        // The closure re-hashes entries when the index grows.
        index.insert_unique(h, pos, |&p| {
            hasher.hash_one(fifo[p.wrapping_sub(*base) as usize].tuple())
        });
    }

    /// Remove the record for `t`; its slot stays, dead, until the front.
    pub fn remove(&mut self, t: &FourTuple) -> Option<TimeWaitEntry> {
        let h = self.hash(t);
        let Table {
            index, fifo, base, ..
        } = self;
        let entry = index
            .find_entry(h, |&p| fifo[p.wrapping_sub(*base) as usize].tuple() == *t)
            .ok()?;
        let (pos, _) = entry.remove();
        let view = self.view(self.slot(pos));
        self.slot_mut(pos).live = false;
        self.live -= 1;
        self.drop_dead_front();
        Some(view)
    }

    fn drop_dead_front(&mut self) {
        while self.fifo.front().is_some_and(|r| !r.live) {
            self.fifo.pop_front();
            self.base = self.base.wrapping_add(1);
        }
    }

    /// The earliest expiry. Records are filed no later than they expire,
    /// in order, so walking from the front until a record is filed after
    /// the best expiry found gives the exact answer; the walk stops after
    /// [`EXPIRY_WALK`] records with the earliest filed time left (early,
    /// never late: `expire` re-files what it finds restarted).
    pub fn next_expiry(&self) -> Option<Instant> {
        let mut best: Option<Instant> = None;
        for (i, r) in self.fifo.iter().enumerate() {
            let filed = self.instant(r.filed);
            if best.is_some_and(|b| filed >= b) {
                break;
            }
            if i == EXPIRY_WALK {
                return Some(filed);
            }
            if r.live {
                let t = self.instant(r.expires);
                best = Some(best.map_or(t, |b| b.min(t)));
            }
        }
        best
    }

    /// Remove every record expired at `now`; returns how many.
    pub fn expire(&mut self, now: Instant) -> usize {
        self.tick(now);
        let mut n = 0;
        while let Some(front) = self.fifo.front().copied() {
            if self.instant(front.filed) > now {
                break;
            }
            let pos = self.base;
            self.fifo.pop_front();
            self.base = self.base.wrapping_add(1);
            if !front.live {
                continue;
            }
            let h = self.hash(&front.tuple());
            if let Ok(e) = self.index.find_entry(h, |&p| p == pos) {
                e.remove();
            }
            if self.instant(front.expires) > now {
                // 2·MSL restarted since it was filed: file it again.
                let mut r = front;
                r.filed = r.expires;
                self.file(r);
            } else {
                self.live -= 1;
                n += 1;
            }
        }
        n
    }

    /// Every live record.
    pub fn iter(&self) -> impl Iterator<Item = TimeWaitEntry> + '_ {
        self.fifo.iter().filter(|r| r.live).map(|r| self.view(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::segment::addr;
    use core::time::Duration;

    fn entry(port: u16, expires: Instant) -> TimeWaitEntry {
        TimeWaitEntry {
            tuple: FourTuple::new(addr(10, 0, 0, 1, port), addr(10, 0, 0, 2, 80)),
            snd_nxt: SeqNumber(u32::from(port) * 3),
            rcv_nxt: SeqNumber(u32::from(port) * 5),
            ts_recent: 7,
            ts_offset: 9,
            ts_recent_stamp: expires - Duration::from_secs(60),
            expires,
            last_oow_ms: 0,
            window: 502,
            ts_ok: true,
        }
    }

    #[test]
    fn records_read_back_and_expire_in_order() {
        let mut t = Table::default();
        let t0 = Instant::from_secs(1_000);
        for p in 1..=100u16 {
            t.tick(t0);
            t.push(&entry(p, t0 + Duration::from_millis(u64::from(p))));
        }
        assert_eq!(t.len(), 100);
        assert_eq!(
            t.get(&entry(42, t0).tuple),
            Some(entry(42, t0 + Duration::from_millis(42)))
        );
        assert_eq!(t.next_expiry(), Some(t0 + Duration::from_millis(1)));
        assert_eq!(t.expire(t0 + Duration::from_millis(50)), 50);
        assert_eq!(t.len(), 50);
        assert!(t.get(&entry(50, t0).tuple).is_none());
        assert!(t.get(&entry(51, t0).tuple).is_some());
        assert_eq!(t.next_expiry(), Some(t0 + Duration::from_millis(51)));
    }

    #[test]
    fn a_restarted_record_is_refiled_not_duplicated() {
        let mut t = Table::default();
        let t0 = Instant::from_secs(5);
        t.tick(t0);
        t.push(&entry(1, t0 + Duration::from_secs(60)));
        t.push(&entry(2, t0 + Duration::from_secs(61)));
        // A peer's ACK flood restarts record 1's 2·MSL a thousand times.
        let mut e = t.get(&entry(1, t0).tuple).unwrap();
        for k in 0..1_000u64 {
            e.expires = t0 + Duration::from_secs(60) + Duration::from_millis(k * 30);
            t.store(&e);
        }
        assert_eq!(t.fifo.len(), 2, "restarts do not add slots");
        let last = e.expires;
        // Exact next expiry: record 2 (61 s), not record 1's stale filing.
        assert_eq!(t.next_expiry(), Some(t0 + Duration::from_secs(61)));
        assert_eq!(t.expire(t0 + Duration::from_secs(61)), 1);
        assert_eq!(t.len(), 1);
        assert_eq!(t.next_expiry(), Some(last));
        assert_eq!(t.expire(last), 1);
        assert_eq!((t.len(), t.fifo.len()), (0, 0));
    }

    #[test]
    fn removed_records_leave_no_trace_once_their_slot_reaches_the_front() {
        let mut t = Table::default();
        let t0 = Instant::from_secs(1);
        t.tick(t0);
        for p in 1..=10u16 {
            t.push(&entry(p, t0 + Duration::from_secs(60)));
        }
        assert!(t.remove(&entry(5, t0).tuple).is_some());
        assert!(t.remove(&entry(5, t0).tuple).is_none());
        assert_eq!(t.len(), 9);
        assert!(t.remove(&entry(1, t0).tuple).is_some());
        assert_eq!(t.fifo.len(), 9, "the dead front slot is dropped at once");
        assert_eq!(t.iter().count(), 8);
        assert_eq!(t.expire(t0 + Duration::from_secs(60)), 8);
        assert_eq!(t.fifo.len(), 0);
    }

    #[test]
    fn positions_and_times_wrap_around_32_bits() {
        let mut t = Table {
            base: u32::MAX - 3,
            ..Table::default()
        };
        // 2^32 ms is about 49.7 days: start just before the wrap.
        let t0 = Instant::from_millis((1u64 << 32) - 10);
        t.tick(t0);
        for p in 1..=8u16 {
            t.push(&entry(p, t0 + Duration::from_millis(u64::from(p) * 5)));
        }
        for p in 1..=8u16 {
            let e = t.get(&entry(p, t0).tuple).expect("found across the wrap");
            assert_eq!(e.expires, t0 + Duration::from_millis(u64::from(p) * 5));
        }
        assert_eq!(t.expire(t0 + Duration::from_millis(20)), 4);
        assert_eq!(t.len(), 4);
        assert!(t.get(&entry(5, t0).tuple).is_some());
    }
}
