//! The PHY's side of MDIO (IEEE 802.3 clause 22): a register file behind
//! the management interface, as the Arty's DP83848J answers it.
//!
//! [`MdioPhy::on_edge`] is called with the line's level at every rising
//! edge of MDC. After at least 32 ones of preamble and the start bits `01`,
//! the PHY takes the opcode, PHY address and register; for a read of its
//! address it drives the turnaround's second bit (0) and the 16 data bits,
//! each changed just after a rising edge, so it is stable at the next; for
//! a write it takes the 16 data bits after the turnaround.
//!
//! Invariants: the PHY drives the line only in a read addressed to it, from
//! the turnaround's second bit to the last data bit.
use synack_abi::board::phy;

#[derive(Clone, Debug)]
pub struct MdioPhy {
    pub address: u8,
    pub regs: [u16; 32],
    ones: u32,
    /// The bit the next edge samples, counted from the start's 0 (bit 0),
    /// while in a frame: 1 start, 2..=3 op, 4..=8 PHY, 9..=13 register,
    /// 14..=15 turnaround, 16..=31 data.
    bit: Option<u32>,
    header: u32,
    data: u16,
    drive: Option<bool>,
    /// Registers written by the host: (register, value).
    pub writes: Vec<(u8, u16)>,
    /// Frames with a bad start or addressed to another PHY.
    pub ignored: u64,
    pub reads: u64,
}

impl MdioPhy {
    /// The DP83848J at `address`, link up.
    pub fn dp83848(address: u8) -> Self {
        let mut regs = [0u16; 32];
        regs[0] = 0x3100;
        regs[phy::BMSR as usize] = 0x7849 | phy::BMSR_LINK as u16;
        regs[phy::PHYIDR1 as usize] = phy::DP83848_ID1;
        regs[phy::PHYIDR2 as usize] = phy::DP83848_ID2_MASKED | 0x1;
        Self {
            address,
            regs,
            ones: 0,
            bit: None,
            header: 0,
            data: 0,
            drive: None,
            writes: Vec::new(),
            ignored: 0,
            reads: 0,
        }
    }

    pub fn set_link(&mut self, up: bool) {
        let bmsr = &mut self.regs[phy::BMSR as usize];
        if up {
            *bmsr |= phy::BMSR_LINK as u16;
        } else {
            *bmsr &= !(phy::BMSR_LINK as u16);
        }
    }

    /// What the PHY drives now (`None`: released).
    pub fn drive(&self) -> Option<bool> {
        self.drive
    }

    /// A rising edge of MDC with the line at `level`.
    pub fn on_edge(&mut self, level: bool) {
        let Some(bit) = self.bit else {
            if level {
                self.ones += 1;
            } else if self.ones >= 32 {
                // That was the start's 0; the next edge samples bit 1.
                self.bit = Some(1);
                self.header = 0;
            } else {
                self.ones = 0;
            }
            return;
        };
        // Header bits 1..=13 after the start bit's 0: start 1, op (2), PHY (5), register (5).
        if bit < 14 {
            self.header = self.header << 1 | u32::from(level);
        }
        let start_ok = (self.header >> 12) & 1 == 1;
        let op = (self.header >> 10) & 3;
        let phy = ((self.header >> 5) & 0x1F) as u8;
        let reg = (self.header & 0x1F) as usize;
        let mine = start_ok && phy == self.address;
        match bit {
            13 if !mine => self.ignored += 1,
            14 if mine && op == 0b10 => {
                self.data = self.regs[reg];
                self.reads += 1;
                self.drive = Some(false);
            }
            15..=30 if mine && op == 0b10 => {
                self.drive = Some(self.data >> (30 - bit) & 1 == 1);
            }
            16..=31 if mine && op == 0b01 => {
                self.data = self.data << 1 | u16::from(level);
                if bit == 31 {
                    self.regs[reg] = self.data;
                    self.writes.push((reg as u8, self.data));
                }
            }
            _ => {}
        }
        if bit == 31 {
            self.drive = None;
            self.bit = None;
            self.ones = 0;
        } else {
            self.bit = Some(bit + 1);
        }
    }
}
