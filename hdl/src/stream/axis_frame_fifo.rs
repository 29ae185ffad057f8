//! `axis_frame_fifo`: a single-clock byte FIFO that releases whole frames.
//!
//! Write side `wr` (`bus::frame_write`, driven by a MAC or a parser):
//! `data`/`last` are stored when `en` and not `full`; `commit` publishes
//! every byte written so far (this cycle's included) to the reader; `drop`
//! throws away every uncommitted byte. Read side: an AXI-Stream master
//! (`m_axis`) with first-word fall-through.
//!
//! Invariants: the reader never sees an uncommitted byte, so a frame is either
//! delivered whole or not at all; `wr_ptr - rd_ptr <= 2^N` (pointers carry one
//! extra bit, `NP1 = N + 1`); `m_tvalid` stays high for as long as committed
//! bytes remain, so a committed frame streams without bubbles.
//!
//! Patch port (`AxisFrameFifoPatchable` only): `wr_patch_en` overwrites the
//! byte at `wr_patch_offset` from the start of the uncommitted frame with
//! `wr_patch_data`/`wr_patch_last`, so a writer can fill in fields (such as
//! checksums) that it knows only at the end of the frame, before committing
//! it. The RAM has one write port: a patch takes it, so the writer must not
//! assert `wr.en` in the same cycle (if it does, that byte is not stored).
//! Patching a byte and committing in the same cycle is allowed: the reader
//! sees committed bytes one cycle late, by which time the patch has landed.
//! `AxisFrameFifo` is the same FIFO with the patch port tied off: its inner
//! FIFO is built with `P` (`patchable`) false, a constant inside that module,
//! so synthesis removes the patch logic there (a tie-off in the wrapper alone
//! would not reach across the module boundary).
//!
//! Cost notes (hierarchical synthesis): the pointers are written every cycle
//! from sums (`+ writing`, `+ popping`) rather than held by `if`, so each bit
//! is one LUT on a carry chain; only `commit_ptr` loads on an enable
//! (`DffEn`). Full is `wr_ptr ^ rd_ptr == 2^N`, the same as
//! `wr_ptr - rd_ptr == 2^N` without a subtractor.
use crate::bus::axis::AxisMaster;
use crate::bus::frame_write::FrameWriteSlave;
use crate::prim::const_bits::{ConstBit, ConstTopBit};
use crate::prim::dff_en::DffEn;
use rust_hdl::prelude::*;

/// The frame FIFO with its patch port, active when `P` (else ignored).
#[derive(LogicBlock, Default)]
pub struct AxisFrameFifoPatchable<const N: usize, const NP1: usize, const P: bool = true> {
    pub clock: Signal<In, Clock>,
    pub wr: FrameWriteSlave,
    // Patch port: rewrites one uncommitted byte.
    pub wr_patch_en: Signal<In, Bit>,
    pub wr_patch_offset: Signal<In, Bits<N>>,
    pub wr_patch_data: Signal<In, Bits<8>>,
    pub wr_patch_last: Signal<In, Bit>,
    pub m_axis: AxisMaster,
    ram: RAM<Bits<9>, N>,
    wr_ptr: DFF<Bits<NP1>>,
    commit_ptr: DffEn<Bits<NP1>>,
    // The RAM reads one cycle late; a byte becomes visible one cycle after commit.
    commit_ptr_seen: DFF<Bits<NP1>>,
    rd_ptr: DFF<Bits<NP1>>,
    writing: Signal<Local, Bit>,
    patching: Signal<Local, Bit>,
    popping: Signal<Local, Bit>,
    wr_ptr_after: Signal<Local, Bits<NP1>>,
    rd_ptr_next: Signal<Local, Bits<NP1>>,
    patch_address: Signal<Local, Bits<N>>,
    depth: ConstTopBit<N, NP1>,
    patchable: ConstBit<P>,
}

impl<const N: usize, const NP1: usize, const P: bool> Logic for AxisFrameFifoPatchable<N, NP1, P> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr_ptr, commit_ptr_seen, rd_ptr);
        clock!(self, clock, commit_ptr);
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_clock.next = self.clock.val();
        // Write side.
        self.wr.full.next = (self.wr_ptr.q.val() ^ self.rd_ptr.q.val()) == self.depth.val();
        self.patching.next = self.wr_patch_en.val() & self.patchable.val();
        self.writing.next = self.wr.en.val() & !self.wr.full.val() & !self.patching.val();
        self.patch_address.next =
            bit_cast::<N, NP1>(self.commit_ptr.q.val()) + self.wr_patch_offset.val();
        self.ram.write_enable.next = self.writing.val() | self.patching.val();
        self.ram.write_address.next = bit_cast::<N, NP1>(self.wr_ptr.q.val());
        self.ram.write_data.next = bit_cast::<9, 8>(self.wr.data.val())
            | (bit_cast::<9, 1>(self.wr.last.val().into()) << 8);
        if self.patching.val() {
            self.ram.write_address.next = self.patch_address.val();
            self.ram.write_data.next = bit_cast::<9, 8>(self.wr_patch_data.val())
                | (bit_cast::<9, 1>(self.wr_patch_last.val().into()) << 8);
        }
        self.wr_ptr_after.next =
            self.wr_ptr.q.val() + bit_cast::<NP1, 1>(self.writing.val().into());
        self.wr_ptr.d.next = self.wr_ptr_after.val();
        self.commit_ptr.d.next = self.wr_ptr_after.val();
        self.commit_ptr.en.next = self.wr.commit.val();
        if self.wr.drop.val() {
            self.wr_ptr.d.next = self.commit_ptr.q.val();
        }
        self.commit_ptr_seen.d.next = self.commit_ptr.q.val();
        // Read side: present the head's address now, read its data next cycle.
        self.m_axis.tvalid.next = self.rd_ptr.q.val() != self.commit_ptr_seen.q.val();
        self.popping.next = self.m_axis.tvalid.val() & self.m_axis.tready.val();
        self.m_axis.tdata.next = self.ram.read_data.val().get_bits::<8>(0);
        self.m_axis.tlast.next = self.ram.read_data.val().get_bit(8);
        self.rd_ptr_next.next = self.rd_ptr.q.val() + bit_cast::<NP1, 1>(self.popping.val().into());
        self.rd_ptr.d.next = self.rd_ptr_next.val();
        self.ram.read_address.next = bit_cast::<N, NP1>(self.rd_ptr_next.val());
    }
}

/// The frame FIFO without a patch port (its inner FIFO built with
/// `patchable` false), for writers that never rewrite a byte, such as the MAC.
#[derive(LogicBlock, Default)]
pub struct AxisFrameFifo<const N: usize, const NP1: usize> {
    pub clock: Signal<In, Clock>,
    pub wr: FrameWriteSlave,
    pub m_axis: AxisMaster,
    fifo: AxisFrameFifoPatchable<N, NP1, false>,
}

impl<const N: usize, const NP1: usize> Logic for AxisFrameFifo<N, NP1> {
    #[hdl_gen]
    fn update(&mut self) {
        self.fifo.clock.next = self.clock.val();
        FrameWriteSlave::link(&mut self.wr, &mut self.fifo.wr);
        AxisMaster::link(&mut self.m_axis, &mut self.fifo.m_axis);
        self.fifo.wr_patch_en.next = false;
        self.fifo.wr_patch_offset.next = 0.into();
        self.fifo.wr_patch_data.next = 0.into();
        self.fifo.wr_patch_last.next = false;
    }
}
