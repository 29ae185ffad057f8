//! `ring_cursor`: where a free-running ring index points (SPEC F6).
//!
//! Inputs: `log2` (ring size 2^log2, 0..=15), `index` (free-running 32-bit).
//! Outputs: `slot` = index mod size; `phase` = the completion phase bit for
//! this pass over the ring: set on even passes (0, 2, …), clear on odd ones,
//! so completion rings that start zeroed never show a stale entry as new.
//! Combinational; a table instead of `(1 << log2) - 1`, whose 32-bit barrel
//! shifter would cost LUTs.
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct RingCursor {
    pub log2: Signal<In, Bits<4>>,
    pub index: Signal<In, Bits<32>>,
    pub slot: Signal<Out, Bits<32>>,
    pub phase: Signal<Out, Bit>,
    mask: Signal<Local, Bits<32>>,
}

impl Logic for RingCursor {
    #[hdl_gen]
    fn update(&mut self) {
        match self.log2.val().index() {
            0 => self.mask.next = 0.into(),
            1 => self.mask.next = 1.into(),
            2 => self.mask.next = 3.into(),
            3 => self.mask.next = 7.into(),
            4 => self.mask.next = 15.into(),
            5 => self.mask.next = 31.into(),
            6 => self.mask.next = 63.into(),
            7 => self.mask.next = 127.into(),
            8 => self.mask.next = 255.into(),
            9 => self.mask.next = 511.into(),
            10 => self.mask.next = 1023.into(),
            11 => self.mask.next = 2047.into(),
            12 => self.mask.next = 4095.into(),
            13 => self.mask.next = 8191.into(),
            14 => self.mask.next = 16383.into(),
            _ => self.mask.next = 32767.into(),
        }
        self.slot.next = self.index.val() & self.mask.val();
        // The pass's parity is the index bit just above the slot bits.
        self.phase.next = !(self.index.val() & !self.mask.val() & (self.mask.val() + 1)).any();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_wraps_and_phase_flips_each_pass_for_every_size() {
        let mut cursor = RingCursor::default();
        cursor.connect_all();
        for log2 in 0..16u64 {
            for index in [
                0u64,
                1,
                2,
                3,
                7,
                8,
                9,
                255,
                256,
                4095,
                32767,
                32768,
                65535,
                65536,
                0xFFFF_FFFF,
            ] {
                cursor.log2.next = log2.to_bits();
                cursor.index.next = index.to_bits();
                for _ in 0..4 {
                    cursor.update_all();
                }
                let size = 1u64 << log2;
                assert_eq!(
                    cursor.slot.val().index() as u64,
                    index % size,
                    "slot {index} of 2^{log2}"
                );
                assert_eq!(
                    cursor.phase.val(),
                    (index / size) % 2 == 0,
                    "phase {index} of 2^{log2}"
                );
            }
        }
    }
}
