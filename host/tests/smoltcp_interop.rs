//! synack against smoltcp 0.14, in one process, over an in-memory link.
//!
//! Both stacks run on the same virtual clock: every step delivers what is
//! due, lets each side transmit, and when nothing moves the clock jumps to
//! the earliest of the link's next delivery and either side's next timeout.
//! The link can drop (seeded) and reorder (extra seeded delay) frames.
//!
//! Both link layers: raw IPv4 (smoltcp `Medium::Ip`) and Ethernet with ARP
//! (smoltcp `Medium::Ethernet`).

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddrV4};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use smoltcp::iface::{Config as SmolConfig, Interface as SmolIface, SocketHandle, SocketSet};
use smoltcp::phy::{Device, DeviceCapabilities, Medium as SmolMedium, RxToken, TxToken};
use smoltcp::socket::tcp as stcp;
use smoltcp::time::Instant as SmolInstant;
use smoltcp::wire::{EthernetAddress as SmolMac, HardwareAddress, IpAddress, IpCidr};

use synack_host::iface::{DropCause, Interface, InterfaceConfig};
use synack_host::tcp::{Config, ConnectionHandle, Engine, Event, FourTuple, ReadError, State};
use synack_host::time::Instant;
use synack_host::wire::{EthernetAddress, Ipv4Address};

const US_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const SMOL_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const US_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const SMOL_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
const PORT: u16 = 80;
const SMOL_PORT: u16 = 49_500;
const MIB: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Ip,
    Ethernet,
}

// ------------------------------------------------------------------ smoltcp device

struct SmolDev {
    medium: SmolMedium,
    rx: VecDeque<Vec<u8>>,
    tx: Vec<Vec<u8>>,
}

struct Rx(Vec<u8>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

struct Tx<'a>(&'a mut Vec<Vec<u8>>);

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = vec![0; len];
        let r = f(&mut b);
        self.0.push(b);
        r
    }
}

impl Device for SmolDev {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: SmolInstant) -> Option<(Rx, Tx<'_>)> {
        let f = self.rx.pop_front()?;
        Some((Rx(f), Tx(&mut self.tx)))
    }

    fn transmit(&mut self, _: SmolInstant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = self.medium;
        c.max_transmission_unit = match self.medium {
            SmolMedium::Ethernet => 1514,
            _ => 1500,
        };
        c
    }
}

// ------------------------------------------------------------------ the link

/// One direction of the link: frames with delivery times, seeded faults.
struct Wire {
    q: Vec<(u64, u64, Vec<u8>)>,
    seq: u64,
    rng: ChaCha8Rng,
    loss: f64,
    reorder: f64,
    latency_us: u64,
    dropped: u64,
    reordered: u64,
}

impl Wire {
    fn new(seed: u64, loss: f64, reorder: f64) -> Self {
        Wire {
            q: Vec::new(),
            seq: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            loss,
            reorder,
            latency_us: 1_000,
            dropped: 0,
            reordered: 0,
        }
    }

    fn push(&mut self, now: u64, frame: Vec<u8>) {
        if self.loss > 0.0 && self.rng.random_bool(self.loss) {
            self.dropped += 1;
            return;
        }
        let mut at = now + self.latency_us;
        if self.reorder > 0.0 && self.rng.random_bool(self.reorder) {
            // Held back long enough for later frames to overtake it.
            at += self.rng.random_range(500..4_000);
            self.reordered += 1;
        }
        self.seq += 1;
        self.q.push((at, self.seq, frame));
    }

    fn pop_due(&mut self, now: u64) -> Vec<Vec<u8>> {
        let mut due: Vec<(u64, u64, Vec<u8>)> = Vec::new();
        let mut i = 0;
        while i < self.q.len() {
            if self.q[i].0 <= now {
                due.push(self.q.swap_remove(i));
            } else {
                i += 1;
            }
        }
        due.sort_by_key(|(at, seq, _)| (*at, *seq));
        due.into_iter().map(|(_, _, f)| f).collect()
    }

    fn next_due(&self) -> Option<u64> {
        self.q.iter().map(|(at, _, _)| *at).min()
    }
}

// ------------------------------------------------------------------ simulation

struct Sim {
    now: u64,
    us: Interface,
    smol: SmolIface,
    dev: SmolDev,
    sockets: SocketSet<'static>,
    sh: SocketHandle,
    to_smol: Wire,
    to_us: Wire,
    events: Vec<Event>,
}

/// What the application step did.
#[derive(PartialEq, Eq)]
enum Step {
    Done,
    Progress,
    Idle,
}

impl Sim {
    fn new(link: Link, loss: f64, reorder: f64, seed: u64) -> Sim {
        let mask = Ipv4Address::new(255, 255, 255, 0);
        let cfg = match link {
            Link::Ip => InterfaceConfig::ip(US_IP.into(), mask),
            Link::Ethernet => {
                InterfaceConfig::ethernet(EthernetAddress(US_MAC), US_IP.into(), mask)
            }
        };
        let us = Interface::new(cfg, Engine::with_seed(Config::default(), seed)).unwrap();

        let (medium, hw) = match link {
            Link::Ip => (SmolMedium::Ip, HardwareAddress::Ip),
            Link::Ethernet => (
                SmolMedium::Ethernet,
                HardwareAddress::Ethernet(SmolMac(SMOL_MAC)),
            ),
        };
        let mut dev = SmolDev {
            medium,
            rx: VecDeque::new(),
            tx: Vec::new(),
        };
        let mut config = SmolConfig::new(hw);
        config.random_seed = seed ^ 0x5eed;
        let now = 1_000_000u64;
        let mut smol = SmolIface::new(config, &mut dev, SmolInstant::from_micros(now as i64));
        smol.update_ip_addrs(|a| {
            a.push(IpCidr::new(IpAddress::Ipv4(SMOL_IP), 24)).unwrap();
        });
        let socket = stcp::Socket::new(
            stcp::SocketBuffer::new(vec![0; 256 * 1024]),
            stcp::SocketBuffer::new(vec![0; 256 * 1024]),
        );
        let mut sockets = SocketSet::new(vec![]);
        let sh = sockets.add(socket);
        Sim {
            now,
            us,
            smol,
            dev,
            sockets,
            sh,
            to_smol: Wire::new(seed.wrapping_mul(3) + 1, loss, reorder),
            to_us: Wire::new(seed.wrapping_mul(5) + 2, loss, reorder),
            events: Vec::new(),
        }
    }

    fn t(&self) -> Instant {
        Instant::from_micros(self.now)
    }

    fn sock(&mut self) -> &mut stcp::Socket<'static> {
        self.sockets.get_mut::<stcp::Socket>(self.sh)
    }

    /// Deliver what is due, run due timers, let both sides transmit.
    fn step(&mut self) -> bool {
        let now = self.t();
        let mut progress = false;
        for f in self.to_us.pop_due(self.now) {
            self.us.receive(now, &f);
            progress = true;
        }
        if self.us.poll_timeout().is_some_and(|t| t <= now) {
            self.us.handle_timeout(now);
        }
        while let Some(t) = self.us.poll_transmit(now) {
            self.to_smol.push(self.now, t.frame);
            progress = true;
        }
        while let Some(e) = self.us.engine_mut().poll_event() {
            self.events.push(e);
        }
        for f in self.to_smol.pop_due(self.now) {
            self.dev.rx.push_back(f);
        }
        let snow = SmolInstant::from_micros(self.now as i64);
        self.smol.poll(snow, &mut self.dev, &mut self.sockets);
        for f in std::mem::take(&mut self.dev.tx) {
            self.to_us.push(self.now, f);
            progress = true;
        }
        progress
    }

    fn next_wake(&mut self) -> Option<u64> {
        let snow = SmolInstant::from_micros(self.now as i64);
        let smol = self
            .smol
            .poll_at(snow, &self.sockets)
            .map(|t| t.total_micros().max(0) as u64);
        let us = self.us.poll_timeout().map(|t| t.total_micros());
        [self.to_us.next_due(), self.to_smol.next_due(), smol, us]
            .into_iter()
            .flatten()
            .min()
    }

    /// Run until `app` says done; fail after `limit_s` simulated seconds.
    fn run(&mut self, limit_s: u64, mut app: impl FnMut(&mut Sim) -> Step) {
        let deadline = self.now + limit_s * 1_000_000;
        loop {
            let moved = self.step();
            let a = app(self);
            if a == Step::Done {
                return;
            }
            if moved || a == Step::Progress {
                continue;
            }
            match self.next_wake() {
                Some(t) => self.now = t.max(self.now + 1),
                None => {
                    let state = self.sock().state();
                    panic!(
                        "stalled at {} µs: synack has {} connections, smoltcp {state:?}",
                        self.now,
                        self.us.engine().connection_count(),
                    )
                }
            }
            assert!(
                self.now <= deadline,
                "no completion within {limit_s} s (smoltcp {:?})",
                self.sock().state()
            );
        }
    }

    /// smoltcp listens, synack connects; returns once both are ESTABLISHED.
    fn synack_connects(&mut self) -> ConnectionHandle {
        self.sock().listen(PORT).unwrap();
        let now = self.t();
        let h = self
            .us
            .tcp_connect(now, SocketAddrV4::new(SMOL_IP, PORT))
            .unwrap();
        self.run(30, |s| {
            let ok = s.events.contains(&Event::Connected(h))
                && s.sock().state() == stcp::State::Established;
            if ok { Step::Done } else { Step::Idle }
        });
        assert_eq!(self.us.engine().state(h), State::Established);
        h
    }

    /// synack listens, smoltcp connects; returns the accepted connection.
    fn smoltcp_connects(&mut self) -> ConnectionHandle {
        let l = self.us.tcp_listen(PORT, 8).unwrap();
        let cx = self.smol.context();
        let sock = self.sockets.get_mut::<stcp::Socket>(self.sh);
        sock.connect(cx, (IpAddress::Ipv4(US_IP), PORT), SMOL_PORT)
            .unwrap();
        let mut accepted = None;
        self.run(30, |s| {
            if accepted.is_none() && s.events.contains(&Event::Incoming(l)) {
                accepted = Some(s.us.engine_mut().accept(l).unwrap());
            }
            if accepted.is_some() && s.sock().state() == stcp::State::Established {
                Step::Done
            } else {
                Step::Idle
            }
        });
        let (h, peer) = accepted.unwrap();
        assert_eq!(peer, SocketAddrV4::new(SMOL_IP, SMOL_PORT));
        assert_eq!(self.us.engine().state(h), State::Established);
        h
    }

    fn tuple(&self, h: ConnectionHandle) -> FourTuple {
        self.us.engine().connection(h).unwrap().tuple()
    }
}

fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill(&mut v[..]);
    v
}

fn sha(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

/// Send `out_us` from synack and `out_smol` from smoltcp at the same time;
/// return what each side received.
fn exchange(
    s: &mut Sim,
    h: ConnectionHandle,
    out_us: &[u8],
    out_smol: &[u8],
    limit_s: u64,
) -> (Vec<u8>, Vec<u8>) {
    let (mut sent_us, mut sent_smol) = (0, 0);
    let mut got_us = Vec::new();
    let mut got_smol = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    s.run(limit_s, |s| {
        let now = s.t();
        let mut progress = false;
        let rest = &out_us[sent_us..];
        let wrote = (!rest.is_empty()).then(|| s.us.engine_mut().write(now, h, rest));
        if let Some(Ok(n)) = wrote {
            sent_us += n;
            progress |= n > 0;
        }
        loop {
            match s.us.engine_mut().read(now, h, &mut buf) {
                Ok(0) => panic!("unexpected end of stream"),
                Ok(n) => {
                    got_us.extend_from_slice(&buf[..n]);
                    progress = true;
                }
                Err(ReadError::WouldBlock) => break,
                Err(e) => panic!("synack read: {e}"),
            }
        }
        let sock = s.sock();
        if sent_smol < out_smol.len() && sock.can_send() {
            let n = sock.send_slice(&out_smol[sent_smol..]).unwrap();
            sent_smol += n;
            progress |= n > 0;
        }
        while sock.can_recv() {
            let n = sock.recv_slice(&mut buf).unwrap();
            got_smol.extend_from_slice(&buf[..n]);
            progress |= n > 0;
        }
        if got_us.len() >= out_smol.len() && got_smol.len() >= out_us.len() {
            Step::Done
        } else if progress {
            Step::Progress
        } else {
            Step::Idle
        }
    });
    (got_us, got_smol)
}

fn assert_same(sent: &[u8], got: &[u8], what: &str) {
    assert_eq!(got.len(), sent.len(), "{what}: length");
    assert_eq!(sha(got), sha(sent), "{what}: SHA-256");
}

/// synack closes first: it ends in TIME-WAIT, smoltcp in CLOSED (SPEC T1, T2, T9).
fn synack_closes_first(s: &mut Sim, h: ConnectionHandle) {
    let tuple = s.tuple(h);
    let now = s.t();
    s.us.engine_mut().close(now, h).unwrap();
    s.run(60, |s| {
        let sock = s.sock();
        if sock.state() == stcp::State::CloseWait {
            sock.close();
        }
        if sock.state() == stcp::State::Closed && s.us.engine().time_wait(tuple).is_some() {
            Step::Done
        } else {
            Step::Idle
        }
    });
    assert_eq!(s.us.engine().time_wait_count(), 1);
    assert_eq!(s.us.engine().state(h), State::Closed);
    assert_eq!(s.sock().state(), stcp::State::Closed);
}

/// smoltcp closes first: it ends in TIME-WAIT, synack in CLOSED (SPEC T2, T9).
fn smoltcp_closes_first(s: &mut Sim, h: ConnectionHandle) {
    s.sock().close();
    let mut closed_ours = false;
    let mut buf = [0u8; 512];
    s.run(60, |s| {
        let now = s.t();
        if !closed_ours && s.events.contains(&Event::PeerClosed(h)) {
            // Read to end-of-stream, then close (SPEC T2).
            assert_eq!(s.us.engine().state(h), State::CloseWait);
            assert_eq!(s.us.engine_mut().read(now, h, &mut buf), Ok(0));
            s.us.engine_mut().close(now, h).unwrap();
            closed_ours = true;
            return Step::Progress;
        }
        if closed_ours
            && s.us.engine().state(h) == State::Closed
            && s.sock().state() == stcp::State::TimeWait
        {
            Step::Done
        } else {
            Step::Idle
        }
    });
    assert_eq!(s.us.engine().time_wait_count(), 0);
    assert_eq!(s.sock().state(), stcp::State::TimeWait);
}

fn no_bad_input(s: &Sim) {
    let st = s.us.stats();
    for c in [
        DropCause::Truncated,
        DropCause::Malformed,
        DropCause::BadChecksum,
        DropCause::BadOption,
        DropCause::Unsupported,
        DropCause::UnsupportedProtocol,
        DropCause::Oversize,
    ] {
        assert_eq!(st.drops(c), 0, "synack dropped smoltcp's frames as {c}");
    }
}

// ------------------------------------------------------------------ tests

#[test]
fn handshake_synack_client_raw_ip() {
    let mut s = Sim::new(Link::Ip, 0.0, 0.0, 1);
    let h = s.synack_connects();
    // SPEC H6: smoltcp offers MSS 1460 on a 1500-byte IP MTU; so do we.
    let c = s.us.engine().connection(h).unwrap();
    assert_eq!(c.tuple().remote, SocketAddrV4::new(SMOL_IP, PORT));
    // smoltcp sends no timestamps by default, so the whole 1460 is payload.
    assert_eq!(c.mss(), 1460);
    no_bad_input(&s);
}

#[test]
fn handshake_synack_server_ethernet_with_arp() {
    let mut s = Sim::new(Link::Ethernet, 0.0, 0.0, 2);
    let h = s.smoltcp_connects();
    // smoltcp ARPed for us and we answered; we learned its MAC from the request.
    assert!(s.us.stats().arp_replies_sent >= 1);
    assert_eq!(
        s.us.arp_cache().get(&SMOL_IP.into(), s.t()),
        Some(EthernetAddress(SMOL_MAC))
    );
    assert_eq!(s.us.engine().state(h), State::Established);
    no_bad_input(&s);
}

#[test]
fn one_mib_both_ways_synack_client_raw_ip() {
    let mut s = Sim::new(Link::Ip, 0.0, 0.0, 3);
    let h = s.synack_connects();
    let (a, b) = (payload(10, MIB), payload(11, MIB));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 120);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    synack_closes_first(&mut s, h);
    no_bad_input(&s);
}

#[test]
fn one_mib_both_ways_synack_server_ethernet() {
    let mut s = Sim::new(Link::Ethernet, 0.0, 0.0, 4);
    let h = s.smoltcp_connects();
    let (a, b) = (payload(12, MIB), payload(13, MIB));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 120);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    smoltcp_closes_first(&mut s, h);
    no_bad_input(&s);
}

#[test]
fn synack_closes_first_ethernet_synack_client() {
    let mut s = Sim::new(Link::Ethernet, 0.0, 0.0, 5);
    let h = s.synack_connects();
    // We resolved smoltcp's MAC before the SYN could go out.
    assert!(s.us.stats().arp_requests_sent >= 1);
    let (a, b) = (payload(14, 10_000), payload(15, 20_000));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 30);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    synack_closes_first(&mut s, h);
    no_bad_input(&s);
}

#[test]
fn smoltcp_closes_first_raw_ip_synack_server() {
    let mut s = Sim::new(Link::Ip, 0.0, 0.0, 6);
    let h = s.smoltcp_connects();
    let (a, b) = (payload(16, 5_000), payload(17, 3_000));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 30);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    smoltcp_closes_first(&mut s, h);
}

#[test]
fn lossy_reordering_link_raw_ip_bytes_equal() {
    let mut s = Sim::new(Link::Ip, 0.05, 0.05, 7);
    let h = s.synack_connects();
    let (a, b) = (payload(18, MIB), payload(19, MIB));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 1_200);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    assert!(s.to_smol.dropped > 0 && s.to_us.dropped > 0);
    assert!(s.to_smol.reordered > 0 && s.to_us.reordered > 0);
    synack_closes_first(&mut s, h);
    no_bad_input(&s);
}

#[test]
fn lossy_reordering_link_ethernet_bytes_equal() {
    let mut s = Sim::new(Link::Ethernet, 0.05, 0.05, 8);
    let h = s.smoltcp_connects();
    let (a, b) = (payload(20, MIB), payload(21, MIB));
    let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 1_200);
    assert_same(&a, &got_smol, "synack -> smoltcp");
    assert_same(&b, &got_us, "smoltcp -> synack");
    assert!(s.to_smol.dropped > 0 && s.to_us.dropped > 0);
    smoltcp_closes_first(&mut s, h);
    no_bad_input(&s);
}

/// Both roles, both link layers, both close orders, several seeds: 5% loss
/// and 5% reordering each way; every byte arrives and both sides close.
#[test]
fn lossy_seed_sweep_both_roles_both_links() {
    for seed in 100..108u64 {
        for link in [Link::Ip, Link::Ethernet] {
            for client in [true, false] {
                let mut s = Sim::new(link, 0.05, 0.05, seed);
                let h = if client {
                    s.synack_connects()
                } else {
                    s.smoltcp_connects()
                };
                let (a, b) = (payload(seed, 256 * 1024), payload(seed + 1, 256 * 1024));
                let (got_us, got_smol) = exchange(&mut s, h, &a, &b, 1_200);
                assert_same(&a, &got_smol, "synack -> smoltcp");
                assert_same(&b, &got_us, "smoltcp -> synack");
                if seed % 2 == 0 {
                    synack_closes_first(&mut s, h)
                } else {
                    smoltcp_closes_first(&mut s, h)
                }
                no_bad_input(&s);
            }
        }
    }
}
