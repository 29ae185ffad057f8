//! `ip_csum_verify`: receive checksum verification (SPEC F3), a passive tap
//! on a byte-wide AXI-Stream in the core clock domain.
//!
//! Inputs: `clock`; `tap` (`bus::tap`; bare `tdata`, `beat`, `tlast` as a
//! top): the byte, `beat` (tvalid & tready: it is transferred this cycle),
//! `tlast`.
//! Outputs: `result_valid` pulses for one cycle, the cycle after each frame's
//! last beat, with `result` (bits of `synack_abi::ring::rx_csum`):
//! - `IPV4`: ethertype 0x0800 and a well-formed header: version 4, IHL >= 5,
//!   total length >= IHL·4 and within the frame (RFC 791);
//! - `IP_OK`: `IPV4` and the header checksum is right (RFC 791, RFC 1071:
//!   the ones'-complement sum over the header, checksum included, is 0xFFFF);
//! - `TCP` / `UDP`: `IPV4`, protocol 6 / 17, not a fragment;
//! - `L4_OK`: `TCP` or `UDP`, the L4 header fits in the IP packet, and the
//!   sum over the pseudo-header and the L4 bytes up to the IP total length
//!   (never the Ethernet padding) is 0xFFFF (RFC 793 §3.1, RFC 768), or the
//!   UDP checksum field is 0, which RFC 768 defines as "no checksum".
//!
//! Invariants: the tap never stalls the stream; every frame (one byte or
//! more) gets exactly one result; `result` is 0 except during `result_valid`.
use crate::bus::tap::StreamTap;
use crate::csum::ip_csum_parse::IpCsumParse;
use crate::prim::const_bits::ConstBits;
use rust_hdl::prelude::*;
use synack_abi::ring::rx_csum;

#[derive(LogicBlock, Default)]
pub struct IpCsumVerify {
    pub clock: Signal<In, Clock>,
    pub tap: StreamTap,
    pub result_valid: Signal<Out, Bit>,
    pub result: Signal<Out, Bits<8>>,
    /// Verifying sums the checksum fields too: a right checksum makes −0.
    parse: IpCsumParse<false>,
    ip_ok: Signal<Local, Bit>,
    l4_ok: Signal<Local, Bit>,
    flag_ipv4: ConstBits<8, { rx_csum::IPV4 as u64 }>,
    flag_ip_ok: ConstBits<8, { rx_csum::IP_OK as u64 }>,
    flag_tcp: ConstBits<8, { rx_csum::TCP as u64 }>,
    flag_udp: ConstBits<8, { rx_csum::UDP as u64 }>,
    flag_l4_ok: ConstBits<8, { rx_csum::L4_OK as u64 }>,
}

impl Logic for IpCsumVerify {
    #[hdl_gen]
    fn update(&mut self) {
        self.parse.clock.next = self.clock.val();
        StreamTap::link(&mut self.tap, &mut self.parse.tap);
        self.ip_ok.next = self.parse.ipv4.val() & (self.parse.ip_sum.val() == 0xFFFF);
        self.l4_ok.next = (self.parse.tcp.val() | self.parse.udp.val())
            & self.parse.l4_fits.val()
            & ((self.parse.l4_sum.val() == 0xFFFF)
                | (self.parse.udp.val() & self.parse.udp_csum_zero.val()));
        self.result_valid.next = self.parse.done.val();
        self.result.next = 0.into();
        if self.parse.done.val() {
            if self.parse.ipv4.val() {
                self.result.next = self.flag_ipv4.val();
            }
            if self.ip_ok.val() {
                self.result.next = self.result.val() | self.flag_ip_ok.val();
            }
            if self.parse.tcp.val() {
                self.result.next = self.result.val() | self.flag_tcp.val();
            }
            if self.parse.udp.val() {
                self.result.next = self.result.val() | self.flag_udp.val();
            }
            if self.l4_ok.val() {
                self.result.next = self.result.val() | self.flag_l4_ok.val();
            }
        }
    }
}

/// The verifier's Verilog, top module `top`.
pub fn verilog() -> String {
    crate::emit::top_verilog(IpCsumVerify::default(), &[("tap$", "")])
}
