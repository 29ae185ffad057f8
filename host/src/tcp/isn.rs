//! Keyed hashes: initial sequence numbers (SPEC H2, H3; RFC 6528), timestamp
//! offsets, ephemeral-port offsets, and SYN cookies (SPEC H9).
//!
//! Invariants: every key is 128 random bits drawn once per engine; outputs are
//! unpredictable to anyone who does not know them. ISNs advance with a clock
//! ticking every 4 µs (2^32 ticks ≈ 4.77 h), so a 4-tuple's successive ISNs
//! increase (RFC 9293 §3.4.1).

use core::hash::Hasher;
use std::net::SocketAddrV4;

use siphasher::sip::SipHasher24;

use crate::time::Instant;

use super::segment::{FourTuple, SeqNumber};

/// Linux's IPv4 SYN-cookie MSS table (`msstab` in `syncookies.c`).
pub const COOKIE_MSS_TABLE: [u16; 4] = [536, 1300, 1440, 1460];
const COOKIE_BITS: u32 = 24;
const COOKIE_MASK: u32 = (1 << COOKIE_BITS) - 1;
/// Cookies from the current and the previous slot are accepted (Linux `MAX_SYNCOOKIE_AGE`).
const MAX_COOKIE_AGE: u32 = 2;
/// Low TSval bits that carry options in a cookie SYN-ACK (Linux `TSBITS`).
const TS_BITS: u32 = 6;

/// The engine's secrets.
#[derive(Clone)]
pub struct Secrets {
    isn: [u8; 16],
    ts: [u8; 16],
    port: [u8; 16],
    cookie: [[u8; 16]; 2],
}

impl core::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

fn hasher(key: &[u8; 16]) -> SipHasher24 {
    SipHasher24::new_with_key(key)
}

fn write_addr(h: &mut SipHasher24, a: SocketAddrV4) {
    h.write(&a.ip().octets());
    h.write(&a.port().to_be_bytes());
}

impl Secrets {
    /// Draw fresh keys from `rng`.
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        let mut s = Secrets {
            isn: [0; 16],
            ts: [0; 16],
            port: [0; 16],
            cookie: [[0; 16]; 2],
        };
        rng.fill(&mut s.isn);
        rng.fill(&mut s.ts);
        rng.fill(&mut s.port);
        rng.fill(&mut s.cookie[0]);
        rng.fill(&mut s.cookie[1]);
        s
    }

    /// RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
    /// M a 4 µs clock, F SipHash-2-4.
    pub fn isn(&self, tuple: FourTuple, now: Instant) -> SeqNumber {
        let mut h = hasher(&self.isn);
        write_addr(&mut h, tuple.local);
        write_addr(&mut h, tuple.remote);
        let f = h.finish() as u32;
        let m = (now.total_micros() / 4) as u32;
        SeqNumber(f.wrapping_add(m))
    }

    /// Per host-pair TSval offset (Linux `secure_tcp_ts_off`).
    pub fn ts_offset(&self, tuple: FourTuple) -> u32 {
        let mut h = hasher(&self.ts);
        h.write(&tuple.local.ip().octets());
        h.write(&tuple.remote.ip().octets());
        h.finish() as u32
    }

    /// Starting point of the ephemeral-port search (Linux `inet_sk_port_offset`).
    pub fn port_offset(&self, local: std::net::Ipv4Addr, remote: SocketAddrV4) -> u32 {
        let mut h = hasher(&self.port);
        h.write(&local.octets());
        write_addr(&mut h, remote);
        h.finish() as u32
    }

    fn cookie_hash(&self, client: SocketAddrV4, server: SocketAddrV4, count: u32, c: usize) -> u32 {
        let mut h = hasher(&self.cookie[c]);
        write_addr(&mut h, client);
        write_addr(&mut h, server);
        h.write(&count.to_be_bytes());
        h.finish() as u32
    }

    /// Linux `secure_tcp_syn_cookie`: the SYN-ACK's ISN for a stateless reply.
    pub fn syn_cookie(
        &self,
        client: SocketAddrV4,
        server: SocketAddrV4,
        client_isn: SeqNumber,
        count: u32,
        mss_index: u32,
    ) -> SeqNumber {
        let v = self
            .cookie_hash(client, server, 0, 0)
            .wrapping_add(client_isn.0)
            .wrapping_add(count << COOKIE_BITS)
            .wrapping_add(
                self.cookie_hash(client, server, count, 1)
                    .wrapping_add(mss_index)
                    & COOKIE_MASK,
            );
        SeqNumber(v)
    }

    /// Linux `check_tcp_syn_cookie`: the MSS index, if `cookie` is valid now.
    pub fn check_cookie(
        &self,
        client: SocketAddrV4,
        server: SocketAddrV4,
        client_isn: SeqNumber,
        cookie: SeqNumber,
        count: u32,
    ) -> Option<usize> {
        let c = cookie.0.wrapping_sub(
            self.cookie_hash(client, server, 0, 0)
                .wrapping_add(client_isn.0),
        );
        let diff = count.wrapping_sub(c >> COOKIE_BITS) & (u32::MAX >> COOKIE_BITS);
        if diff >= MAX_COOKIE_AGE {
            return None;
        }
        let idx = c.wrapping_sub(self.cookie_hash(client, server, count.wrapping_sub(diff), 1))
            & COOKIE_MASK;
        let idx = idx as usize;
        (idx < COOKIE_MSS_TABLE.len()).then_some(idx)
    }
}

/// Index of the largest table MSS not above the client's (Linux `cookie_v4_init_sequence`).
pub fn cookie_mss_index(client_mss: u16) -> u32 {
    COOKIE_MSS_TABLE
        .iter()
        .rposition(|m| *m <= client_mss)
        .unwrap_or(0) as u32
}

/// Options carried in a cookie SYN-ACK's TSval (Linux `cookie_init_timestamp`):
/// bits 0–3 window scale (0xf: none), bit 4 SACK-permitted.
pub fn cookie_timestamp(ts_now: u32, wscale: Option<u8>, sack: bool) -> u32 {
    let mut opts = u32::from(wscale.map_or(0xf, |w| w.min(14)));
    if sack {
        opts |= 1 << 4;
    }
    let mut ts = ((ts_now >> TS_BITS) << TS_BITS) | opts;
    if (ts.wrapping_sub(ts_now) as i32) > 0 {
        ts = (((ts >> TS_BITS).wrapping_sub(1)) << TS_BITS) | opts;
    }
    ts
}

/// Decode [`cookie_timestamp`]'s options from an echoed TSecr: (wscale, sack).
pub fn cookie_timestamp_decode(tsecr: u32) -> (Option<u8>, bool) {
    let ws = (tsecr & 0xf) as u8;
    let ws = if ws == 0xf { None } else { Some(ws.min(14)) };
    (ws, tsecr & (1 << 4) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::segment::addr;
    use rand::SeedableRng;

    #[test]
    fn cookie_round_trips_for_two_slots_only() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let s = Secrets::random(&mut rng);
        let c = addr(10, 0, 0, 2, 40000);
        let v = addr(10, 0, 0, 1, 80);
        let cookie = s.syn_cookie(c, v, SeqNumber(1234), 7, 3);
        assert_eq!(s.check_cookie(c, v, SeqNumber(1234), cookie, 7), Some(3));
        assert_eq!(s.check_cookie(c, v, SeqNumber(1234), cookie, 8), Some(3));
        assert_eq!(s.check_cookie(c, v, SeqNumber(1234), cookie, 9), None);
        let other = addr(10, 0, 0, 3, 40000);
        assert_eq!(s.check_cookie(other, v, SeqNumber(1234), cookie, 7), None);
        assert_eq!(cookie_mss_index(1460), 3);
        assert_eq!(cookie_mss_index(1400), 1);
        assert_eq!(cookie_mss_index(100), 0);
        let ts = cookie_timestamp(1_000_000, Some(7), true);
        assert!(ts <= 1_000_000);
        assert_eq!(cookie_timestamp_decode(ts), (Some(7), true));
    }
}
