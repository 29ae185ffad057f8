//! The board's USB-UART as a [`Transport`]: the FT2232H's second channel
//! (`/dev/ttyUSB1` on Linux, usually), 8N1, no flow control, at the
//! bridge's rate (3 Mbaud unless changed).
//!
//! Latency: an FTDI chip sends a short answer up the USB only when its
//! latency timer runs out; [`set_latency_timer`] lowers it to 1 ms when
//! it can (root), else says what to run.
//!
//! Patience: an answer is awaited for the time the request takes on the
//! line at the current rate plus [`SerialTransport::patience`] (USB latency
//! is a few ms; [`DEFAULT_PATIENCE`] unless set), counted from the last
//! byte sent or received; a request with no answer by then is sent again
//! by the link.
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use crate::link::Transport;
use crate::session::Rate;

/// How long an answer may take beyond its request's time on the line.
pub const DEFAULT_PATIENCE: Duration = Duration::from_millis(200);

/// The FTDI latency timer this transport asks for, ms: an FTDI chip holds
/// a short answer until the timer runs out (16 ms by default on Linux),
/// which would make every sync wait for it.
pub const LATENCY_TIMER_MS: u32 = 1;

/// What [`set_latency_timer`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LatencyTimer {
    /// Not a USB serial device with a latency timer (a pseudo-terminal, a
    /// built-in UART): nothing to do.
    NotApplicable,
    /// It was already at [`LATENCY_TIMER_MS`] or below.
    AlreadyLow(u32),
    /// Lowered from the value given.
    Lowered(u32),
    /// It could not be written (not root, read-only sysfs): what to run instead.
    CannotSet { was: u32, advice: String },
}

/// The sysfs file holding the latency timer of the USB serial device at
/// `port` (`/dev/ttyUSB1` or a link to it), if it is one.
pub fn latency_timer_path(port: &str) -> Option<PathBuf> {
    let real = std::fs::canonicalize(port).ok()?;
    let name = real.file_name()?.to_str()?;
    if !name.starts_with("ttyUSB") {
        return None;
    }
    Some(
        Path::new("/sys/bus/usb-serial/devices")
            .join(name)
            .join("latency_timer"),
    )
}

/// Lowers the latency timer of `port` to [`LATENCY_TIMER_MS`] when it is a
/// USB serial device whose timer is higher; says what it did.
pub fn set_latency_timer(port: &str) -> LatencyTimer {
    let Some(path) = latency_timer_path(port) else {
        return LatencyTimer::NotApplicable;
    };
    let Some(was) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
    else {
        return LatencyTimer::NotApplicable;
    };
    if was <= LATENCY_TIMER_MS {
        return LatencyTimer::AlreadyLow(was);
    }
    match std::fs::write(&path, format!("{LATENCY_TIMER_MS}\n")) {
        Ok(()) => LatencyTimer::Lowered(was),
        Err(_) => LatencyTimer::CannotSet {
            was,
            advice: format!("echo {LATENCY_TIMER_MS} | sudo tee {}", path.display()),
        },
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_usb_serial_devices_have_a_latency_timer() {
        assert_eq!(latency_timer_path("/dev/null"), None);
        assert_eq!(latency_timer_path("/nonexistent/ttyUSB1"), None);
        let dir = std::env::temp_dir().join(format!("synack-latency-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dev = dir.join("ttyUSB7");
        std::fs::write(&dev, b"").unwrap();
        let link = dir.join("arty");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&dev, &link).unwrap();
        // A link is followed to the device's own name.
        assert_eq!(
            latency_timer_path(link.to_str().unwrap()),
            Some(PathBuf::from(
                "/sys/bus/usb-serial/devices/ttyUSB7/latency_timer"
            ))
        );
        std::fs::remove_dir_all(dir).unwrap();
        assert_eq!(set_latency_timer("/dev/null"), LatencyTimer::NotApplicable);
    }
}
