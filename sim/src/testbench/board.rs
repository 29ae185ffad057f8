//! A bench around the Verilator model of the Arty board (`ArtyBoard`: the
//! whole board top with the Xilinx primitives' stand-ins, but the MDIO pad):
//! the 100 MHz oscillator, the PHY's MII clocks and nibbles ([`MiiPhy`]),
//! its management interface ([`MdioPhy`], with the board's pull-up on
//! MDIO), the reset button, and the PC's end of the USB-UART ([`UartHost`])
//! under a bridge [`Link`].
//!
//! Time: a step is 5 ns, half an oscillator period; the MII clocks run at
//! 25 MHz (a period of 8 steps), as in `testbench::nic`.
use synack_bridge::board::Call;
use synack_bridge::frame::Op;
use synack_bridge::link::{Link, LinkError};

use crate::mdio::MdioPhy;
use crate::mii::{MiiPhy, Nibble, WireFrame};
use crate::model::ArtyBoard;
use crate::uart::UartHost;

/// Nanoseconds per step.
pub const STEP_NS: u64 = 5;
/// Oscillator cycles a batch of [`Call::call`] may take before the bench
/// gives up: half a second (a full 2 KiB request and its answer take
/// 42 ms at 1 Mbaud).
const CALL_CYCLES: u64 = 50_000_000;
/// Steps per half period of the MII clocks.
const MII_HALF: u64 = 4;

pub struct BoardBench {
    pub model: ArtyBoard,
    pub link: Link<UartHost>,
    pub mdio: MdioPhy,
    phy: MiiPhy,
    step: u64,
    button_pressed: bool,
    last_mdc: bool,
    /// Both the fabric and the PHY drove MDIO at once (never expected).
    pub mdio_conflicts: u64,
}

impl BoardBench {
    /// The board after configuration, its UART at `baud`.
    pub fn new(baud: u32) -> Self {
        let mut model = ArtyBoard::new();
        model.set_clk100(0);
        model.set_ck_rst_n(1);
        model.set_uart_txd_in(1);
        model.set_eth_mdio_i(1);
        model.eval();
        Self {
            model,
            link: Link::new(UartHost::new(baud)),
            mdio: MdioPhy::dp83848(synack_abi::board::phy::ADDRESS as u8),
            phy: MiiPhy::new(false),
            step: 0,
            button_pressed: false,
            last_mdc: false,
            mdio_conflicts: 0,
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.step * STEP_NS
    }

    /// Oscillator cycles since configuration.
    pub fn cycles(&self) -> u64 {
        self.step / 2
    }

    pub fn uart(&mut self) -> &mut UartHost {
        self.link.transport_mut()
    }

    /// Holds the reset button down, or lets it go.
    pub fn press_button(&mut self, pressed: bool) {
        self.button_pressed = pressed;
    }

    pub fn eth_rstn(&self) -> bool {
        self.model.eth_rstn() != 0
    }

    pub fn leds(&self) -> u8 {
        self.model.led() as u8
    }

    /// Puts a frame's nibbles on the receive side of MII.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        self.phy.inject_rx(nibbles);
    }

    /// Frames the board put on the wire; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        self.phy.take_wire_frames()
    }

    /// A frame on MII either way.
    pub fn mii_busy(&self) -> bool {
        self.phy.is_busy()
    }

    /// Runs `cycles` oscillator cycles.
    pub fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.half(false);
            self.half(true);
        }
    }

    /// Runs until `done` (checked every 16 cycles) or `max` cycles pass.
    pub fn run_until(&mut self, max: u64, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        let limit = self.cycles() + max;
        while self.cycles() < limit {
            self.run(16);
            if done(self) {
                return true;
            }
        }
        false
    }

    /// Runs a batch of bridge requests to its answers, or fails (timed
    /// out) after `max` cycles.
    pub fn call_within(&mut self, batch: Vec<Op>, max: u64) -> Result<Vec<Vec<u8>>, LinkError> {
        self.link.start(batch);
        let limit = self.cycles() + max;
        loop {
            if let Some(answers) = self.link.poll()? {
                return Ok(answers);
            }
            if self.cycles() >= limit {
                return Err(LinkError::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("the co-simulated board did not answer within {max} cycles"),
                )));
            }
            self.run(64);
        }
    }

    fn half(&mut self, rising: bool) {
        let k = self.step;
        self.step += 1;
        let now = self.now_ns();
        let m = &mut self.model;
        m.set_clk100(u64::from(rising));
        m.set_ck_rst_n(u64::from(!self.button_pressed));
        let phase = k % (2 * MII_HALF);
        let tx_rise = phase == 2;
        let rx_rise = phase == 6;
        if tx_rise {
            let nibble = Nibble {
                data: m.eth_txd() as u8,
                valid: m.eth_tx_en() != 0,
                error: false,
            };
            self.phy.sample_tx(nibble);
            m.set_eth_tx_clk(1);
        } else if phase == 2 + MII_HALF {
            m.set_eth_tx_clk(0);
        }
        if rx_rise {
            m.set_eth_rx_clk(1);
        } else if phase == (6 + MII_HALF) % (2 * MII_HALF) {
            m.set_eth_rx_clk(0);
        }
        let uart_line = self.link.transport_mut().line(now);
        let m = &mut self.model;
        m.set_uart_txd_in(u64::from(uart_line));
        // MDIO: the fabric drives while eth_mdio_t is low; else the PHY, or the pull-up.
        let fabric = (m.eth_mdio_t() == 0).then(|| m.eth_mdio_o() != 0);
        let line = match (fabric, self.mdio.drive()) {
            (Some(f), Some(_)) => {
                self.mdio_conflicts += 1;
                f
            }
            (Some(f), None) => f,
            (None, Some(p)) => p,
            (None, None) => true,
        };
        m.set_eth_mdio_i(u64::from(line));
        m.eval();
        if rx_rise {
            let n = self.phy.next_rx_nibble();
            m.set_eth_rxd(u64::from(n.data));
            m.set_eth_rx_dv(u64::from(n.valid));
            m.set_eth_rxerr(u64::from(n.error));
        }
        let mdc = m.eth_mdc() != 0;
        if mdc && !self.last_mdc {
            self.mdio.on_edge(line);
        }
        self.last_mdc = mdc;
        let out = m.uart_rxd_out() != 0;
        self.link.transport_mut().sample(now, out);
    }
}

/// Bridge requests through the co-simulated UART, clocking the board until
/// the answers are in.
impl Call for BoardBench {
    fn call(&mut self, batch: Vec<Op>) -> Result<Vec<Vec<u8>>, LinkError> {
        self.call_within(batch, CALL_CYCLES)
    }
}
