//! The co-simulated Arty board as a host's NIC (SPEC A1, D1, S1): the real
//! driver and stack reach `ArtyBoard` in Verilator only through the USB-UART
//! bridge, bit by bit at the UART's rate, through the same mirror
//! (`synack_bridge::mirror`) that drives a real board over a serial port.
//! The board's MII leads over a wire to a second host on a co-simulated
//! NicCore (`Node`, as in the two-NIC testbed).
//!
//! Bring-up, as on the bench: wait for the core (MMCM locked) and the PHY
//! (its 10 ms reset), then as against a real board
//! (`synack_bridge::board::probe`): read the PHY's ID over MDIO and the
//! board's DMA size and choose the driver's configuration for that memory;
//! read the NIC's registers into the mirror, then start the driver.
//!
//! Scheduling: both models are clocked in chunks of [`CHUNK_CYCLES`] at
//! the same 100 MHz; after each chunk the bridge's link is polled. The
//! board's host runs whenever the mirror is in sync (so it polls as fast as
//! the UART allows: every sync carries its status reads) and then starts
//! the next sync; the peer host runs as in the two-NIC testbed (on its
//! interrupt, its timers, or when asked). No idle time is skipped: the
//! UART is never idle while the board's host polls.

use synack_abi::board as abi;
use synack_bridge::board::{BoardInfo, BringUpError, probe, set_baud};
use synack_bridge::link::LinkError;
use synack_bridge::mirror::{Mirror, MirrorError};
use synack_bridge::session::{SessionError, attach};
use synack_host::iface::InterfaceConfig;
use synack_host::socket::Net;
use synack_host::stack::Stack;
use thiserror::Error;

use super::transfer::Transfer;
use super::{Apps, Node, NodeConfig, TestbedError, instant};
use crate::mii::encode_frame;
use crate::testbench::board::BoardBench;
use crate::wire::{Wire, WireConfig};

/// Core cycles clocked between scheduling decisions.
pub const CHUNK_CYCLES: u64 = 64;
/// Oscillator cycles the bring-up may take (10 ms PHY reset and more).
const BRING_UP_CYCLES: u64 = 3_000_000;

/// Why the board testbed failed.
#[derive(Debug, Error)]
pub enum BoardError {
    #[error(transparent)]
    Testbed(#[from] TestbedError),
    #[error("the bridge: {0}")]
    Link(#[from] LinkError),
    #[error("the mirror: {0}")]
    Mirror(#[from] MirrorError),
    #[error("the board did not come out of reset within {0} cycles")]
    NoReset(u64),
    #[error("bring-up: {0}")]
    BringUp(#[from] BringUpError),
    #[error("the board's host: {0}")]
    Attach(#[from] SessionError),
}

/// What the bridge had carried at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BridgeCounts {
    pub at_ns: u64,
    /// Bytes on the UART to the board and back (frames whole).
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub requests: u64,
    pub resends: u64,
    /// Mirror syncs finished, and DMA-memory bytes they wrote and read.
    pub syncs: u64,
    pub dma_pushed: u64,
    pub dma_pulled: u64,
}

/// The board host: the bench, the mirror, the stack.
pub struct BoardHost {
    pub bench: BoardBench,
    mirror: Mirror,
    stack: Stack,
    /// A sync is running.
    syncing: bool,
    pub info: BoardInfo,
}

impl BoardHost {
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }
}

/// The board (endpoint 0) and a co-simulated NIC (endpoint 1) on a wire.
pub struct BoardTestbed {
    pub board: BoardHost,
    pub peer: Node,
    /// `wires[e]`: endpoint e's frames to the other.
    wires: [Wire; 2],
    /// The board's frames on the wire, either way.
    pub frames: [u64; 2],
}

impl BoardTestbed {
    /// Brings the board up (as the module notes say) at `baud` and builds
    /// both hosts. `board_node` gives the board host's addresses and TCP
    /// settings (its driver configuration is chosen for the board).
    pub fn new(
        board_node: &NodeConfig,
        peer_node: &NodeConfig,
        baud: u32,
        wires: [WireConfig; 2],
    ) -> Result<Self, BoardError> {
        let mut bench = BoardBench::new(abi::DEFAULT_BAUD);
        if !bench.run_until(BRING_UP_CYCLES, |b| b.eth_rstn() && b.leds() != 0xF) {
            return Err(BoardError::NoReset(BRING_UP_CYCLES));
        }
        if baud != abi::DEFAULT_BAUD {
            set_baud(&mut bench, baud)?;
            // The board switches once its answer's stop bit is out.
            bench.run(100);
            bench.uart().set_baud(baud);
        }
        let info = probe(&mut bench)?;
        let mut iface =
            InterfaceConfig::ethernet(board_node.mac, board_node.addr, board_node.netmask);
        iface.gateway = board_node.gateway;
        let (mirror, stack) = attach(
            &mut bench,
            &info,
            iface,
            board_node.tcp.clone(),
            board_node.seed,
        )?;
        let mut peer = Node::new(peer_node)?;
        // The peer's NIC idled through the board's bring-up.
        let behind = bench.now_ns() - peer.nic.bench().sim_time_ns();
        peer.nic.bench_mut().skip_idle(behind);
        let mut tb = Self {
            board: BoardHost {
                bench,
                mirror,
                stack,
                syncing: false,
                info,
            },
            peer,
            wires: wires.map(Wire::new),
            frames: [0; 2],
        };
        // The driver's set-up (rings, registers) goes to the board first.
        tb.start_sync();
        Ok(tb)
    }

    /// The bridge's counters now, for rates over a stretch of the run.
    pub fn bridge_counts(&self) -> BridgeCounts {
        let link = &self.board.bench.link;
        let mirror = &self.board.mirror;
        BridgeCounts {
            at_ns: self.now_ns(),
            bytes_sent: link.bytes_sent,
            bytes_received: link.bytes_received,
            requests: link.requests,
            resends: link.resends,
            syncs: mirror.syncs,
            dma_pushed: mirror.bytes_pushed,
            dma_pulled: mirror.bytes_pulled,
        }
    }

    /// Runs the transfer scenario with the board as its client (node 0)
    /// until every byte arrived, the board is in TIME-WAIT and the peer
    /// CLOSED, or `max_ns` passed; `progress` after every `slice_ns`.
    /// TIME-WAIT is not waited out: the board's host polls the bridge
    /// without pause, so there is no idle time to jump over, and two MSL
    /// of UART traffic would take hours to co-simulate. Returns whether it
    /// got there.
    pub fn run_transfer(
        &mut self,
        t: &mut Transfer,
        max_ns: u64,
        slice_ns: u64,
        mut progress: impl FnMut(&Transfer, &BoardTestbed),
    ) -> Result<bool, BoardError> {
        let end = self.now_ns().saturating_add(max_ns);
        let done = |t: &Transfer| {
            t.received == t.config().bytes && t.state(0) == "TIME-WAIT" && t.state(1) == "CLOSED"
        };
        while !done(t) && self.now_ns() < end {
            let slice = slice_ns.min(end - self.now_ns());
            self.run_until(slice, &mut |n, net| t.app(n, net), |_| false)?;
            progress(t, self);
        }
        Ok(done(t))
    }

    /// Simulated time, nanoseconds (the board's clock).
    pub fn now_ns(&self) -> u64 {
        self.board.bench.now_ns()
    }

    /// Runs until `done` holds or `max_ns` of simulated time pass.
    pub fn run_until(
        &mut self,
        max_ns: u64,
        apps: &mut Apps<'_>,
        mut done: impl FnMut(&BoardTestbed) -> bool,
    ) -> Result<bool, BoardError> {
        let end = self.now_ns().saturating_add(max_ns);
        while self.now_ns() < end {
            if done(self) {
                return Ok(true);
            }
            self.step(apps)?;
        }
        Ok(done(self))
    }

    fn step(&mut self, apps: &mut Apps<'_>) -> Result<(), BoardError> {
        let now_ns = self.now_ns();
        // The board's host, once the mirror is in sync.
        if !self.board.syncing {
            let now = instant(now_ns);
            self.board.stack.service(now, |now, iface| {
                apps(0, &mut Net::new(iface, now));
            });
            self.start_sync();
        }
        // The peer's host.
        if self.peer.nic.registers_synced() && self.peer.due(now_ns) {
            self.peer.serve(1, now_ns, apps, |_, _| {});
        }
        // Frames the wires deliver by now.
        for bytes in self.wires[0].receive(now_ns) {
            self.peer
                .nic
                .bench_mut()
                .inject_rx(&encode_frame(&bytes, false));
        }
        for bytes in self.wires[1].receive(now_ns) {
            self.board.bench.inject_rx(&encode_frame(&bytes, false));
        }
        // Clock both.
        self.board.bench.run(CHUNK_CYCLES);
        self.peer.nic.run(CHUNK_CYCLES);
        let now_ns = self.now_ns();
        for frame in self.board.bench.take_wire_frames() {
            if let Ok(bytes) = frame.bytes() {
                self.frames[0] += 1;
                self.wires[0].send(now_ns, bytes);
            }
        }
        for frame in self.peer.nic.bench_mut().take_wire_frames() {
            if let Ok(bytes) = frame.bytes() {
                self.frames[1] += 1;
                self.wires[1].send(now_ns, bytes);
            }
        }
        // The bridge.
        if let Some(answers) = self.board.bench.link.poll()? {
            match self.board.mirror.complete(answers)? {
                Some(next) => self.board.bench.link.start(next),
                None => self.board.syncing = false,
            }
        }
        Ok(())
    }

    fn start_sync(&mut self) {
        let batch = self.board.mirror.begin();
        self.board.bench.link.start(batch);
        self.board.syncing = true;
    }
}
