//! One error enum per user operation (STYLE "one enum per API operation").
//!
//! Connection-fatal conditions (`Reset`, `TimedOut`, `Refused`, and the
//! ICMP-reported ones) are reported once, by the first operation that sees
//! them (Linux `sk_err`, SPEC T14); afterwards reads see end-of-stream and
//! writes see `BrokenPipe`.

use thiserror::Error;

/// Why a connection died (reported once through `read`/`write`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ConnError {
    #[error("connection refused")]
    Refused,
    #[error("connection reset by peer")]
    Reset,
    #[error("connection timed out")]
    TimedOut,
    /// ICMP network unreachable (Linux `ENETUNREACH`).
    #[error("network is unreachable")]
    NetUnreachable,
    /// ICMP host unreachable or prohibited, or time exceeded (Linux `EHOSTUNREACH`).
    #[error("no route to host")]
    HostUnreachable,
    /// ICMP destination host unknown (Linux `EHOSTDOWN`).
    #[error("host is down")]
    HostDown,
    /// ICMP source host isolated (Linux `ENONET`).
    #[error("machine is not on the network")]
    NotOnNetwork,
    /// ICMP protocol unreachable (Linux `ENOPROTOOPT`).
    #[error("protocol not available")]
    ProtocolUnavailable,
    /// ICMP source route failed (Linux `EOPNOTSUPP`).
    #[error("operation not supported")]
    SourceRouteFailed,
    /// ICMP parameter problem (Linux `EPROTO`).
    #[error("protocol error")]
    ProtocolError,
    /// ICMP fragmentation needed, reported to a connected UDP socket
    /// (Linux `EMSGSIZE`; TCP learns the path MTU instead).
    #[error("message too long")]
    MessageTooLong,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ListenError {
    #[error("address already in use")]
    AddrInUse,
    #[error("backlog must be at least 1")]
    InvalidBacklog,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum AcceptError {
    #[error("no such listener")]
    InvalidHandle,
    #[error("no completed connection is waiting")]
    WouldBlock,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ConnectError {
    /// Every ephemeral port to this destination is taken (SPEC T15).
    #[error("cannot assign requested address: no free ephemeral port")]
    AddrNotAvailable,
    /// The explicit 4-tuple is in use (SPEC C1).
    #[error("4-tuple already in use")]
    AddrInUse,
    /// The configured connection bound is reached (SPEC C2).
    #[error("too many connections")]
    TooManyConnections,
    #[error("invalid destination address")]
    InvalidAddress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ReadError {
    #[error("no such connection")]
    InvalidHandle,
    /// Nothing to read yet (or the connection is still being set up).
    #[error("no data available")]
    WouldBlock,
    #[error(transparent)]
    Connection(#[from] ConnError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum WriteError {
    #[error("no such connection")]
    InvalidHandle,
    /// The send buffer is full (or the connection is still being set up).
    #[error("send buffer full")]
    WouldBlock,
    /// The sending side was shut down or the connection is gone (Linux EPIPE).
    #[error("broken pipe")]
    BrokenPipe,
    #[error(transparent)]
    Connection(#[from] ConnError),
}

/// Which half of a connection `shutdown` closes (`SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shutdown {
    Read,
    Write,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum ShutdownError {
    #[error("no such connection")]
    InvalidHandle,
    #[error("socket is not connected")]
    NotConnected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum CloseError {
    #[error("no such connection or listener")]
    InvalidHandle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum OptionError {
    #[error("no such connection or listener")]
    InvalidHandle,
    /// Outside the range Linux's `setsockopt` accepts (`EINVAL`).
    #[error("option value out of range")]
    InvalidValue,
}
