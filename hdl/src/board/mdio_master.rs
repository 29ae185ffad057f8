//! `mdio_master`: IEEE 802.3 clause 22 management frames to the PHY.
//!
//! MDC is the core clock divided by 2 × [`MDC_HALF`] (100 MHz / 40 =
//! 2.5 MHz, the standard's maximum). A frame is 64 bit cells: 32 ones of
//! preamble, start `01`, opcode (`10` read, `01` write), PHY address and
//! register (5 bits each, MSB first), turnaround, 16 data bits. In each
//! cell MDC is low for the first half and high for the second; the master
//! changes MDIO as MDC falls and the PHY samples it as MDC rises. In a
//! read the master releases MDIO from the turnaround on and samples the
//! PHY's bits as MDC rises in cells 48..=63 (the PHY drives each after the
//! previous rising edge).
//!
//! Ports: `start` (a pulse, taken only while idle) with `phy`, `regad`,
//! `write` and `wdata`; `busy`; `rdata` (valid once `busy` falls after a
//! read); `mdc`; the pad as `mdio_o` (drive value), `mdio_t` (high:
//! released) and `mdio_i` (the line, synchronised here).
//!
//! Invariants: MDIO changes only while MDC is low; the line is released
//! whenever no frame is running and during a read's turnaround and data.
use crate::prim::sync_bit::SyncBit;
use rust_hdl::prelude::*;

/// Core cycles per half MDC period.
pub const MDC_HALF: u64 = 20;
// `update` writes the half period and the cell's last cycle as literals
// (20, 39): hdl_gen takes no named constants there.
const _: () = assert!(MDC_HALF == 20);

#[derive(LogicBlock, Default)]
pub struct MdioMaster {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub phy: Signal<In, Bits<5>>,
    pub regad: Signal<In, Bits<5>>,
    pub write: Signal<In, Bit>,
    pub wdata: Signal<In, Bits<16>>,
    pub busy: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<16>>,
    pub mdc: Signal<Out, Bit>,
    pub mdio_o: Signal<Out, Bit>,
    pub mdio_t: Signal<Out, Bit>,
    pub mdio_i: Signal<In, Bit>,
    line: SyncBit,
    running: DFF<Bit>,
    /// Bit cell 0..=63 of the frame.
    bit_cell: DFF<Bits<6>>,
    /// Core cycles into the cell: 0..2*MDC_HALF.
    phase: DFF<Bits<6>>,
    /// The frame's 32 bits after the preamble, MSB first (bit 31 goes out next).
    out: DFF<Bits<32>>,
    is_read: DFF<Bit>,
    data_in: DFF<Bits<16>>,
    released: Signal<Local, Bit>,
}

impl Logic for MdioMaster {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, running, bit_cell, phase, out, is_read, data_in);
        self.line.clock.next = self.clock.val();
        self.line.d.next = self.mdio_i.val();
        self.busy.next = self.running.q.val();
        self.rdata.next = self.data_in.q.val();
        self.mdc.next = self.running.q.val() & (self.phase.q.val() >= 20);
        // Released while idle, and in a read from the turnaround (cell 46) on.
        self.released.next =
            !self.running.q.val() | (self.is_read.q.val() & (self.bit_cell.q.val() >= 46));
        self.mdio_t.next = self.released.val();
        self.mdio_o.next = true;
        if self.bit_cell.q.val() >= 32 {
            self.mdio_o.next = self.out.q.val().get_bit(31);
        }

        if self.running.q.val() {
            self.phase.d.next = self.phase.q.val() + 1;
            // MDC rises: sample the PHY's data bit in a read.
            if (self.phase.q.val() == 20) & self.is_read.q.val() & (self.bit_cell.q.val() >= 48) {
                self.data_in.d.next =
                    (self.data_in.q.val() << 1) | bit_cast::<16, 1>(self.line.q.val().into());
            }
            // End of the cell: MDC falls, the next bit goes out.
            if self.phase.q.val() == 39 {
                self.phase.d.next = 0.into();
                self.bit_cell.d.next = self.bit_cell.q.val() + 1;
                if self.bit_cell.q.val() >= 32 {
                    self.out.d.next = self.out.q.val() << 1;
                }
                if self.bit_cell.q.val() == 63 {
                    self.running.d.next = false;
                }
            }
        } else if self.start.val() {
            self.running.d.next = true;
            self.bit_cell.d.next = 0.into();
            self.phase.d.next = 0.into();
            self.is_read.d.next = !self.write.val();
            self.data_in.d.next = 0.into();
            // Start 01, opcode, PHY, register, turnaround 10, data.
            self.out.d.next = (bit_cast::<32, 5>(self.phy.val()) << 23)
                | (bit_cast::<32, 5>(self.regad.val()) << 18)
                | bit_cast::<32, 16>(self.wdata.val())
                | 0x6002_0000;
            if self.write.val() {
                self.out.d.next = (bit_cast::<32, 5>(self.phy.val()) << 23)
                    | (bit_cast::<32, 5>(self.regad.val()) << 18)
                    | bit_cast::<32, 16>(self.wdata.val())
                    | 0x5002_0000;
            }
        }
        if self.reset.val() {
            self.running.d.next = false;
        }
    }
}
