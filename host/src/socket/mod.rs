//! The socket API applications are written against: [`TcpListener`],
//! [`TcpStream`] and [`UdpSocket`], shaped like `std::net`'s, non-blocking, with readiness
//! and errors as [`std::io::ErrorKind`]s.
//!
//! The stack is sans-IO: it has no clock and no thread, so a socket call
//! needs the stack and the current time. [`Net`] is that pair, lent to the
//! application for the duration of one service of the stack (the place an
//! interrupt handler or a poll loop would run it); sockets are small
//! handles that take `&mut Net`:
//!
//! ```
//! use std::io::ErrorKind;
//! use synack_host::socket::{Net, TcpListener, TcpStream};
//! # use synack_host::iface::{Interface, InterfaceConfig};
//! # use synack_host::tcp::{Config, Engine};
//! # use synack_host::time::Instant;
//! # use synack_host::wire::{EthernetAddress, Ipv4Address};
//! # let mut iface = Interface::new(
//! #     InterfaceConfig::ethernet(
//! #         EthernetAddress([2, 0, 0, 0, 0, 1]),
//! #         Ipv4Address::new(192, 0, 2, 2),
//! #         Ipv4Address::new(255, 255, 255, 0),
//! #     ),
//! #     Engine::with_seed(Config::default(), 1),
//! # ).unwrap();
//! let mut net = Net::new(&mut iface, Instant::from_secs(1));
//! let listener = TcpListener::bind(&mut net, 7, 16)?;
//! match listener.accept(&mut net) {
//!     Ok((stream, peer)) => {
//!         let mut buf = [0u8; 1024];
//!         let n = stream.read(&mut net, &mut buf)?;
//!         stream.write(&mut net, &buf[..n])?;
//!     }
//!     // Nobody yet: come back when `net.poll_event()` says `Incoming`.
//!     Err(e) if e.kind() == ErrorKind::WouldBlock => {}
//!     Err(e) => return Err(e),
//! }
//! // An active open returns at once; the stream becomes writable (or
//! // `take_error` reports why not) when the handshake ends.
//! let client = TcpStream::connect(&mut net, "192.0.2.1:80".parse().unwrap())?;
//! assert!(!client.readiness(&net).writable);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A stream is not closed when it goes out of scope (there is no stack to
//! reach from `Drop`): call [`TcpStream::close`], or the connection stays
//! open, as a leaked file descriptor would.
//!
//! Error mapping (Linux errno in brackets): would block
//! ([`ErrorKind::WouldBlock`], `EAGAIN`); reset ([`ErrorKind::ConnectionReset`],
//! `ECONNRESET`); refused (`ECONNREFUSED`); timed out (`ETIMEDOUT`); broken
//! pipe (`EPIPE`); shutting down what is not connected (`ENOTCONN`); a read or
//! write while still connecting would block, as in Linux; address in use / not
//! available (`EADDRINUSE` / `EADDRNOTAVAIL`); no route
//! ([`ErrorKind::NetworkUnreachable`], `ENETUNREACH`); a stale handle
//! ([`ErrorKind::InvalidInput`], `EBADF`); out-of-range option values
//! (`EINVAL`); the connection bound (`EMFILE`, as [`ErrorKind::Other`]).
//! The engine's typed error rides inside the `io::Error` for `downcast`.

pub mod memory_link;
mod tcp;
mod udp;

use std::io::{self, ErrorKind};
use std::net::SocketAddrV4;

use crate::iface::{IfaceConnectError, Interface};
use crate::tcp::{
    AcceptError, CloseError, ConnError, ConnectError, Engine, Event, ListenError, OptionError,
    ReadError, ShutdownError, WriteError,
};
use crate::time::Instant;
use crate::wire::Ipv4Address;

pub use crate::tcp::{Readiness, Shutdown, SockOpt, SocketOptions};
pub use memory_link::MemoryLink;
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;

/// The stack at one instant, lent to the application: every socket call
/// goes through it.
pub struct Net<'a> {
    iface: &'a mut Interface,
    now: Instant,
}

impl<'a> Net<'a> {
    /// The stack `iface` at time `now`. Received segments still waiting in
    /// the backlog are handled first, so sockets show everything that arrived.
    pub fn new(iface: &'a mut Interface, now: Instant) -> Self {
        iface.process_backlog(now);
        Net { iface, now }
    }

    /// The time socket calls happen at.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// This host's address.
    pub fn local_ip(&self) -> Ipv4Address {
        self.iface.addr()
    }

    /// The next readiness event (coalesced per socket: after `Readable`,
    /// read until `WouldBlock`).
    pub fn poll_event(&mut self) -> Option<Event> {
        self.iface.engine_mut().poll_event()
    }

    /// The interface, for statistics and the `ss` listing.
    pub fn interface(&self) -> &Interface {
        self.iface
    }

    /// The TCP engine, for statistics and the `ss` listing.
    pub fn engine(&self) -> &Engine {
        self.iface.engine()
    }

    pub(crate) fn iface_mut(&mut self) -> &mut Interface {
        self.iface
    }

    pub(crate) fn engine_mut(&mut self) -> &mut Engine {
        self.iface.engine_mut()
    }
}

/// The local address for a listener on `port` of this host.
fn local(net: &Net<'_>, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(net.local_ip().into(), port)
}

fn err<E>(kind: ErrorKind, e: E) -> io::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    io::Error::new(kind, e)
}

/// `EWOULDBLOCK`: a non-blocking caller meets it on every empty poll, so it
/// is a bare kind, with nothing allocated (as std's sockets return it).
fn would_block() -> io::Error {
    io::Error::from(ErrorKind::WouldBlock)
}

impl From<ConnError> for io::Error {
    fn from(e: ConnError) -> io::Error {
        let kind = match e {
            ConnError::Refused => ErrorKind::ConnectionRefused,
            ConnError::Reset => ErrorKind::ConnectionReset,
            ConnError::TimedOut => ErrorKind::TimedOut,
            ConnError::NetUnreachable | ConnError::NotOnNetwork => ErrorKind::NetworkUnreachable,
            ConnError::HostUnreachable | ConnError::HostDown => ErrorKind::HostUnreachable,
            ConnError::SourceRouteFailed => ErrorKind::Unsupported,
            ConnError::ProtocolUnavailable | ConnError::ProtocolError => ErrorKind::Other,
            ConnError::MessageTooLong => ErrorKind::InvalidInput,
        };
        err(kind, e)
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::InvalidHandle => err(ErrorKind::InvalidInput, e),
            ReadError::WouldBlock => would_block(),
            ReadError::Connection(c) => c.into(),
        }
    }
}

impl From<WriteError> for io::Error {
    fn from(e: WriteError) -> io::Error {
        match e {
            WriteError::InvalidHandle => err(ErrorKind::InvalidInput, e),
            WriteError::WouldBlock => would_block(),
            WriteError::BrokenPipe => err(ErrorKind::BrokenPipe, e),
            WriteError::Connection(c) => c.into(),
        }
    }
}

impl From<AcceptError> for io::Error {
    fn from(e: AcceptError) -> io::Error {
        match e {
            AcceptError::InvalidHandle => err(ErrorKind::InvalidInput, e),
            AcceptError::WouldBlock => would_block(),
        }
    }
}

impl From<ListenError> for io::Error {
    fn from(e: ListenError) -> io::Error {
        match e {
            ListenError::AddrInUse => err(ErrorKind::AddrInUse, e),
            ListenError::InvalidBacklog => err(ErrorKind::InvalidInput, e),
        }
    }
}

impl From<ConnectError> for io::Error {
    fn from(e: ConnectError) -> io::Error {
        match e {
            ConnectError::AddrNotAvailable => err(ErrorKind::AddrNotAvailable, e),
            ConnectError::AddrInUse => err(ErrorKind::AddrInUse, e),
            ConnectError::TooManyConnections => err(ErrorKind::Other, e),
            ConnectError::InvalidAddress => err(ErrorKind::InvalidInput, e),
        }
    }
}

impl From<IfaceConnectError> for io::Error {
    fn from(e: IfaceConnectError) -> io::Error {
        match e {
            IfaceConnectError::NoRoute => err(ErrorKind::NetworkUnreachable, e),
            IfaceConnectError::Tcp(t) => t.into(),
        }
    }
}

impl From<ShutdownError> for io::Error {
    fn from(e: ShutdownError) -> io::Error {
        match e {
            ShutdownError::InvalidHandle => err(ErrorKind::InvalidInput, e),
            ShutdownError::NotConnected => err(ErrorKind::NotConnected, e),
        }
    }
}

impl From<CloseError> for io::Error {
    fn from(e: CloseError) -> io::Error {
        err(ErrorKind::InvalidInput, e)
    }
}

impl From<OptionError> for io::Error {
    fn from(e: OptionError) -> io::Error {
        err(ErrorKind::InvalidInput, e)
    }
}
