//! UDP sockets on the interface (SPEC W3): bind, connect, send, send_to,
//! recv_from.
//!
//! Invariants:
//! - A port is bound by at most one socket (no `SO_REUSEADDR`).
//! - A socket's receive queue holds at most `udp_rx_queue` datagrams; past
//!   that, arrivals are dropped and counted (Linux `RcvbufErrors`).
//! - A datagram is sent whole in one unfragmented packet or refused with
//!   [`UdpSendError::MessageTooLong`] (SPEC W5: the host never fragments).
//! - Handles are never reused.
//! - A connected socket takes datagrams only from its peer (others find no
//!   socket: port unreachable, as Linux's lookup scores them), and hears
//!   of the hard ICMP errors about its datagrams to that peer, once, from
//!   its next send or receive (Linux `__udp4_lib_err` without `IP_RECVERR`);
//!   an unconnected socket hears of none.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};

use thiserror::Error;

use crate::tcp::{ConnError, IcmpErrorKind};
use crate::time::Instant;
use crate::wire::{IcmpQuote, Ipv4Address, Ipv4Repr, UdpRepr, ipv4, udp};

use super::route::next_hop;
use super::stats::DropCause;
use super::{Interface, Medium};

/// A UDP socket, as the application names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpHandle(pub u64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum UdpBindError {
    #[error("address already in use")]
    AddrInUse,
    /// The local address is neither ours nor `0.0.0.0`.
    #[error("cannot assign requested address")]
    AddrNotAvailable,
    /// Port 0 was asked for and every ephemeral port is bound.
    #[error("no free ephemeral port")]
    NoFreePort,
    #[error("too many UDP sockets")]
    TooManySockets,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum UdpSendError {
    #[error("no such socket")]
    InvalidHandle,
    /// Destination port 0, or an unspecified or multicast destination.
    #[error("invalid destination address")]
    InvalidAddress,
    /// More than MTU − 28 bytes: would need fragmenting (SPEC W5).
    #[error("message too long")]
    MessageTooLong,
    /// Off-link with no gateway (SPEC W2).
    #[error("network is unreachable")]
    NoRoute,
    /// The transmit queue is full; retry after draining `poll_transmit`.
    #[error("transmit queue full")]
    WouldBlock,
    /// `udp_send` on a socket that is not connected (Linux `EDESTADDRREQ`).
    #[error("destination address required")]
    NotConnected,
    /// An ICMP error about an earlier datagram to the connected peer, reported
    /// once; this datagram was not sent.
    #[error("{0}")]
    Network(ConnError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum UdpRecvError {
    #[error("no such socket")]
    InvalidHandle,
    #[error("no datagram waiting")]
    WouldBlock,
    /// An ICMP error about an earlier datagram to the connected peer,
    /// reported once (before any datagram waiting).
    #[error("{0}")]
    Network(ConnError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum UdpConnectError {
    #[error("no such socket")]
    InvalidHandle,
    /// Port 0, or an unspecified or multicast address.
    #[error("invalid destination address")]
    InvalidAddress,
    /// Off-link with no gateway (SPEC W2).
    #[error("network is unreachable")]
    NoRoute,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum UdpCloseError {
    #[error("no such socket")]
    InvalidHandle,
}

/// A received datagram's size and sender; `len < full_len` when the
/// caller's buffer was shorter (the rest is discarded, as Linux's `MSG_TRUNC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpRecv {
    pub len: usize,
    pub full_len: usize,
    pub src: SocketAddrV4,
}

#[derive(Debug)]
struct UdpSocket {
    local: SocketAddrV4,
    /// The peer of a connected socket.
    remote: Option<SocketAddrV4>,
    /// An ICMP error not yet reported (Linux `sk_err`).
    error: Option<ConnError>,
    rx: VecDeque<(SocketAddrV4, Vec<u8>)>,
}

/// What a connected socket hears of an ICMP error (Linux `__udp4_lib_err`:
/// only the hard ones, `icmp_err_convert`'s fatal codes, parameter problem
/// and fragmentation needed).
fn reported(kind: IcmpErrorKind) -> Option<ConnError> {
    match kind {
        IcmpErrorKind::TimeExceeded => None,
        IcmpErrorKind::ParameterProblem => Some(ConnError::ProtocolError),
        IcmpErrorKind::FragmentationNeeded { .. } => Some(ConnError::MessageTooLong),
        IcmpErrorKind::Unreachable { code } => match code {
            2 | 3 | 6..=10 | 13..=15 => kind.meaning(),
            _ => None,
        },
    }
}

#[derive(Debug, Default)]
pub(crate) struct UdpSockets {
    sockets: HashMap<UdpHandle, UdpSocket>,
    by_port: HashMap<u16, UdpHandle>,
    next_handle: u64,
    port_cursor: u32,
}

impl UdpSockets {
    /// Queue a datagram on the socket bound to its port.
    pub fn deliver(
        &mut self,
        ip: &Ipv4Repr,
        udp: &UdpRepr<'_>,
        queue_len: usize,
    ) -> Result<(), DropCause> {
        let h = self
            .by_port
            .get(&udp.dst_port)
            .ok_or(DropCause::NoUdpSocket)?;
        let s = self.sockets.get_mut(h).ok_or(DropCause::NoUdpSocket)?;
        let local = Ipv4Address::from(*s.local.ip());
        if !local.is_unspecified() && local != ip.dst_addr {
            return Err(DropCause::NoUdpSocket);
        }
        let src = SocketAddrV4::new(ip.src_addr.into(), udp.src_port);
        if s.remote.is_some_and(|r| r != src) {
            return Err(DropCause::NoUdpSocket);
        }
        if s.rx.len() >= queue_len {
            return Err(DropCause::UdpQueueFull);
        }
        s.rx.push_back((src, udp.payload.to_vec()));
        Ok(())
    }

    /// An ICMP error quoting a datagram we sent from `quote.src_port`: kept
    /// for the socket if it is connected to the datagram's destination and
    /// the error is one it hears of. Returns whether it was kept.
    pub fn icmp_error(&mut self, quote: &IcmpQuote, kind: IcmpErrorKind) -> bool {
        let Some(s) = self
            .by_port
            .get(&quote.src_port)
            .and_then(|h| self.sockets.get_mut(h))
        else {
            return false;
        };
        let dst = SocketAddrV4::new(quote.dst_addr.into(), quote.dst_port);
        match (s.remote, reported(kind)) {
            (Some(r), Some(e)) if r == dst => {
                s.error = Some(e);
                true
            }
            _ => false,
        }
    }

    pub fn len(&self) -> usize {
        self.sockets.len()
    }
}

impl Interface {
    /// Bind a UDP socket to `local` (our address or `0.0.0.0`); port 0
    /// picks a free ephemeral port.
    pub fn udp_bind(&mut self, local: SocketAddrV4) -> Result<UdpHandle, UdpBindError> {
        let ip = Ipv4Address::from(*local.ip());
        if !ip.is_unspecified() && ip != self.cfg.addr {
            return Err(UdpBindError::AddrNotAvailable);
        }
        if self.udp.len() >= self.cfg.udp_max_sockets {
            return Err(UdpBindError::TooManySockets);
        }
        let port = if local.port() == 0 {
            self.free_udp_port().ok_or(UdpBindError::NoFreePort)?
        } else if self.udp.by_port.contains_key(&local.port()) {
            return Err(UdpBindError::AddrInUse);
        } else {
            local.port()
        };
        let u = &mut self.udp;
        u.next_handle += 1;
        let h = UdpHandle(u.next_handle);
        u.by_port.insert(port, h);
        u.sockets.insert(
            h,
            UdpSocket {
                local: SocketAddrV4::new(*local.ip(), port),
                remote: None,
                error: None,
                rx: VecDeque::new(),
            },
        );
        Ok(h)
    }

    fn free_udp_port(&mut self) -> Option<u16> {
        let (lo, hi) = (
            *self.cfg.udp_ephemeral_ports.start(),
            *self.cfg.udp_ephemeral_ports.end(),
        );
        if lo == 0 || lo > hi {
            return None;
        }
        let span = u32::from(hi - lo) + 1;
        for i in 0..span {
            let port = lo + ((self.udp.port_cursor.wrapping_add(i)) % span) as u16;
            if !self.udp.by_port.contains_key(&port) {
                self.udp.port_cursor = self.udp.port_cursor.wrapping_add(i + 1);
                return Some(port);
            }
        }
        None
    }

    /// The address a socket is bound to.
    pub fn udp_local_addr(&self, h: UdpHandle) -> Option<SocketAddrV4> {
        self.udp.sockets.get(&h).map(|s| s.local)
    }

    /// Connect a socket to `remote` (Linux `connect` on a datagram socket):
    /// [`Self::udp_send`] goes there, datagrams from anyone else are refused
    /// as if no socket were bound, and hard ICMP errors about datagrams to it
    /// are reported. A socket bound to `0.0.0.0` takes our address as its
    /// own (it then hears no broadcasts). Connecting again changes the peer.
    pub fn udp_connect(
        &mut self,
        h: UdpHandle,
        remote: SocketAddrV4,
    ) -> Result<(), UdpConnectError> {
        if !self.udp.sockets.contains_key(&h) {
            return Err(UdpConnectError::InvalidHandle);
        }
        if !valid_destination(remote) {
            return Err(UdpConnectError::InvalidAddress);
        }
        if !self.has_route(remote) {
            return Err(UdpConnectError::NoRoute);
        }
        let addr = self.cfg.addr;
        if let Some(s) = self.udp.sockets.get_mut(&h) {
            s.remote = Some(remote);
            // Linux `ip4_datagram_connect`: an unbound address becomes the source.
            if s.local.ip().is_unspecified() {
                s.local = SocketAddrV4::new(addr.into(), s.local.port());
            }
        }
        Ok(())
    }

    /// The peer a socket is connected to.
    pub fn udp_peer_addr(&self, h: UdpHandle) -> Option<SocketAddrV4> {
        self.udp.sockets.get(&h).and_then(|s| s.remote)
    }

    /// Send one datagram to the connected peer.
    pub fn udp_send(
        &mut self,
        now: Instant,
        h: UdpHandle,
        data: &[u8],
    ) -> Result<(), UdpSendError> {
        let s = self
            .udp
            .sockets
            .get(&h)
            .ok_or(UdpSendError::InvalidHandle)?;
        let dst = s.remote.ok_or(UdpSendError::NotConnected)?;
        self.udp_send_to(now, h, data, dst)
    }

    /// On Ethernet, a next hop towards `dst` (SPEC W2); raw IP reaches anything.
    fn has_route(&self, dst: SocketAddrV4) -> bool {
        match self.cfg.medium {
            Medium::Ethernet(_) => {
                next_hop(&self.cidr, self.cfg.gateway, (*dst.ip()).into()).is_some()
            }
            _ => true,
        }
    }

    /// Send one datagram to `dst`; it is queued for `poll_transmit` (on
    /// Ethernet, after ARP resolution of the next hop). A pending ICMP error
    /// is reported instead, once.
    pub fn udp_send_to(
        &mut self,
        now: Instant,
        h: UdpHandle,
        data: &[u8],
        dst: SocketAddrV4,
    ) -> Result<(), UdpSendError> {
        let s = self
            .udp
            .sockets
            .get_mut(&h)
            .ok_or(UdpSendError::InvalidHandle)?;
        if let Some(e) = s.error.take() {
            return Err(UdpSendError::Network(e));
        }
        let src_port = s.local.port();
        if !valid_destination(dst) {
            return Err(UdpSendError::InvalidAddress);
        }
        if ipv4::HEADER_LEN + udp::HEADER_LEN + data.len() > usize::from(self.cfg.mtu) {
            return Err(UdpSendError::MessageTooLong);
        }
        if !self.has_route(dst) {
            return Err(UdpSendError::NoRoute);
        }
        let dst_ip = Ipv4Address::from(*dst.ip());
        if self.ready.len() >= self.cfg.tx_queue_len {
            return Err(UdpSendError::WouldBlock);
        }
        let repr = UdpRepr {
            src_port,
            dst_port: dst.port(),
            payload: data,
        };
        self.send_datagram(now, &repr, dst_ip);
        Ok(())
    }

    /// Take the oldest datagram: copies up to `buf.len()` bytes. A pending
    /// ICMP error is reported first, once.
    pub fn udp_recv_from(&mut self, h: UdpHandle, buf: &mut [u8]) -> Result<UdpRecv, UdpRecvError> {
        let s = self
            .udp
            .sockets
            .get_mut(&h)
            .ok_or(UdpRecvError::InvalidHandle)?;
        if let Some(e) = s.error.take() {
            return Err(UdpRecvError::Network(e));
        }
        let (src, data) = s.rx.pop_front().ok_or(UdpRecvError::WouldBlock)?;
        let len = data.len().min(buf.len());
        buf[..len].copy_from_slice(&data[..len]);
        Ok(UdpRecv {
            len,
            full_len: data.len(),
            src,
        })
    }

    /// Close a socket; queued datagrams are discarded and the port freed.
    pub fn udp_close(&mut self, h: UdpHandle) -> Result<(), UdpCloseError> {
        let s = self
            .udp
            .sockets
            .remove(&h)
            .ok_or(UdpCloseError::InvalidHandle)?;
        self.udp.by_port.remove(&s.local.port());
        Ok(())
    }
}

/// A port, and a unicast or broadcast address.
fn valid_destination(dst: SocketAddrV4) -> bool {
    let ip = Ipv4Address::from(*dst.ip());
    dst.port() != 0 && !ip.is_unspecified() && (!ip.is_multicast() || ip.is_broadcast())
}

/// `0.0.0.0:port`: bind on any local address.
pub fn any_addr(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)
}
