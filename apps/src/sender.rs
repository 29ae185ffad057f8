//! A client that connects, sends `bytes` of seeded pseudo-random data,
//! closes, and reports the SHA-256 of what it sent — the other end of a
//! transfer to a Linux sink (`nc -l`, `socat`) whose SHA-256 must match.
//!
//! It is finished once the connection is gone after its FIN was
//! acknowledged (TIME-WAIT or CLOSED), or failed.

use std::io::{self, ErrorKind};
use std::net::SocketAddrV4;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use synack_host::socket::{Net, TcpStream};
use synack_host::tcp::State;

use crate::{App, Progress};

pub struct Sender {
    peer: SocketAddrV4,
    bytes: u64,
    rng: ChaCha8Rng,
    chunk: Vec<u8>,
    chunk_at: usize,
    sha: Sha256,
    stream: Option<TcpStream>,
    connected: bool,
    sent: u64,
    closed: bool,
    done: bool,
    error: Option<String>,
    log: Vec<String>,
    progress: Progress,
}

impl Sender {
    pub fn new(peer: SocketAddrV4, bytes: u64, seed: u64) -> Self {
        Sender {
            peer,
            bytes,
            rng: ChaCha8Rng::seed_from_u64(seed),
            chunk: Vec::new(),
            chunk_at: 0,
            sha: Sha256::new(),
            stream: None,
            connected: false,
            sent: 0,
            closed: false,
            done: false,
            error: None,
            log: Vec::new(),
            progress: Progress::default(),
        }
    }

    /// SHA-256 of the bytes sent so far.
    pub fn digest(&self) -> [u8; 32] {
        self.sha.clone().finalize().into()
    }

    /// Why the transfer failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn fail(&mut self, what: &str, e: io::Error) {
        self.error = Some(format!("{what}: {e}"));
        self.log.push(format!("sender: {what} failed: {e}"));
        self.progress.errors += 1;
        self.done = true;
    }

    fn step(&mut self, net: &mut Net<'_>, stream: TcpStream) -> io::Result<()> {
        if !self.connected {
            if let Some(e) = stream.take_error(net)? {
                return Err(e);
            }
            if !stream.readiness(net).writable {
                return Ok(());
            }
            self.connected = true;
            self.log.push(format!(
                "sender: connected {} -> {}",
                stream.local_addr(),
                self.peer
            ));
        }
        while self.sent < self.bytes {
            if self.chunk_at == self.chunk.len() {
                let n = (self.bytes - self.sent).min(64 * 1024) as usize;
                self.chunk.resize(n, 0);
                self.rng.fill_bytes(&mut self.chunk);
                self.chunk_at = 0;
            }
            match stream.write(net, &self.chunk[self.chunk_at..]) {
                Ok(n) => {
                    self.sha
                        .update(&self.chunk[self.chunk_at..self.chunk_at + n]);
                    self.chunk_at += n;
                    self.sent += n as u64;
                    self.progress.bytes_out += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        if !self.closed {
            stream.close(net)?;
            self.closed = true;
            self.log.push(format!(
                "sender: {} bytes written, SHA-256 {}, closing",
                self.sent,
                hex(&self.digest())
            ));
        }
        // After close() the handle names nothing once the FIN is acknowledged.
        if matches!(stream.state(net), State::Closed | State::TimeWait) {
            self.done = true;
            self.progress.open = 0;
            self.log.push("sender: done, FIN acknowledged".to_string());
        }
        Ok(())
    }
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl App for Sender {
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()> {
        self.stream = Some(TcpStream::connect(net, self.peer)?);
        self.progress.total = 1;
        self.progress.open = 1;
        Ok(())
    }

    fn poll(&mut self, net: &mut Net<'_>) {
        if self.done {
            return;
        }
        let Some(stream) = self.stream else { return };
        if let Err(e) = self.step(net, stream) {
            self.fail("transfer", e);
        }
    }

    fn progress(&self) -> Progress {
        self.progress
    }

    fn finished(&self) -> bool {
        self.done
    }

    fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    fn unfinished(&self) -> Option<String> {
        (!self.done).then(|| {
            format!(
                "{} of {} bytes sent to {}, the connection {}",
                self.sent,
                self.bytes,
                self.peer,
                if self.connected {
                    "open"
                } else {
                    "not yet established"
                }
            )
        })
    }

    fn outcome(&self) -> Option<Result<String, String>> {
        if !self.done {
            return None;
        }
        Some(match &self.error {
            Some(e) => Err(format!("the transfer to {} failed: {e}", self.peer)),
            None => Ok(format!(
                "sent {} bytes to {}, SHA-256 {}",
                self.sent,
                self.peer,
                hex(&self.digest())
            )),
        })
    }
}
