//! The board's USB-UART as a [`Transport`]: the FT2232H's second channel
//! (`/dev/ttyUSB1` on Linux, usually), 8N1, no flow control, at the
//! bridge's rate (3 Mbaud unless changed).
//!
//! Patience: an answer's first byte is awaited for [`ANSWER_TIMEOUT`]; a
//! request with no answer by then is sent again by the link.
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use crate::link::Transport;

/// How long an answer may take to start (USB latency is a few ms).
pub const ANSWER_TIMEOUT: Duration = Duration::from_millis(200);

pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    sent_at: Option<Instant>,
}

impl SerialTransport {
    /// Opens `path` at `baud`.
    pub fn open(path: &str, baud: u32) -> io::Result<Self> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(20))
            .open()
            .map_err(|e| {
                io::Error::other(format!(
                    "cannot open the serial port {path} at {baud} baud ({e}); \
                     the board's bridge is the FT2232H's second port (often /dev/ttyUSB1)"
                ))
            })?;
        Ok(Self {
            port,
            sent_at: None,
        })
    }
}

impl Transport for SerialTransport {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()?;
        self.sent_at = Some(Instant::now());
        Ok(())
    }

    fn receive(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        match self.port.read(&mut buf) {
            Ok(n) => {
                into.extend_from_slice(&buf[..n]);
                if n > 0 {
                    self.sent_at = Some(Instant::now());
                }
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn timed_out(&mut self) -> bool {
        self.sent_at.is_some_and(|t| t.elapsed() > ANSWER_TIMEOUT)
    }
}
