//! `board_regs`: the board's registers behind the host bridge
//! (`synack_abi::board::regs`, but `BAUD_DIVISOR` and the counters, which
//! the bridge keeps), the MDIO master and the LEDs.
//!
//! MDIO: a host command runs when the toggle bit of `MDIO_COMMAND` differs
//! from the toggle of the last finished command (`MDIO_STATUS` bit 17), so
//! writing the same command twice runs it once. Between host commands the
//! master reads the PHY's BMSR every 2^21 core cycles (21 ms) for the link
//! LED; a host command waits for a running poll to finish.
//!
//! LEDs (all four lit while `reset` is high): 0 link (BMSR bit 2 as last polled), 1 activity (a frame on MII in
//! the last 42 ms), 2 error (a bad bridge request or a mis-framed byte in
//! the last 0.67 s), 3 heartbeat (toggles every 0.67 s while the core clock
//! runs).
//!
//! Invariants: no register read has a side effect; `MDIO_COMMAND` reads
//! back what was written; `reset` stops a running MDIO frame and clears
//! the MDIO state and the LEDs' timers.
use crate::board::mdio_master::MdioMaster;
use crate::prim::const_bits::ConstBits;
use crate::prim::sync_bit::SyncBit;
use rust_hdl::prelude::*;
use synack_abi::board::{DMA_BYTES, phy, regs};

// Offsets within the board's page and fields, as `update` writes them.
const _: () = {
    assert!(regs::BOARD_ID == 0x1000 && regs::MDIO_COMMAND == 0x1008);
    assert!(regs::MDIO_STATUS == 0x100C && regs::BOARD_STATUS == 0x1010);
    assert!(regs::DMA_SIZE == 0x1014 && regs::UPTIME == 0x1018);
    assert!(regs::mdio::REG_SHIFT == 0 && regs::mdio::PHY_SHIFT == 5);
    assert!(regs::mdio::WRITE == 1 << 10 && regs::mdio::TOGGLE == 1 << 11);
    assert!(regs::mdio::DATA_SHIFT == 16);
    assert!(regs::mdio::BUSY == 1 << 16 && regs::mdio::DONE_TOGGLE == 1 << 17);
    assert!(phy::ADDRESS == 1 && phy::BMSR == 1 && phy::BMSR_LINK == 1 << 2);
};

#[derive(LogicBlock, Default)]
pub struct BoardRegs {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub addr: Signal<In, Bits<12>>,
    pub wdata: Signal<In, Bits<32>>,
    pub write: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    /// Status, each from another domain (synchronised here).
    pub locked: Signal<In, Bit>,
    pub phy_reset_n: Signal<In, Bit>,
    pub tx_en: Signal<In, Bit>,
    pub rx_dv: Signal<In, Bit>,
    /// A bridge error (a pulse in this domain).
    pub bridge_error: Signal<In, Bit>,
    pub mdc: Signal<Out, Bit>,
    pub mdio_o: Signal<Out, Bit>,
    pub mdio_t: Signal<Out, Bit>,
    pub mdio_i: Signal<In, Bit>,
    pub led: Signal<Out, Bits<4>>,
    mdio: MdioMaster,
    sync_locked: SyncBit,
    sync_phy: SyncBit,
    sync_tx_en: SyncBit,
    sync_rx_dv: SyncBit,
    command: DFF<Bits<32>>,
    done_toggle: DFF<Bit>,
    host_data: DFF<Bits<16>>,
    host_running: DFF<Bit>,
    poll_running: DFF<Bit>,
    link: DFF<Bit>,
    poll_timer: DFF<Bits<21>>,
    activity: DFF<Bits<22>>,
    error: DFF<Bits<26>>,
    heartbeat: DFF<Bits<27>>,
    uptime: DFF<Bits<32>>,
    start_host: Signal<Local, Bit>,
    start_poll: Signal<Local, Bit>,
    status: Signal<Local, Bits<32>>,
    leds: Signal<Local, Bits<4>>,
    board_id: ConstBits<32, { regs::BOARD_ID_VALUE as u64 }>,
    dma_size: ConstBits<32, { DMA_BYTES as u64 }>,
}

impl Logic for BoardRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            command,
            done_toggle,
            host_data,
            host_running,
            poll_running,
            link,
            poll_timer,
            activity,
            error,
            heartbeat,
            uptime
        );
        self.mdio.clock.next = self.clock.val();
        self.sync_locked.clock.next = self.clock.val();
        self.sync_phy.clock.next = self.clock.val();
        self.sync_tx_en.clock.next = self.clock.val();
        self.sync_rx_dv.clock.next = self.clock.val();
        self.sync_locked.d.next = self.locked.val();
        self.sync_phy.d.next = self.phy_reset_n.val();
        self.sync_tx_en.d.next = self.tx_en.val();
        self.sync_rx_dv.d.next = self.rx_dv.val();
        self.mdio.reset.next = self.reset.val();
        self.mdc.next = self.mdio.mdc.val();
        self.mdio_o.next = self.mdio.mdio_o.val();
        self.mdio_t.next = self.mdio.mdio_t.val();
        self.mdio.mdio_i.next = self.mdio_i.val();

        // Host writes.
        if self.write.val() & (self.addr.val() == 0x008) {
            self.command.d.next = self.wdata.val();
        }

        // MDIO: host commands first, BMSR polls between them.
        self.start_host.next = !self.mdio.busy.val()
            & !self.host_running.q.val()
            & !self.poll_running.q.val()
            & (self.command.q.val().get_bit(11) != self.done_toggle.q.val());
        self.start_poll.next = !self.mdio.busy.val()
            & !self.host_running.q.val()
            & !self.poll_running.q.val()
            & !self.start_host.val()
            & !self.poll_timer.q.val().any();
        self.poll_timer.d.next = self.poll_timer.q.val() + 1;
        self.mdio.start.next = self.start_host.val() | self.start_poll.val();
        self.mdio.phy.next = 1.into();
        self.mdio.regad.next = 1.into();
        self.mdio.write.next = false;
        self.mdio.wdata.next = self.command.q.val().get_bits::<16>(16);
        if self.start_host.val() {
            self.mdio.phy.next = self.command.q.val().get_bits::<5>(5);
            self.mdio.regad.next = self.command.q.val().get_bits::<5>(0);
            self.mdio.write.next = self.command.q.val().get_bit(10);
            self.host_running.d.next = true;
        }
        if self.start_poll.val() {
            self.poll_running.d.next = true;
        }
        // The master was started last cycle and is busy now; it is done
        // when busy falls.
        if self.host_running.q.val() & !self.mdio.busy.val() & !self.start_host.val() {
            self.host_running.d.next = false;
            self.host_data.d.next = self.mdio.rdata.val();
            self.done_toggle.d.next = self.command.q.val().get_bit(11);
        }
        if self.poll_running.q.val() & !self.mdio.busy.val() & !self.start_poll.val() {
            self.poll_running.d.next = false;
            self.link.d.next = self.mdio.rdata.val().get_bit(2);
        }

        // Core cycles since the reset was released (wraps after 43 s).
        self.uptime.d.next = self.uptime.q.val() + 1;

        // LEDs.
        self.heartbeat.d.next = self.heartbeat.q.val() + 1;
        if self.activity.q.val().any() {
            self.activity.d.next = self.activity.q.val() - 1;
        }
        if self.sync_tx_en.q.val() | self.sync_rx_dv.q.val() {
            self.activity.d.next = 0x3F_FFFF.into();
        }
        if self.error.q.val().any() {
            self.error.d.next = self.error.q.val() - 1;
        }
        if self.bridge_error.val() {
            self.error.d.next = 0x3FF_FFFF.into();
        }
        self.leds.next = bit_cast::<4, 1>(self.link.q.val().into())
            | (bit_cast::<4, 1>(self.activity.q.val().any().into()) << 1)
            | (bit_cast::<4, 1>(self.error.q.val().any().into()) << 2)
            | (bit_cast::<4, 1>(self.heartbeat.q.val().get_bit(26).into()) << 3);
        self.led.next = self.leds.val();
        // All lit while in reset (from configuration until the core runs).
        if self.reset.val() {
            self.led.next = 0xF.into();
        }

        // Reads.
        self.status.next = bit_cast::<32, 1>(self.sync_locked.q.val().into())
            | (bit_cast::<32, 1>(self.sync_phy.q.val().into()) << 1)
            | (bit_cast::<32, 1>(self.link.q.val().into()) << 2)
            | (bit_cast::<32, 1>(self.activity.q.val().any().into()) << 3)
            | (bit_cast::<32, 4>(self.leds.val()) << 4);
        match self.addr.val().index() {
            0 => self.rdata.next = self.board_id.val(),
            8 => self.rdata.next = self.command.q.val(),
            12 => {
                self.rdata.next = bit_cast::<32, 16>(self.host_data.q.val())
                    | (bit_cast::<32, 1>(self.host_running.q.val().into()) << 16)
                    | (bit_cast::<32, 1>(self.done_toggle.q.val().into()) << 17)
            }
            16 => self.rdata.next = self.status.val(),
            20 => self.rdata.next = self.dma_size.val(),
            24 => self.rdata.next = self.uptime.q.val(),
            _ => self.rdata.next = 0.into(),
        }

        if self.reset.val() {
            self.host_running.d.next = false;
            self.poll_running.d.next = false;
            self.done_toggle.d.next = self.command.q.val().get_bit(11);
            self.activity.d.next = 0.into();
            self.error.d.next = 0.into();
            self.uptime.d.next = 0.into();
        }
    }
}
