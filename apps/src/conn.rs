//! A stream with an output queue: what the application produced and the
//! send buffer has not taken yet waits here, so apps never lose bytes to
//! `WouldBlock` and never block.
//!
//! Invariant: `out[sent..]` are the bytes not yet written, in order.

use std::io::{self, ErrorKind};

use synack_host::socket::{Net, TcpStream};

/// What one read pass found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadPass {
    pub bytes: usize,
    /// The peer finished sending (end of stream).
    pub eof: bool,
}

#[derive(Debug)]
pub struct Conn {
    pub stream: TcpStream,
    out: Vec<u8>,
    sent: usize,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Self {
        Conn {
            stream,
            out: Vec::new(),
            sent: 0,
        }
    }

    /// Bytes queued and not yet taken by the send buffer.
    pub fn pending(&self) -> usize {
        self.out.len() - self.sent
    }

    pub fn queue(&mut self, data: &[u8]) {
        if self.sent == self.out.len() {
            self.out.clear();
            self.sent = 0;
        }
        self.out.extend_from_slice(data);
    }

    /// Write queued bytes until the send buffer is full; returns how many went.
    pub fn flush(&mut self, net: &mut Net<'_>) -> io::Result<usize> {
        let mut n = 0;
        while self.sent < self.out.len() {
            match self.stream.write(net, &self.out[self.sent..]) {
                Ok(k) => {
                    self.sent += k;
                    n += k;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Read into `buf` (appending) until `WouldBlock`, end of stream, or
    /// `buf` holds `limit` bytes.
    pub fn read_into(
        &mut self,
        net: &mut Net<'_>,
        buf: &mut Vec<u8>,
        limit: usize,
    ) -> io::Result<ReadPass> {
        let mut pass = ReadPass::default();
        let mut chunk = [0u8; 16 * 1024];
        while buf.len() < limit {
            let room = (limit - buf.len()).min(chunk.len());
            match self.stream.read(net, &mut chunk[..room]) {
                Ok(0) => {
                    pass.eof = true;
                    break;
                }
                Ok(k) => {
                    buf.extend_from_slice(&chunk[..k]);
                    pass.bytes += k;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        Ok(pass)
    }

    /// Read and drop everything available; returns how much and whether the
    /// stream ended.
    pub fn drain(&mut self, net: &mut Net<'_>) -> io::Result<ReadPass> {
        let mut pass = ReadPass::default();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(net, &mut chunk) {
                Ok(0) => {
                    pass.eof = true;
                    return Ok(pass);
                }
                Ok(k) => pass.bytes += k,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(pass),
                Err(e) => return Err(e),
            }
        }
    }
}
