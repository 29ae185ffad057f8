//! The host stack over the fabric: the TCP engine and interface (ARP,
//! routing by subnet mask, SPEC W1/W2) joined to the [`Driver`] (SPEC D1/D2),
//! with checksum offload on every frame and TSO on every TCP send (SPEC
//! F3–F5).
//!
//! One [`Stack::service`] call does what an interrupt (or a poll) would:
//! reap TX completions, hand received frames to the interface with the
//! fabric's checksum verdicts, run due timers, send what that called for,
//! let the application act, then move everything the interface wants to
//! send into the TX ring — TCP as the engine's runs, one TSO descriptor
//! each (the interface builds them with `tso_max_len` set to the ring's
//! buffer size) — and ring the doorbell.
//!
//! Invariants:
//! - Software computes no checksum on transmit; the fabric inserts them all.
//!   On receive, software verifies only what the fabric did not check.
//! - The engine is asked for segments only while the TX ring has room, so a
//!   full ring holds data back in the engine's send buffer; no frame the
//!   interface produced is dropped for lack of ring space.
//!
//! Received TCP segments go through the engine's bounded backlog (SPEC H8
//! `netdev_max_backlog`): one service takes at most one ring's worth of
//! frames, queues their segments, then handles them all.
use thiserror::Error;

use crate::buffer::frame_pool;
use crate::driver::{Driver, RxChecksum, TxError, TxOffload};
use crate::iface::{ConfigError, HwChecksum, Interface, InterfaceConfig, Medium, Transmit};
use crate::tcp::Engine;
use crate::time::Instant;
use crate::wire::{Checksum, ChecksumCapabilities};

/// Why a stack could not be built.
#[derive(Debug, Error)]
pub enum StackError {
    #[error("the fabric is an Ethernet NIC: the interface must use Medium::Ethernet")]
    NotEthernet,
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// What the stack counted beyond the interface and driver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackStats {
    pub services: u64,
    /// TSO descriptors, and the frames they stand for.
    pub tso_sends: u64,
    pub tso_segments: u64,
    /// Frames sent with checksum offload only (ARP, UDP, control segments).
    pub plain_sends: u64,
    /// Frames the driver refused as too long (never expected; counted, not lost silently).
    pub tx_too_long: u64,
}

/// Which way a logged frame went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameDirection {
    /// Handed to the interface by the driver.
    Received,
    /// Handed to the driver by the interface (before TSO coalescing).
    Sent,
}

/// A frame seen by [`Stack::service`] while frame logging is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedFrame {
    pub at: Instant,
    pub direction: FrameDirection,
    /// Logged after the application ran in this service (its own sends).
    pub after_app: bool,
    pub bytes: Vec<u8>,
}

/// The fabric's verdicts, as the interface takes them: the one place the
/// driver's view of a completion meets the interface's.
fn hw_checksum(c: RxChecksum) -> HwChecksum {
    HwChecksum {
        ipv4: c.ipv4,
        l4: c.l4,
    }
}

/// The engine, interface and driver of one host.
pub struct Stack {
    iface: Interface,
    driver: Driver,
    /// A frame taken from the interface that did not fit the ring yet.
    held: Option<Transmit>,
    stats: StackStats,
    frame_log: Option<Vec<LoggedFrame>>,
}

impl Stack {
    /// A stack on `driver`; `cfg.caps` is replaced by the fabric's:
    /// checksums inserted on transmit, verified on receive where the fabric
    /// reports a verdict.
    pub fn new(
        mut cfg: InterfaceConfig,
        engine: Engine,
        driver: Driver,
    ) -> Result<Self, StackError> {
        if !matches!(cfg.medium, Medium::Ethernet(_)) {
            return Err(StackError::NotEthernet);
        }
        cfg.caps = ChecksumCapabilities {
            ipv4: Checksum::Rx,
            tcp: Checksum::Rx,
            udp: Checksum::Rx,
        };
        cfg.tso_max_len = Some(driver.tx_buffer_size());
        Ok(Self {
            iface: Interface::new(cfg, engine)?,
            driver,
            held: None,
            stats: StackStats::default(),
            frame_log: None,
        })
    }

    pub fn iface(&self) -> &Interface {
        &self.iface
    }

    pub fn iface_mut(&mut self) -> &mut Interface {
        &mut self.iface
    }

    pub fn engine(&self) -> &Engine {
        self.iface.engine()
    }

    pub fn engine_mut(&mut self) -> &mut Engine {
        self.iface.engine_mut()
    }

    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    pub fn stats(&self) -> &StackStats {
        &self.stats
    }

    /// Starts or stops logging every frame received and sent (for sequence
    /// diagrams); stopping discards what was not taken.
    pub fn set_frame_log(&mut self, on: bool) {
        self.frame_log = on.then(Vec::new);
    }

    /// Frames logged since the last call, oldest first.
    pub fn take_frame_log(&mut self) -> Vec<LoggedFrame> {
        self.frame_log
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// When the stack's timers next need a [`Self::service`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.iface.poll_timeout()
    }

    /// Frames wait for TX ring space.
    pub fn tx_backlogged(&self) -> bool {
        self.held.is_some() || self.iface.tx_queue_len() > 0
    }

    /// Nothing is in flight in the fabric and nothing waits to go there.
    pub fn is_quiet(&self) -> bool {
        self.driver.tx_idle() && !self.tx_backlogged()
    }

    /// One round of work at `now`; `app` runs after received frames and
    /// timers were handled and before transmission, with the interface for
    /// socket calls.
    pub fn service(&mut self, now: Instant, app: impl FnOnce(Instant, &mut Interface)) {
        self.stats.services += 1;
        self.driver.reclaim_tx();
        let iface = &mut self.iface;
        let log = &mut self.frame_log;
        self.driver.receive(u32::MAX, |frame| {
            if let Some(log) = log.as_mut() {
                log.push(LoggedFrame {
                    at: now,
                    direction: FrameDirection::Received,
                    after_app: false,
                    bytes: frame.bytes.to_vec(),
                });
            }
            iface.receive_offloaded(now, frame.bytes, hw_checksum(frame.checksum))
        });
        self.iface.process_backlog(now);
        if self.iface.poll_timeout().is_some_and(|t| t <= now) {
            self.iface.handle_timeout(now);
        }
        // What the input called for (ACKs, the handshake's third segment)
        // leaves before the application reacts, as in Linux's softirq.
        self.transmit(now, false);
        app(now, &mut self.iface);
        self.transmit(now, true);
    }

    /// Moves frames from the interface into the TX ring while it has room.
    fn transmit(&mut self, now: Instant, after_app: bool) {
        while self.driver.tx_space() > 0 {
            let t = match self.held.take() {
                Some(t) => t,
                None => {
                    let Some(t) = self.iface.poll_transmit(now) else {
                        break;
                    };
                    if let Some(log) = self.frame_log.as_mut() {
                        for bytes in self.iface.wire_frames(&t) {
                            log.push(LoggedFrame {
                                at: now,
                                direction: FrameDirection::Sent,
                                after_app,
                                bytes,
                            });
                        }
                    }
                    t
                }
            };
            self.send(t);
        }
        self.driver.flush();
    }

    /// One frame into the TX ring: a TSO send for a run, else with
    /// checksum insertion as the interface asked.
    fn send(&mut self, t: Transmit) {
        let offload = match t.meta.tso {
            Some(tso) => TxOffload::Tso {
                mss: tso.mss,
                hdr_len: tso.hdr_len as u8,
            },
            None if t.meta.fabric_ipv4_checksum || t.meta.fabric_l4_checksum => TxOffload::Checksum,
            None => TxOffload::None,
        };
        match self.driver.transmit(&[&t.frame], offload) {
            Ok(()) => match t.meta.tso {
                Some(tso) => {
                    let hdr = usize::from(tso.hdr_len);
                    let payload = t.frame.len().saturating_sub(hdr);
                    self.stats.tso_sends += 1;
                    self.stats.tso_segments +=
                        payload.div_ceil(usize::from(tso.mss).max(1)).max(1) as u64;
                }
                None => self.stats.plain_sends += 1,
            },
            Err(TxError::RingFull) => {
                self.held = Some(t);
                return;
            }
            Err(TxError::TooLong { .. } | TxError::Empty) => self.stats.tx_too_long += 1,
        }
        // The driver copied the frame into its DMA buffer.
        frame_pool::give(t.frame);
    }
}
