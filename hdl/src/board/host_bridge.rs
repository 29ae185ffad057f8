//! `host_bridge`: the USB-UART host bridge (SPEC A1, D1): the PC reaches
//! the NIC's registers, the board's registers and the DMA memory through
//! framed requests on the UART (`synack_abi::board` defines the frames).
//!
//! Ports: `rxd`/`txd`, the UART pins (`uart_rx`, `uart_tx`); `axil`, an
//! AXI4-Lite master to the NIC's register window (addresses `0..0x1000`);
//! `local_*`, the board's other registers (`0x1000..0x2000` but the ones
//! the bridge keeps: `BAUD_DIVISOR` and its counters); `mem_*`, a byte port
//! on the DMA memory (block RAM port B, one cycle read latency).
//!
//! A request is received whole into a 2 KiB block RAM and checked before
//! anything is done: the CRC (the residue of CRC-32 over everything after
//! the sync byte, the CRC included), the opcode, the length against the
//! operation, and every address (a validation pass over the buffer). Only
//! then is it executed; otherwise the answer is an error status with no
//! payload, and the counter of that cause rises. A length field over
//! `MAX_PAYLOAD` makes the rest of the frame unreadable: its bytes are
//! discarded until the line has been idle for `TIMEOUT_BITS` bit times,
//! then the error is answered. A request the line stops in the middle of
//! is answered `TRUNCATED` after the same idle time.
//!
//! One request at a time: bytes that arrive while a request is executed or
//! answered are ignored (the host waits for each answer). A write of
//! `BAUD_DIVISOR` takes effect once its answer has left, at the old rate.
//!
//! Invariants: no register or memory is written for a request that failed
//! any check; every request whose header was seen gets exactly one answer;
//! `reset` returns to hunting for a sync byte (counters are kept).
use crate::board::uart_rx::UartRx;
use crate::board::uart_tx::UartTx;
use crate::bus::axil::AxilMaster;
use crate::mac::eth_crc32_nibble::{CRC32_INIT, CRC32_RESIDUE, EthCrc32Nibble};
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::DffEnInit;
use rust_hdl::prelude::*;
use synack_abi::board::{
    self, DMA_BYTES, MAX_PAYLOAD, SYNC_REQUEST, SYNC_RESPONSE, TIMEOUT_BITS, counter, op, regs,
    status,
};

// `update` writes these as literals (hdl_gen takes no named constants):
// a change in synack_abi::board stops the build here.
const _: () = {
    assert!(SYNC_REQUEST == 0xA5 && SYNC_RESPONSE == 0x5A);
    assert!(MAX_PAYLOAD == 2048 && DMA_BYTES == 65536);
    assert!(TIMEOUT_BITS == 256); // idle cycles = divisor (sixteenths) << 4
    assert!(op::REG_READ == 1 && op::REG_WRITE == 2 && op::MEM_READ == 3 && op::MEM_WRITE == 4);
    assert!(status::OK == 0 && status::BAD_CRC == 1 && status::BAD_LENGTH == 2);
    assert!(status::BAD_OPCODE == 3 && status::TRUNCATED == 4 && status::BAD_ADDRESS == 5);
    assert!(regs::BAUD_DIVISOR == 0x1004 && regs::COUNTERS == 0x1020);
    assert!(counter::FRAMES_OK == 0 && counter::BAD_CRC == 1 && counter::BAD_LENGTH == 2);
    assert!(counter::BAD_OPCODE == 3 && counter::TRUNCATED == 4 && counter::FRAMING == 5);
    assert!(counter::BAD_ADDRESS == 6 && counter::COUNT == 7);
};

/// The divisor after configuration: 3 Mbaud.
pub const DEFAULT_DIVISOR: u64 = board::baud_divisor(board::DEFAULT_BAUD) as u64;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum BridgeState {
    Hunt,
    Seq,
    Op,
    LenLo,
    LenHi,
    Payload,
    Crc,
    Drain,
    Check,
    Fetch,
    FetchWait,
    ValNext,
    ValAddr,
    MemValAddr,
    MemValCount,
    Exec,
    Header,
    HeaderNext,
    Send,
    RegNext,
    RegAddr,
    RegRead,
    RegReadWait,
    RegWrite,
    RegWriteWait,
    SendWord,
    SendWordNext,
    MemRead,
    MemReadWait,
    MemReadNext,
    MemWrite,
    MemWriteByte,
    CrcOut,
    CrcOutNext,
    Finish,
    Fail,
}

#[derive(LogicBlock, Default)]
pub struct HostBridge {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub rxd: Signal<In, Bit>,
    pub txd: Signal<Out, Bit>,
    pub axil: AxilMaster,
    /// Offset in the board's page (address − 0x1000).
    pub local_addr: Signal<Out, Bits<12>>,
    pub local_wdata: Signal<Out, Bits<32>>,
    pub local_write: Signal<Out, Bit>,
    pub local_rdata: Signal<In, Bits<32>>,
    pub mem_addr: Signal<Out, Bits<16>>,
    pub mem_en: Signal<Out, Bit>,
    pub mem_write: Signal<Out, Bit>,
    pub mem_wdata: Signal<Out, Bits<8>>,
    pub mem_rdata: Signal<In, Bits<8>>,
    /// A request failed a check, or a byte was mis-framed (a pulse, for the error LED).
    pub error: Signal<Out, Bit>,
    rx: UartRx,
    tx: UartTx,
    buffer: RAM<Bits<8>, 11>,
    crc_rx_lo: EthCrc32Nibble,
    crc_rx_hi: EthCrc32Nibble,
    crc_tx_lo: EthCrc32Nibble,
    crc_tx_hi: EthCrc32Nibble,
    state: DFF<BridgeState>,
    resume: DFF<BridgeState>,
    after_header: DFF<BridgeState>,
    seq: DFF<Bits<8>>,
    opcode: DFF<Bits<8>>,
    len_lo: DFF<Bits<8>>,
    len: DFF<Bits<12>>,
    index: DFF<Bits<12>>,
    crc_rx: DFF<Bits<32>>,
    crc_tx: DFF<Bits<32>>,
    crc_on: DFF<Bit>,
    status: DFF<Bits<8>>,
    ptr: DFF<Bits<12>>,
    count: DFF<Bits<12>>,
    fetch_left: DFF<Bits<3>>,
    word: DFF<Bits<32>>,
    addr: DFF<Bits<32>>,
    out_byte: DFF<Bits<8>>,
    byte_index: DFF<Bits<3>>,
    resp_len: DFF<Bits<12>>,
    executing: DFF<Bit>,
    ar_done: DFF<Bit>,
    aw_done: DFF<Bit>,
    w_done: DFF<Bit>,
    divisor: DffEnInit<Bits<16>, DEFAULT_DIVISOR>,
    pending_divisor: DFF<Bits<16>>,
    divisor_pending: DFF<Bit>,
    c_ok: DFF<Bits<32>>,
    c_bad_crc: DFF<Bits<32>>,
    c_bad_length: DFF<Bits<32>>,
    c_bad_opcode: DFF<Bits<32>>,
    c_truncated: DFF<Bits<32>>,
    c_framing: DFF<Bits<32>>,
    c_bad_address: DFF<Bits<32>>,
    bump: Signal<Local, Bits<8>>,
    crc_rx_next: Signal<Local, Bits<32>>,
    timed_out: Signal<Local, Bit>,
    len_next: Signal<Local, Bits<16>>,
    local_value: Signal<Local, Bits<32>>,
    mem_end: Signal<Local, Bits<17>>,
    crc_init: ConstBits<32, CRC32_INIT>,
    crc_residue: ConstBits<32, { CRC32_RESIDUE as u64 }>,
    crc_final: Signal<Local, Bits<32>>,
}

impl Logic for HostBridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            resume,
            after_header,
            seq,
            opcode,
            len_lo,
            len,
            index,
            crc_rx,
            crc_tx,
            crc_on,
            status,
            ptr,
            count,
            fetch_left,
            word,
            addr,
            out_byte,
            byte_index,
            resp_len,
            executing,
            ar_done,
            aw_done,
            w_done,
            pending_divisor,
            divisor_pending,
            c_ok,
            c_bad_crc,
            c_bad_length,
            c_bad_opcode,
            c_truncated,
            c_framing,
            c_bad_address
        );
        clock!(self, clock, divisor);
        self.rx.clock.next = self.clock.val();
        self.tx.clock.next = self.clock.val();
        self.rx.reset.next = self.reset.val();
        self.tx.reset.next = self.reset.val();
        self.rx.rxd.next = self.rxd.val();
        self.txd.next = self.tx.txd.val();
        self.rx.divisor.next = self.divisor.q.val();
        self.tx.divisor.next = self.divisor.q.val();
        self.divisor.d.next = self.pending_divisor.q.val();
        self.divisor.en.next = false;
        // The button's reset brings back the default rate.
        self.divisor.init.next = self.reset.val();
        self.buffer.read_clock.next = self.clock.val();
        self.buffer.write_clock.next = self.clock.val();
        self.buffer.write_address.next = bit_cast::<11, 12>(self.index.q.val());
        self.buffer.write_data.next = self.rx.data.val();
        self.buffer.write_enable.next = false;
        self.buffer.read_address.next = bit_cast::<11, 12>(self.ptr.q.val());

        // CRC-32 of each byte received, and of each byte sent.
        self.crc_rx_lo.crc_in.next = self.crc_rx.q.val();
        self.crc_rx_lo.nibble.next = self.rx.data.val().get_bits::<4>(0);
        self.crc_rx_hi.crc_in.next = self.crc_rx_lo.crc_out.val();
        self.crc_rx_hi.nibble.next = self.rx.data.val().get_bits::<4>(4);
        self.crc_rx_next.next = self.crc_rx_hi.crc_out.val();
        self.crc_tx_lo.crc_in.next = self.crc_tx.q.val();
        self.crc_tx_lo.nibble.next = self.out_byte.q.val().get_bits::<4>(0);
        self.crc_tx_hi.crc_in.next = self.crc_tx_lo.crc_out.val();
        self.crc_tx_hi.nibble.next = self.out_byte.q.val().get_bits::<4>(4);
        self.crc_final.next = !self.crc_tx.q.val();

        // An unfinished request times out after 256 idle bit times.
        self.timed_out.next =
            self.rx.idle_cycles.val() >= (bit_cast::<24, 16>(self.divisor.q.val()) << 4);
        self.len_next.next =
            (bit_cast::<16, 8>(self.rx.data.val()) << 8) | bit_cast::<16, 8>(self.len_lo.q.val());

        // Ports' defaults.
        self.tx.valid.next = false;
        self.tx.data.next = self.out_byte.q.val();
        self.axil.awaddr.next = self.addr.q.val().get_bits::<12>(0);
        self.axil.araddr.next = self.addr.q.val().get_bits::<12>(0);
        self.axil.wdata.next = self.word.q.val();
        self.axil.wstrb.next = 0xF.into();
        self.axil.awvalid.next = false;
        self.axil.wvalid.next = false;
        self.axil.bready.next = false;
        self.axil.arvalid.next = false;
        self.axil.rready.next = false;
        self.local_addr.next = self.addr.q.val().get_bits::<12>(0);
        self.local_wdata.next = self.word.q.val();
        self.local_write.next = false;
        self.mem_addr.next = self.addr.q.val().get_bits::<16>(0);
        self.mem_en.next = false;
        self.mem_write.next = false;
        self.mem_wdata.next = self.word.q.val().get_bits::<8>(24);
        self.mem_end.next = bit_cast::<17, 16>(self.addr.q.val().get_bits::<16>(0))
            + bit_cast::<17, 12>(self.count.q.val());

        // The board page's registers the bridge keeps.
        self.local_value.next = self.local_rdata.val();
        if self.addr.q.val().get_bits::<12>(0) == 0x004 {
            self.local_value.next = bit_cast::<32, 16>(self.divisor.q.val());
        }
        if self.addr.q.val().get_bits::<7>(5) == 1 {
            match self.addr.q.val().get_bits::<3>(2).index() {
                0 => self.local_value.next = self.c_ok.q.val(),
                1 => self.local_value.next = self.c_bad_crc.q.val(),
                2 => self.local_value.next = self.c_bad_length.q.val(),
                3 => self.local_value.next = self.c_bad_opcode.q.val(),
                4 => self.local_value.next = self.c_truncated.q.val(),
                5 => self.local_value.next = self.c_framing.q.val(),
                6 => self.local_value.next = self.c_bad_address.q.val(),
                _ => self.local_value.next = 0.into(),
            }
        }

        // Counters: bit i of `bump` adds one to counter i (the framing
        // counter counts `uart_rx`'s pulses directly).
        self.bump.next = 0.into();
        self.error.next = self.rx.framing_error.val();

        match self.state.q.val() {
            BridgeState::Hunt => {
                if self.rx.valid.val() & (self.rx.data.val() == 0xA5) {
                    self.crc_rx.d.next = self.crc_init.val();
                    self.index.d.next = 0.into();
                    self.seq.d.next = 0.into();
                    self.state.d.next = BridgeState::Seq;
                }
            }
            BridgeState::Seq => {
                if self.rx.valid.val() {
                    self.seq.d.next = self.rx.data.val();
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    self.state.d.next = BridgeState::Op;
                }
            }
            BridgeState::Op => {
                if self.rx.valid.val() {
                    self.opcode.d.next = self.rx.data.val();
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    self.state.d.next = BridgeState::LenLo;
                }
            }
            BridgeState::LenLo => {
                if self.rx.valid.val() {
                    self.len_lo.d.next = self.rx.data.val();
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    self.state.d.next = BridgeState::LenHi;
                }
            }
            BridgeState::LenHi => {
                if self.rx.valid.val() {
                    self.len.d.next = bit_cast::<12, 16>(self.len_next.val());
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    if self.len_next.val() > 2048 {
                        self.status.d.next = 2.into();
                        self.state.d.next = BridgeState::Drain;
                    } else if self.len_next.val() == 0 {
                        self.state.d.next = BridgeState::Crc;
                    } else {
                        self.state.d.next = BridgeState::Payload;
                    }
                }
            }
            BridgeState::Payload => {
                if self.rx.valid.val() {
                    self.buffer.write_enable.next = true;
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    self.index.d.next = self.index.q.val() + 1;
                    if (self.index.q.val() + 1) == self.len.q.val() {
                        self.index.d.next = 0.into();
                        self.state.d.next = BridgeState::Crc;
                    }
                }
            }
            BridgeState::Crc => {
                if self.rx.valid.val() {
                    self.crc_rx.d.next = self.crc_rx_next.val();
                    self.index.d.next = self.index.q.val() + 1;
                    if self.index.q.val() == 3 {
                        self.state.d.next = BridgeState::Check;
                    }
                }
            }
            BridgeState::Drain => {
                if self.timed_out.val() {
                    self.bump.next = 0x04.into();
                    self.state.d.next = BridgeState::Fail;
                }
            }
            BridgeState::Check => {
                self.ptr.d.next = 0.into();
                self.executing.d.next = false;
                if self.crc_rx.q.val() != self.crc_residue.val() {
                    self.status.d.next = 1.into();
                    self.bump.next = 0x02.into();
                    self.state.d.next = BridgeState::Fail;
                } else if (self.opcode.q.val() == 0) | (self.opcode.q.val() > 4) {
                    self.status.d.next = 3.into();
                    self.bump.next = 0x08.into();
                    self.state.d.next = BridgeState::Fail;
                } else if ((self.opcode.q.val() == 1) & (self.len.q.val() > 1024))
                    | ((self.opcode.q.val() == 3) & (self.len.q.val() != 6))
                    | ((self.opcode.q.val() == 4) & (self.len.q.val() < 4))
                {
                    self.status.d.next = 2.into();
                    self.bump.next = 0x04.into();
                    self.state.d.next = BridgeState::Fail;
                } else if self.opcode.q.val() >= 3 {
                    // The DMA address, then (MEM_READ) the byte count.
                    self.fetch_left.d.next = 4.into();
                    self.resume.d.next = BridgeState::MemValAddr;
                    self.state.d.next = BridgeState::Fetch;
                } else {
                    self.state.d.next = BridgeState::ValNext;
                }
            }
            // Fetch `fetch_left` bytes of the buffer from `ptr` into `word`
            // (little-endian: the last byte ends in bits 24..32), then `resume`.
            BridgeState::Fetch => {
                self.state.d.next = BridgeState::FetchWait;
            }
            BridgeState::FetchWait => {
                self.word.d.next = (self.word.q.val() >> 8)
                    | (bit_cast::<32, 8>(self.buffer.read_data.val()) << 24);
                self.ptr.d.next = self.ptr.q.val() + 1;
                self.fetch_left.d.next = self.fetch_left.q.val() - 1;
                if self.fetch_left.q.val() == 1 {
                    self.state.d.next = self.resume.q.val();
                } else {
                    self.state.d.next = BridgeState::Fetch;
                }
            }
            // Validation of a register request: every entry fits and every
            // address is a register (below 0x2000, 4-byte aligned).
            BridgeState::ValNext => {
                if self.ptr.q.val() == self.len.q.val() {
                    self.ptr.d.next = 0.into();
                    self.executing.d.next = true;
                    self.state.d.next = BridgeState::Exec;
                } else if ((self.opcode.q.val() == 1) & ((self.ptr.q.val() + 2) > self.len.q.val()))
                    | ((self.opcode.q.val() == 2) & ((self.ptr.q.val() + 6) > self.len.q.val()))
                {
                    self.status.d.next = 2.into();
                    self.bump.next = 0x04.into();
                    self.state.d.next = BridgeState::Fail;
                } else {
                    self.fetch_left.d.next = 2.into();
                    self.resume.d.next = BridgeState::ValAddr;
                    self.state.d.next = BridgeState::Fetch;
                }
            }
            BridgeState::ValAddr => {
                if self.word.q.val().get_bits::<3>(29).any()
                    | self.word.q.val().get_bits::<2>(16).any()
                {
                    self.status.d.next = 5.into();
                    self.bump.next = 0x40.into();
                    self.state.d.next = BridgeState::Fail;
                } else {
                    if self.opcode.q.val() == 2 {
                        self.ptr.d.next = self.ptr.q.val() + 4;
                    }
                    self.state.d.next = BridgeState::ValNext;
                }
            }
            BridgeState::MemValAddr => {
                self.addr.d.next = self.word.q.val();
                self.count.d.next = self.len.q.val() - 4;
                if self.opcode.q.val() == 3 {
                    self.fetch_left.d.next = 2.into();
                    self.resume.d.next = BridgeState::MemValCount;
                    self.state.d.next = BridgeState::Fetch;
                } else {
                    self.state.d.next = BridgeState::MemValCount;
                }
            }
            BridgeState::MemValCount => {
                if self.opcode.q.val() == 3 {
                    self.count.d.next = self.word.q.val().get_bits::<12>(16);
                }
                if (self.opcode.q.val() == 3) & (self.word.q.val().get_bits::<16>(16) > 2048) {
                    self.status.d.next = 2.into();
                    self.bump.next = 0x04.into();
                    self.state.d.next = BridgeState::Fail;
                } else {
                    self.ptr.d.next = 4.into();
                    self.executing.d.next = true;
                    self.state.d.next = BridgeState::Exec;
                }
            }
            BridgeState::Exec => {
                // MEM requests: the range fits in DMA memory (checked here,
                // with `count` settled).
                if (self.opcode.q.val() >= 3)
                    & (self.addr.q.val().get_bits::<16>(16).any() | (self.mem_end.val() > 0x10000))
                {
                    self.status.d.next = 5.into();
                    self.bump.next = 0x40.into();
                    self.state.d.next = BridgeState::Fail;
                } else {
                    self.bump.next = 0x01.into();
                    self.status.d.next = 0.into();
                    match self.opcode.q.val().index() {
                        1 => {
                            self.resp_len.d.next = self.len.q.val() << 1;
                            self.after_header.d.next = BridgeState::RegNext;
                            self.state.d.next = BridgeState::Header;
                        }
                        2 => {
                            self.resp_len.d.next = 0.into();
                            self.state.d.next = BridgeState::RegNext;
                        }
                        3 => {
                            self.resp_len.d.next = self.count.q.val();
                            self.after_header.d.next = BridgeState::MemRead;
                            self.state.d.next = BridgeState::Header;
                        }
                        _ => {
                            self.resp_len.d.next = 0.into();
                            self.state.d.next = BridgeState::MemWrite;
                        }
                    }
                }
            }
            // The answer's header: sync, seq, status, length.
            BridgeState::Header => {
                match self.byte_index.q.val().index() {
                    0 => {
                        self.out_byte.d.next = 0x5A.into();
                        self.crc_tx.d.next = self.crc_init.val();
                        self.crc_on.d.next = false;
                    }
                    1 => self.out_byte.d.next = self.seq.q.val(),
                    2 => self.out_byte.d.next = self.status.q.val(),
                    3 => self.out_byte.d.next = self.resp_len.q.val().get_bits::<8>(0),
                    _ => {
                        self.out_byte.d.next =
                            bit_cast::<8, 4>(self.resp_len.q.val().get_bits::<4>(8))
                    }
                }
                if self.byte_index.q.val() != 0 {
                    self.crc_on.d.next = true;
                }
                self.resume.d.next = BridgeState::HeaderNext;
                self.state.d.next = BridgeState::Send;
            }
            BridgeState::HeaderNext => {
                self.byte_index.d.next = self.byte_index.q.val() + 1;
                self.state.d.next = BridgeState::Header;
                if self.byte_index.q.val() == 4 {
                    self.byte_index.d.next = 0.into();
                    self.state.d.next = self.after_header.q.val();
                }
            }
            // Sends `out_byte` (into the CRC unless it is the sync byte).
            BridgeState::Send => {
                self.tx.valid.next = true;
                if self.tx.ready.val() {
                    if self.crc_on.q.val() {
                        self.crc_tx.d.next = self.crc_tx_hi.crc_out.val();
                    }
                    self.state.d.next = self.resume.q.val();
                }
            }
            BridgeState::RegNext => {
                if self.ptr.q.val() == self.len.q.val() {
                    if self.opcode.q.val() == 1 {
                        self.state.d.next = BridgeState::CrcOut;
                    } else {
                        self.after_header.d.next = BridgeState::CrcOut;
                        self.state.d.next = BridgeState::Header;
                    }
                } else {
                    self.fetch_left.d.next = 2.into();
                    self.resume.d.next = BridgeState::RegAddr;
                    self.state.d.next = BridgeState::Fetch;
                }
            }
            BridgeState::RegAddr => {
                self.addr.d.next = bit_cast::<32, 16>(self.word.q.val().get_bits::<16>(16));
                if self.opcode.q.val() == 1 {
                    self.state.d.next = BridgeState::RegRead;
                } else {
                    self.fetch_left.d.next = 4.into();
                    self.resume.d.next = BridgeState::RegWrite;
                    self.state.d.next = BridgeState::Fetch;
                }
            }
            BridgeState::RegRead => {
                if self.addr.q.val().get_bit(12) {
                    self.word.d.next = self.local_value.val();
                    self.state.d.next = BridgeState::SendWord;
                } else {
                    self.ar_done.d.next = false;
                    self.state.d.next = BridgeState::RegReadWait;
                }
            }
            BridgeState::RegReadWait => {
                self.axil.arvalid.next = !self.ar_done.q.val();
                self.axil.rready.next = self.ar_done.q.val();
                if self.axil.arready.val() {
                    self.ar_done.d.next = true;
                }
                if self.ar_done.q.val() & self.axil.rvalid.val() {
                    self.word.d.next = self.axil.rdata.val();
                    self.state.d.next = BridgeState::SendWord;
                }
            }
            BridgeState::SendWord => {
                match self.byte_index.q.val().index() {
                    0 => self.out_byte.d.next = self.word.q.val().get_bits::<8>(0),
                    1 => self.out_byte.d.next = self.word.q.val().get_bits::<8>(8),
                    2 => self.out_byte.d.next = self.word.q.val().get_bits::<8>(16),
                    _ => self.out_byte.d.next = self.word.q.val().get_bits::<8>(24),
                }
                self.resume.d.next = BridgeState::SendWordNext;
                self.state.d.next = BridgeState::Send;
            }
            BridgeState::SendWordNext => {
                self.byte_index.d.next = self.byte_index.q.val() + 1;
                self.state.d.next = BridgeState::SendWord;
                if self.byte_index.q.val() == 3 {
                    self.byte_index.d.next = 0.into();
                    self.state.d.next = BridgeState::RegNext;
                }
            }
            BridgeState::RegWrite => {
                if self.addr.q.val().get_bit(12) {
                    self.state.d.next = BridgeState::RegNext;
                    if self.addr.q.val().get_bits::<12>(0) == 0x004 {
                        self.pending_divisor.d.next = self.word.q.val().get_bits::<16>(0);
                        self.divisor_pending.d.next = true;
                    } else {
                        self.local_write.next = true;
                    }
                } else {
                    self.aw_done.d.next = false;
                    self.w_done.d.next = false;
                    self.state.d.next = BridgeState::RegWriteWait;
                }
            }
            BridgeState::RegWriteWait => {
                self.axil.awvalid.next = !self.aw_done.q.val();
                self.axil.wvalid.next = !self.w_done.q.val();
                self.axil.bready.next = self.aw_done.q.val() & self.w_done.q.val();
                if self.axil.awready.val() {
                    self.aw_done.d.next = true;
                }
                if self.axil.wready.val() {
                    self.w_done.d.next = true;
                }
                if self.aw_done.q.val() & self.w_done.q.val() & self.axil.bvalid.val() {
                    self.state.d.next = BridgeState::RegNext;
                }
            }
            BridgeState::MemRead => {
                if self.count.q.val().any() {
                    self.mem_en.next = true;
                    self.state.d.next = BridgeState::MemReadWait;
                } else {
                    self.state.d.next = BridgeState::CrcOut;
                }
            }
            BridgeState::MemReadWait => {
                self.out_byte.d.next = self.mem_rdata.val();
                self.resume.d.next = BridgeState::MemReadNext;
                self.state.d.next = BridgeState::Send;
            }
            BridgeState::MemReadNext => {
                self.addr.d.next = self.addr.q.val() + 1;
                self.count.d.next = self.count.q.val() - 1;
                self.state.d.next = BridgeState::MemRead;
            }
            BridgeState::MemWrite => {
                if self.count.q.val().any() {
                    self.fetch_left.d.next = 1.into();
                    self.resume.d.next = BridgeState::MemWriteByte;
                    self.state.d.next = BridgeState::Fetch;
                } else {
                    self.after_header.d.next = BridgeState::CrcOut;
                    self.state.d.next = BridgeState::Header;
                }
            }
            BridgeState::MemWriteByte => {
                self.mem_en.next = true;
                self.mem_write.next = true;
                self.addr.d.next = self.addr.q.val() + 1;
                self.count.d.next = self.count.q.val() - 1;
                self.state.d.next = BridgeState::MemWrite;
            }
            // The CRC, little-endian, then done.
            BridgeState::CrcOut => {
                self.crc_on.d.next = false;
                match self.byte_index.q.val().index() {
                    0 => self.out_byte.d.next = self.crc_final.val().get_bits::<8>(0),
                    1 => self.out_byte.d.next = self.crc_final.val().get_bits::<8>(8),
                    2 => self.out_byte.d.next = self.crc_final.val().get_bits::<8>(16),
                    _ => self.out_byte.d.next = self.crc_final.val().get_bits::<8>(24),
                }
                self.resume.d.next = BridgeState::CrcOutNext;
                self.state.d.next = BridgeState::Send;
            }
            BridgeState::CrcOutNext => {
                self.byte_index.d.next = self.byte_index.q.val() + 1;
                self.state.d.next = BridgeState::CrcOut;
                if self.byte_index.q.val() == 3 {
                    self.byte_index.d.next = 0.into();
                    self.state.d.next = BridgeState::Finish;
                }
            }
            // The answer has left: a new rate may start now.
            BridgeState::Finish => {
                if self.tx.ready.val() {
                    if self.divisor_pending.q.val() {
                        self.divisor.en.next = true;
                        self.divisor_pending.d.next = false;
                    }
                    self.state.d.next = BridgeState::Hunt;
                }
            }
            // An error answer: no payload.
            BridgeState::Fail => {
                self.error.next = true;
                self.resp_len.d.next = 0.into();
                self.byte_index.d.next = 0.into();
                self.after_header.d.next = BridgeState::CrcOut;
                self.state.d.next = BridgeState::Header;
            }
            _ => {
                self.state.d.next = BridgeState::Hunt;
            }
        }
        // A request the line stopped in the middle of.
        if ((self.state.q.val() == BridgeState::Seq)
            | (self.state.q.val() == BridgeState::Op)
            | (self.state.q.val() == BridgeState::LenLo)
            | (self.state.q.val() == BridgeState::LenHi)
            | (self.state.q.val() == BridgeState::Payload)
            | (self.state.q.val() == BridgeState::Crc))
            & !self.rx.valid.val()
            & self.timed_out.val()
        {
            self.status.d.next = 4.into();
            self.bump.next = 0x10.into();
            self.state.d.next = BridgeState::Fail;
        }

        if self.bump.val().get_bit(0) {
            self.c_ok.d.next = self.c_ok.q.val() + 1;
        }
        if self.bump.val().get_bit(1) {
            self.c_bad_crc.d.next = self.c_bad_crc.q.val() + 1;
        }
        if self.bump.val().get_bit(2) {
            self.c_bad_length.d.next = self.c_bad_length.q.val() + 1;
        }
        if self.bump.val().get_bit(3) {
            self.c_bad_opcode.d.next = self.c_bad_opcode.q.val() + 1;
        }
        if self.bump.val().get_bit(4) {
            self.c_truncated.d.next = self.c_truncated.q.val() + 1;
        }
        if self.rx.framing_error.val() {
            self.c_framing.d.next = self.c_framing.q.val() + 1;
        }
        if self.bump.val().get_bit(6) {
            self.c_bad_address.d.next = self.c_bad_address.q.val() + 1;
        }
        if self.reset.val() {
            self.state.d.next = BridgeState::Hunt;
            self.byte_index.d.next = 0.into();
            self.divisor_pending.d.next = false;
        }
    }
}
