//! RFC 863 discard: every byte read and dropped; the server closes when
//! the client finishes sending.

use std::io;

use synack_host::socket::{Net, TcpListener};

use crate::conn::Conn;
use crate::{App, Progress};

pub struct DiscardServer {
    port: u16,
    listener: Option<TcpListener>,
    clients: Vec<Conn>,
    progress: Progress,
}

impl DiscardServer {
    pub fn new(port: u16) -> Self {
        DiscardServer {
            port,
            listener: None,
            clients: Vec::new(),
            progress: Progress::default(),
        }
    }
}

impl App for DiscardServer {
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()> {
        self.listener = Some(TcpListener::bind(net, self.port, 128)?);
        Ok(())
    }

    fn poll(&mut self, net: &mut Net<'_>) {
        let Some(l) = self.listener else { return };
        while let Ok((stream, _)) = l.accept(net) {
            self.clients.push(Conn::new(stream));
            self.progress.total += 1;
        }
        let p = &mut self.progress;
        self.clients.retain_mut(|c| match c.drain(net) {
            Ok(pass) => {
                p.bytes_in += pass.bytes as u64;
                if pass.eof {
                    let _ = c.stream.close(net);
                }
                !pass.eof
            }
            Err(_) => {
                p.errors += 1;
                let _ = c.stream.close(net);
                false
            }
        });
        self.progress.open = self.clients.len();
    }

    fn progress(&self) -> Progress {
        self.progress
    }
}
