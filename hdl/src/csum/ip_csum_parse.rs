//! `ip_csum_parse`: parses an Ethernet II / IPv4 / TCP|UDP frame as it streams
//! past, one byte per beat, and sums its checksummed regions on the fly.
//! Shared by `ip_csum_insert` (SPEC F4) and `ip_csum_verify` (SPEC F3).
//!
//! Inputs: `clock`; `tap` (`bus::tap`): `tdata` (a byte), `beat` (the byte
//! is transferred this cycle), `tlast` (it is the frame's last). With `ZERO_CSUM_FIELDS` (a type
//! parameter) the IPv4 and TCP/UDP checksum fields count as zero, as when
//! computing a checksum to insert; otherwise they are summed, as when
//! verifying. It is a constant of the instance, so synthesis simplifies each.
//!
//! Outputs, valid from the cycle after the last beat (`done` pulses then)
//! until the next frame's first beat:
//! - `ipv4`: ethertype 0x0800, version 4, IHL >= 5, total length >= IHL·4 and
//!   14 + total length <= the frame's length (RFC 791).
//! - `tcp` / `udp`: `ipv4`, protocol 6 / 17, and not a fragment (MF = 0 and
//!   fragment offset = 0).
//! - `l4_fits`: `tcp` with an L4 length >= 20 (RFC 793's minimum header) or
//!   `udp` with an L4 length >= 8 (RFC 768), so the checksum field is inside.
//! - `udp_csum_zero`: both bytes of the UDP checksum field are 0 (RFC 768:
//!   "no checksum").
//! - `ip_sum`: the ones'-complement sum (RFC 1071) of the IPv4 header.
//! - `l4_sum`: the ones'-complement sum of the TCP/UDP pseudo-header (source,
//!   destination, zero, protocol, L4 length = total length − IHL·4) and of
//!   the L4 bytes up to the IP total length, never the Ethernet padding.
//! - `l4_csum_offset`: frame offset of the TCP/UDP checksum field's first
//!   byte; `frame_len`: the frame's length in bytes.
//!
//! Frame offsets used (Ethernet II, then RFC 791's header at 14): ethertype
//! 12..14, version/IHL 14, total length 16..18, flags/fragment offset 20..22,
//! protocol 23, header checksum 24..26, source 26..30, destination 30..34;
//! the L4 header at 14 + IHL·4, its checksum 16 (TCP) or 6 (UDP) bytes in.
//! (rust-hdl's `hdl_gen` takes no named constants, so these appear as
//! literals, each with a comment.)
//!
//! Invariants: sums are kept normalised to 16 bits, each byte's carry
//! wrapped around at once (RFC 1071 §2(A), (C): the sum may be taken in any
//! order, its carries added back whenever convenient). A byte at an even
//! frame offset is a word's high half; the IP header (14) and the L4 header
//! (14 + IHL·4) both start at even offsets, so the words line up. A sum
//! with any nonzero term is never +0, so a sum is 0xFFFF (−0) exactly when
//! it is 0 modulo 0xFFFF: what a right checksum gives. Byte offsets
//! saturate at 4095, beyond any Ethernet frame: a longer frame is never
//! `ipv4` unless its IP packet ends before 4095. Parsed fields are cleared
//! on each first beat, so a short frame never inherits its predecessor's.
//!
//! Registers load through enables (`DffEn`, `DffEnInit`, whose `init` is the
//! first-beat clear), so they need no hold multiplexers.
use crate::bus::tap::StreamTap;
use crate::prim::const_bits::{ConstBit, ConstBits};
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;

/// Saturation value of the byte offset.
const OFFSET_MAX: u64 = 0xFFF;

#[derive(LogicBlock, Default)]
pub struct IpCsumParse<const ZERO_CSUM_FIELDS: bool> {
    pub clock: Signal<In, Clock>,
    pub tap: StreamTap,
    pub done: Signal<Out, Bit>,
    pub ipv4: Signal<Out, Bit>,
    pub tcp: Signal<Out, Bit>,
    pub udp: Signal<Out, Bit>,
    pub l4_fits: Signal<Out, Bit>,
    pub udp_csum_zero: Signal<Out, Bit>,
    pub ip_sum: Signal<Out, Bits<16>>,
    pub l4_sum: Signal<Out, Bits<16>>,
    pub l4_csum_offset: Signal<Out, Bits<12>>,
    pub frame_len: Signal<Out, Bits<12>>,
    /// Offset of the next byte in the frame (saturating).
    offset: DffEnInit<Bits<12>>,
    len: DffEn<Bits<12>>,
    done_q: DFF<Bit>,
    eth_ip: DFF<Bit>,
    version4: DffEnInit<Bit>,
    ihl_bytes: DffEnInit<Bits<6>>,
    l4_start: DffEnInit<Bits<12>, OFFSET_MAX>,
    total_hi: DffEnInit<Bits<8>>,
    total_lo: DffEnInit<Bits<8>>,
    l4_end: DffEnInit<Bits<17>>,
    fragment: DFF<Bit>,
    proto: DffEnInit<Bits<8>>,
    l4_csum_at: DffEnInit<Bits<12>, OFFSET_MAX>,
    udp_csum_nonzero: DFF<Bit>,
    ip_acc: DffEn<Bits<16>>,
    l4_acc: DffEn<Bits<16>>,
    first_beat: Signal<Local, Bit>,
    total_len: Signal<Local, Bits<16>>,
    ihl_wide: Signal<Local, Bits<16>>,
    // Combinational helpers (rust-hdl has no `let` inside hdl_gen).
    first: Signal<Local, Bit>,
    offset_next: Signal<Local, Bits<12>>,
    word: Signal<Local, Bits<17>>,
    ihl_now: Signal<Local, Bits<16>>,
    ihl_now_inv: Signal<Local, Bits<16>>,
    in_ip_header: Signal<Local, Bit>,
    in_l4: Signal<Local, Bit>,
    in_pseudo: Signal<Local, Bit>,
    at_ip_csum: Signal<Local, Bit>,
    at_l4_csum: Signal<Local, Bit>,
    ip_term: Signal<Local, Bits<17>>,
    l4_term: Signal<Local, Bits<17>>,
    ip_base: Signal<Local, Bits<17>>,
    l4_base: Signal<Local, Bits<17>>,
    ip_raw: Signal<Local, Bits<17>>,
    l4_raw: Signal<Local, Bits<17>>,
    ip_wrapped: Signal<Local, Bits<17>>,
    l4_wrapped: Signal<Local, Bits<17>>,
    l4_end_now: Signal<Local, Bits<17>>,
    frame_len_wide: Signal<Local, Bits<17>>,
    tcp_min_len: Signal<Local, Bits<16>>,
    udp_min_len: Signal<Local, Bits<16>>,
    not_fragment: Signal<Local, Bit>,
    offset_max: ConstBits<12, OFFSET_MAX>,
    zero_csum_fields: ConstBit<ZERO_CSUM_FIELDS>,
}

impl<const ZERO_CSUM_FIELDS: bool> Logic for IpCsumParse<ZERO_CSUM_FIELDS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, done_q, eth_ip, fragment, udp_csum_nonzero);
        clock!(
            self, clock, offset, len, version4, ihl_bytes, l4_start, total_hi, total_lo, l4_end,
            proto, l4_csum_at, ip_acc, l4_acc
        );
        self.first.next = self.offset.q.val() == 0;
        self.first_beat.next = self.tap.beat.val() & self.first.val();
        self.offset_next.next = self.offset.q.val()
            + bit_cast::<12, 1>((self.offset.q.val() != self.offset_max.val()).into());
        self.total_len.next = (bit_cast::<16, 8>(self.total_hi.q.val()) << 8)
            | bit_cast::<16, 8>(self.total_lo.q.val());
        self.ihl_wide.next = bit_cast::<16, 6>(self.ihl_bytes.q.val());
        // RFC 1071: a byte at an even offset is the high half of a 16-bit word.
        self.word.next = bit_cast::<17, 8>(self.tap.tdata.val());
        if !self.offset.q.val().get_bit(0) {
            self.word.next = bit_cast::<17, 8>(self.tap.tdata.val()) << 8;
        }
        // IHL counts 32-bit words (RFC 791).
        self.ihl_now.next = bit_cast::<16, 4>(self.tap.tdata.val().get_bits::<4>(0)) << 2;
        self.ihl_now_inv.next = !self.ihl_now.val();

        // Which sums this byte belongs to. `l4_start` is all ones until the
        // IHL is known and `l4_end` zero until the total length is.
        self.in_ip_header.next =
            (self.offset.q.val() >= 14) & (self.offset.q.val() < self.l4_start.q.val());
        self.in_l4.next = (self.offset.q.val() >= self.l4_start.q.val())
            & (bit_cast::<17, 12>(self.offset.q.val()) < self.l4_end.q.val());
        // RFC 793 §3.1 / RFC 768: the pseudo-header's source and destination
        // addresses and (zero, protocol) word are the IP header's own bytes at
        // their own offsets; the total length stands in for the L4 length,
        // corrected by −IHL·4 below.
        // Offsets: total length 16..18, protocol 23, addresses 26..34.
        self.in_pseudo.next = (self.offset.q.val() == 16)
            | (self.offset.q.val() == 17)
            | (self.offset.q.val() == 23)
            | ((self.offset.q.val() >= 26) & (self.offset.q.val() < 34));
        // The IP header checksum is the word at offsets 24..26.
        self.at_ip_csum.next = self.offset.q.val().get_bits::<11>(1) == 12;
        self.at_l4_csum.next =
            self.offset.q.val().get_bits::<11>(1) == self.l4_csum_at.q.val().get_bits::<11>(1);

        self.ip_term.next = 0.into();
        if self.in_ip_header.val() & !(self.at_ip_csum.val() & self.zero_csum_fields.val()) {
            self.ip_term.next = self.word.val();
        }
        self.l4_term.next = 0.into();
        if self.in_pseudo.val()
            | (self.in_l4.val() & !(self.at_l4_csum.val() & self.zero_csum_fields.val()))
        {
            self.l4_term.next = self.word.val();
        }
        if self.offset.q.val() == 14 {
            // Ones'-complement subtraction of IHL·4 (RFC 1071 §1: adding ~x
            // subtracts x), turning the total length into the L4 length.
            self.l4_term.next = bit_cast::<17, 16>(self.ihl_now_inv.val());
        }

        // Accumulate with the carry wrapped around at once: the raw sum is at
        // most 0x1FFFE, so adding its carry back never carries again.
        self.ip_base.next = bit_cast::<17, 16>(self.ip_acc.q.val());
        self.l4_base.next = bit_cast::<17, 16>(self.l4_acc.q.val());
        if self.first.val() {
            self.ip_base.next = 0.into();
            self.l4_base.next = 0.into();
        }
        self.ip_raw.next = self.ip_base.val() + self.ip_term.val();
        self.l4_raw.next = self.l4_base.val() + self.l4_term.val();
        self.ip_wrapped.next = bit_cast::<17, 16>(self.ip_raw.val().get_bits::<16>(0))
            + bit_cast::<17, 1>(self.ip_raw.val().get_bits::<1>(16));
        self.l4_wrapped.next = bit_cast::<17, 16>(self.l4_raw.val().get_bits::<16>(0))
            + bit_cast::<17, 1>(self.l4_raw.val().get_bits::<1>(16));
        self.l4_end_now.next = bit_cast::<17, 16>(self.total_len.val()) + 14;

        // Loads, each on its beat: the offset counts (and restarts after
        // the last beat); the fields are cleared on the first beat and taken
        // at their offsets.
        self.offset.d.next = self.offset_next.val();
        self.offset.en.next = self.tap.beat.val();
        self.offset.init.next = self.tap.beat.val() & self.tap.tlast.val();
        self.len.d.next = self.offset_next.val();
        self.len.en.next = self.tap.beat.val() & self.tap.tlast.val();
        self.done_q.d.next = self.tap.beat.val() & self.tap.tlast.val();
        self.ip_acc.d.next = self.ip_wrapped.val().get_bits::<16>(0);
        self.ip_acc.en.next = self.tap.beat.val();
        self.l4_acc.d.next = self.l4_wrapped.val().get_bits::<16>(0);
        self.l4_acc.en.next = self.tap.beat.val();
        // Version and IHL (RFC 791), the IP header's first byte.
        self.version4.d.next = self.tap.tdata.val().get_bits::<4>(4) == 4;
        self.version4.en.next = self.tap.beat.val() & (self.offset.q.val() == 14);
        self.version4.init.next = self.first_beat.val();
        self.ihl_bytes.d.next = bit_cast::<6, 16>(self.ihl_now.val());
        self.ihl_bytes.en.next = self.tap.beat.val() & (self.offset.q.val() == 14);
        self.ihl_bytes.init.next = self.first_beat.val();
        self.l4_start.d.next = bit_cast::<12, 16>(self.ihl_now.val()) + 14;
        self.l4_start.en.next = self.tap.beat.val() & (self.offset.q.val() == 14);
        self.l4_start.init.next = self.first_beat.val();
        // Total length at offsets 16..18; the IP packet ends at 14 + it.
        self.total_hi.d.next = self.tap.tdata.val();
        self.total_hi.en.next = self.tap.beat.val() & (self.offset.q.val() == 16);
        self.total_hi.init.next = self.first_beat.val();
        self.total_lo.d.next = self.tap.tdata.val();
        self.total_lo.en.next = self.tap.beat.val() & (self.offset.q.val() == 17);
        self.total_lo.init.next = self.first_beat.val();
        self.l4_end.d.next = self.l4_end_now.val();
        self.l4_end.en.next = self.tap.beat.val() & (self.offset.q.val() == 18);
        self.l4_end.init.next = self.first_beat.val();
        // Protocol; the L4 checksum field follows from it (RFC 793, 768).
        self.proto.d.next = self.tap.tdata.val();
        self.proto.en.next = self.tap.beat.val() & (self.offset.q.val() == 23);
        self.proto.init.next = self.first_beat.val();
        self.l4_csum_at.d.next = self.l4_start.q.val() + 6;
        if self.proto.q.val() == 6 {
            self.l4_csum_at.d.next = self.l4_start.q.val() + 16;
        }
        self.l4_csum_at.en.next = self.tap.beat.val() & (self.offset.q.val() == 24);
        self.l4_csum_at.init.next = self.first_beat.val();
        if self.tap.beat.val() {
            if self.first.val() {
                self.eth_ip.d.next = false;
                self.fragment.d.next = false;
                self.udp_csum_nonzero.d.next = false;
            }
            // Ethertype 0x0800 (IPv4) at offsets 12..14.
            if self.offset.q.val() == 12 {
                self.eth_ip.d.next = self.tap.tdata.val() == 0x08;
            }
            if self.offset.q.val() == 13 {
                self.eth_ip.d.next = self.eth_ip.q.val() & (self.tap.tdata.val() == 0x00);
            }
            // RFC 791: flags (reserved, DF, MF) and the 13-bit fragment offset.
            if self.offset.q.val() == 20 {
                self.fragment.d.next = self.tap.tdata.val().get_bits::<6>(0) != 0;
            }
            if self.offset.q.val() == 21 {
                self.fragment.d.next = self.fragment.q.val() | (self.tap.tdata.val() != 0);
            }
            if self.in_l4.val() & self.at_l4_csum.val() & (self.tap.tdata.val() != 0) {
                self.udp_csum_nonzero.d.next = true;
            }
        }

        // Results, from registers only.
        self.done.next = self.done_q.q.val();
        self.frame_len_wide.next = bit_cast::<17, 12>(self.len.q.val());
        self.ipv4.next = self.eth_ip.q.val()
            & self.version4.q.val()
            & (self.ihl_bytes.q.val() >= 20)
            & (self.total_len.val() >= self.ihl_wide.val())
            & (self.l4_end.q.val() <= self.frame_len_wide.val());
        self.not_fragment.next = !self.fragment.q.val();
        self.tcp.next = self.ipv4.val() & self.not_fragment.val() & (self.proto.q.val() == 6);
        self.udp.next = self.ipv4.val() & self.not_fragment.val() & (self.proto.q.val() == 17);
        self.tcp_min_len.next = self.ihl_wide.val() + 20;
        self.udp_min_len.next = self.ihl_wide.val() + 8;
        self.l4_fits.next = (self.tcp.val() & (self.total_len.val() >= self.tcp_min_len.val()))
            | (self.udp.val() & (self.total_len.val() >= self.udp_min_len.val()));
        self.udp_csum_zero.next = !self.udp_csum_nonzero.q.val();
        self.ip_sum.next = self.ip_acc.q.val();
        self.l4_sum.next = self.l4_acc.q.val();
        self.l4_csum_offset.next = self.l4_csum_at.q.val();
        self.frame_len.next = self.len.q.val();
    }
}
