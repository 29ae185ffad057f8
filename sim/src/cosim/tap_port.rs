//! The testbed's end of a TAP link: frames to and from the kernel, and the
//! pacing of simulated time to the wall clock (SPEC S4).
//!
//! Invariants:
//! - Simulated time `t` corresponds to wall time `start + (t - start_ns)`;
//!   the testbed never clocks or jumps past the wall time's counterpart
//!   ([`TapPort::wall_ns`]), so the kernel never sees synack answer before
//!   it asked.
//! - A frame from the kernel enters the wire as a PHY would send it:
//!   padded to 60 bytes, FCS appended. A frame longer than MTU + 14 bytes
//!   (impossible without offloads, which the device does not have) is
//!   counted and dropped, never cut.

use std::time::{Duration, Instant as WallInstant};

use crate::mii::fcs;
use crate::tap::{MAX_FRAME, TapLink};

/// Ethernet's minimum frame without FCS.
const MIN_FRAME: usize = 60;
/// Longest nap while idle and caught up with the wall clock: also the
/// worst extra latency for a frame from the kernel.
const NAP: Duration = Duration::from_micros(200);
/// Idle and less than this behind the wall clock: wait rather than jump
/// (jumps of a few nanoseconds would spin the CPU).
pub(super) const CATCH_UP_NS: u64 = 50_000;
/// Frames taken from the kernel per poll, so a flood cannot starve the fabric.
const POLL_BATCH: usize = 64;

pub(super) struct TapPort {
    link: TapLink,
    start: WallInstant,
    start_ns: u64,
    buf: Vec<u8>,
    pub(super) oversize: u64,
    pub(super) kernel_queue_full: u64,
}

impl TapPort {
    pub(super) fn new(link: TapLink, start_ns: u64) -> Self {
        TapPort {
            link,
            start: WallInstant::now(),
            start_ns,
            buf: vec![0; 64 * 1024],
            oversize: 0,
            kernel_queue_full: 0,
        }
    }

    pub(super) fn link(&self) -> &TapLink {
        &self.link
    }

    /// The simulated time that corresponds to now on the wall clock.
    pub(super) fn wall_ns(&self) -> u64 {
        let elapsed = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.start_ns.saturating_add(elapsed)
    }

    /// Frames the kernel wrote, ready for the wire.
    pub(super) fn poll(&mut self, _now_ns: u64) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        while frames.len() < POLL_BATCH {
            let n = match self.link.device.recv(&mut self.buf) {
                Ok(Some(n)) => n,
                Ok(None) | Err(_) => break,
            };
            if n > MAX_FRAME {
                self.oversize += 1;
                continue;
            }
            let mut f = self.buf[..n].to_vec();
            if f.len() < MIN_FRAME {
                f.resize(MIN_FRAME, 0);
            }
            let crc = fcs(&f);
            f.extend_from_slice(&crc);
            frames.push(f);
        }
        frames
    }

    /// A frame from the wire (with FCS) to the kernel.
    pub(super) fn to_kernel(&mut self, frame: &[u8]) {
        let without_fcs = &frame[..frame.len().saturating_sub(4)];
        match self.link.device.send(without_fcs) {
            Ok(true) => {}
            Ok(false) | Err(_) => self.kernel_queue_full += 1,
        }
    }

    /// Idle and caught up with the wall clock: nap until the wall clock
    /// reaches `target_ns` (the next simulated event), at most [`NAP`], so
    /// a frame from the kernel waits little.
    pub(super) fn wait_until(&mut self, target_ns: u64, now_ns: u64) {
        let ahead = target_ns.max(now_ns).saturating_sub(self.wall_ns());
        let nap = Duration::from_nanos(ahead)
            .min(NAP)
            .max(Duration::from_micros(20));
        std::thread::sleep(nap);
    }

    /// Busy: if simulated time got ahead of the wall clock, wait for it.
    pub(super) fn hold_back(&mut self, now_ns: u64) {
        let wall = self.wall_ns();
        if now_ns > wall {
            std::thread::sleep(Duration::from_nanos(now_ns - wall).min(NAP));
        }
    }
}
