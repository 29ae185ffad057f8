//! `tso_segmenter`: TCP segmentation offload (SPEC F5), byte-wide AXI-Stream,
//! core clock. Sits between the DMA reader and `ip_csum_insert`.
//!
//! Inputs:
//! - `cmd_valid`/`cmd_ready` with `cmd_len` (bytes of the whole buffer, headers
//!   included), `cmd_hdr_len` (Ethernet + IPv4 + TCP header bytes), `cmd_mss`
//!   (payload bytes per segment), `cmd_tso`, `cmd_csum`: one command per buffer,
//!   taken while the block is idle.
//! - `s_axis`: exactly `cmd_len` bytes of that buffer, headers first.
//!   Framing follows `cmd_len`; `s_axis.tlast` is not needed (the DMA reader sets it on the last byte,
//!   which is where the count ends).
//!
//! Outputs:
//! - `m_axis`: the frames, and `m_axis_csum` with
//!   every beat: the command's `csum` flag, or 1 with `tso` (TSO implies CSUM,
//!   `synack_abi::ring::tx_flags::TSO`).
//! - `seg_done`: one-cycle pulse the cycle after a frame's last beat was taken.
//! - `cmd_done`: one-cycle pulse when a command is finished (every byte taken
//!   from `s_axis`, every frame taken by `m_axis`), with `cmd_frames` (frames
//!   produced) and `cmd_error` (the command was bad and nothing was sent),
//!   both valid during the pulse.
//!
//! Behaviour:
//! - Without TSO, or with TSO and no payload (`cmd_len - cmd_hdr_len` = 0),
//!   the buffer goes out as one frame, byte for byte.
//! - With TSO and a payload (SPEC F5), even one within a single MSS: the
//!   header is stored in a 256-byte
//!   template RAM (no output meanwhile); then for each segment k of
//!   ⌈payload/MSS⌉ the header goes out from the RAM with IPv4 total length =
//!   `hdr_len - 14 + this segment's payload`, IPv4 ID = template ID + k, TCP
//!   sequence = template seq + k·MSS (both wrapping), FIN and PSH cleared except
//!   on the last segment, and both checksum fields zero (`ip_csum_insert` fills
//!   them in); then the segment's payload straight from `s_axis`.
//!
//! Bad commands (`cmd_error`): `len = 0`; with TSO `hdr_len < 54`,
//! `hdr_len > len`, `mss = 0`, payload > 65,535 bytes, or a segment whose IPv4
//! total length would exceed 65,535; and, found once the template is in, a
//! header that is not Ethernet II + IPv4 (version 4, IHL ≥ 5) + TCP whose
//! length `14 + IHL·4 + data offset·4` equals `hdr_len` (checked only when the
//! send has payload: a TSO send without payload goes out untouched). A bad command's
//! bytes are consumed and dropped; no frame of it is emitted.
//!
//! Invariants:
//! - Exactly `cmd_len` bytes are taken from `s_axis` per command, whatever
//!   happens, so a bad command never stalls the next one.
//! - The output is one register (`out_*`): `m_axis.tvalid` and data come from
//!   flops, and a beat is loaded whenever the register is empty or being
//!   emptied, so a segment streams at one byte per cycle and the next header
//!   follows its last payload byte with no idle cycle. `s_axis.tready` depends
//!   combinationally on `m_axis.tready` (no path from `tvalid` to `tready`).
//! - The template RAM reads one cycle late: its read address is always the
//!   header index of the next cycle, so the byte for `hdr_idx` is on
//!   `ram.read_data` whenever the FSM is in `EmitHdr`.
//! - rust-hdl emits `update` as one `always @(*)` block in statement order, so
//!   every helper signal is computed from flops and inputs before it is read;
//!   the input handshake is written out in each state (`s_axis.tvalid` and
//!   that state's ready term) rather than read back from `s_axis.tready`.
//! - Per-segment values (`seg_len`, `total_len`, `is_last`) are registered from
//!   `in_left`, which is constant during a header; they settle within two
//!   cycles, long before header byte 16 needs them.
//! - Registers that load only sometimes are `DffEn` (`DffEnInit` for
//!   `frames`): each has one new value, set before the state match, and an
//!   enable the states raise, so none needs a hold multiplexer.
use crate::bus::axis::{AxisMaster, AxisSlave};
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TsoState {
    /// `cmd_ready`: waiting for a command.
    Idle,
    /// Checks the latched command and picks a path.
    Decide,
    /// One frame, unchanged.
    Pass,
    /// Storing the header template (TSO).
    Capture,
    /// Emitting a segment's header from the template, patched.
    EmitHdr,
    /// Emitting a segment's payload from `s_axis`.
    Payload,
    /// A bad command: consuming its bytes without output.
    Discard,
    /// Waiting for the last beat to leave, then `cmd_done`.
    Finish,
}

/// Offsets in the frame (Ethernet header of 14 bytes, then IPv4), RFC 791.
const ETHERTYPE_HI: u64 = 12;
const ETHERTYPE_LO: u64 = 13;
const IP_VER_IHL: u64 = 14;
const IP_TOTAL_LEN_HI: u64 = 16;
const IP_TOTAL_LEN_LO: u64 = 17;
const IP_ID_HI: u64 = 18;
const IP_ID_LO: u64 = 19;
const IP_PROTOCOL: u64 = 23;
const IP_CSUM_HI: u64 = 24;
const IP_CSUM_LO: u64 = 25;
/// Offsets from the start of the TCP header, RFC 793 §3.1.
const TCP_SEQ_0: u64 = 4;
const TCP_SEQ_1: u64 = 5;
const TCP_SEQ_2: u64 = 6;
const TCP_SEQ_3: u64 = 7;
const TCP_DATA_OFFSET: u64 = 12;
const TCP_FLAGS: u64 = 13;
const TCP_CSUM_HI: u64 = 16;
const TCP_CSUM_LO: u64 = 17;
/// The flags byte without FIN (bit 0) and PSH (bit 3).
const FLAGS_NOT_FIN_PSH: u64 = 0xF6;
/// Smallest TSO header: Ethernet 14 + IPv4 20 + TCP 20.
const MIN_HDR_LEN: u64 = 54;
/// The TCP header of an IPv4 header without options.
const TCP_OFFSET_NO_OPTIONS: u64 = 34;

#[derive(LogicBlock, Default)]
pub struct TsoSegmenter {
    pub clock: Signal<In, Clock>,
    // Command.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_len: Signal<In, Bits<17>>,
    pub cmd_hdr_len: Signal<In, Bits<8>>,
    pub cmd_mss: Signal<In, Bits<16>>,
    pub cmd_tso: Signal<In, Bit>,
    pub cmd_csum: Signal<In, Bit>,
    /// Buffer in.
    pub s_axis: AxisSlave,
    /// Frames out.
    pub m_axis: AxisMaster,
    pub m_axis_csum: Signal<Out, Bit>,
    // Status.
    pub seg_done: Signal<Out, Bit>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_frames: Signal<Out, Bits<16>>,
    pub cmd_error: Signal<Out, Bit>,
    // Header template.
    ram: RAM<Bits<8>, 8>,
    state: DFF<TsoState>,
    // The command, latched.
    len: DffEn<Bits<17>>,
    hdr_len: DffEn<Bits<8>>,
    hdr_len_m14: DffEn<Bits<8>>,
    mss: DffEn<Bits<16>>,
    tso: DffEn<Bit>,
    csum: DffEn<Bit>,
    // Progress.
    in_left: DffEn<Bits<17>>,
    seg_left: DffEn<Bits<16>>,
    hdr_idx: DFF<Bits<8>>,
    // Per segment.
    seg_len: DFF<Bits<16>>,
    total_len: DFF<Bits<16>>,
    is_last: DFF<Bit>,
    // From the template.
    tcp_off: DffEn<Bits<8>>,
    tcp_data_off: DffEn<Bits<4>>,
    hdr_bad: DFF<Bit>,
    cur_id: DffEn<Bits<16>>,
    cur_seq: DffEn<Bits<32>>,
    // Result.
    err: DFF<Bit>,
    frames: DffEnInit<Bits<16>>,
    seg_pulse: DFF<Bit>,
    // Output register.
    out_valid: DFF<Bit>,
    out_data: DffEn<Bits<8>>,
    out_last: DFF<Bit>,
    // Combinational helpers.
    can_load: Signal<Local, Bit>,
    out_xfer: Signal<Local, Bit>,
    hdr_idx_next: Signal<Local, Bits<8>>,
    rel: Signal<Local, Bits<8>>,
    payload: Signal<Local, Bits<17>>,
    mss17: Signal<Local, Bits<17>>,
    ip_len_max: Signal<Local, Bits<17>>,
    hdr_end: Signal<Local, Bits<8>>,
    hdr_ok: Signal<Local, Bit>,
    cmd_bad: Signal<Local, Bit>,
    patched: Signal<Local, Bits<8>>,
    // Offsets and values, as constants (`hdl_gen` cannot read a Rust `const`).
    ethertype_hi: ConstBits<8, ETHERTYPE_HI>,
    ethertype_lo: ConstBits<8, ETHERTYPE_LO>,
    ip_ver_ihl: ConstBits<8, IP_VER_IHL>,
    ip_total_len_hi: ConstBits<8, IP_TOTAL_LEN_HI>,
    ip_total_len_lo: ConstBits<8, IP_TOTAL_LEN_LO>,
    ip_id_hi: ConstBits<8, IP_ID_HI>,
    ip_id_lo: ConstBits<8, IP_ID_LO>,
    ip_protocol: ConstBits<8, IP_PROTOCOL>,
    ip_csum_hi: ConstBits<8, IP_CSUM_HI>,
    ip_csum_lo: ConstBits<8, IP_CSUM_LO>,
    tcp_seq_0: ConstBits<8, TCP_SEQ_0>,
    tcp_seq_1: ConstBits<8, TCP_SEQ_1>,
    tcp_seq_2: ConstBits<8, TCP_SEQ_2>,
    tcp_seq_3: ConstBits<8, TCP_SEQ_3>,
    tcp_data_offset: ConstBits<8, TCP_DATA_OFFSET>,
    tcp_flags: ConstBits<8, TCP_FLAGS>,
    tcp_csum_hi: ConstBits<8, TCP_CSUM_HI>,
    tcp_csum_lo: ConstBits<8, TCP_CSUM_LO>,
    flags_not_fin_psh: ConstBits<8, FLAGS_NOT_FIN_PSH>,
    min_hdr_len: ConstBits<8, MIN_HDR_LEN>,
    tcp_offset_no_options: ConstBits<8, TCP_OFFSET_NO_OPTIONS>,
}

impl Logic for TsoSegmenter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, hdr_idx, seg_len, total_len, is_last, hdr_bad, err, seg_pulse,
            out_valid, out_last
        );
        clock!(
            self,
            clock,
            len,
            hdr_len,
            hdr_len_m14,
            mss,
            tso,
            csum,
            in_left,
            seg_left,
            tcp_off,
            tcp_data_off,
            cur_id,
            cur_seq,
            frames,
            out_data
        );
        // Enabled registers: the value each loads (a state may override it),
        // and no load unless a state raises the enable.
        self.len.d.next = self.cmd_len.val();
        self.hdr_len.d.next = self.cmd_hdr_len.val();
        self.hdr_len_m14.d.next = self.cmd_hdr_len.val() - 14;
        self.mss.d.next = self.cmd_mss.val();
        self.tso.d.next = self.cmd_tso.val();
        self.csum.d.next = self.cmd_csum.val() | self.cmd_tso.val();
        self.len.en.next = false;
        self.hdr_len.en.next = false;
        self.hdr_len_m14.en.next = false;
        self.mss.en.next = false;
        self.tso.en.next = false;
        self.csum.en.next = false;
        self.in_left.d.next = self.in_left.q.val() - 1;
        self.in_left.en.next = false;
        self.seg_left.d.next = self.seg_left.q.val() - 1;
        self.seg_left.en.next = false;
        self.tcp_off.d.next =
            (bit_cast::<8, 4>(self.s_axis.tdata.val().get_bits::<4>(0)) << 2) + 14;
        self.tcp_off.en.next = false;
        self.tcp_data_off.d.next = self.s_axis.tdata.val().get_bits::<4>(4);
        self.tcp_data_off.en.next = false;
        self.cur_id.d.next =
            (self.cur_id.q.val() << 8) | bit_cast::<16, 8>(self.s_axis.tdata.val());
        self.cur_id.en.next = false;
        self.cur_seq.d.next =
            (self.cur_seq.q.val() << 8) | bit_cast::<32, 8>(self.s_axis.tdata.val());
        self.cur_seq.en.next = false;
        self.frames.d.next = self.frames.q.val() + 1;
        self.frames.en.next = false;
        self.frames.init.next = false;
        self.out_data.d.next = self.s_axis.tdata.val();
        self.out_data.en.next = false;
        self.ram.write_clock.next = self.clock.val();
        self.ram.read_clock.next = self.clock.val();

        // Output register: loaded when empty or emptied this cycle.
        self.can_load.next = !self.out_valid.q.val() | self.m_axis.tready.val();
        self.out_xfer.next = self.out_valid.q.val() & self.m_axis.tready.val();
        self.out_valid.d.next = self.out_valid.q.val() & !self.m_axis.tready.val();
        self.m_axis.tdata.next = self.out_data.q.val();
        self.m_axis.tvalid.next = self.out_valid.q.val();
        self.m_axis.tlast.next = self.out_last.q.val();
        self.m_axis_csum.next = self.csum.q.val();
        self.seg_pulse.d.next = self.out_xfer.val() & self.out_last.q.val();
        if self.out_xfer.val() & self.out_last.q.val() {
            self.frames.en.next = true;
        }
        self.seg_done.next = self.seg_pulse.q.val();
        self.cmd_frames.next = self.frames.q.val();
        self.cmd_error.next = self.err.q.val();
        self.cmd_done.next = false;
        self.cmd_ready.next = false;
        self.s_axis.tready.next = false;

        // Per-segment values, registered from `in_left` (constant during a header).
        self.mss17.next = bit_cast::<17, 16>(self.mss.q.val());
        self.is_last.d.next = self.in_left.q.val() <= self.mss17.val();
        self.seg_len.d.next = self.mss.q.val();
        if self.in_left.q.val() <= self.mss17.val() {
            self.seg_len.d.next = self.in_left.q.val().get_bits::<16>(0);
        }
        // SPEC F5: IP total length = IP header + TCP header + this segment's payload.
        self.total_len.d.next = bit_cast::<16, 8>(self.hdr_len_m14.q.val()) + self.seg_len.q.val();

        // Command checks. SPEC F5: a send carries at most 65,535 payload bytes;
        // RFC 791: a segment's total length must fit its 16-bit field.
        self.payload.next = self.len.q.val() - bit_cast::<17, 8>(self.hdr_len.q.val());
        self.ip_len_max.next = bit_cast::<17, 8>(self.hdr_len_m14.q.val()) + self.mss17.val();
        self.cmd_bad.next = (self.len.q.val() == 0)
            | (self.tso.q.val()
                & ((self.hdr_len.q.val() < self.min_hdr_len.val())
                    | (bit_cast::<17, 8>(self.hdr_len.q.val()) > self.len.q.val())
                    | (self.mss.q.val() == 0)
                    | self.payload.val().get_bit(16)
                    | ((self.payload.val() > self.mss17.val())
                        & (self.ip_len_max.val() > 0xFFFF))));

        // Template positions: the TCP header starts at 14 + IHL·4.
        self.rel.next = self.hdr_idx.q.val() - self.tcp_off.q.val();
        self.hdr_end.next =
            self.tcp_off.q.val() + (bit_cast::<8, 4>(self.tcp_data_off.q.val()) << 2);
        self.hdr_ok.next = !self.hdr_bad.q.val()
            & (self.tcp_data_off.q.val() >= 5)
            & (self.hdr_end.val() == self.hdr_len.q.val());

        // The template byte at `hdr_idx`, as this segment needs it (SPEC F5).
        self.patched.next = self.ram.read_data.val();
        if self.hdr_idx.q.val() == self.ip_total_len_hi.val() {
            self.patched.next = self.total_len.q.val().get_bits::<8>(8);
        } else if self.hdr_idx.q.val() == self.ip_total_len_lo.val() {
            self.patched.next = self.total_len.q.val().get_bits::<8>(0);
        } else if self.hdr_idx.q.val() == self.ip_id_hi.val() {
            self.patched.next = self.cur_id.q.val().get_bits::<8>(8);
        } else if self.hdr_idx.q.val() == self.ip_id_lo.val() {
            self.patched.next = self.cur_id.q.val().get_bits::<8>(0);
        } else if (self.hdr_idx.q.val() == self.ip_csum_hi.val())
            | (self.hdr_idx.q.val() == self.ip_csum_lo.val())
        {
            // Left for ip_csum_insert (SPEC F4).
            self.patched.next = 0.into();
        } else if self.rel.val() == self.tcp_seq_0.val() {
            self.patched.next = self.cur_seq.q.val().get_bits::<8>(24);
        } else if self.rel.val() == self.tcp_seq_1.val() {
            self.patched.next = self.cur_seq.q.val().get_bits::<8>(16);
        } else if self.rel.val() == self.tcp_seq_2.val() {
            self.patched.next = self.cur_seq.q.val().get_bits::<8>(8);
        } else if self.rel.val() == self.tcp_seq_3.val() {
            self.patched.next = self.cur_seq.q.val().get_bits::<8>(0);
        } else if self.rel.val() == self.tcp_flags.val() {
            // SPEC F5: FIN and PSH only on the last segment.
            if !self.is_last.q.val() {
                self.patched.next = self.ram.read_data.val() & self.flags_not_fin_psh.val();
            }
        } else if (self.rel.val() == self.tcp_csum_hi.val())
            | (self.rel.val() == self.tcp_csum_lo.val())
        {
            self.patched.next = 0.into();
        }

        // Template RAM: written at `hdr_idx` while capturing, read one cycle ahead.
        self.hdr_idx_next.next = 0.into();
        self.ram.write_enable.next = false;
        self.ram.write_address.next = self.hdr_idx.q.val();
        self.ram.write_data.next = self.s_axis.tdata.val();

        match self.state.q.val() {
            TsoState::Idle => {
                self.cmd_ready.next = true;
                if self.cmd_valid.val() {
                    self.len.en.next = true;
                    self.hdr_len.en.next = true;
                    self.hdr_len_m14.en.next = true;
                    self.mss.en.next = true;
                    self.tso.en.next = true;
                    self.csum.en.next = true;
                    self.state.d.next = TsoState::Decide;
                }
            }
            TsoState::Decide => {
                self.in_left.d.next = self.len.q.val();
                self.in_left.en.next = true;
                self.err.d.next = self.cmd_bad.val();
                self.frames.init.next = true;
                self.hdr_bad.d.next = false;
                self.tcp_off.d.next = self.tcp_offset_no_options.val();
                self.tcp_off.en.next = true;
                self.tcp_data_off.d.next = 0.into();
                self.tcp_data_off.en.next = true;
                if self.len.q.val() == 0 {
                    self.state.d.next = TsoState::Finish;
                } else if self.cmd_bad.val() {
                    self.state.d.next = TsoState::Discard;
                } else if self.tso.q.val() & self.payload.val().any() {
                    // Even one segment gets its total length, ID and flags
                    // written: the host's template need not hold them.
                    self.state.d.next = TsoState::Capture;
                } else {
                    self.state.d.next = TsoState::Pass;
                }
            }
            TsoState::Pass => {
                self.s_axis.tready.next = self.can_load.val();
                if self.s_axis.tvalid.val() & self.can_load.val() {
                    self.out_valid.d.next = true;
                    self.out_data.en.next = true;
                    self.out_last.d.next = self.in_left.q.val() == 1;
                    self.in_left.en.next = true;
                    if self.in_left.q.val() == 1 {
                        self.state.d.next = TsoState::Finish;
                    }
                }
            }
            TsoState::Capture => {
                self.s_axis.tready.next = true;
                self.hdr_idx_next.next = self.hdr_idx.q.val();
                if self.s_axis.tvalid.val() {
                    self.ram.write_enable.next = true;
                    self.in_left.en.next = true;
                    self.hdr_idx_next.next = self.hdr_idx.q.val() + 1;
                    // Ethernet II carrying IPv4 (RFC 894): EtherType 0x0800.
                    if (self.hdr_idx.q.val() == self.ethertype_hi.val())
                        & (self.s_axis.tdata.val() != 0x08)
                    {
                        self.hdr_bad.d.next = true;
                    }
                    if (self.hdr_idx.q.val() == self.ethertype_lo.val())
                        & (self.s_axis.tdata.val() != 0x00)
                    {
                        self.hdr_bad.d.next = true;
                    }
                    // RFC 791: version 4, IHL in 32-bit words, at least 5.
                    if self.hdr_idx.q.val() == self.ip_ver_ihl.val() {
                        if (self.s_axis.tdata.val().get_bits::<4>(4) != 4)
                            | (self.s_axis.tdata.val().get_bits::<4>(0) < 5)
                        {
                            self.hdr_bad.d.next = true;
                        }
                        self.tcp_off.en.next = true;
                    }
                    if (self.hdr_idx.q.val() == self.ip_id_hi.val())
                        | (self.hdr_idx.q.val() == self.ip_id_lo.val())
                    {
                        self.cur_id.en.next = true;
                    }
                    // RFC 791 protocol 6 = TCP.
                    if (self.hdr_idx.q.val() == self.ip_protocol.val())
                        & (self.s_axis.tdata.val() != 6)
                    {
                        self.hdr_bad.d.next = true;
                    }
                    // `tcp_off` is known from byte 15 on; the TCP header starts at 34 or later.
                    if (self.rel.val() >= self.tcp_seq_0.val())
                        & (self.rel.val() <= self.tcp_seq_3.val())
                    {
                        self.cur_seq.en.next = true;
                    }
                    // RFC 793: data offset, the TCP header length in 32-bit words.
                    if self.rel.val() == self.tcp_data_offset.val() {
                        self.tcp_data_off.en.next = true;
                    }
                    if self.hdr_idx.q.val() + 1 == self.hdr_len.q.val() {
                        // Every checked byte lies before the last header byte.
                        self.hdr_idx_next.next = 0.into();
                        if self.hdr_ok.val() {
                            self.state.d.next = TsoState::EmitHdr;
                        } else {
                            self.err.d.next = true;
                            self.state.d.next = TsoState::Discard;
                        }
                    }
                }
            }
            TsoState::EmitHdr => {
                self.hdr_idx_next.next = self.hdr_idx.q.val();
                if self.can_load.val() {
                    self.out_valid.d.next = true;
                    self.out_data.d.next = self.patched.val();
                    self.out_data.en.next = true;
                    // Every segment has payload: TSO runs only when payload > MSS.
                    self.out_last.d.next = false;
                    self.hdr_idx_next.next = self.hdr_idx.q.val() + 1;
                    if self.hdr_idx.q.val() + 1 == self.hdr_len.q.val() {
                        self.hdr_idx_next.next = 0.into();
                        self.seg_left.d.next = self.seg_len.q.val();
                        self.seg_left.en.next = true;
                        // SPEC F5: the next segment's seq is this one's + MSS
                        // (all but the last carry MSS bytes), its IP ID + 1;
                        // both wrap (RFC 793 §3.3 sequence space is mod 2^32).
                        self.cur_seq.d.next =
                            self.cur_seq.q.val() + bit_cast::<32, 16>(self.mss.q.val());
                        self.cur_seq.en.next = true;
                        self.cur_id.d.next = self.cur_id.q.val() + 1;
                        self.cur_id.en.next = true;
                        self.state.d.next = TsoState::Payload;
                    }
                }
            }
            TsoState::Payload => {
                self.s_axis.tready.next = self.can_load.val();
                if self.s_axis.tvalid.val() & self.can_load.val() {
                    self.out_valid.d.next = true;
                    self.out_data.en.next = true;
                    self.out_last.d.next = self.seg_left.q.val() == 1;
                    self.in_left.en.next = true;
                    self.seg_left.en.next = true;
                    if self.seg_left.q.val() == 1 {
                        if self.in_left.q.val() == 1 {
                            self.state.d.next = TsoState::Finish;
                        } else {
                            self.state.d.next = TsoState::EmitHdr;
                        }
                    }
                }
            }
            TsoState::Discard => {
                self.s_axis.tready.next = true;
                if self.s_axis.tvalid.val() {
                    self.in_left.en.next = true;
                    if self.in_left.q.val() == 1 {
                        self.state.d.next = TsoState::Finish;
                    }
                }
            }
            TsoState::Finish => {
                if !self.out_valid.q.val() {
                    self.cmd_done.next = true;
                    self.state.d.next = TsoState::Idle;
                }
            }
            _ => {
                self.state.d.next = TsoState::Idle;
            }
        }
        self.hdr_idx.d.next = self.hdr_idx_next.val();
        self.ram.read_address.next = self.hdr_idx_next.val();
    }
}

/// The segmenter's Verilog, as a top for Verilator and Yosys.
pub fn verilog() -> String {
    crate::emit::top_verilog(TsoSegmenter::default(), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verilog_has_every_port_and_the_template_ram() {
        let v = verilog();
        for port in [
            "cmd_valid",
            "cmd_ready",
            "cmd_len",
            "cmd_hdr_len",
            "cmd_mss",
            "cmd_tso",
            "cmd_csum",
            "s_axis_tdata",
            "s_axis_tvalid",
            "s_axis_tlast",
            "s_axis_tready",
            "m_axis_tdata",
            "m_axis_tvalid",
            "m_axis_tlast",
            "m_axis_tready",
            "m_axis_csum",
            "seg_done",
            "cmd_done",
            "cmd_frames",
            "cmd_error",
        ] {
            assert!(v.contains(port), "port {port} missing from the Verilog");
        }
        assert!(v.contains("reg[7:0] mem[255:0]"), "256-byte template RAM");
    }
}
