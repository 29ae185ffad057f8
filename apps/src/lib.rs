//! Applications written against synack's socket API ([`synack_host::socket`]):
//! what `synack tap` runs on the co-simulated NIC so that Linux tools
//! (`nc`, `curl`, `iperf3`) have something to talk to.
//!
//! - [`echo::EchoServer`]: RFC 862, every byte back.
//! - [`discard::DiscardServer`]: RFC 863, every byte read and dropped.
//! - [`http::HttpServer`]: `GET /` answers a status page (the `ss -ant`
//!   listing and counters), `GET /bytes/N` answers N bytes.
//! - [`iperf3::Iperf3Server`]: enough of iperf3's protocol that an
//!   unmodified `iperf3 -c` runs a TCP test against it, both directions.
//! - [`sender::Sender`]: connects and sends N bytes of seeded data, then
//!   closes; SHA-256 of what it sent.
//!
//! Every app is a non-blocking state machine: [`App::poll`] runs on every
//! service of the stack, tries each socket and returns. Nothing a peer sends
//! can make an app panic: bad input closes that connection and is counted.
#![deny(unsafe_code)]
#![deny(unsafe_code)]

pub mod conn;
pub mod discard;
pub mod echo;
pub mod http;
pub mod iperf3;
pub mod sender;

use std::io;

use synack_host::socket::Net;

/// What an app has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Payload bytes read from and written to sockets.
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Connections open now, and accepted or opened in all.
    pub open: usize,
    pub total: u64,
    /// Connections closed because of bad input or an error.
    pub errors: u64,
}

/// An application on the socket API.
pub trait App {
    /// Bind listeners or open connections.
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()>;
    /// One step; called on every service of the stack.
    fn poll(&mut self, net: &mut Net<'_>);
    fn progress(&self) -> Progress;
    /// A client app's work is over (servers run until stopped).
    fn finished(&self) -> bool {
        false
    }
    /// Lines to print since the last call (state of a test, results).
    fn take_log(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// A finished client app's result: a summary, or why it failed.
    fn outcome(&self) -> Option<Result<String, String>> {
        None
    }
    /// A client app stopped before it finished: what was left undone
    /// (servers, and finished clients, have nothing left).
    fn unfinished(&self) -> Option<String> {
        None
    }
}
