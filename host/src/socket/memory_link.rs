//! Two hosts joined by an in-memory raw-IPv4 link with no delay or loss,
//! on a virtual clock: the quickest way to run socket applications against
//! each other without a fabric (tests, examples, benchmarks).
//!
//! Invariant: every packet one side emits is delivered to the other within
//! the same [`MemoryLink::step`]; time only moves in `run_for`.

use core::time::Duration;

use crate::buffer::payload::Payload;
use crate::iface::{Interface, InterfaceConfig};
use crate::tcp::{Config, Engine};
use crate::time::Instant;
use crate::wire::Ipv4Address;

use super::Net;

/// Host A's and host B's addresses on the link's /24.
pub const ADDR_A: Ipv4Address = Ipv4Address::new(192, 0, 2, 1);
pub const ADDR_B: Ipv4Address = Ipv4Address::new(192, 0, 2, 2);

pub struct MemoryLink {
    pub a: Interface,
    pub b: Interface,
    pub now: Instant,
}

impl Default for MemoryLink {
    fn default() -> Self {
        Self::new(Config::default(), Config::default())
    }
}

impl MemoryLink {
    /// Hosts [`ADDR_A`] and [`ADDR_B`] with these engine configurations.
    pub fn new(a: Config, b: Config) -> Self {
        let host = |addr, cfg, seed| {
            Interface::new(
                InterfaceConfig::ip(addr, Ipv4Address::new(255, 255, 255, 0)),
                Engine::with_seed(cfg, seed),
            )
            .expect("a valid /24 host")
        };
        MemoryLink {
            a: host(ADDR_A, a, 1),
            b: host(ADDR_B, b, 2),
            now: Instant::from_secs(1),
        }
    }

    /// Two hosts of the caller's making (they must be on one raw-IPv4 network).
    pub fn from_interfaces(a: Interface, b: Interface) -> Self {
        MemoryLink {
            a,
            b,
            now: Instant::from_secs(1),
        }
    }

    /// Host A's stack at the current time.
    pub fn a(&mut self) -> Net<'_> {
        Net::new(&mut self.a, self.now)
    }

    /// Host B's stack at the current time.
    pub fn b(&mut self) -> Net<'_> {
        Net::new(&mut self.b, self.now)
    }

    /// Deliver everything both sides have to send, and run due timers,
    /// until neither has more; returns how many packets moved.
    pub fn step(&mut self) -> usize {
        let mut moved = 0;
        loop {
            let mut fired = false;
            for i in [&mut self.a, &mut self.b] {
                if i.poll_timeout().is_some_and(|t| t <= self.now) {
                    i.handle_timeout(self.now);
                    fired = true;
                }
            }
            // Exchange until both are quiet; timers are looked at again
            // only then (nothing sent at `now` arms a timer due at `now`,
            // and received segments are handled by `poll_transmit`), and
            // only if firing them moved packets.
            let before = moved;
            loop {
                let mut any = false;
                while let Some(t) = self.a.poll_transmit(self.now) {
                    self.b.receive_frame(self.now, Payload::pooled(t.frame));
                    any = true;
                    moved += 1;
                }
                while let Some(t) = self.b.poll_transmit(self.now) {
                    self.a.receive_frame(self.now, Payload::pooled(t.frame));
                    any = true;
                    moved += 1;
                }
                if !any {
                    break;
                }
            }
            if !fired || moved == before {
                return moved;
            }
        }
    }

    /// Advance the clock by `d` in steps of `tick`, exchanging packets at
    /// each; `each` runs after every tick (the applications).
    pub fn run_for(&mut self, d: Duration, tick: Duration, mut each: impl FnMut(&mut MemoryLink)) {
        let end = self.now + d;
        while self.now < end {
            self.step();
            each(self);
            self.step();
            self.now += tick;
        }
    }
}
