//! IPv4 reassembly (RFC 791 §3.2; RFC 1122 §3.3.2: a host MUST reassemble),
//! bounded and strict as Linux's `ip_fragment.c` is.
//!
//! Invariants:
//! - A datagram is named by (source, destination, protocol, identification)
//!   (RFC 791) and holds non-overlapping byte ranges of its data.
//! - A fragment that lies inside bytes already held is a duplicate: dropped,
//!   the datagram kept. One that overlaps held bytes in part discards the
//!   whole datagram (RFC 5722's rule, which Linux applies to IPv4 too), as
//!   does one past a known end, a second last fragment with another end, an
//!   empty fragment, and data beyond 65,535 bytes with the header.
//! - A fragment that is not the last is cut to a multiple of 8 bytes
//!   (RFC 791: only the last may end elsewhere), as Linux does.
//! - The bytes held over all datagrams (data, plus `PIECE_OVERHEAD` a
//!   fragment, so tiny fragments cost what they cost) stay below
//!   `high_thresh`: at or past it, every fragment is dropped until timeouts
//!   free memory (Linux `ipfrag_high_thresh`).
//! - A datagram not complete `timeout` after its first fragment came is
//!   discarded (Linux `ipfrag_time`); the caller sends ICMP time exceeded
//!   if its first fragment had come (RFC 1122 §3.3.2).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::time::Instant;
use crate::wire::{Ipv4Address, Ipv4Packet};

use super::config::ReassemblyConfig;

/// Bookkeeping charged per held fragment (Linux charges an skb's truesize).
pub(crate) const PIECE_OVERHEAD: usize = 64;

/// The largest IPv4 datagram, header included.
const DATAGRAM_MAX: usize = 65_535;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FragKey {
    src: Ipv4Address,
    dst: Ipv4Address,
    protocol: u8,
    ident: u16,
}

#[derive(Debug)]
struct FragQueue {
    /// The first fragment's (offset 0) IP header, options included, once
    /// it came: the datagram's header, and with the data at 0 the quote of
    /// a time-exceeded error.
    header: Option<Vec<u8>>,
    /// Held data by start offset; ranges never overlap.
    pieces: BTreeMap<usize, Vec<u8>>,
    /// Data length, known once the last fragment (MF clear) came.
    end: Option<usize>,
    /// The furthest byte any fragment reached.
    reach: usize,
    /// Data bytes held.
    data: usize,
    /// What this datagram is charged against `high_thresh`.
    charge: usize,
    expires: Instant,
}

/// What one fragment did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fragment {
    /// Held, waiting for the rest.
    Held,
    /// The datagram is whole: the reassembled IPv4 packet.
    Complete(Vec<u8>),
    /// Inside bytes already held: dropped, the datagram kept.
    Duplicate,
    /// Refused, and its datagram (if any) discarded with it.
    Discarded,
    /// `high_thresh` is reached: dropped.
    Full,
}

/// Datagrams being reassembled.
#[derive(Debug, Default)]
pub(crate) struct Reassembly {
    queues: HashMap<FragKey, FragQueue>,
    by_expiry: BTreeSet<(Instant, FragKey)>,
    charged: usize,
}

impl Reassembly {
    /// Take one fragment (a packet with MF set or a nonzero offset whose
    /// header the IP layer accepted).
    pub fn insert(
        &mut self,
        now: Instant,
        cfg: &ReassemblyConfig,
        packet: &Ipv4Packet<&[u8]>,
    ) -> Fragment {
        if self.charged >= cfg.high_thresh {
            return Fragment::Full;
        }
        let key = FragKey {
            src: packet.src_addr(),
            dst: packet.dst_addr(),
            protocol: packet.protocol().into(),
            ident: packet.ident(),
        };
        let offset = usize::from(packet.frag_offset());
        let data = packet.payload();
        let last = !packet.more_frags();
        let mut end = offset + data.len();
        if !last {
            end &= !7;
        }
        let header_len = usize::from(packet.header_len());
        let q = self.queues.entry(key).or_insert_with(|| {
            let expires = now + cfg.timeout;
            self.by_expiry.insert((expires, key));
            FragQueue {
                header: None,
                pieces: BTreeMap::new(),
                end: None,
                reach: 0,
                data: 0,
                charge: 0,
                expires,
            }
        });
        let refused = end <= offset
            || header_len + end > DATAGRAM_MAX
            || match (last, q.end) {
                (true, Some(e)) => e != end,
                (true, None) => end < q.reach,
                (false, Some(e)) => end > e,
                (false, None) => false,
            };
        if refused {
            self.remove(&key);
            return Fragment::Discarded;
        }
        match overlap(&q.pieces, offset, end) {
            Overlap::None => {}
            Overlap::Inside => return Fragment::Duplicate,
            Overlap::Partial => {
                self.remove(&key);
                return Fragment::Discarded;
            }
        }
        q.pieces.insert(offset, data[..end - offset].to_vec());
        q.data += end - offset;
        q.reach = q.reach.max(end);
        if last {
            q.end = Some(end);
        }
        if offset == 0 {
            q.header = Some(packet.clone().into_inner()[..header_len].to_vec());
        }
        let charge = end - offset + PIECE_OVERHEAD;
        q.charge += charge;
        self.charged += charge;
        let complete = q.header.is_some() && q.end == Some(q.data);
        if !complete {
            return Fragment::Held;
        }
        let q = self.remove(&key).expect("the queue just completed");
        Fragment::Complete(assemble(q))
    }

    /// Discard every datagram whose time is up; for each, its first
    /// fragment if it had come (to quote in ICMP time exceeded).
    pub fn expire(&mut self, now: Instant) -> Vec<Option<Vec<u8>>> {
        let mut expired = Vec::new();
        while let Some(&(at, key)) = self.by_expiry.first() {
            if at > now {
                break;
            }
            expired.push(self.remove(&key).and_then(first_fragment));
        }
        expired
    }

    /// When [`Self::expire`] next has work.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.by_expiry.first().map(|(at, _)| *at)
    }

    /// Datagrams incomplete.
    pub fn len(&self) -> usize {
        self.queues.len()
    }

    /// Bytes charged against `high_thresh`.
    pub fn charged(&self) -> usize {
        self.charged
    }

    fn remove(&mut self, key: &FragKey) -> Option<FragQueue> {
        let q = self.queues.remove(key)?;
        self.by_expiry.remove(&(q.expires, *key));
        self.charged -= q.charge;
        Some(q)
    }
}

enum Overlap {
    None,
    /// Wholly inside one held range.
    Inside,
    Partial,
}

/// How `[start, end)` meets the held ranges.
fn overlap(pieces: &BTreeMap<usize, Vec<u8>>, start: usize, end: usize) -> Overlap {
    // The range starting at or before `start`, and the first after it.
    if let Some((&s, p)) = pieces.range(..=start).next_back() {
        let e = s + p.len();
        if end <= e {
            return Overlap::Inside;
        }
        if start < e {
            return Overlap::Partial;
        }
    }
    match pieces.range(start + 1..).next() {
        Some((&s, _)) if s < end => Overlap::Partial,
        _ => Overlap::None,
    }
}

/// The first fragment as it came (its header and the data at offset 0),
/// if it came.
fn first_fragment(q: FragQueue) -> Option<Vec<u8>> {
    let mut first = q.header?;
    first.extend_from_slice(q.pieces.get(&0)?);
    Some(first)
}

/// The whole datagram: the first fragment's header (options included) with
/// the total length set, MF and the offset cleared, the checksum refilled;
/// then the data in order.
fn assemble(q: FragQueue) -> Vec<u8> {
    let header = q
        .header
        .expect("complete datagrams have their first fragment");
    let mut out = Vec::with_capacity(header.len() + q.data);
    out.extend_from_slice(&header);
    for piece in q.pieces.values() {
        out.extend_from_slice(piece);
    }
    let mut p = Ipv4Packet::new_unchecked(&mut out[..]);
    p.set_total_len((header.len() + q.data) as u16);
    let dont_frag = p.dont_frag();
    p.set_flags_and_frag_offset(dont_frag, false, 0);
    p.fill_checksum();
    out
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::wire::{ChecksumCapabilities, IpProtocol, Ipv4Repr};

    const SRC: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
    const DST: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

    fn cfg() -> ReassemblyConfig {
        ReassemblyConfig::default()
    }

    /// A fragment of datagram `ident` carrying `data` at `offset`.
    fn fragment(ident: u16, offset: usize, data: &[u8], more: bool) -> Vec<u8> {
        let ip = Ipv4Repr {
            src_addr: SRC,
            dst_addr: DST,
            protocol: IpProtocol::Udp,
            payload_len: data.len(),
            ttl: 64,
            ident,
            dont_frag: false,
        };
        let mut b = vec![0u8; 20 + data.len()];
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        ip.emit(&mut p, &ChecksumCapabilities::software());
        p.set_flags_and_frag_offset(false, more, offset as u16);
        p.fill_checksum();
        b[20..].copy_from_slice(data);
        b
    }

    /// `data` cut at `cuts` (multiples of 8) into fragments.
    fn cut(ident: u16, data: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut bounds = vec![0];
        bounds.extend_from_slice(cuts);
        bounds.push(data.len());
        bounds
            .windows(2)
            .map(|w| fragment(ident, w[0], &data[w[0]..w[1]], w[1] != data.len()))
            .collect()
    }

    fn put(r: &mut Reassembly, now: Instant, f: &[u8]) -> Fragment {
        r.insert(now, &cfg(), &Ipv4Packet::new_checked(f).unwrap())
    }

    fn check_whole(got: &[u8], data: &[u8]) {
        let p = Ipv4Packet::new_checked(got).unwrap();
        assert!(p.verify_checksum());
        assert!(!p.more_frags() && p.frag_offset() == 0);
        assert_eq!(usize::from(p.total_len()), 20 + data.len());
        assert_eq!(p.payload(), data);
    }

    #[test]
    fn fragments_in_any_order_and_with_duplicates_make_the_datagram() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let t = Instant::from_secs(5);
        for round in 0..300u16 {
            let len: usize = rng.random_range(9..4000);
            let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let mut cuts: Vec<usize> = (0..rng.random_range(1..8))
                .map(|_| rng.random_range(1..len.div_ceil(8)) * 8)
                .filter(|c| *c < len)
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut frags = cut(round, &data, &cuts);
            // Some fragments twice.
            for i in 0..frags.len() {
                if rng.random_bool(0.2) {
                    frags.push(frags[i].clone());
                }
            }
            frags.shuffle(&mut rng);
            let mut r = Reassembly::default();
            let mut whole = None;
            for f in &frags {
                match put(&mut r, t, f) {
                    Fragment::Complete(d) => whole = Some(d),
                    Fragment::Held | Fragment::Duplicate => {}
                    other => panic!("round {round}: {other:?}"),
                }
            }
            // A duplicate after completion starts a new datagram: drop it.
            let _ = r.expire(t + Duration::from_secs(60));
            let whole = whole.unwrap_or_else(|| panic!("round {round}: never complete"));
            check_whole(&whole, &data);
            assert_eq!((r.len(), r.charged()), (0, 0));
        }
    }

    #[test]
    fn a_partial_overlap_discards_the_datagram_and_a_contained_one_is_a_duplicate() {
        let t = Instant::from_secs(5);
        let data = [7u8; 64];
        let mut r = Reassembly::default();
        assert_eq!(
            put(&mut r, t, &fragment(1, 0, &data[..32], true)),
            Fragment::Held
        );
        assert_eq!(
            put(&mut r, t, &fragment(1, 8, &data[8..16], true)),
            Fragment::Duplicate
        );
        assert_eq!(
            put(&mut r, t, &fragment(1, 24, &data[24..40], true)),
            Fragment::Discarded
        );
        assert_eq!((r.len(), r.charged()), (0, 0));
        // A range reaching into the next held range from before it.
        assert_eq!(
            put(&mut r, t, &fragment(2, 16, &data[16..32], true)),
            Fragment::Held
        );
        assert_eq!(
            put(&mut r, t, &fragment(2, 8, &data[8..24], true)),
            Fragment::Discarded
        );
    }

    #[test]
    fn inconsistent_ends_and_empty_or_oversized_fragments_discard_the_datagram() {
        let t = Instant::from_secs(5);
        let data = [1u8; 64];
        let mut r = Reassembly::default();
        // Two last fragments that disagree.
        put(&mut r, t, &fragment(1, 32, &data[32..], false));
        assert_eq!(
            put(&mut r, t, &fragment(1, 40, &data[40..56], false)),
            Fragment::Discarded
        );
        // A middle fragment past the known end.
        put(&mut r, t, &fragment(2, 32, &data[32..48], false));
        assert_eq!(
            put(&mut r, t, &fragment(2, 40, &data[40..], true)),
            Fragment::Discarded
        );
        // A last fragment ending before bytes already seen.
        put(&mut r, t, &fragment(3, 32, &data[32..], true));
        assert_eq!(
            put(&mut r, t, &fragment(3, 8, &data[8..16], false)),
            Fragment::Discarded
        );
        // Empty, and a middle fragment of under 8 bytes (cut to nothing).
        assert_eq!(
            put(&mut r, t, &fragment(4, 8, &[], true)),
            Fragment::Discarded
        );
        assert_eq!(
            put(&mut r, t, &fragment(5, 8, &data[..5], true)),
            Fragment::Discarded
        );
        // Past 65,535 bytes with the header: offset 65528 + 8 + 20.
        assert_eq!(
            put(&mut r, t, &fragment(6, 65528, &data[..8], false)),
            Fragment::Discarded
        );
        assert_eq!((r.len(), r.charged()), (0, 0));
    }

    #[test]
    fn a_middle_fragment_is_cut_to_a_multiple_of_eight() {
        let t = Instant::from_secs(5);
        let data: Vec<u8> = (0..40).collect();
        let mut r = Reassembly::default();
        // 13 bytes with MF: only 8 are kept; the hole is then 8..16.
        assert_eq!(
            put(&mut r, t, &fragment(1, 0, &data[..13], true)),
            Fragment::Held
        );
        assert_eq!(
            put(&mut r, t, &fragment(1, 16, &data[16..], false)),
            Fragment::Held
        );
        match put(&mut r, t, &fragment(1, 8, &data[8..16], true)) {
            Fragment::Complete(d) => check_whole(&d, &data),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn time_runs_out_thirty_seconds_after_the_first_fragment() {
        let t = Instant::from_secs(5);
        let data = [3u8; 48];
        let mut r = Reassembly::default();
        let first = fragment(1, 0, &data[..16], true);
        put(&mut r, t, &first);
        put(
            &mut r,
            t + Duration::from_secs(10),
            &fragment(1, 32, &data[32..], false),
        );
        // Another datagram without its first fragment.
        put(
            &mut r,
            t + Duration::from_secs(1),
            &fragment(2, 16, &data[16..32], true),
        );
        assert_eq!(r.next_expiry(), Some(t + Duration::from_secs(30)));
        assert!(r.expire(t + Duration::from_millis(29_999)).is_empty());
        assert_eq!(r.expire(t + Duration::from_secs(30)), vec![Some(first)]);
        assert_eq!(r.expire(t + Duration::from_secs(31)), vec![None]);
        assert_eq!((r.len(), r.charged(), r.next_expiry()), (0, 0, None));
    }

    #[test]
    fn past_high_thresh_every_fragment_is_dropped_until_memory_is_freed() {
        let t = Instant::from_secs(5);
        let cfg = ReassemblyConfig {
            high_thresh: 4 * (1024 + PIECE_OVERHEAD),
            ..ReassemblyConfig::default()
        };
        let data = [9u8; 1024];
        let mut r = Reassembly::default();
        for ident in 0..4 {
            let f = fragment(ident, 0, &data, true);
            assert_eq!(
                r.insert(t, &cfg, &Ipv4Packet::new_checked(&f[..]).unwrap()),
                Fragment::Held
            );
        }
        let f = fragment(9, 0, &data, true);
        let p = Ipv4Packet::new_checked(&f[..]).unwrap();
        assert_eq!(r.insert(t, &cfg, &p), Fragment::Full);
        r.expire(t + Duration::from_secs(30));
        assert_eq!(
            r.insert(t + Duration::from_secs(30), &cfg, &p),
            Fragment::Held
        );
        let off = ReassemblyConfig {
            high_thresh: 0,
            ..ReassemblyConfig::default()
        };
        assert_eq!(Reassembly::default().insert(t, &off, &p), Fragment::Full);
    }
}
