//! Bringing the board up over the bridge, the same way whether the board is
//! on a serial port or co-simulated: read what it is (its ID, its PHY over
//! MDIO, its DMA memory), set the UART's rate, and choose the driver's
//! configuration for the memory it has (`DriverConfig::fitting`).
//!
//! Everything here goes through [`Call`], one batch of requests to its
//! answers: a [`Link`] over a blocking transport runs it (`Link::run`); the
//! co-simulation clocks the model until the answers are in.
//!
//! Invariants: nothing here writes DMA memory or the NIC's registers; an
//! MDIO command carries the opposite of the last finished command's toggle,
//! so it runs exactly once however often the write is repeated.
use synack_abi::board::{self as abi, phy, regs};
use synack_host::driver::DriverConfig;
use synack_host::tcp::Config as TcpConfig;
use thiserror::Error;

use crate::frame::Op;
use crate::link::{Link, LinkError, Transport};

/// Status reads an MDIO command may take before it counts as lost (an MDIO
/// frame is 64 MDC periods, 26 µs at 2.5 MHz: a few status reads at most).
const MDIO_POLLS: u32 = 100;

/// One batch of bridge requests to its answers.
pub trait Call {
    fn call(&mut self, batch: Vec<Op>) -> Result<Vec<Vec<u8>>, LinkError>;

    /// Reads registers (NIC window or board page) in one request.
    fn read_regs(&mut self, addrs: &[u32]) -> Result<Vec<u32>, LinkError> {
        let answers = self.call(vec![Op::RegRead(addrs.iter().map(|&a| a as u16).collect())])?;
        let bytes = answers.first().map_or(&[][..], Vec::as_slice);
        if bytes.len() != 4 * addrs.len() {
            return Err(LinkError::ShortAnswer {
                expected: 4 * addrs.len(),
                got: bytes.len(),
            });
        }
        Ok(bytes
            .chunks_exact(4)
            .map(|w| u32::from_le_bytes(w.try_into().expect("4 bytes")))
            .collect())
    }

    fn read_reg(&mut self, addr: u32) -> Result<u32, LinkError> {
        Ok(self.read_regs(&[addr])?[0])
    }

    fn write_reg(&mut self, addr: u32, value: u32) -> Result<(), LinkError> {
        self.call(vec![Op::RegWrite(vec![(addr as u16, value)])])?;
        Ok(())
    }
}

impl<T: Transport> Call for Link<T> {
    fn call(&mut self, batch: Vec<Op>) -> Result<Vec<Vec<u8>>, LinkError> {
        self.run(batch)
    }
}

/// Why bring-up failed.
#[derive(Debug, Error)]
pub enum BringUpError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(
        "the board answers but its ID is {0:#010x}, not \"ARTY\": is the synack bitstream loaded?"
    )]
    NotArty(u32),
    #[error("the MDIO read of PHY register {0} did not finish")]
    Mdio(u32),
    #[error("no driver configuration fits the board's {0} bytes of DMA memory")]
    NoConfig(usize),
}

/// What bring-up read from the board, and the configuration it chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub phy_id1: u16,
    pub phy_id2: u16,
    /// The PHY's basic mode status register (bit 2: link up).
    pub bmsr: u16,
    pub dma_bytes: u32,
    pub driver: DriverConfig,
}

impl BoardInfo {
    pub fn link_up(&self) -> bool {
        u32::from(self.bmsr) & phy::BMSR_LINK != 0
    }
}

/// Reads PHY register `reg` over MDIO through the board's registers.
pub fn mdio_read(board: &mut impl Call, reg: u32) -> Result<u16, BringUpError> {
    use regs::mdio;
    let last = board.read_reg(regs::MDIO_STATUS)? & mdio::DONE_TOGGLE != 0;
    let toggle = !last;
    let command = (phy::ADDRESS << mdio::PHY_SHIFT)
        | (reg << mdio::REG_SHIFT)
        | if toggle { mdio::TOGGLE } else { 0 };
    board.write_reg(regs::MDIO_COMMAND, command)?;
    for _ in 0..MDIO_POLLS {
        let s = board.read_reg(regs::MDIO_STATUS)?;
        if (s & mdio::DONE_TOGGLE != 0) == toggle && s & mdio::BUSY == 0 {
            return Ok(s as u16);
        }
    }
    Err(BringUpError::Mdio(reg))
}

/// Asks the board to change its UART's rate. The board answers at the old
/// rate, then switches; the caller switches its own end after the answer.
pub fn set_baud(board: &mut impl Call, baud: u32) -> Result<(), BringUpError> {
    board.write_reg(regs::BAUD_DIVISOR, abi::baud_divisor(baud))?;
    Ok(())
}

/// Checks the board is synack's, reads its PHY's ID and status and its DMA
/// memory's size, and chooses the driver's configuration for that memory.
pub fn probe(board: &mut impl Call) -> Result<BoardInfo, BringUpError> {
    let id = board.read_reg(regs::BOARD_ID)?;
    if id != regs::BOARD_ID_VALUE {
        return Err(BringUpError::NotArty(id));
    }
    let phy_id1 = mdio_read(board, phy::PHYIDR1)?;
    let phy_id2 = mdio_read(board, phy::PHYIDR2)?;
    let bmsr = mdio_read(board, phy::BMSR)?;
    let dma_bytes = board.read_reg(regs::DMA_SIZE)?;
    let driver = DriverConfig::fitting(dma_bytes as usize)
        .ok_or(BringUpError::NoConfig(dma_bytes as usize))?;
    Ok(BoardInfo {
        phy_id1,
        phy_id2,
        bmsr,
        dma_bytes,
        driver,
    })
}

/// Caps the TCP receive window to what the NIC's RX buffers hold between
/// two syncs: the board lands frames only in the buffers the host posted,
/// and the host reposts them only when a sync brings the frames back, so a
/// peer sending more frames than `slots` before the next sync would have
/// the rest dropped for want of a buffer and retransmitted after a timeout.
/// The window (half of `rcv_buf`) is `slots - 2` full segments: a window
/// filled with segments that carry options (1448 bytes at MSS 1460) takes
/// one frame more than its size in full segments, and one buffer is kept
/// for ARP. A peer sending small segments can still outrun the buffers:
/// the window counts bytes, the ring counts frames.
pub fn fit_receive_window(tcp: &mut TcpConfig, driver: &DriverConfig) {
    let slots = 1usize << driver.rx_ring_log2;
    let mss = usize::from(tcp.mtu).saturating_sub(40);
    tcp.rcv_buf = tcp.rcv_buf.min(2 * slots.saturating_sub(2) * mss);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receive_window_fits_the_boards_rx_buffers_less_two() {
        let board = DriverConfig::fitting(synack_abi::board::DMA_BYTES).expect("a board config");
        let mut tcp = TcpConfig::default();
        fit_receive_window(&mut tcp, &board);
        let slots = 1usize << board.rx_ring_log2;
        // The advertised window is half of rcv_buf.
        assert_eq!(tcp.rcv_buf / 2, (slots - 2) * 1460);
        // A buffer smaller than the cap is left alone.
        let mut small = TcpConfig {
            rcv_buf: 4096,
            ..TcpConfig::default()
        };
        fit_receive_window(&mut small, &board);
        assert_eq!(small.rcv_buf, 4096);
    }
}
