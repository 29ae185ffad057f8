//! synack's host stack (engine + interface + socket API) between two hosts
//! on an in-memory raw-IPv4 link, in one thread, on a virtual clock.

use core::time::Duration;
use std::io::ErrorKind;
use std::net::SocketAddrV4;

use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::socket::memory_link::{ADDR_A, ADDR_B};
use synack_host::socket::{MemoryLink, TcpListener, TcpStream};
use synack_host::tcp::{Config, Engine};
use synack_host::wire::{ChecksumCapabilities, Ipv4Address};

use crate::cpu::measure;
use crate::{Bulk, CHUNK, Measurement, RCV_BUF, SND_BUF, next_write};

const MASK: Ipv4Address = Ipv4Address::new(255, 255, 255, 0);

/// The engine configuration both hosts use.
pub fn config(mtu: u16) -> Config {
    Config {
        mtu,
        rcv_buf: RCV_BUF,
        snd_buf: SND_BUF,
        ..Config::default()
    }
}

/// Two hosts on a link with MTU `mtu`, checksums in software unless `offload`.
pub fn link(mtu: u16, offload: bool, cfg: Config) -> MemoryLink {
    let caps = if offload {
        ChecksumCapabilities::offloaded()
    } else {
        ChecksumCapabilities::software()
    };
    let host = |addr, seed| {
        let mut ic = InterfaceConfig::ip(addr, MASK).with_caps(caps);
        ic.mtu = mtu;
        Interface::new(ic, Engine::with_seed(cfg.clone(), seed)).expect("a valid host")
    };
    MemoryLink::from_interfaces(host(ADDR_A, 1), host(ADDR_B, 2))
}

/// When nothing moved, the clock jumps to the next timer.
fn advance(l: &mut MemoryLink) {
    let next = [l.a.poll_timeout(), l.b.poll_timeout()]
        .into_iter()
        .flatten()
        .min();
    l.now = match next {
        Some(t) if t > l.now => t,
        _ => l.now + Duration::from_micros(1),
    };
}

/// One stream of `b.bytes` from A to B: connect, write, read, close. Each
/// turn writes one [`CHUNK`] (a short write when the send buffer is
/// nearly full), lets the hosts move it and drains the reader.
pub fn bulk(b: Bulk) -> Measurement {
    let mut l = link(b.mtu, b.offload, config(b.mtu));
    let server = SocketAddrV4::new(ADDR_B.into(), 5001);
    let listener = TcpListener::bind(&mut l.b(), 5001, 16).expect("listen");
    let chunk = vec![0x5au8; CHUNK];
    let mut buf = vec![0u8; CHUNK];
    let ((), cpu, wall) = measure(|| {
        let client = TcpStream::connect(&mut l.a(), server).expect("connect");
        let mut accepted = None;
        let (mut sent, mut got) = (0u64, 0u64);
        while got < b.bytes {
            let mut moved = l.step() > 0;
            if sent < b.bytes {
                let n = next_write(b.bytes - sent);
                match client.write(&mut l.a(), &chunk[..n]) {
                    Ok(k) => {
                        sent += k as u64;
                        moved = true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(e) => panic!("write: {e}"),
                }
            }
            moved |= l.step() > 0;
            let mut nb = l.b();
            if accepted.is_none() {
                accepted = listener.accept(&mut nb).ok().map(|x| x.0);
            }
            if let Some(s) = accepted {
                loop {
                    match s.read(&mut nb, &mut buf) {
                        Ok(0) => break,
                        Ok(k) => {
                            got += k as u64;
                            moved = true;
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) => panic!("read: {e}"),
                    }
                }
            }
            if !moved {
                advance(&mut l);
            }
        }
    });
    Measurement {
        work: b.bytes,
        cpu,
        wall,
    }
}

/// Listener ports churn spreads over: each port gives 28,232 ephemeral
/// 4-tuples, which TIME-WAIT records keep taken for 60 s.
pub const CHURN_PORTS: u16 = 64;

/// `n` connections from A to B: connect, a 64-byte request, a 64-byte
/// response, the client closes first (its TIME-WAIT records are kept:
/// `max_tw_buckets` is raised above `n + prefill`). `prefill` connections
/// are run first, unmeasured, to fill the TIME-WAIT table.
pub fn churn(n: u64, prefill: u64) -> Churn {
    let cfg = Config {
        max_tw_buckets: (n + prefill) as usize + 1024,
        ..Config::default()
    };
    let mut l = link(1500, false, cfg);
    let listeners: Vec<TcpListener> = (0..CHURN_PORTS)
        .map(|i| TcpListener::bind(&mut l.b(), 6000 + i, 1024).expect("listen"))
        .collect();
    let mut done = 0u64;
    let before = resident_bytes();
    run_churn(&mut l, &listeners, prefill, &mut done);
    let grown = resident_bytes().saturating_sub(before);
    let prefilled = l.a.engine().time_wait_count();
    let ((), cpu, wall) = measure(|| run_churn(&mut l, &listeners, prefill + n, &mut done));
    Churn {
        measurement: Measurement { work: n, cpu, wall },
        time_wait: l.a.engine().time_wait_count(),
        bytes_per_prefilled_record: grown as f64 / prefilled.max(1) as f64,
    }
}

/// What a churn run found.
#[derive(Clone, Copy, Debug)]
pub struct Churn {
    pub measurement: Measurement,
    /// TIME-WAIT records the client holds at the end.
    pub time_wait: usize,
    /// Resident-set growth while the prefill ran, per TIME-WAIT record it
    /// left (meaningful in a fresh process: memory freed earlier would be
    /// reused and hide part of the growth).
    pub bytes_per_prefilled_record: f64,
}

/// Run connections one after another until `done` reaches `until`.
fn run_churn(l: &mut MemoryLink, listeners: &[TcpListener], until: u64, done: &mut u64) {
    let request = [0x11u8; 64];
    let response = [0x22u8; 64];
    let mut buf = [0u8; 256];
    while *done < until {
        let port = 6000 + (*done % u64::from(CHURN_PORTS)) as u16;
        let listener = listeners[(port - 6000) as usize];
        let client = TcpStream::connect(&mut l.a(), SocketAddrV4::new(ADDR_B.into(), port))
            .expect("connect");
        let mut server = None;
        let (mut asked, mut answered, mut got, mut closed) = (false, false, 0usize, false);
        loop {
            let moved = l.step() > 0;
            let mut na = l.a();
            if !asked && client.write(&mut na, &request).is_ok() {
                asked = true;
            }
            while let Ok(k) = client.read(&mut na, &mut buf) {
                if k == 0 {
                    break;
                }
                got += k;
            }
            if got == response.len() && !closed {
                client.close(&mut na).expect("close");
                closed = true;
            }
            let mut nb = l.b();
            if server.is_none() {
                server = listener.accept(&mut nb).ok().map(|x| x.0);
            }
            if let Some(s) = server {
                let mut req = 0;
                while let Ok(k) = s.read(&mut nb, &mut buf) {
                    if k == 0 {
                        // The client closed: close too, and the exchange is over.
                        s.close(&mut nb).expect("server close");
                        server = None;
                        break;
                    }
                    req += k;
                }
                if req > 0 && !answered {
                    s.write(&mut nb, &response).expect("respond");
                    answered = true;
                }
            }
            if closed && server.is_none() && answered {
                l.step();
                break;
            }
            if !moved {
                advance(l);
            }
        }
        *done += 1;
    }
}

/// The resident set size, from `/proc/self/statm`.
pub fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    pages * 4096
}
