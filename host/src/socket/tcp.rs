//! [`TcpListener`] and [`TcpStream`]: handles onto the engine's listeners and
//! connections, with `std::net`-like calls that take the [`Net`].
//!
//! Invariant: a handle is only a name; every call checks it against the
//! engine, so a stale handle (closed, or from another stack) is an
//! `InvalidInput` error, never a panic or another socket's data.

use std::io;
use std::net::SocketAddrV4;

use crate::tcp::{ConnectionHandle, ListenerHandle, State};

use super::{Net, Readiness, Shutdown, SockOpt, SocketOptions, local};

/// A listening TCP socket (`socket` + `bind` + `listen`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpListener {
    handle: ListenerHandle,
    local: SocketAddrV4,
}

impl TcpListener {
    /// Listen on `port` of this host's address with an accept queue of
    /// `backlog` (capped by `somaxconn`, SPEC H8).
    pub fn bind(net: &mut Net<'_>, port: u16, backlog: usize) -> io::Result<TcpListener> {
        let local = local(net, port);
        let handle = net.engine_mut().listen(local, backlog)?;
        Ok(TcpListener { handle, local })
    }

    /// [`Self::bind`] with options set before any connection arrives; the
    /// connections it accepts inherit them (SPEC R9).
    pub fn bind_with(
        net: &mut Net<'_>,
        port: u16,
        backlog: usize,
        opts: &[SockOpt],
    ) -> io::Result<TcpListener> {
        let l = Self::bind(net, port, backlog)?;
        for &o in opts {
            if let Err(e) = l.set_option(net, o) {
                let _ = l.close(net);
                return Err(e);
            }
        }
        Ok(l)
    }

    pub fn local_addr(&self) -> SocketAddrV4 {
        self.local
    }

    /// The engine's name for it (for `Event::Incoming`).
    pub fn handle(&self) -> ListenerHandle {
        self.handle
    }

    /// A completed connection, or `WouldBlock` (SPEC H7).
    pub fn accept(&self, net: &mut Net<'_>) -> io::Result<(TcpStream, SocketAddrV4)> {
        let (handle, peer) = net.engine_mut().accept(self.handle)?;
        Ok((TcpStream::from_accepted(handle, self.local, peer), peer))
    }

    /// Connections waiting to be accepted.
    pub fn pending(&self, net: &Net<'_>) -> io::Result<usize> {
        net.engine()
            .acceptable(self.handle)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no such listener"))
    }

    /// `setsockopt`; accepted connections inherit the options.
    pub fn set_option(&self, net: &mut Net<'_>, opt: SockOpt) -> io::Result<()> {
        Ok(net.engine_mut().set_listener_option(self.handle, opt)?)
    }

    /// Stop listening; connections not yet accepted are reset.
    pub fn close(self, net: &mut Net<'_>) -> io::Result<()> {
        let now = net.now();
        Ok(net.engine_mut().close_listener(now, self.handle)?)
    }
}

/// A TCP connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpStream {
    handle: ConnectionHandle,
    local: SocketAddrV4,
    peer: SocketAddrV4,
}

impl TcpStream {
    fn from_accepted(handle: ConnectionHandle, listener: SocketAddrV4, peer: SocketAddrV4) -> Self {
        TcpStream {
            handle,
            local: listener,
            peer,
        }
    }

    /// Open a connection to `peer` from this host's address and an
    /// ephemeral port. Non-blocking: it returns in SYN-SENT; the stream
    /// becomes writable once connected (`Event::Connected`), or
    /// [`Self::take_error`] says why it failed (`Event::Closed`).
    pub fn connect(net: &mut Net<'_>, peer: SocketAddrV4) -> io::Result<TcpStream> {
        Self::connect_with(net, peer, SocketOptions::default())
    }

    /// [`Self::connect`] with options that shape the handshake (`TCP_MAXSEG`).
    pub fn connect_with(
        net: &mut Net<'_>,
        peer: SocketAddrV4,
        opts: SocketOptions,
    ) -> io::Result<TcpStream> {
        let now = net.now();
        let handle = net.iface_mut().tcp_connect_with(now, peer, opts)?;
        let local = net
            .engine()
            .connection(handle)
            .map(|c| c.tuple().local)
            .ok_or_else(|| io::Error::other("connection vanished at birth"))?;
        Ok(TcpStream {
            handle,
            local,
            peer,
        })
    }

    pub fn local_addr(&self) -> SocketAddrV4 {
        self.local
    }

    pub fn peer_addr(&self) -> SocketAddrV4 {
        self.peer
    }

    /// The engine's name for it (events carry it).
    pub fn handle(&self) -> ConnectionHandle {
        self.handle
    }

    /// Read in-order data: `Ok(0)` is end of stream; `WouldBlock` when
    /// nothing is there yet. A connection-fatal error is returned once.
    pub fn read(&self, net: &mut Net<'_>, buf: &mut [u8]) -> io::Result<usize> {
        let now = net.now();
        Ok(net.engine_mut().read(now, self.handle, buf)?)
    }

    /// Read up to `max` bytes without copying them: a view of the received
    /// frame where the bytes are one payload (small payloads are gathered
    /// and copied once). Empty is end of stream; `WouldBlock` when nothing
    /// is ready.
    pub fn read_bytes(
        &self,
        net: &mut Net<'_>,
        max: usize,
    ) -> io::Result<crate::buffer::payload::Payload> {
        let now = net.now();
        Ok(net.engine_mut().read_bytes(now, self.handle, max)?)
    }

    /// Queue data to send; returns how much the send buffer took
    /// (`WouldBlock` when it is full).
    pub fn write(&self, net: &mut Net<'_>, data: &[u8]) -> io::Result<usize> {
        let now = net.now();
        Ok(net.engine_mut().write(now, self.handle, data)?)
    }

    /// `shutdown(how)`: `Write` sends FIN after the queued data (SPEC T7).
    pub fn shutdown(&self, net: &mut Net<'_>, how: Shutdown) -> io::Result<()> {
        let now = net.now();
        Ok(net.engine_mut().shutdown(now, self.handle, how)?)
    }

    /// `close()`: let the connection finish on its own (FIN, or RST with
    /// linger 0 or unread data; SPEC T1, T14). With `SO_LINGER` set, the
    /// outcome arrives as `Event::Lingered`.
    pub fn close(self, net: &mut Net<'_>) -> io::Result<()> {
        let now = net.now();
        Ok(net.engine_mut().close(now, self.handle)?)
    }

    /// `setsockopt` (SPEC R9).
    pub fn set_option(&self, net: &mut Net<'_>, opt: SockOpt) -> io::Result<()> {
        let now = net.now();
        Ok(net.engine_mut().set_option(now, self.handle, opt)?)
    }

    /// `getsockopt`: every option's value.
    pub fn options(&self, net: &Net<'_>) -> io::Result<SocketOptions> {
        Ok(net.engine().options(self.handle)?)
    }

    /// `SO_ERROR`: the pending error, once (then it is cleared).
    pub fn take_error(&self, net: &mut Net<'_>) -> io::Result<Option<io::Error>> {
        Ok(net
            .engine_mut()
            .take_error(self.handle)?
            .map(io::Error::from))
    }

    /// Which calls would not block now.
    pub fn readiness(&self, net: &Net<'_>) -> Readiness {
        net.engine().readiness(self.handle).unwrap_or(Readiness {
            readable: true,
            writable: true,
            read_closed: true,
            write_closed: true,
            error: false,
        })
    }

    /// The TCP state (RFC 9293 names; `Closed` once released).
    pub fn state(&self, net: &Net<'_>) -> State {
        net.engine().state(self.handle)
    }
}
