//! The names the application holds — connection and listener handles —
//! and the events that refer to them. Plain values, shared by the engine,
//! its listeners and its event queue.
//!
//! Invariant: handles are never reused within an engine; a stale handle
//! names nothing.

use super::error::ConnError;

/// A connection, as the application names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionHandle(pub u64);

/// A listening socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerHandle(pub u64);

/// Something the application should hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `connect()` completed (SPEC H7).
    Connected(ConnectionHandle),
    /// A completed connection waits in the accept queue (SPEC H7, H8).
    Incoming(ListenerHandle),
    Readable(ConnectionHandle),
    Writable(ConnectionHandle),
    /// The peer sent FIN (SPEC T2).
    PeerClosed(ConnectionHandle),
    /// A `close()` with `SO_LINGER` finished: `true` if everything sent,
    /// FIN included, was acknowledged before the linger time ran out (SPEC R9).
    Lingered(ConnectionHandle, bool),
    /// The connection is gone; `Some` if it died of an error.
    Closed(ConnectionHandle, Option<ConnError>),
}
