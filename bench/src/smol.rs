//! smoltcp 0.14 between two hosts on an in-memory raw-IPv4 link, in one
//! thread, on a virtual clock: the same shape as [`crate::stack`]'s runs.
//! smoltcp computes and verifies checksums in software (its default
//! device capabilities) and keeps no TIME-WAIT records.

use std::collections::VecDeque;

use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr, Ipv4Address};

use crate::cpu::measure;
use crate::{Bulk, CHUNK, Measurement, RCV_BUF, SND_BUF, next_write};

const A: Ipv4Address = Ipv4Address::new(192, 0, 2, 1);
const B: Ipv4Address = Ipv4Address::new(192, 0, 2, 2);

/// One end of the link: packets to read, packets written.
struct Port {
    mtu: usize,
    rx: VecDeque<Vec<u8>>,
    tx: VecDeque<Vec<u8>>,
}

struct Rx(Vec<u8>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

struct Tx<'a>(&'a mut VecDeque<Vec<u8>>);

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = vec![0; len];
        let r = f(&mut b);
        self.0.push_back(b);
        r
    }
}

impl Device for Port {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx<'_>)> {
        let p = self.rx.pop_front()?;
        Some((Rx(p), Tx(&mut self.tx)))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ip;
        c.max_transmission_unit = self.mtu;
        c
    }
}

struct Host {
    port: Port,
    iface: Interface,
    sockets: SocketSet<'static>,
}

impl Host {
    fn new(addr: Ipv4Address, mtu: usize, seed: u64, now: Instant) -> Host {
        let mut port = Port {
            mtu,
            rx: VecDeque::new(),
            tx: VecDeque::new(),
        };
        let mut cfg = Config::new(HardwareAddress::Ip);
        cfg.random_seed = seed;
        let mut iface = Interface::new(cfg, &mut port, now);
        iface.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::Ipv4(addr), 24))
                .expect("one address");
        });
        Host {
            port,
            iface,
            sockets: SocketSet::new(vec![]),
        }
    }

    fn socket(&mut self) -> SocketHandle {
        let s = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0; RCV_BUF]),
            tcp::SocketBuffer::new(vec![0; SND_BUF]),
        );
        self.sockets.add(s)
    }

    fn poll(&mut self, now: Instant) {
        self.iface.poll(now, &mut self.port, &mut self.sockets);
    }

    fn tcp(&mut self, h: SocketHandle) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(h)
    }
}

struct Pair {
    a: Host,
    b: Host,
    now: Instant,
}

impl Pair {
    fn new(mtu: usize) -> Pair {
        let now = Instant::from_secs(1);
        Pair {
            a: Host::new(A, mtu, 1, now),
            b: Host::new(B, mtu, 2, now),
            now,
        }
    }

    /// Poll both and move packets until quiet; true if any moved.
    fn step(&mut self) -> bool {
        let mut moved = false;
        loop {
            self.a.poll(self.now);
            self.b.poll(self.now);
            let any = !self.a.port.tx.is_empty() || !self.b.port.tx.is_empty();
            self.b.port.rx.extend(self.a.port.tx.drain(..));
            self.a.port.rx.extend(self.b.port.tx.drain(..));
            if !any {
                return moved;
            }
            moved = true;
        }
    }

    fn advance(&mut self) {
        let next = [
            self.a.iface.poll_at(self.now, &self.a.sockets),
            self.b.iface.poll_at(self.now, &self.b.sockets),
        ]
        .into_iter()
        .flatten()
        .min();
        self.now = match next {
            Some(t) if t > self.now => t,
            _ => self.now + smoltcp::time::Duration::from_micros(1),
        };
    }
}

/// One stream of `b.bytes` from A to B (checksums in software: `b.offload`
/// is not offered, smoltcp's loopback-like devices verify everything), in
/// turns as [`crate::stack::bulk`] takes them: one [`CHUNK`] written, the
/// hosts polled, the reader drained.
pub fn bulk(b: Bulk) -> Measurement {
    let mut p = Pair::new(usize::from(b.mtu));
    let server = p.b.socket();
    p.b.tcp(server).listen(5001).expect("listen");
    let client = p.a.socket();
    let chunk = vec![0x5au8; CHUNK];
    let mut buf = vec![0u8; CHUNK];
    let ((), cpu, wall) = measure(|| {
        let cx = p.a.iface.context();
        p.a.sockets
            .get_mut::<tcp::Socket>(client)
            .connect(cx, (IpAddress::Ipv4(B), 5001), 49_152)
            .expect("connect");
        let (mut sent, mut got) = (0u64, 0u64);
        while got < b.bytes {
            let mut moved = p.step();
            let c = p.a.tcp(client);
            if sent < b.bytes && c.can_send() {
                let n = next_write(b.bytes - sent);
                if let Ok(k @ 1..) = c.send_slice(&chunk[..n]) {
                    sent += k as u64;
                    moved = true;
                }
            }
            moved |= p.step();
            let s = p.b.tcp(server);
            while s.can_recv() {
                match s.recv_slice(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => {
                        got += k as u64;
                        moved = true;
                    }
                }
            }
            if !moved {
                p.advance();
            }
        }
    });
    Measurement {
        work: b.bytes,
        cpu,
        wall,
    }
}

/// `n` connections: connect, a 64-byte request and response, the client
/// closes first. smoltcp sockets are reused once closed (it keeps no
/// TIME-WAIT records: the client's socket is aborted after its FIN is
/// acknowledged, as applications using smoltcp do).
pub fn churn(n: u64) -> Measurement {
    let mut p = Pair::new(1500);
    let server = p.b.socket();
    let client = p.a.socket();
    let request = [0x11u8; 64];
    let response = [0x22u8; 64];
    let mut buf = [0u8; 256];
    let ((), cpu, wall) = measure(|| {
        for i in 0..n {
            p.b.tcp(server).listen(6000).expect("listen");
            let cx = p.a.iface.context();
            let local = 32_768 + (i % 28_000) as u16;
            p.a.sockets
                .get_mut::<tcp::Socket>(client)
                .connect(cx, (IpAddress::Ipv4(B), 6000), local)
                .expect("connect");
            let (mut asked, mut answered, mut got) = (false, false, 0);
            loop {
                let moved = p.step();
                let c = p.a.tcp(client);
                if !asked && c.can_send() {
                    c.send_slice(&request).expect("request");
                    asked = true;
                }
                while c.can_recv() {
                    got += c.recv_slice(&mut buf).unwrap_or(0);
                }
                if got == response.len() && c.state() == tcp::State::Established {
                    c.close();
                }
                let s = p.b.tcp(server);
                while s.can_recv() {
                    if s.recv_slice(&mut buf).unwrap_or(0) > 0 && !answered {
                        s.send_slice(&response).expect("respond");
                        answered = true;
                    }
                }
                if s.state() == tcp::State::CloseWait {
                    s.close();
                }
                let (cs, ss) = (p.a.tcp(client).state(), p.b.tcp(server).state());
                if matches!(cs, tcp::State::TimeWait | tcp::State::Closed)
                    && ss == tcp::State::Closed
                {
                    p.a.tcp(client).abort();
                    p.step();
                    break;
                }
                if !moved {
                    p.advance();
                }
            }
        }
    });
    Measurement { work: n, cpu, wall }
}
