//! Side-by-side measurements of host TCP stacks, per CPU-second: synack's
//! engine and interface, smoltcp 0.14, and Linux over loopback in a
//! private network namespace pinned to one CPU (`synack bench` runs them
//! interleaved and prints ratios).
//!
//! - bulk ([`stack::bulk`], [`smol::bulk`], [`linux`]): one stream of
//!   `bytes` between two hosts in one thread, over an in-memory raw-IPv4
//!   link (synack, smoltcp) or loopback (Linux), at MTU 1500 or 64 KiB;
//!   software checksums unless `offload`.
//! - churn ([`stack::churn`], [`smol::churn`], [`linux::churn`]): connect,
//!   a 64-byte request and response, the client closes first (so it keeps
//!   TIME-WAIT records, except smoltcp, which keeps none).
//! - TIME-WAIT memory ([`stack::churn`] with records made first, read with
//!   [`stack::resident_bytes`]): resident memory per record at a million.
//!
//! Every figure is CPU time of the measuring thread (or, for Linux, of the
//! child process: both its threads and the kernel work charged to it), so a
//! busy machine slows the wall clock but not the figure much.

pub mod cpu;
pub mod linux;
pub mod smol;
pub mod stack;

use core::time::Duration;

/// What one run measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measurement {
    /// Payload bytes delivered (bulk), or connections completed (churn).
    pub work: u64,
    pub cpu: Duration,
    pub wall: Duration,
}

impl Measurement {
    /// Gigabits of payload per CPU-second.
    pub fn gbit_per_cpu_s(&self) -> f64 {
        self.work as f64 * 8.0 / self.cpu.as_secs_f64().max(1e-9) / 1e9
    }

    /// Work items (connections) per CPU-second.
    pub fn per_cpu_s(&self) -> f64 {
        self.work as f64 / self.cpu.as_secs_f64().max(1e-9)
    }
}

/// One bulk transfer's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bulk {
    /// IP MTU: 1500 or 65535.
    pub mtu: u16,
    pub bytes: u64,
    /// Leave checksums to the (imagined) fabric: neither side computes or
    /// verifies them in software. synack only.
    pub offload: bool,
}

/// The application's write (and read) size for bulk, every stack alike.
/// Each turn of the in-process loops is what one `write` system call does
/// on Linux: one chunk written, then the stack moves what it can (Linux
/// transmits during the call, and loopback delivers to the receiver's
/// queue before it returns), then the reader drains what arrived.
pub const CHUNK: usize = 256 * 1024;

/// How much the next write offers with `left` bytes still to send: a
/// [`CHUNK`], or what is left.
pub fn next_write(left: u64) -> usize {
    left.min(CHUNK as u64) as usize
}

/// Socket buffers for every stack: Linux's maxima (`tcp_rmem[2]` 6 MiB,
/// `tcp_wmem[2]` 4 MiB) are what its autotuning reaches on loopback.
pub const RCV_BUF: usize = 6 << 20;
pub const SND_BUF: usize = 4 << 20;
