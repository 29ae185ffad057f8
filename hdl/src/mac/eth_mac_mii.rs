//! `eth_mac_mii`: the whole MII Ethernet MAC (SPEC F1, F2, F8).
//!
//! Clocks: `clock` (core, 100 MHz), `mii_tx_clk` and `mii_rx_clk` (25 MHz at
//! 100 Mb/s, 2.5 MHz at 10 Mb/s, both driven by the PHY). Everything but two
//! register stages runs in the core domain; MII nibbles cross through
//! asynchronous FIFOs, so the framers see nibbles at the line rate whatever
//! the ratio of the clocks.
//!
//! Core side: `s_axis` takes frames to send (no FCS; at most 1514 bytes,
//! longer ones are dropped whole and counted); `m_axis` gives received,
//! checked frames without FCS. Both are store-and-forward through
//! `axis_frame_fifo`s, so backpressure never reaches the wire: a transmit
//! frame starts only when it is complete, and a received frame is
//! released only when its FCS is good.
//!
//! Statistics (SPEC F8) leave as events for a `stat_bank`: `stat_events`
//! bit `i` pulses for one event of counter `i` (`synack_abi::regs::stat`
//! indices 0..=9: frames and bytes each way, bytes without FCS and before
//! padding, and drops by cause), with `stat_tx_bytes` / `stat_rx_bytes` the
//! byte amounts during their pulses. `EthMacMiiCounted` is the MAC with its
//! bank, the standalone design its Verilator tests run.
use crate::bus::axis::{AxisMaster, AxisSlave};
use crate::bus::frame_write::FrameWriteMaster;
use crate::bus::mii::Mii;
use crate::csr::stat_bank::StatBank;
use crate::mac::eth_mac_rx::EthMacRx;
use crate::mac::eth_mac_tx::EthMacTx;
use crate::prim::const_bits::ConstBits;
use crate::stream::axis_frame_fifo::AxisFrameFifo;
use rust_hdl::prelude::*;
use synack_abi::regs::{self, stat};

/// Largest frame accepted for transmission, without FCS.
pub const MAX_TX_FRAME: u64 = 1514;

/// Frame FIFO size: 2^11 bytes, room for one largest frame and more.
type FrameFifo = AxisFrameFifo<11, 12>;
/// Nibble crossings: 32 entries cover the synchronizers' round trip. The
/// transmit side reports `almost_empty` below 16 nibbles: see `tx_active`.
type TxNibbleCdc = AsynchronousFIFO<Bits<5>, 5, 6, 16>;
type RxNibbleCdc = AsynchronousFIFO<Bits<6>, 5, 6, 1>;

// The event bits written as literals in `update` (hdl_gen takes no named
// constants there): the MAC's counters are the first ten of the bank.
const _: () = assert!(regs::consecutive(
    &[
        stat::TX_FRAMES,
        stat::TX_BYTES,
        stat::TX_DROP_OVERSIZE,
        stat::RX_FRAMES,
        stat::RX_BYTES,
        stat::RX_DROP_FCS,
        stat::RX_DROP_RUNT,
        stat::RX_DROP_OVERSIZE,
        stat::RX_DROP_RX_ER,
        stat::RX_DROP_OVERFLOW,
    ],
    0
));

#[derive(LogicBlock, Default)]
pub struct EthMacMii {
    pub clock: Signal<In, Clock>,
    /// To the PHY.
    pub mii: Mii,
    /// Frames to send.
    pub s_axis: AxisSlave,
    /// Frames received.
    pub m_axis: AxisMaster,
    // Statistics (SPEC F8).
    pub stat_events: Signal<Out, Bits<10>>,
    pub stat_tx_bytes: Signal<Out, Bits<12>>,
    pub stat_rx_bytes: Signal<Out, Bits<12>>,
    tx_fifo: FrameFifo,
    tx: EthMacTx,
    tx_cdc: TxNibbleCdc,
    // The write pointer reaches tx_clk through a handshake, so the reader sees
    // it in steps; it starts popping only with 16 nibbles in hand, then pops
    // one per tx_clk until the FIFO is empty (the core fills it 4x faster).
    tx_active: DFF<Bit>,
    tx_pop: Signal<Local, Bit>,
    txd_out: DFF<Bits<4>>,
    tx_en_out: DFF<Bit>,
    rx_in: DFF<Bits<6>>,
    rx_cdc: RxNibbleCdc,
    rx: EthMacRx,
    rx_fifo: FrameFifo,
    ingress_bytes: DFF<Bits<12>>,
    ingress_oversize: DFF<Bit>,
    ingress_beat: Signal<Local, Bit>,
    max_tx_frame: ConstBits<12, MAX_TX_FRAME>,
    tx_drop_oversize: Signal<Local, Bit>,
}

impl Logic for EthMacMii {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, ingress_bytes, ingress_oversize);
        self.tx_fifo.clock.next = self.clock.val();
        self.tx.clock.next = self.clock.val();
        self.rx.clock.next = self.clock.val();
        self.rx_fifo.clock.next = self.clock.val();

        // Transmit ingress: frames longer than MAX_TX_FRAME are swallowed and counted.
        self.s_axis.tready.next = !self.tx_fifo.wr.full.val() | self.ingress_oversize.q.val();
        self.ingress_beat.next = self.s_axis.tvalid.val() & self.s_axis.tready.val();
        self.tx_fifo.wr.data.next = self.s_axis.tdata.val();
        self.tx_fifo.wr.last.next = self.s_axis.tlast.val();
        self.tx_fifo.wr.en.next = self.ingress_beat.val()
            & !self.ingress_oversize.q.val()
            & (self.ingress_bytes.q.val() != self.max_tx_frame.val());
        self.tx_fifo.wr.commit.next = false;
        self.tx_fifo.wr.drop.next = false;
        self.tx_drop_oversize.next = false;
        if self.ingress_beat.val() {
            self.ingress_bytes.d.next = self.ingress_bytes.q.val() + 1;
            if self.ingress_bytes.q.val() == self.max_tx_frame.val() {
                self.ingress_oversize.d.next = true;
            }
            if self.s_axis.tlast.val() {
                self.ingress_bytes.d.next = 0.into();
                self.ingress_oversize.d.next = false;
                if self.ingress_oversize.q.val()
                    | (self.ingress_bytes.q.val() == self.max_tx_frame.val())
                {
                    self.tx_fifo.wr.drop.next = true;
                    self.tx_drop_oversize.next = true;
                } else {
                    self.tx_fifo.wr.commit.next = true;
                }
            }
        }

        // Transmit framer and the crossing to tx_clk.
        AxisMaster::join(&mut self.tx_fifo.m_axis, &mut self.tx.s_axis);
        self.tx_cdc.write_clock.next = self.clock.val();
        self.tx_cdc.data_in.next = self.tx.nib_data.val();
        self.tx_cdc.write.next = self.tx.nib_write.val();
        self.tx.nib_full.next = self.tx_cdc.full.val();
        self.tx_cdc.read_clock.next = self.mii.tx_clk.val();
        self.tx_active.clock.next = self.mii.tx_clk.val();
        self.tx_pop.next =
            !self.tx_cdc.empty.val() & (self.tx_active.q.val() | !self.tx_cdc.almost_empty.val());
        self.tx_active.d.next = self.tx_pop.val();
        self.tx_cdc.read.next = self.tx_pop.val();
        self.txd_out.clock.next = self.mii.tx_clk.val();
        self.tx_en_out.clock.next = self.mii.tx_clk.val();
        self.txd_out.d.next = self.tx_cdc.data_out.val().get_bits::<4>(0);
        self.tx_en_out.d.next = self.tx_pop.val() & self.tx_cdc.data_out.val().get_bit(4);
        self.mii.txd.next = self.txd_out.q.val();
        self.mii.tx_en.next = self.tx_en_out.q.val();

        // Receive: register the MII inputs, cross every nibble to the core.
        self.rx_in.clock.next = self.mii.rx_clk.val();
        self.rx_in.d.next = bit_cast::<6, 4>(self.mii.rxd.val())
            | (bit_cast::<6, 1>(self.mii.rx_dv.val().into()) << 4)
            | (bit_cast::<6, 1>(self.mii.rx_er.val().into()) << 5);
        self.rx_cdc.write_clock.next = self.mii.rx_clk.val();
        self.rx_cdc.data_in.next = self.rx_in.q.val();
        self.rx_cdc.write.next = !self.rx_cdc.full.val();
        self.rx_cdc.read_clock.next = self.clock.val();
        self.rx.nib_data.next = self.rx_cdc.data_out.val();
        self.rx.nib_valid.next = !self.rx_cdc.empty.val();
        self.rx_cdc.read.next = self.rx.nib_read.val();
        FrameWriteMaster::join(&mut self.rx.wr, &mut self.rx_fifo.wr);
        AxisMaster::link(&mut self.m_axis, &mut self.rx_fifo.m_axis);

        // Statistics, in synack_abi::regs::stat order (frames and bytes share an event).
        self.stat_events.next = bit_cast::<10, 1>(self.tx.frame_sent.val().into())
            | (bit_cast::<10, 1>(self.tx.frame_sent.val().into()) << 1)
            | (bit_cast::<10, 1>(self.tx_drop_oversize.val().into()) << 2)
            | (bit_cast::<10, 1>(self.rx.frame_good.val().into()) << 3)
            | (bit_cast::<10, 1>(self.rx.frame_good.val().into()) << 4)
            | (bit_cast::<10, 1>(self.rx.drop_fcs.val().into()) << 5)
            | (bit_cast::<10, 1>(self.rx.drop_runt.val().into()) << 6)
            | (bit_cast::<10, 1>(self.rx.drop_oversize.val().into()) << 7)
            | (bit_cast::<10, 1>(self.rx.drop_rx_er.val().into()) << 8)
            | (bit_cast::<10, 1>(self.rx.drop_overflow.val().into()) << 9);
        self.stat_tx_bytes.next = self.tx.frame_bytes.val();
        self.stat_rx_bytes.next = self.rx.frame_bytes.val();
    }
}

/// The MAC with its statistics counted in a `StatBank` (counters 0..=9 of
/// `synack_abi::regs::stat`; 10..=13 stay zero), read through `stat_addr` →
/// `stat_data` in the same cycle: the MAC's standalone Verilator design.
#[derive(LogicBlock, Default)]
pub struct EthMacMiiCounted {
    pub clock: Signal<In, Clock>,
    pub mii: Mii,
    pub s_axis: AxisSlave,
    pub m_axis: AxisMaster,
    pub stat_addr: Signal<In, Bits<4>>,
    pub stat_data: Signal<Out, Bits<32>>,
    mac: EthMacMii,
    stats: StatBank,
}

impl Logic for EthMacMiiCounted {
    #[hdl_gen]
    fn update(&mut self) {
        self.mac.clock.next = self.clock.val();
        Mii::link(&mut self.mii, &mut self.mac.mii);
        AxisSlave::link(&mut self.s_axis, &mut self.mac.s_axis);
        AxisMaster::link(&mut self.m_axis, &mut self.mac.m_axis);
        self.stats.clock.next = self.clock.val();
        self.stats.events.next = bit_cast::<14, 10>(self.mac.stat_events.val());
        self.stats.tx_bytes.next = self.mac.stat_tx_bytes.val();
        self.stats.rx_bytes.next = self.mac.stat_rx_bytes.val();
        self.stats.rd_addr.next = self.stat_addr.val();
        self.stat_data.next = self.stats.rd_data.val();
    }
}

/// The MAC's Verilog with its counter bank (`EthMacMiiCounted`), top module `top`.
pub fn verilog() -> String {
    crate::emit::top_verilog(EthMacMiiCounted::default(), &[])
}
