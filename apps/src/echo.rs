//! RFC 862 echo: every byte a client sends comes back; when the client
//! finishes sending, the server finishes too (after the echo is out).
//!
//! Backpressure: a connection's unsent echo is capped at [`MAX_PENDING`];
//! past it the server stops reading that connection until the client reads,
//! so a client that never reads cannot grow the server's memory.

use std::io;

use synack_host::socket::{Net, Shutdown, TcpListener};

use crate::conn::Conn;
use crate::{App, Progress};

/// Unsent echo bytes per connection before reading pauses.
pub const MAX_PENDING: usize = 256 * 1024;

struct Client {
    conn: Conn,
    eof: bool,
}

pub struct EchoServer {
    port: u16,
    listener: Option<TcpListener>,
    clients: Vec<Client>,
    progress: Progress,
}

impl EchoServer {
    pub fn new(port: u16) -> Self {
        EchoServer {
            port,
            listener: None,
            clients: Vec::new(),
            progress: Progress::default(),
        }
    }

    /// One connection's step; `Ok(false)` when it is finished.
    fn step(c: &mut Client, net: &mut Net<'_>, p: &mut Progress) -> io::Result<bool> {
        p.bytes_out += c.conn.flush(net)? as u64;
        if !c.eof && c.conn.pending() < MAX_PENDING {
            let mut buf = Vec::new();
            let pass = c
                .conn
                .read_into(net, &mut buf, MAX_PENDING - c.conn.pending())?;
            p.bytes_in += pass.bytes as u64;
            c.conn.queue(&buf);
            c.eof = pass.eof;
            p.bytes_out += c.conn.flush(net)? as u64;
        }
        if c.eof && c.conn.pending() == 0 {
            c.conn.stream.shutdown(net, Shutdown::Write)?;
            c.conn.stream.close(net)?;
            return Ok(false);
        }
        Ok(true)
    }
}

impl App for EchoServer {
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()> {
        self.listener = Some(TcpListener::bind(net, self.port, 128)?);
        Ok(())
    }

    fn poll(&mut self, net: &mut Net<'_>) {
        let Some(l) = self.listener else { return };
        while let Ok((stream, _)) = l.accept(net) {
            self.clients.push(Client {
                conn: Conn::new(stream),
                eof: false,
            });
            self.progress.total += 1;
        }
        let p = &mut self.progress;
        self.clients.retain_mut(|c| match Self::step(c, net, p) {
            Ok(alive) => alive,
            Err(_) => {
                p.errors += 1;
                let _ = c.conn.stream.close(net);
                false
            }
        });
        self.progress.open = self.clients.len();
    }

    fn progress(&self) -> Progress {
        self.progress
    }
}
