//! The bulk-transfer scenario the demo, the end-to-end tests and the
//! benchmark share: node 0 (client) connects to node 1 (server), writes
//! `bytes` of seeded pseudo-random data and closes; the server reads to end
//! of stream and closes. Both sides hash what they sent and received
//! (SHA-256), and every TCP state change is logged with its time.
//!
//! This is application code on the socket API, nothing more: all the TCP
//! work happens in the engines below it.
use std::net::SocketAddrV4;

use core::time::Duration;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use std::io::ErrorKind;

use synack_host::socket::{Net, TcpListener, TcpStream};
use synack_host::tcp::Event;
use synack_host::time::Instant;

use super::Testbed;

use super::trace::state_of;

/// What to transfer.
#[derive(Clone, Debug)]
pub struct TransferConfig {
    pub bytes: u64,
    /// Seeds the data stream.
    pub data_seed: u64,
    pub server: SocketAddrV4,
    /// How long the server waits after end of stream before it closes, so
    /// the four segments of the close stay apart (0: close at once, which
    /// lets the server's FIN carry the ACK of the client's).
    pub server_close_delay: Duration,
}

/// A state change of one side of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub at: Instant,
    pub node: usize,
    pub state: String,
}

/// The scenario's progress; pass [`Transfer::app`] to the testbed.
pub struct Transfer {
    cfg: TransferConfig,
    data: ChaCha8Rng,
    chunk: Vec<u8>,
    chunk_at: usize,
    listener: Option<TcpListener>,
    client: Option<TcpStream>,
    server: Option<TcpStream>,
    /// The client's address, once connected.
    client_addr: Option<SocketAddrV4>,
    pub sent: u64,
    pub received: u64,
    sha_sent: Sha256,
    sha_received: Sha256,
    client_closed: bool,
    server_closed: bool,
    /// End of stream was read; the server closes at this time.
    server_close_at: Option<Instant>,
    states: [String; 2],
    pub changes: Vec<StateChange>,
    pub established_at: Option<Instant>,
    pub all_received_at: Option<Instant>,
    /// Errors the socket calls returned that a correct run never sees.
    pub errors: Vec<String>,
}

impl Transfer {
    pub fn new(cfg: TransferConfig) -> Self {
        Self {
            data: ChaCha8Rng::seed_from_u64(cfg.data_seed),
            cfg,
            chunk: Vec::new(),
            chunk_at: 0,
            listener: None,
            client: None,
            server: None,
            client_addr: None,
            sent: 0,
            received: 0,
            sha_sent: Sha256::new(),
            sha_received: Sha256::new(),
            client_closed: false,
            server_closed: false,
            server_close_at: None,
            states: [String::from("CLOSED"), String::from("CLOSED")],
            changes: Vec::new(),
            established_at: None,
            all_received_at: None,
            errors: Vec::new(),
        }
    }

    pub fn config(&self) -> &TransferConfig {
        &self.cfg
    }

    /// Every byte arrived and both sides are CLOSED (the client after TIME-WAIT).
    pub fn finished(&self) -> bool {
        self.received == self.cfg.bytes
            && self.client_closed
            && self.server_closed
            && self.states.iter().all(|s| s == "CLOSED")
    }

    /// Both sides reached ESTABLISHED.
    pub fn established(&self) -> bool {
        self.established_at.is_some() && self.server.is_some()
    }

    /// The client's current state ("TIME-WAIT", ...).
    pub fn state(&self, node: usize) -> &str {
        &self.states[node]
    }

    /// SHA-256 of what the client sent and of what the server received.
    pub fn digests(&self) -> ([u8; 32], [u8; 32]) {
        (
            self.sha_sent.clone().finalize().into(),
            self.sha_received.clone().finalize().into(),
        )
    }

    /// The client's local address, once it connected.
    pub fn client_addr(&self) -> Option<SocketAddrV4> {
        self.client_addr
    }

    /// Goodput from ESTABLISHED at the client to the last byte read by the
    /// server, in Mb/s of simulated time.
    pub fn goodput_mbps(&self) -> Option<f64> {
        let (a, b) = (self.established_at?, self.all_received_at?);
        let secs = (b.total_micros() - a.total_micros()) as f64 / 1e6;
        (secs > 0.0).then(|| self.received as f64 * 8.0 / secs / 1e6)
    }

    /// Runs `tb` until the transfer is [`finished`](Self::finished) or
    /// `max_ns` of simulated time have passed, calling `progress` after
    /// every slice: `slice_ns` of simulated time while anything happens, an
    /// idle stretch (TIME-WAIT, a long wire delay) crossed in one slice.
    /// Returns whether it finished.
    pub fn run(
        &mut self,
        tb: &mut Testbed,
        max_ns: u64,
        slice_ns: u64,
        mut progress: impl FnMut(&Transfer, &mut Testbed),
    ) -> bool {
        let end = tb.now_ns().saturating_add(max_ns);
        while !self.finished() && tb.now_ns() < end {
            let now = tb.now_ns();
            let idle_to = tb.idle_until().unwrap_or(0);
            let slice = slice_ns.max(idle_to.saturating_sub(now)).min(end - now);
            tb.run_until(slice, &mut |n, net| self.app(n, net), |_| false);
            progress(self, tb);
        }
        self.finished()
    }

    /// The application: runs inside every service of node `node`; returns
    /// when it next wants to run by itself (the server's delayed close).
    pub fn app(&mut self, node: usize, net: &mut Net<'_>) -> Option<Instant> {
        self.note_state(node, net);
        match node {
            0 => self.client(net),
            _ => self.server(net),
        }
        self.note_state(node, net);
        match node {
            0 => None,
            _ => self.server_close_at.filter(|_| !self.server_closed),
        }
    }

    fn note_state(&mut self, node: usize, net: &Net<'_>) {
        // The server's side before anyone connected: its listener's state.
        let anyone = SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0);
        let now = net.now();
        let state = match (node, self.client_addr) {
            (0, None) => "CLOSED".to_string(),
            (0, Some(local)) => state_of(net.engine(), now, local, self.cfg.server),
            (_, client) => state_of(net.engine(), now, self.cfg.server, client.unwrap_or(anyone)),
        };
        if state != self.states[node] {
            self.states[node] = state.clone();
            self.changes.push(StateChange {
                at: now,
                node,
                state,
            });
        }
    }

    fn client(&mut self, net: &mut Net<'_>) {
        let Some(stream) = self.client else {
            match TcpStream::connect(net, self.cfg.server) {
                Ok(s) => {
                    self.client = Some(s);
                    self.client_addr = Some(s.local_addr());
                }
                Err(e) => self.errors.push(format!("connect: {e}")),
            }
            return;
        };
        while let Some(ev) = net.poll_event() {
            match ev {
                Event::Connected(_) => self.established_at = Some(net.now()),
                Event::Closed(_, Some(e)) => self.errors.push(format!("client: {e}")),
                _ => {}
            }
        }
        if self.established_at.is_none() || self.client_closed {
            return;
        }
        while self.sent < self.cfg.bytes {
            if self.chunk_at == self.chunk.len() {
                let n = (self.cfg.bytes - self.sent).min(64 * 1024) as usize;
                self.chunk.resize(n, 0);
                self.data.fill_bytes(&mut self.chunk);
                self.chunk_at = 0;
            }
            match stream.write(net, &self.chunk[self.chunk_at..]) {
                Ok(n) => {
                    self.sha_sent
                        .update(&self.chunk[self.chunk_at..self.chunk_at + n]);
                    self.chunk_at += n;
                    self.sent += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => {
                    self.errors.push(format!("write: {e}"));
                    return;
                }
            }
        }
        if let Err(e) = stream.close(net) {
            self.errors.push(format!("client close: {e}"));
        }
        self.client_closed = true;
    }

    fn server(&mut self, net: &mut Net<'_>) {
        let Some(listener) = self.listener else {
            match TcpListener::bind(net, self.cfg.server.port(), 16) {
                Ok(l) => self.listener = Some(l),
                Err(e) => self.errors.push(format!("listen: {e}")),
            }
            return;
        };
        while let Some(ev) = net.poll_event() {
            if let Event::Closed(_, Some(e)) = ev {
                self.errors.push(format!("server: {e}"));
            }
        }
        if self.server.is_none() {
            if let Ok((s, peer)) = listener.accept(net) {
                self.server = Some(s);
                self.client_addr.get_or_insert(peer);
            }
        }
        let Some(stream) = self.server else { return };
        if self.server_closed {
            return;
        }
        let now = net.now();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stream.read(net, &mut buf) {
                Ok(0) => {
                    let at = *self
                        .server_close_at
                        .get_or_insert(now + self.cfg.server_close_delay);
                    if now >= at {
                        if let Err(e) = stream.close(net) {
                            self.errors.push(format!("server close: {e}"));
                        }
                        self.server_closed = true;
                        if let Err(e) = listener.close(net) {
                            self.errors.push(format!("close listener: {e}"));
                        }
                    }
                    return;
                }
                Ok(n) => {
                    self.sha_received.update(&buf[..n]);
                    self.received += n as u64;
                    if self.received == self.cfg.bytes {
                        self.all_received_at = Some(now);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => {
                    self.errors.push(format!("read: {e}"));
                    return;
                }
            }
        }
    }
}
