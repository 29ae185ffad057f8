//! [`UdpSocket`]: datagrams (SPEC W3) through the [`Net`], `std::net`-like.

use std::io::{self, ErrorKind};
use std::net::SocketAddrV4;

use crate::iface::{
    UdpBindError, UdpCloseError, UdpConnectError, UdpHandle, UdpRecvError, UdpSendError, any_addr,
};

use super::{Net, err, would_block};

/// A bound UDP socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UdpSocket {
    handle: UdpHandle,
    local: SocketAddrV4,
}

impl UdpSocket {
    /// Bind `port` on any local address (0: an ephemeral port).
    pub fn bind(net: &mut Net<'_>, port: u16) -> io::Result<UdpSocket> {
        let iface = net.iface_mut();
        let handle = iface.udp_bind(any_addr(port))?;
        let local = iface
            .udp_local_addr(handle)
            .ok_or_else(|| io::Error::other("socket vanished at birth"))?;
        Ok(UdpSocket { handle, local })
    }

    pub fn local_addr(&self) -> SocketAddrV4 {
        self.local
    }

    /// Talk to `peer` only (`std::net::UdpSocket::connect`): [`Self::send`]
    /// goes there, datagrams from others are refused, and an ICMP error
    /// about one sent there (connection refused, ...) fails the next send
    /// or receive, once. A socket bound to any address takes ours as its
    /// local address.
    pub fn connect(&mut self, net: &mut Net<'_>, peer: SocketAddrV4) -> io::Result<()> {
        let iface = net.iface_mut();
        iface.udp_connect(self.handle, peer)?;
        if let Some(local) = iface.udp_local_addr(self.handle) {
            self.local = local;
        }
        Ok(())
    }

    /// The connected peer.
    pub fn peer_addr(&self, net: &mut Net<'_>) -> io::Result<SocketAddrV4> {
        net.iface_mut()
            .udp_peer_addr(self.handle)
            .ok_or_else(|| io::Error::from(ErrorKind::NotConnected))
    }

    /// Send one datagram to the connected peer.
    pub fn send(&self, net: &mut Net<'_>, data: &[u8]) -> io::Result<()> {
        let now = net.now();
        Ok(net.iface_mut().udp_send(now, self.handle, data)?)
    }

    /// Send one datagram (whole, never fragmented: `InvalidInput` past the MTU).
    pub fn send_to(&self, net: &mut Net<'_>, data: &[u8], to: SocketAddrV4) -> io::Result<()> {
        let now = net.now();
        Ok(net.iface_mut().udp_send_to(now, self.handle, data, to)?)
    }

    /// The oldest datagram: bytes copied (the rest of a longer datagram is
    /// discarded) and its sender; `WouldBlock` if none waits.
    pub fn recv_from(
        &self,
        net: &mut Net<'_>,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddrV4)> {
        let r = net.iface_mut().udp_recv_from(self.handle, buf)?;
        Ok((r.len, r.src))
    }

    pub fn close(self, net: &mut Net<'_>) -> io::Result<()> {
        Ok(net.iface_mut().udp_close(self.handle)?)
    }
}

impl From<UdpBindError> for io::Error {
    fn from(e: UdpBindError) -> io::Error {
        let kind = match e {
            UdpBindError::AddrInUse => ErrorKind::AddrInUse,
            UdpBindError::AddrNotAvailable | UdpBindError::NoFreePort => {
                ErrorKind::AddrNotAvailable
            }
            UdpBindError::TooManySockets => ErrorKind::Other,
        };
        err(kind, e)
    }
}

impl From<UdpSendError> for io::Error {
    fn from(e: UdpSendError) -> io::Error {
        let kind = match e {
            UdpSendError::InvalidHandle
            | UdpSendError::InvalidAddress
            | UdpSendError::MessageTooLong => ErrorKind::InvalidInput,
            UdpSendError::NoRoute => ErrorKind::NetworkUnreachable,
            UdpSendError::WouldBlock => return would_block(),
            UdpSendError::NotConnected => ErrorKind::NotConnected,
            UdpSendError::Network(e) => return e.into(),
        };
        err(kind, e)
    }
}

impl From<UdpRecvError> for io::Error {
    fn from(e: UdpRecvError) -> io::Error {
        let kind = match e {
            UdpRecvError::InvalidHandle => ErrorKind::InvalidInput,
            UdpRecvError::WouldBlock => return would_block(),
            UdpRecvError::Network(e) => return e.into(),
        };
        err(kind, e)
    }
}

impl From<UdpConnectError> for io::Error {
    fn from(e: UdpConnectError) -> io::Error {
        let kind = match e {
            UdpConnectError::InvalidHandle | UdpConnectError::InvalidAddress => {
                ErrorKind::InvalidInput
            }
            UdpConnectError::NoRoute => ErrorKind::NetworkUnreachable,
        };
        err(kind, e)
    }
}

impl From<UdpCloseError> for io::Error {
    fn from(e: UdpCloseError) -> io::Error {
        err(ErrorKind::InvalidInput, e)
    }
}
