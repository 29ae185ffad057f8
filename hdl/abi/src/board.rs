//! The Arty board's contract (SPEC A1): the board registers beside the NIC's
//! window, and the USB-UART host bridge's frames.
//!
//! Address space of the bridge's register operations (16-bit byte
//! addresses, 32-bit registers): `0x0000..0x1000` is the NIC's register
//! window ([`crate::regs`], reached over AXI4-Lite), `0x1000..0x2000` the
//! board's ([`regs`]). DMA memory (the board's block RAM) is reached by
//! its own operations at the NIC's DMA bus addresses `0..DMA_BYTES`.
//!
//! Frames, both ways (little-endian):
//! ```text
//! request:  SYNC_REQUEST  seq  op      len_lo len_hi  payload[len]  crc32[4]
//! response: SYNC_RESPONSE seq  status  len_lo len_hi  payload[len]  crc32[4]
//! ```
//! `crc32` is the IEEE CRC-32 (Ethernet's FCS, reflected, init and final
//! XOR all ones) over every byte after the sync byte and before the CRC.
//! The bridge answers every request it saw a header of, in order; a bad
//! request (CRC, length, opcode, truncated) gets a response with an error
//! [`status`] and no payload, is counted, and is never acted on.

/// First byte of a request.
pub const SYNC_REQUEST: u8 = 0xA5;
/// First byte of a response.
pub const SYNC_RESPONSE: u8 = 0x5A;
/// Bytes before the payload: sync, seq, op or status, length (2).
pub const HEADER_BYTES: usize = 5;
/// Bytes after the payload: the CRC.
pub const CRC_BYTES: usize = 4;
/// Longest payload of a request or a response (the request buffer is one
/// 2 KiB block RAM).
pub const MAX_PAYLOAD: usize = 2048;
/// Bytes of DMA memory (block RAM) on the board, at DMA bus address 0.
pub const DMA_BYTES: usize = 64 * 1024;
/// Core clock, Hz.
pub const CORE_HZ: u32 = 100_000_000;
/// Default UART rate, baud.
pub const DEFAULT_BAUD: u32 = 3_000_000;
/// Bridge idle time, in bit times, after which an unfinished request is
/// dropped as truncated.
pub const TIMEOUT_BITS: u32 = 256;

/// The baud divisor register's value for `baud`: core cycles per bit in
/// sixteenths, rounded (at 100 MHz: 1 Mbaud 1600, 3 Mbaud 533, 12 Mbaud 133).
pub const fn baud_divisor(baud: u32) -> u32 {
    ((CORE_HZ as u64 * 16 + baud as u64 / 2) / baud as u64) as u32
}

/// Request operations.
pub mod op {
    /// Payload: `n` × register address (u16). Response: `n` × value (u32).
    pub const REG_READ: u8 = 0x01;
    /// Payload: `n` × (address u16, value u32). Response: empty. Written in order.
    pub const REG_WRITE: u8 = 0x02;
    /// Payload: DMA bus address (u32), length (u16). Response: the bytes.
    pub const MEM_READ: u8 = 0x03;
    /// Payload: DMA bus address (u32), then the bytes. Response: empty.
    pub const MEM_WRITE: u8 = 0x04;
}

/// Response status codes.
pub mod status {
    pub const OK: u8 = 0;
    /// The CRC did not match.
    pub const BAD_CRC: u8 = 1;
    /// The length field is over [`super::MAX_PAYLOAD`], or does not fit the operation.
    pub const BAD_LENGTH: u8 = 2;
    /// The operation is none of [`super::op`].
    pub const BAD_OPCODE: u8 = 3;
    /// The line went idle for [`super::TIMEOUT_BITS`] bit times mid-request.
    pub const TRUNCATED: u8 = 4;
    /// An address is outside the register space or DMA memory.
    pub const BAD_ADDRESS: u8 = 5;
}

/// The board's registers (bridge addresses `0x1000..0x2000`).
pub mod regs {
    /// 0x1000 RO — [`BOARD_ID`].
    pub const BOARD_ID: u32 = 0x1000;
    /// 0x1004 RW (12 bits) — UART bit time in sixteenths of a core cycle
    /// ([`super::baud_divisor`]); a write takes effect after its response.
    pub const BAUD_DIVISOR: u32 = 0x1004;
    /// 0x1008 RW — MDIO command: bits 0..=4 register, 5..=9 PHY address,
    /// 10 write, 16..=31 data to write; bit 11 is a toggle: a command runs
    /// when it differs from [`MDIO_STATUS`] bit 17 (so a write is idempotent).
    pub const MDIO_COMMAND: u32 = 0x1008;
    /// 0x100C RO — MDIO status: bits 0..=15 data read, 16 busy, 17 the toggle
    /// of the last command finished.
    pub const MDIO_STATUS: u32 = 0x100C;
    /// 0x1010 RO — bit 0 MMCM locked, 1 PHY out of reset, 2 link (BMSR bit 2 as
    /// last polled), 3 activity; 4..=7 the LEDs.
    pub const BOARD_STATUS: u32 = 0x1010;
    /// 0x1014 RO — DMA memory bytes ([`super::DMA_BYTES`]).
    pub const DMA_SIZE: u32 = 0x1014;
    /// 0x1018 RO — core cycles since the core's reset was released (wraps).
    pub const UPTIME: u32 = 0x1018;
    /// 0x1020.. RO — bridge counters, [`counter`] order, 32-bit wrapping.
    pub const COUNTERS: u32 = 0x1020;
    /// Board ID: "ARTY".
    pub const BOARD_ID_VALUE: u32 = 0x4152_5459;

    /// Byte offset of bridge counter `index`.
    pub const fn counter(index: u32) -> u32 {
        COUNTERS + 4 * index
    }

    /// Bits of [`MDIO_COMMAND`].
    pub mod mdio {
        pub const REG_SHIFT: u32 = 0;
        pub const PHY_SHIFT: u32 = 5;
        pub const WRITE: u32 = 1 << 10;
        pub const TOGGLE: u32 = 1 << 11;
        pub const DATA_SHIFT: u32 = 16;
        /// In MDIO_STATUS.
        pub const BUSY: u32 = 1 << 16;
        /// In MDIO_STATUS: the toggle of the last finished command.
        pub const DONE_TOGGLE: u32 = 1 << 17;
    }
}

/// Bridge counters, in register order from [`regs::COUNTERS`].
pub mod counter {
    /// Requests executed.
    pub const FRAMES_OK: u32 = 0;
    pub const BAD_CRC: u32 = 1;
    pub const BAD_LENGTH: u32 = 2;
    pub const BAD_OPCODE: u32 = 3;
    pub const TRUNCATED: u32 = 4;
    /// Bytes whose stop bit was low (line noise, wrong baud rate).
    pub const FRAMING: u32 = 5;
    pub const BAD_ADDRESS: u32 = 6;
    pub const COUNT: u32 = 7;
    pub const NAMES: [&str; COUNT as usize] = [
        "frames_ok",
        "bad_crc",
        "bad_length",
        "bad_opcode",
        "truncated",
        "framing",
        "bad_address",
    ];
}

/// The PHY: TI DP83848J at MDIO address 1 on the Arty.
pub mod phy {
    pub const ADDRESS: u32 = 1;
    /// Basic mode status register; bit 2 is link up.
    pub const BMSR: u32 = 1;
    pub const BMSR_LINK: u32 = 1 << 2;
    /// PHY identifier 1 and 2.
    pub const PHYIDR1: u32 = 2;
    pub const PHYIDR2: u32 = 3;
    /// What the DP83848J answers in PHYIDR1 (TI's OUI bits).
    pub const DP83848_ID1: u16 = 0x2000;
    /// DP83848's PHYIDR2: OUI low bits, model 0x09, revision (low 4 bits vary).
    pub const DP83848_ID2_MASKED: u16 = 0x5C90;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisors_give_the_documented_rates() {
        assert_eq!(baud_divisor(1_000_000), 1600);
        assert_eq!(baud_divisor(3_000_000), 533);
        assert_eq!(baud_divisor(12_000_000), 133);
        // Rate error under 0.3% at each.
        for baud in [1_000_000u32, 3_000_000, 12_000_000] {
            let actual = CORE_HZ as f64 * 16.0 / baud_divisor(baud) as f64;
            assert!((actual / baud as f64 - 1.0).abs() < 0.003);
        }
    }

    #[test]
    fn board_registers_follow_the_nic_window() {
        assert!(regs::BOARD_ID >= crate::regs::WINDOW_SIZE);
        assert!(regs::counter(counter::COUNT) <= 0x2000);
    }
}
