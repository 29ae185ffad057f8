//! The TCP engine through its public API only, as the stack will drive it:
//! two engines, a virtual clock jumping to the next deadline, segments handed
//! across by value.

use std::net::{Ipv4Addr, SocketAddrV4};

use synack_host::tcp::{Config, Engine, Event, State};
use synack_host::time::Instant;

struct Net {
    a: Engine,
    b: Engine,
    now: Instant,
}

impl Net {
    /// Exchange segments (zero latency) and run due timers until quiet or `until`.
    fn run(&mut self, until: Instant) {
        loop {
            let mut moved = false;
            while let Some(s) = self.a.poll_transmit(self.now) {
                self.b.handle_segment(self.now, s);
                moved = true;
            }
            while let Some(s) = self.b.poll_transmit(self.now) {
                self.a.handle_segment(self.now, s);
                moved = true;
            }
            if moved {
                continue;
            }
            let next = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    self.a.handle_timeout(self.now);
                    self.b.handle_timeout(self.now);
                }
                _ => {
                    self.now = self.now.max(until);
                    return;
                }
            }
        }
    }
}

#[test]
fn tcp_echo_and_close_through_the_public_api() {
    let server = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 2), 7);
    let mut n = Net {
        a: Engine::with_seed(Config::default(), 1),
        b: Engine::with_seed(Config::default(), 2),
        now: Instant::from_secs(1),
    };
    let l = n.b.listen(server, 16).unwrap();
    let c =
        n.a.connect(n.now, Ipv4Addr::new(192, 168, 0, 1), server)
            .unwrap();
    n.run(n.now + core::time::Duration::from_millis(10));
    assert_eq!(n.a.state(c), State::Established);
    assert!(std::iter::from_fn(|| n.a.poll_event()).any(|e| e == Event::Connected(c)));
    let (s, peer) = n.b.accept(l).unwrap();
    assert_eq!(peer.ip(), &Ipv4Addr::new(192, 168, 0, 1));
    assert!((32768..=60999).contains(&peer.port()));

    let msg = vec![0x5a; 100_000];
    let mut sent = 0;
    let mut echoed = Vec::new();
    let mut buf = vec![0u8; 8192];
    for _ in 0..1000 {
        if sent < msg.len() {
            sent += n.a.write(n.now, c, &msg[sent..]).unwrap_or(0);
        }
        while let Ok(k) = n.b.read(n.now, s, &mut buf) {
            if k == 0 {
                break;
            }
            let mut off = 0;
            while off < k {
                off += n.b.write(n.now, s, &buf[off..k]).unwrap_or(0);
                n.run(n.now + core::time::Duration::from_millis(1));
            }
        }
        while let Ok(k) = n.a.read(n.now, c, &mut buf) {
            if k == 0 {
                break;
            }
            echoed.extend_from_slice(&buf[..k]);
        }
        if echoed.len() == msg.len() {
            break;
        }
        n.run(n.now + core::time::Duration::from_millis(1));
    }
    assert_eq!(echoed, msg);

    n.a.close(n.now, c).unwrap();
    n.run(n.now + core::time::Duration::from_millis(100));
    assert_eq!(n.b.state(s), State::CloseWait);
    assert_eq!(n.b.read(n.now, s, &mut buf), Ok(0));
    n.b.close(n.now, s).unwrap();
    n.run(n.now + core::time::Duration::from_secs(1));
    assert_eq!(n.a.time_wait_count(), 1);
    assert_eq!(n.b.connection_count(), 0);
    n.run(n.now + core::time::Duration::from_secs(61));
    assert_eq!(n.a.time_wait_count(), 0);
    assert!(n.a.format_ss(n.now).starts_with("State"));
}
