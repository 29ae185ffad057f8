//! The interface: glue between link bytes and the sans-IO TCP engine, plus
//! ARP, routing and UDP (SPEC W1–W5).
//!
//! Sans-IO like the engine (quinn-proto style): no clock, no I/O. The driver
//! (or a test on a virtual clock) calls:
//!
//! ```text
//! iface.receive(now, &frame)                  // every received frame/packet
//! iface.handle_timeout(now)                   // when now >= iface.poll_timeout()
//! while let Some(t) = iface.poll_transmit(now) { send(t.frame, t.meta) }
//! while let Some(e) = iface.engine_mut().poll_event() { notify(e) }
//! ```
//!
//! Two link layers, chosen at construction ([`Medium`]): Ethernet II with ARP,
//! or bare IPv4 packets (a TUN device, smoltcp's `Medium::Ip`).
//!
//! Layout, one concern per file: [`config`] (addresses, bounds), [`route`]
//! (on-link vs gateway), `rx` (receive path), [`tx`] (transmit path and
//! [`TxMeta`]), `neighbor` (packets waiting for ARP), [`segment`] (wire repr
//! ↔ `tcp::Segment`), [`udp`] (sockets), `icmp` (echo and errors) and
//! `icmp_limit` (how often errors may leave), [`stats`] (drops by cause).
//!
//! Invariants:
//! - No input bytes can panic the interface; each rejected frame is counted
//!   once under a [`DropCause`].
//! - No emitted IPv4 packet exceeds `mtu` or is a fragment; TCP packets carry DF.
//! - Checksums are computed and verified only where `caps` says software must.
//!
//! Choices and limits:
//! - Received TCP segments wait in the engine's bounded backlog (SPEC H8
//!   `netdev_max_backlog`, drops counted in `tcp::Stats::rx_backlog_drops`)
//!   and are handled by the next `poll_transmit`, `handle_timeout` or
//!   `process_backlog`, as a softirq handles a NAPI poll's worth of frames.
//! - On [`Medium::Ip`] every packet leaves on the one link: no next hop is needed.
//! - IPv4 fragments are reassembled (`reassembly`, RFC 1122 §3.3.2), bounded
//!   as Linux bounds it; the whole datagram then takes the path of any other
//!   (its TCP or UDP checksum verified in software: the fabric cannot).
//!   Nothing is ever sent fragmented (SPEC W5).
//! - ICMP (`icmp`): echo requests are answered; a datagram to an
//!   unbound UDP port is counted as [`DropCause::NoUdpSocket`] and answered
//!   with port unreachable, rate-limited as Linux does. A received error
//!   quoting one of our TCP segments goes to the engine
//!   (`tcp::Engine::handle_icmp_error`); no PMTU discovery (the host never
//!   sends more than its MTU).
//! - TCP leaves as the engine's runs (`tcp_tx`): one TSO frame per run when
//!   the device segments ([`InterfaceConfig::tso_max_len`]), else cut here;
//!   [`TxMeta`] carries checksum-insertion flags, header offsets and the TSO
//!   cut (SPEC F4, F5).

// Nested `if let`s are kept: the workspace MSRV (1.85) predates let chains.
#![allow(clippy::collapsible_if)]

pub mod config;
mod icmp;
mod icmp_limit;
mod neighbor;
mod reassembly;
pub mod route;
mod rx;
pub mod segment;
pub mod stats;
mod tcp_tx;
mod transmit;
pub mod tx;
pub mod udp;

use std::collections::VecDeque;
use std::net::SocketAddrV4;

use thiserror::Error;

use crate::arp_cache::ArpCache;
use crate::tcp::{
    ConnectError, ConnectionHandle, Engine, ListenError, ListenerHandle, SocketOptions,
};
use crate::time::Instant;
use crate::wire::{EthernetAddress, Ipv4Address, Ipv4Cidr};

pub use config::{
    ConfigError, ICMP_RATELIMIT_BURST, IcmpConfig, InterfaceConfig, Medium, ReassemblyConfig,
};
pub use route::NextHop;
pub use rx::HwChecksum;
pub use stats::{DropCause, InterfaceStats};
pub use tx::{Transmit, TsoMeta, TxMeta};
pub use udp::{
    UdpBindError, UdpCloseError, UdpConnectError, UdpHandle, UdpRecv, UdpRecvError, UdpSendError,
    any_addr,
};

use icmp_limit::IcmpRateLimit;
use neighbor::PendingQueue;
use reassembly::Reassembly;
use udp::UdpSockets;

/// Why [`Interface::tcp_connect`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum IfaceConnectError {
    /// Off-link with no gateway (SPEC W2; Linux `ENETUNREACH`).
    #[error("network is unreachable")]
    NoRoute,
    #[error(transparent)]
    Tcp(#[from] ConnectError),
}

/// An IPv4 interface owning a TCP engine, an ARP cache and UDP sockets.
#[derive(Debug)]
pub struct Interface {
    cfg: InterfaceConfig,
    cidr: Ipv4Cidr,
    engine: Engine,
    arp: ArpCache,
    pending: PendingQueue,
    udp: UdpSockets,
    /// Frames ready for the driver.
    ready: VecDeque<Transmit>,
    /// The frames of the TCP run being sent (kept to reuse its allocation).
    run_frames: Vec<Transmit>,
    ident: u16,
    /// How often ICMP errors may leave.
    icmp_limit: IcmpRateLimit,
    /// Datagrams whose fragments are arriving.
    reasm: Reassembly,
    stats: InterfaceStats,
}

impl Interface {
    /// An interface over `engine`; the configuration is checked here.
    pub fn new(cfg: InterfaceConfig, engine: Engine) -> Result<Self, ConfigError> {
        if !cfg.addr.is_unicast() {
            return Err(ConfigError::AddressNotUnicast);
        }
        let cidr = Ipv4Cidr::from_netmask(cfg.addr, cfg.netmask).ok_or(ConfigError::BadNetmask)?;
        if let Some(gw) = cfg.gateway {
            if !gw.is_unicast() || !cidr.is_on_link(&gw) || gw == cfg.addr {
                return Err(ConfigError::GatewayNotOnLink);
            }
        }
        if let Medium::Ethernet(mac) = cfg.medium {
            if !mac.is_unicast() || mac == EthernetAddress::UNSPECIFIED {
                return Err(ConfigError::MacNotUnicast);
            }
        }
        // RFC 791: "Every internet module must be able to forward a datagram of 68 octets".
        if cfg.mtu < 68 {
            return Err(ConfigError::MtuTooSmall);
        }
        if engine.config().mtu > cfg.mtu {
            return Err(ConfigError::EngineMtuTooLarge);
        }
        if let Some(max) = cfg.tso_max_len {
            if cfg.caps.ipv4.tx() || cfg.caps.tcp.tx() {
                return Err(ConfigError::TsoWithoutChecksumOffload);
            }
            if max < cfg.medium.header_len() + usize::from(cfg.mtu) {
                return Err(ConfigError::TsoMaxTooSmall);
            }
        }
        Ok(Interface {
            arp: ArpCache::new(cfg.arp),
            cidr,
            engine,
            pending: PendingQueue::default(),
            udp: UdpSockets::default(),
            ready: VecDeque::new(),
            run_frames: Vec::new(),
            ident: 0,
            icmp_limit: IcmpRateLimit::default(),
            reasm: Reassembly::default(),
            stats: InterfaceStats::default(),
            cfg,
        })
    }

    pub fn config(&self) -> &InterfaceConfig {
        &self.cfg
    }

    /// Our address.
    pub fn addr(&self) -> Ipv4Address {
        self.cfg.addr
    }

    pub fn stats(&self) -> &InterfaceStats {
        &self.stats
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, for the TCP user API (read, write, close, events, ...).
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    pub fn arp_cache(&self) -> &ArpCache {
        &self.arp
    }

    /// Packets waiting for ARP resolution.
    pub fn arp_queue_len(&self) -> usize {
        self.pending.len()
    }

    /// Where a packet to `dst` goes (SPEC W2); `None`: no route.
    pub fn route(&self, dst: Ipv4Address) -> Option<NextHop> {
        route::next_hop(&self.cidr, self.cfg.gateway, dst)
    }

    /// The earliest instant at which [`Self::handle_timeout`] must run: the
    /// engine's timers, ARP retries and reassembly timeouts.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.engine.poll_timeout(),
            self.pending.next_retry(),
            self.reasm.next_expiry(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Handle the TCP segments received since the last call (the engine's
    /// backlog), before the application looks at its sockets.
    pub fn process_backlog(&mut self, now: Instant) {
        self.engine.process_backlog(now);
    }

    /// Run the engine's due timers, ARP retries and reassembly timeouts.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.arp_timeouts(now);
        self.reassembly_timeouts(now);
    }

    /// Datagrams incomplete, and the bytes they are charged (against
    /// `ReassemblyConfig::high_thresh`).
    pub fn reassembly_footprint(&self) -> (usize, usize) {
        (self.reasm.len(), self.reasm.charged())
    }

    /// Listen for TCP on our address.
    pub fn tcp_listen(&mut self, port: u16, backlog: usize) -> Result<ListenerHandle, ListenError> {
        let local = SocketAddrV4::new(self.cfg.addr.into(), port);
        self.engine.listen(local, backlog)
    }

    /// Open a TCP connection from our address to `remote`.
    pub fn tcp_connect(
        &mut self,
        now: Instant,
        remote: SocketAddrV4,
    ) -> Result<ConnectionHandle, IfaceConnectError> {
        self.tcp_connect_with(now, remote, SocketOptions::default())
    }

    /// [`Self::tcp_connect`] with socket options set before the SYN (SPEC R9).
    pub fn tcp_connect_with(
        &mut self,
        now: Instant,
        remote: SocketAddrV4,
        opts: SocketOptions,
    ) -> Result<ConnectionHandle, IfaceConnectError> {
        if let Medium::Ethernet(_) = self.cfg.medium {
            match self.route(Ipv4Address::from(*remote.ip())) {
                Some(NextHop::Unicast(_)) => {}
                Some(NextHop::Broadcast) | None => return Err(IfaceConnectError::NoRoute),
            }
        }
        Ok(self
            .engine
            .connect_with(now, self.cfg.addr.into(), remote, opts)?)
    }
}
