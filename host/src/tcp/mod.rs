//! The sans-IO TCP engine (SPEC C, H, T, K, R).
//!
//! Pure state machine, as quinn-proto and smoltcp do it: no clock, no I/O, no
//! threads. Inputs: [`Engine::handle_segment`], [`Engine::handle_timeout`] and
//! the user calls; outputs: [`Engine::poll_transmit`], [`Engine::poll_timeout`],
//! [`Engine::poll_event`]. Behaviour follows Linux where RFCs leave room,
//! because it is checked against packet traces recorded from Linux.
//!
//! Layout: [`segment`] (the engine's own segment type), [`config`] (every
//! default), [`connection`] (one TCB, split by concern), [`listener`] (SYN and
//! accept queues, cookies), [`time_wait`] (compact TIME-WAIT records),
//! [`isn`] (keyed hashes), [`engine`] (the owner of it all), [`ss`] (listing).
//!
//! Driving loop (the stack, or a test harness on a virtual clock):
//!
//! ```text
//! engine.handle_segment(now, seg)        // for every received segment
//! engine.handle_timeout(now)             // when now >= engine.poll_timeout()
//! while let Some(s) = engine.poll_transmit(now) { send(s) }
//! while let Some(e) = engine.poll_event() { notify(e) }
//! ```
//!
//! Linux behaviours implemented beyond the RFCs: SYN/SYN-ACK option order,
//! initial windows (64240/65160), quick-ACK and ATO-based delayed ACKs,
//! ping-pong mode, `tcp_model_timeout` give-up budgets, tail loss probes on
//! SACK connections, cwnd-limited growth, slow start after idle, D-SACK,
//! RFC 5961 challenge ACKs with `tcp_invalid_ratelimit`, TIME-WAIT
//! assassination by an exact RST (`tcp_rfc1337 = 0`), the accept queue's
//! `backlog + 1` capacity.
//!
//! Loss recovery: NewReno (RFC 6582) partial-ACK handling without SACK; with
//! SACK a scoreboard and RFC 6675's `IsLost` (by segment count) choose what
//! to resend; in both, Proportional Rate Reduction (RFC 6937) paces the
//! repairs as Linux's `tcp_cwnd_reduction` does.
//!
//! Not implemented (yet): RACK loss detection (Linux's default; here the
//! duplicate-ACK / SACK-count rules decide), receive-buffer autotuning
//! (the window grows only up to `rcv_buf / 2`), urgent data, ECN, TCP Fast
//! Open, `TCP_USER_TIMEOUT`, path-MTU probing (RFC 4821; only ICMP-driven
//! discovery, RFC 1191, is done: [`path_mtu`]).

// Nested `if let`s are kept: the workspace MSRV (1.85) predates let chains.
#![allow(clippy::collapsible_if)]

pub mod config;
pub mod connection;
pub mod engine;
pub mod error;
mod events;
pub mod handles;
pub mod isn;
pub mod listener;
pub mod options;
pub mod path_mtu;
pub mod run;
pub mod segment;
pub mod ss;
pub mod time_wait;

#[cfg(test)]
mod tests;

pub use config::{Config, SynCookies};
pub use connection::state::State;
pub use connection::{ConnEvent, Connection, DropCounts, Readiness};
pub use engine::{
    ConnectionHandle, Engine, Event, Footprint, IcmpError, IcmpErrorKind, ListenerHandle, Stats,
};
pub use error::{
    AcceptError, CloseError, ConnError, ConnectError, ListenError, OptionError, ReadError,
    Shutdown, ShutdownError, WriteError,
};
pub use options::{SockOpt, SocketOptions};
pub use run::{Piece, RunLimit, TxRun};
pub use segment::{Flags, FourTuple, Segment, SeqNumber, TcpOptions, Timestamps};
