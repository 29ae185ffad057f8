//! `eth_crc32_nibble`: one MII nibble step of the Ethernet CRC-32 (IEEE 802.3,
//! reflected polynomial 0xEDB88320), combinational.
//!
//! Inputs: `crc_in` (the running register, initialised to [`CRC32_INIT`]), `nibble`
//! (the next four bits in wire order, i.e. a byte's low nibble first).
//! Output: `crc_out`. The FCS sent on the wire is `!crc` low nibble first; a
//! receiver that runs the whole frame including its FCS through this step ends
//! with the residue [`CRC32_RESIDUE`].
use crate::prim::const_bits::ConstBits;
use rust_hdl::prelude::*;

/// The register's value before a frame's first nibble (IEEE 802.3: all ones).
pub const CRC32_INIT: u64 = 0xFFFF_FFFF;

/// Register value after a frame and its correct FCS have been clocked through.
pub const CRC32_RESIDUE: u32 = 0xDEBB_20E3;

/// The reflected IEEE 802.3 polynomial.
pub const POLYNOMIAL: u32 = 0xEDB8_8320;

/// Four chained shift-and-xor steps, one per bit of the nibble (LSB first).
#[derive(LogicBlock, Default)]
pub struct EthCrc32Nibble {
    pub crc_in: Signal<In, Bits<32>>,
    pub nibble: Signal<In, Bits<4>>,
    pub crc_out: Signal<Out, Bits<32>>,
    step1: Signal<Local, Bits<32>>,
    step2: Signal<Local, Bits<32>>,
    step3: Signal<Local, Bits<32>>,
    polynomial: ConstBits<32, { POLYNOMIAL as u64 }>,
}

impl Logic for EthCrc32Nibble {
    #[hdl_gen]
    fn update(&mut self) {
        self.step1.next = self.crc_in.val() >> 1;
        if self.crc_in.val().get_bit(0) ^ self.nibble.val().get_bit(0) {
            self.step1.next = (self.crc_in.val() >> 1) ^ self.polynomial.val();
        }
        self.step2.next = self.step1.val() >> 1;
        if self.step1.val().get_bit(0) ^ self.nibble.val().get_bit(1) {
            self.step2.next = (self.step1.val() >> 1) ^ self.polynomial.val();
        }
        self.step3.next = self.step2.val() >> 1;
        if self.step2.val().get_bit(0) ^ self.nibble.val().get_bit(2) {
            self.step3.next = (self.step2.val() >> 1) ^ self.polynomial.val();
        }
        self.crc_out.next = self.step3.val() >> 1;
        if self.step3.val().get_bit(0) ^ self.nibble.val().get_bit(3) {
            self.crc_out.next = (self.step3.val() >> 1) ^ self.polynomial.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs bytes through the block in rust-hdl's simulator, low nibble first.
    fn crc_of(block: &mut EthCrc32Nibble, bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            for nibble in [b & 0xF, b >> 4] {
                block.crc_in.next = (crc as u64).into();
                block.nibble.next = (nibble as u64).into();
                simulate_combinational(block);
                crc = block.crc_out.val().index() as u32;
            }
        }
        crc
    }

    fn simulate_combinational(block: &mut EthCrc32Nibble) {
        // Settle the combinational logic as the simulator would.
        for _ in 0..4 {
            block.update_all();
        }
    }

    #[test]
    fn block_matches_crc32fast_and_leaves_the_residue() {
        let mut block = EthCrc32Nibble::default();
        block.connect_all();
        let frame: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
        let crc = crc_of(&mut block, &frame);
        assert_eq!(!crc, crc32fast::hash(&frame));
        let mut with_fcs = frame.clone();
        with_fcs.extend_from_slice(&(!crc).to_le_bytes());
        assert_eq!(crc_of(&mut block, &with_fcs), CRC32_RESIDUE);
    }

    #[test]
    fn emits_verilog_that_yosys_accepts() {
        let mut block = EthCrc32Nibble::default();
        block.connect_all();
        let v = generate_verilog(&block);
        assert!(v.contains("module top"));
    }
}
