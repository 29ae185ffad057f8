//! The board's USB-UART as a [`Transport`]: the FT2232H's second channel
//! (`/dev/ttyUSB1` on Linux, usually), 8N1, no flow control, at the
//! bridge's rate (3 Mbaud unless changed).
//!
//! Patience: an answer is awaited for the time the request takes on the
//! line at the current rate plus [`SerialTransport::patience`] (USB latency
//! is a few ms; [`DEFAULT_PATIENCE`] unless set), counted from the last
//! byte sent or received; a request with no answer by then is sent again
//! by the link.
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use crate::link::Transport;
use crate::session::Rate;

/// How long an answer may take beyond its request's time on the line.
pub const DEFAULT_PATIENCE: Duration = Duration::from_millis(200);

pub struct SerialTransport {
    port: Box<dyn SerialPort>,
    path: String,
    baud: u32,
    patience: Duration,
    /// When the last byte went or came, and how long an answer may take from then.
    waiting: Option<(Instant, Duration)>,
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
            path: path.to_owned(),
            baud,
            patience: DEFAULT_PATIENCE,
            waiting: None,
        })
    }

    /// How long an answer may take beyond its request's time on the line.
    pub fn set_patience(&mut self, patience: Duration) {
        self.patience = patience;
    }

    pub fn patience(&self) -> Duration {
        self.patience
    }

    /// Time on the line for `bytes` at the current rate (8N1: 10 bits a byte).
    fn line_time(&self, bytes: usize) -> Duration {
        Duration::from_nanos(
            (bytes as u64 * 10).saturating_mul(1_000_000_000) / u64::from(self.baud),
        )
    }
}

impl Rate for SerialTransport {
    fn set_baud(&mut self, baud: u32) -> io::Result<()> {
        self.port.set_baud_rate(baud).map_err(|e| {
            io::Error::other(format!(
                "cannot set the serial port {} to {baud} baud ({e})",
                self.path
            ))
        })?;
        self.baud = baud;
        Ok(())
    }
}

impl Transport for SerialTransport {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()?;
        self.waiting = Some((Instant::now(), self.line_time(bytes.len()) + self.patience));
        Ok(())
    }

    fn receive(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        match self.port.read(&mut buf) {
            Ok(n) => {
                into.extend_from_slice(&buf[..n]);
                if n > 0 {
                    self.waiting = Some((Instant::now(), self.patience));
                }
                Ok(())
            }
            // A signal (Ctrl-C) interrupting the wait is not a fault of the line.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn timed_out(&mut self) -> bool {
        self.waiting
            .is_some_and(|(since, limit)| since.elapsed() > limit)
    }
}
