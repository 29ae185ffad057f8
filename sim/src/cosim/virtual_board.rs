//! A co-simulated Arty board that the PC side reaches as it reaches a real
//! one (SPEC A1, D1, S4): its USB-UART is a pseudo-terminal, so `synack
//! board --serial PATH` (the `serialport` transport, unchanged) drives it,
//! and its Ethernet is a TAP device in a network namespace, so Linux tools
//! there are the peers on the wire.
//!
//! The board is `ArtyBoard` in Verilator (`BoardBench`): the PC's end of
//! the UART is bit-level ([`crate::uart::UartHost`]) at the rate the PC set
//! on its end of the pseudo-terminal — as the FTDI chip runs at the rate the
//! PC gives it — read from the terminal's settings whenever bytes arrive
//! with the line idle. The MII side is the PHY model, its frames to and
//! from the kernel as in the TAP testbed (padded, FCS added and removed).
//!
//! Time: simulated time never runs ahead of the wall clock (the PC and the
//! kernel run in real time); a busy board clocks as fast as Verilator
//! allows and falls behind it — to both the PC and Linux the board is a
//! slow one. With nothing on the UART or the MII for [`IDLE_CYCLES`] (the
//! fabric has long finished the last request's DMA), the board's clock is
//! stopped until a byte or a frame arrives: its registers keep their
//! values, and nothing on the board measures the time in between.
//!
//! Invariants: every byte the PC writes reaches the board's UART in order,
//! and every byte the board sends reaches the terminal, unless no PC has
//! the terminal open (then it is dropped and counted, as a real FTDI chip
//! drops what no one reads); the terminal's path, and the link to it if
//! one was asked for, exist from [`VirtualBoard::new`] until drop.
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serialport::{SerialPort, TTYPort};
use thiserror::Error;

use super::tap_port::TapPort;
use crate::mii::encode_frame;
use crate::tap::TapLink;
use crate::testbench::board::BoardBench;

/// Oscillator cycles clocked between looks at the terminal and the TAP.
const CHUNK_CYCLES: u64 = 64;
/// Cycles with nothing on the UART or MII after which the board's clock
/// stops until something arrives (200 µs: a request's DMA takes a few µs).
pub const IDLE_CYCLES: u64 = 20_000;
/// How long a stopped board sleeps before it looks again.
const NAP: Duration = Duration::from_micros(300);
/// Oscillator cycles the reset sequence may take (10 ms PHY reset and more).
const BRING_UP_CYCLES: u64 = 3_000_000;

#[derive(Debug, Error)]
pub enum VirtualBoardError {
    #[error("cannot create the pseudo-terminal for the board's UART: {0}")]
    Pty(#[from] serialport::Error),
    #[error("cannot link {} to the board's UART {}: {source}; choose a path in a folder you can write, not an existing file", link.display(), pty.display())]
    Link {
        link: PathBuf,
        pty: PathBuf,
        source: io::Error,
    },
    #[error("the board did not come out of reset within {0} cycles")]
    NoReset(u64),
    #[error("the board's UART terminal: {0}")]
    Io(#[from] io::Error),
}

/// What the virtual board counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtualBoardStats {
    /// Bytes from the PC to the board's UART, and back.
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Bytes the board sent while no PC had the terminal open.
    pub bytes_dropped: u64,
    /// Frames from the kernel onto the MII, and from the MII to the kernel.
    pub frames_in: u64,
    pub frames_out: u64,
    /// Oscillator cycles clocked.
    pub cycles: u64,
    /// The UART's rate changed (following the PC's end).
    pub baud_changes: u64,
}

pub struct VirtualBoard {
    bench: BoardBench,
    pty: TTYPort,
    pty_path: PathBuf,
    link: Option<PathBuf>,
    tap: TapPort,
    baud: u32,
    /// The rate the PC set that the UART has not taken yet (it was busy).
    pending_baud: Option<u32>,
    idle_cycles: u64,
    pc_attached: bool,
    buf: Vec<u8>,
    pub stats: VirtualBoardStats,
}

impl VirtualBoard {
    /// The board out of reset (PHY reset done, clocks locked), its UART on
    /// a new pseudo-terminal (linked from `link` if given), its Ethernet on
    /// `tap`.
    pub fn new(tap: TapLink, link: Option<&Path>) -> Result<Self, VirtualBoardError> {
        let baud = synack_abi::board::DEFAULT_BAUD;
        let (mut master, slave) = TTYPort::pair()?;
        let pty_path = PathBuf::from(
            slave
                .name()
                .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?,
        );
        // The PC opens the terminal by its path; this end keeps only the master.
        drop(slave);
        master.set_timeout(Duration::ZERO)?;
        if let Some(l) = link {
            // An earlier run's link is replaced; any other file is kept.
            if std::fs::symlink_metadata(l).is_ok_and(|m| m.file_type().is_symlink()) {
                let _ = std::fs::remove_file(l);
            }
            std::os::unix::fs::symlink(&pty_path, l).map_err(|source| VirtualBoardError::Link {
                link: l.to_path_buf(),
                pty: pty_path.clone(),
                source,
            })?;
        }
        let mut bench = BoardBench::new(baud);
        if !bench.run_until(BRING_UP_CYCLES, |b| b.eth_rstn() && b.leds() != 0xF) {
            return Err(VirtualBoardError::NoReset(BRING_UP_CYCLES));
        }
        let start_ns = bench.now_ns();
        Ok(Self {
            bench,
            pty: master,
            pty_path,
            link: link.map(Path::to_path_buf),
            tap: TapPort::new(tap, start_ns),
            baud,
            pending_baud: None,
            idle_cycles: 0,
            pc_attached: false,
            buf: vec![0; 4096],
            stats: VirtualBoardStats::default(),
        })
    }

    /// The terminal the PC opens (`/dev/pts/N`).
    pub fn pty_path(&self) -> &Path {
        &self.pty_path
    }

    pub fn tap(&self) -> &TapLink {
        self.tap.link()
    }

    /// Frames the TAP dropped: (oversize from the kernel, kernel queue full).
    pub fn tap_drops(&self) -> (u64, u64) {
        (self.tap.oversize, self.tap.kernel_queue_full)
    }

    /// Simulated time since configuration, ns.
    pub fn now_ns(&self) -> u64 {
        self.bench.now_ns()
    }

    /// The UART's rate now.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// The board's LEDs (LD4–LD7).
    pub fn leds(&self) -> u8 {
        self.bench.leds()
    }

    /// A PC has the terminal open (it wrote since the board last found it closed).
    pub fn pc_attached(&self) -> bool {
        self.pc_attached
    }

    /// Runs for `wall` of wall time.
    pub fn run_for(&mut self, wall: Duration) -> Result<(), VirtualBoardError> {
        let end = std::time::Instant::now() + wall;
        while std::time::Instant::now() < end {
            self.step()?;
        }
        Ok(())
    }

    fn step(&mut self) -> Result<(), VirtualBoardError> {
        let mut moved = self.take_from_pc()?;
        for frame in self.tap.poll(self.now_ns()) {
            self.bench.inject_rx(&encode_frame(&frame, false));
            self.stats.frames_in += 1;
            moved = true;
        }
        let now = self.now_ns();
        let uart_idle = self.uart_idle(now);
        if let Some(b) = self.pending_baud.take_if(|_| uart_idle) {
            self.set_baud(b);
        }
        let busy = moved || !uart_idle || self.bench.mii_busy();
        self.idle_cycles = if busy {
            0
        } else {
            self.idle_cycles + CHUNK_CYCLES
        };
        if self.idle_cycles > IDLE_CYCLES {
            std::thread::sleep(NAP);
            return Ok(());
        }
        self.bench.run(CHUNK_CYCLES);
        self.stats.cycles += CHUNK_CYCLES;
        for frame in self.bench.take_wire_frames() {
            if let Ok(bytes) = frame.bytes() {
                self.tap.to_kernel(&bytes);
                self.stats.frames_out += 1;
            }
        }
        self.send_to_pc();
        self.tap.hold_back(self.now_ns());
        Ok(())
    }

    /// Bytes the PC wrote go to the UART, at the rate it set.
    fn take_from_pc(&mut self) -> Result<bool, VirtualBoardError> {
        let n = match self.pty.read(&mut self.buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => 0,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            // Hung up: no one has the terminal open.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.pc_attached = false;
                0
            }
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            return Ok(false);
        }
        self.pc_attached = true;
        match self.pty.baud_rate() {
            Ok(b) if b != self.baud => {
                let now = self.now_ns();
                if self.uart_idle(now) {
                    self.set_baud(b);
                } else {
                    self.pending_baud = Some(b);
                }
            }
            _ => {}
        }
        self.bench.uart().write(&self.buf[..n]);
        self.stats.bytes_in += n as u64;
        Ok(true)
    }

    /// Nothing on the UART either way: its rate may change.
    fn uart_idle(&mut self, now_ns: u64) -> bool {
        self.bench.uart().is_idle(now_ns) && !self.bench.uart().is_receiving()
    }

    fn set_baud(&mut self, baud: u32) {
        self.bench.uart().set_baud(baud);
        self.baud = baud;
        self.stats.baud_changes += 1;
    }

    /// Bytes the board sent go to the terminal.
    fn send_to_pc(&mut self) {
        let bytes = self.bench.uart().take_received();
        if bytes.is_empty() {
            return;
        }
        match self.pty.write_all(&bytes) {
            Ok(()) => self.stats.bytes_out += bytes.len() as u64,
            Err(_) => {
                self.pc_attached = false;
                self.stats.bytes_dropped += bytes.len() as u64;
            }
        }
    }
}

impl Drop for VirtualBoard {
    fn drop(&mut self) {
        if let Some(l) = &self.link {
            let _ = std::fs::remove_file(l);
        }
    }
}
