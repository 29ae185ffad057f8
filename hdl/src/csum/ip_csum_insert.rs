//! `ip_csum_insert`: transmit checksum insertion (SPEC F4), byte-wide
//! AXI-Stream in the core clock domain, store-and-forward.
//!
//! Inputs: `clock`; frames on `s_axis`; `s_axis_csum`, sampled with each
//! frame's first byte: 1 = insert checksums, 0 = pass the frame unchanged.
//! Outputs: frames, whole, on `m_axis`, in input order.
//!
//! A frame with `s_axis_csum` set that is Ethernet II, ethertype 0x0800,
//! IPv4 with IHL 5..15, total length >= IHL·4 + the L4 header (20 for TCP,
//! 8 for UDP) and within the frame, not a fragment (MF = 0, offset = 0), and
//! TCP (6) or UDP (17), leaves with its IPv4 header checksum (RFC 791) and
//! its TCP/UDP checksum (RFC 793 §3.1, RFC 768: pseudo-header of source,
//! destination, zero, protocol and L4 length = total length − IHL·4, over
//! the L4 bytes up to the total length, never the Ethernet padding) written;
//! whatever the checksum fields held on input is ignored. A UDP checksum
//! that computes to 0 is sent as 0xFFFF (RFC 768). Every other frame
//! (ARP, other protocols, fragments, bad IHL, truncated) leaves unchanged.
//!
//! How: bytes stream into an `AxisFrameFifoPatchable` while `IpCsumParse`
//! sums them; after the last byte, the four checksum bytes are patched into
//! the FIFO at their offsets and the frame is committed.
//!
//! Invariants: one byte per cycle in; a checksummed frame costs 1 cycle
//! after its last byte (4 when it is patched), an unchecksummed one none.
//! A frame longer than the FIFO (2048 bytes) cannot be held whole: when it
//! fills the FIFO it is committed as it goes (cut-through) and passes
//! unchanged, so it never deadlocks the FIFO.
use crate::bus::axis::{AxisMaster, AxisSlave};
use crate::csum::ip_csum_parse::IpCsumParse;
use crate::prim::const_bits::ConstBits;
use crate::stream::axis_frame_fifo::AxisFrameFifoPatchable;
use rust_hdl::prelude::*;

/// 2^11 bytes: one largest frame (1514) whole.
type FrameFifo = AxisFrameFifoPatchable<11, 12>;
/// Bytes the FIFO holds.
const FIFO_DEPTH: u64 = 2048;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum InsertState {
    /// Taking bytes in.
    Stream,
    /// The frame is in; patch the IP checksum's high byte, or commit as is.
    Decide,
    PatchIpLo,
    PatchL4Hi,
    /// Patch the L4 checksum's low byte and commit.
    PatchL4Lo,
}

#[derive(LogicBlock, Default)]
pub struct IpCsumInsert {
    pub clock: Signal<In, Clock>,
    pub s_axis: AxisSlave,
    pub s_axis_csum: Signal<In, Bit>,
    pub m_axis: AxisMaster,
    fifo: FrameFifo,
    /// Inserting: whatever the checksum fields hold counts as zero.
    parse: IpCsumParse<true>,
    state: DFF<InsertState>,
    /// Some of the current frame's bytes are in (the next is not its first).
    in_frame: DFF<Bit>,
    csum_en: DFF<Bit>,
    /// Bytes of the current frame in the FIFO, uncommitted.
    frame_bytes: DFF<Bits<12>>,
    cut_through: DFF<Bit>,
    beat: Signal<Local, Bit>,
    csum_now: Signal<Local, Bit>,
    eligible: Signal<Local, Bit>,
    ip_csum: Signal<Local, Bits<16>>,
    l4_csum: Signal<Local, Bits<16>>,
    l4_csum_sent: Signal<Local, Bits<16>>,
    patch_offset: Signal<Local, Bits<12>>,
    last_offset: Signal<Local, Bits<12>>,
    fifo_depth: ConstBits<12, FIFO_DEPTH>,
}

impl Logic for IpCsumInsert {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            in_frame,
            csum_en,
            frame_bytes,
            cut_through
        );
        self.fifo.clock.next = self.clock.val();
        self.parse.clock.next = self.clock.val();

        // Input: bytes flow into the FIFO and past the parser together.
        self.s_axis.tready.next =
            (self.state.q.val() == InsertState::Stream) & !self.fifo.wr.full.val();
        self.beat.next = self.s_axis.tvalid.val() & self.s_axis.tready.val();
        self.fifo.wr.data.next = self.s_axis.tdata.val();
        self.fifo.wr.last.next = self.s_axis.tlast.val();
        self.fifo.wr.en.next = self.beat.val();
        self.fifo.wr.commit.next = false;
        self.fifo.wr.drop.next = false;
        self.parse.tap.tdata.next = self.s_axis.tdata.val();
        self.parse.tap.beat.next = self.beat.val();
        self.parse.tap.tlast.next = self.s_axis.tlast.val();
        self.csum_now.next = self.s_axis_csum.val();
        if self.in_frame.q.val() {
            self.csum_now.next = self.csum_en.q.val();
        }

        // Checksums: the ones' complement of the sums (RFC 791, RFC 793 §3.1);
        // RFC 768: a computed UDP checksum of 0 is transmitted as all ones.
        self.eligible.next = self.parse.ipv4.val()
            & (self.parse.tcp.val() | self.parse.udp.val())
            & self.parse.l4_fits.val();
        self.ip_csum.next = !self.parse.ip_sum.val();
        self.l4_csum.next = !self.parse.l4_sum.val();
        self.l4_csum_sent.next = self.l4_csum.val();
        if self.parse.udp.val() & (self.l4_csum.val() == 0) {
            self.l4_csum_sent.next = 0xFFFF.into();
        }
        self.last_offset.next = self.parse.frame_len.val() - 1;
        // The IP header checksum is at frame offsets 24..26.
        self.patch_offset.next = 24.into();
        self.fifo.wr_patch_en.next = false;
        self.fifo.wr_patch_data.next = self.ip_csum.val().get_bits::<8>(8);

        match self.state.q.val() {
            InsertState::Stream => {
                if self.beat.val() {
                    self.in_frame.d.next = !self.s_axis.tlast.val();
                    self.csum_en.d.next = self.csum_now.val();
                    self.frame_bytes.d.next = self.frame_bytes.q.val() + 1;
                    if self.s_axis.tlast.val() {
                        self.frame_bytes.d.next = 0.into();
                        self.cut_through.d.next = false;
                        if self.cut_through.q.val() | !self.csum_now.val() {
                            self.fifo.wr.commit.next = true;
                        } else {
                            self.state.d.next = InsertState::Decide;
                        }
                    }
                }
                // The frame fills the FIFO and cannot end in it: let it through.
                if self.frame_bytes.q.val() == self.fifo_depth.val() {
                    self.cut_through.d.next = true;
                }
                if self.cut_through.q.val() | (self.frame_bytes.q.val() == self.fifo_depth.val()) {
                    self.fifo.wr.commit.next = true;
                }
            }
            InsertState::Decide => {
                if self.eligible.val() {
                    self.fifo.wr_patch_en.next = true;
                    self.state.d.next = InsertState::PatchIpLo;
                } else {
                    self.fifo.wr.commit.next = true;
                    self.state.d.next = InsertState::Stream;
                }
            }
            InsertState::PatchIpLo => {
                self.patch_offset.next = 25.into();
                self.fifo.wr_patch_en.next = true;
                self.fifo.wr_patch_data.next = self.ip_csum.val().get_bits::<8>(0);
                self.state.d.next = InsertState::PatchL4Hi;
            }
            InsertState::PatchL4Hi => {
                self.patch_offset.next = self.parse.l4_csum_offset.val();
                self.fifo.wr_patch_en.next = true;
                self.fifo.wr_patch_data.next = self.l4_csum_sent.val().get_bits::<8>(8);
                self.state.d.next = InsertState::PatchL4Lo;
            }
            InsertState::PatchL4Lo => {
                self.patch_offset.next = self.parse.l4_csum_offset.val() + 1;
                self.fifo.wr_patch_en.next = true;
                self.fifo.wr_patch_data.next = self.l4_csum_sent.val().get_bits::<8>(0);
                self.fifo.wr.commit.next = true;
                self.state.d.next = InsertState::Stream;
            }
            _ => {
                self.state.d.next = InsertState::Stream;
            }
        }
        self.fifo.wr_patch_offset.next = bit_cast::<11, 12>(self.patch_offset.val());
        // A UDP datagram without payload ends on its checksum: keep tlast.
        self.fifo.wr_patch_last.next = self.patch_offset.val() == self.last_offset.val();

        // Output.
        AxisMaster::link(&mut self.m_axis, &mut self.fifo.m_axis);
    }
}

/// The inserter's Verilog, top module `top`.
pub fn verilog() -> String {
    crate::emit::top_verilog(IpCsumInsert::default(), &[])
}
