//! The host on a board: the unchanged driver and stack on the mirror's
//! mappings (SPEC D1), over any transport.
//!
//! [`attach`] is the step after bring-up ([`crate::board::probe`]) shared by
//! the co-simulation and the serial port: read every register into the
//! mirror, map the mirror for the driver, build the stack. [`Session`] is
//! the whole host over a blocking transport (the serial port): it brings the
//! board up at the bridge's default rate, switches to the chosen one, and
//! then alternates one [`Stack::service`] with one mirror sync, so the
//! stack polls as fast as the UART allows.
//!
//! Invariants: the driver runs only while the mirror is in sync (a sync is
//! finished or failed before `service` runs again); a failed sync is an
//! error, never a silent skip — the board's memory and the mirror could no
//! longer be trusted to agree.
use std::io;

use synack_abi::board::DEFAULT_BAUD;
use synack_abi::regs::{self, status};
use synack_host::driver::{DmaError, DmaRegion, Driver, DriverError, RegisterWindow, WindowError};
use synack_host::iface::{Interface, InterfaceConfig};
use synack_host::stack::{Stack, StackError};
use synack_host::tcp::{Config as TcpConfig, Engine};
use synack_host::time::Instant;
use thiserror::Error;

use crate::board::{BoardInfo, BringUpError, Call, fit_receive_window, probe, set_baud};
use crate::link::{Link, LinkError, Transport};
use crate::mirror::{Mirror, MirrorError};

/// Why the host could not be set up on the board, or lost it.
#[derive(Debug, Error)]
pub enum SessionError {
    #[error("bring-up: {0}")]
    BringUp(#[from] BringUpError),
    #[error("the bridge: {0}")]
    Link(#[from] LinkError),
    #[error("the mirror: {0}")]
    Mirror(#[from] MirrorError),
    #[error("the mirror's memory: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Dma(#[from] DmaError),
    #[error(transparent)]
    Driver(#[from] DriverError),
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(
        "the NIC did not stop: after {polls} reads with its engines disabled, STATUS {status:#x}, \
         TX_CONSUMER {tx_consumer}, RX_CONSUMER {rx_consumer} (busy bits and consumer indices should be 0)"
    )]
    NicBusy {
        polls: u32,
        status: u32,
        tx_consumer: u32,
        rx_consumer: u32,
    },
}

/// After bring-up: the NIC stopped, the mirror filled with the board's
/// registers, and the stack on a driver that maps it (configured as `info`
/// chose), its TCP receive window fitted to the board's RX buffers
/// ([`fit_receive_window`]; `seed` for the ISN secret).
///
/// The NIC is stopped here, on the board, before the driver starts: the
/// driver resets the ring engines by writing CONTROL 0 and then enables
/// them, but the mirror carries only a register's value at the end of the
/// driver's run, so against a board an earlier session left running that
/// 0 would never reach it, and the engines would keep the old session's
/// ring positions.
pub fn attach(
    board: &mut impl Call,
    info: &BoardInfo,
    iface: InterfaceConfig,
    mut tcp: TcpConfig,
    seed: u64,
) -> Result<(Mirror, Stack), SessionError> {
    stop_nic(board)?;
    fit_receive_window(&mut tcp, &info.driver);
    let engine = Engine::with_seed(tcp, seed);
    let (mut mirror, maps) = Mirror::new()?;
    let answers = board.call(mirror.initial())?;
    mirror.complete(answers)?;
    let driver = Driver::new(
        RegisterWindow::new(maps.registers)?,
        DmaRegion::new(maps.dma, maps.dma_bus_base)?,
        info.driver,
    )?;
    let stack = Stack::new(iface, engine, driver)?;
    Ok((mirror, stack))
}

/// Status reads the NIC may take to finish its frames once disabled.
const STOP_POLLS: u32 = 1000;

/// Disables the NIC and waits until both engines are idle with their
/// consumer indices back at 0.
fn stop_nic(board: &mut impl Call) -> Result<(), SessionError> {
    board.write_reg(regs::CONTROL, 0)?;
    let mut last = Vec::new();
    for _ in 0..STOP_POLLS {
        last = board.read_regs(&[regs::STATUS, regs::TX_CONSUMER, regs::RX_CONSUMER])?;
        if last[0] & (status::TX_BUSY | status::RX_BUSY) == 0 && last[1] == 0 && last[2] == 0 {
            return Ok(());
        }
    }
    Err(SessionError::NicBusy {
        polls: STOP_POLLS,
        status: last[0],
        tx_consumer: last[1],
        rx_consumer: last[2],
    })
}

/// A transport whose own end's rate can change (the PC's serial port).
pub trait Rate {
    fn set_baud(&mut self, baud: u32) -> io::Result<()>;
}

/// The host on a board over a blocking transport.
pub struct Session<T: Transport> {
    link: Link<T>,
    mirror: Mirror,
    stack: Stack,
    pub info: BoardInfo,
}

impl<T: Transport + Rate> Session<T> {
    /// Brings the board up over `transport` (opened at the board's
    /// power-on rate) and moves both ends to `baud`, then builds the host
    /// on it ([`attach`]). A board left at `baud` by an earlier session that did not
    /// [`Session::close`] does not answer at the power-on rate; it is tried
    /// at `baud` before bring-up fails.
    pub fn open(
        transport: T,
        baud: u32,
        iface: InterfaceConfig,
        tcp: TcpConfig,
        seed: u64,
    ) -> Result<Self, SessionError> {
        let mut link = Link::new(transport);
        let info = match probe(&mut link) {
            Err(BringUpError::Link(LinkError::NoAnswer { .. })) if baud != DEFAULT_BAUD => {
                link.transport_mut().set_baud(baud)?;
                probe(&mut link)?
            }
            other => other?,
        };
        // The board answers at the old rate, then switches (a no-op if
        // it is already there).
        set_baud(&mut link, baud)?;
        link.transport_mut().set_baud(baud)?;
        let (mirror, stack) = attach(&mut link, &info, iface, tcp, seed)?;
        let mut session = Self {
            link,
            mirror,
            stack,
            info,
        };
        // The driver's set-up (rings, registers) goes to the board first.
        session.sync()?;
        Ok(session)
    }

    /// Leaves the board at its power-on rate, so the next session (or a
    /// terminal) finds it there.
    pub fn close(mut self) -> Result<(), SessionError> {
        set_baud(&mut self.link, DEFAULT_BAUD)?;
        Ok(())
    }
}

impl<T: Transport> Session<T> {
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    pub fn link(&self) -> &Link<T> {
        &self.link
    }

    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// One mirror sync, to its end: what the host changed goes to the
    /// board, what the board changed comes back.
    pub fn sync(&mut self) -> Result<(), SessionError> {
        let mut batch = self.mirror.begin();
        loop {
            let answers = self.link.run(batch)?;
            match self.mirror.complete(answers)? {
                Some(next) => batch = next,
                None => return Ok(()),
            }
        }
    }

    /// One round of the stack at `now` (`app` as in [`Stack::service`]),
    /// then a sync.
    pub fn service(
        &mut self,
        now: Instant,
        app: impl FnOnce(Instant, &mut Interface),
    ) -> Result<(), SessionError> {
        self.stack.service(now, app);
        self.sync()
    }
}
