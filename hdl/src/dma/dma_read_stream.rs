//! `dma_read_stream`: reads `cmd_len` bytes from `cmd_addr` over an AXI4 read
//! channel (`axi`: 32-bit data, INCR bursts of up to 16 beats) and emits them
//! as a byte stream (`m_axis`, `tlast` on the last byte).
//!
//! Inputs: `cmd_addr`, `cmd_len` (0..=2^17-1, any alignment), `cmd_valid`.
//! Outputs: `cmd_ready` (idle), `done` (one-cycle pulse when every byte was
//! emitted and every beat received) with `error` (some beat had a non-OKAY
//! response; the bytes were still emitted). As a top its AXI4 ports have
//! their bare names (`araddr`, …).
//!
//! Invariants: a burst is issued only when the 32-word FIFO has room for all
//! of it, so `rready` is always high and a slow consumer never stalls the
//! shared R channel; bursts never cross a 4 KiB boundary (AXI4 rule); words
//! requested = ⌈(addr mod 4 + len) / 4⌉ exactly.
//!
//! Timing (SPEC A2): the burst decision is pipelined. Each cycle the *plan*
//! registers (`plan_beats`, `plan_fits`, `plan_any`) are computed from the
//! address side's registers; a burst is issued from a plan only while
//! `plan_valid`, which is cleared for the cycle after anything the plan was
//! computed from moved (a command taken, a burst issued). A valid plan is
//! exact for `next_word`/`words_left` and conservative for the FIFO room:
//! between planning and issuing, `reserved` can only fall (words popped).
//! The issue rate is unchanged: the AR handshake already leaves a cycle
//! between two bursts, in which the next plan is made.
use crate::bus::axi_read::AxiReadMaster;
use crate::bus::axis::AxisMaster;
use crate::dma::MAX_BURST;
use crate::prim::const_bits::ConstBits;
use crate::prim::dff_en::{DffEn, DffEnInit};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ReadState {
    Idle,
    Run,
}

/// Words the FIFO holds.
const FIFO_WORDS: u64 = 32;

type WordFifo = SynchronousFIFO<Bits<32>, 5, 6, 1>;

#[derive(LogicBlock, Default)]
pub struct DmaReadStream {
    pub clock: Signal<In, Clock>,
    pub cmd_addr: Signal<In, Bits<32>>,
    pub cmd_len: Signal<In, Bits<17>>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub done: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    pub axi: AxiReadMaster,
    pub m_axis: AxisMaster,
    // Address side (word addresses: byte address / 4).
    state: DFF<ReadState>,
    next_word: DFF<Bits<30>>,
    words_left: DFF<Bits<16>>,
    ar_pending: DFF<Bit>,
    ar_word: DffEn<Bits<30>>,
    ar_len: DffEn<Bits<4>>,
    reserved: DffEnInit<Bits<7>>,
    outstanding: DFF<Bits<7>>,
    saw_error: DFF<Bit>,
    // Byte side.
    fifo: WordFifo,
    word: DffEn<Bits<32>>,
    have: DFF<Bit>,
    byte_idx: DFF<Bits<2>>,
    first_word: DFF<Bit>,
    skip: DffEn<Bits<2>>,
    bytes_left: DFF<Bits<17>>,
    // Combinational helpers.
    take: Signal<Local, Bit>,
    beats_left: Signal<Local, Bits<5>>,
    beats_page: Signal<Local, Bits<5>>,
    beats: Signal<Local, Bits<5>>,
    plan_beats: DFF<Bits<5>>,
    plan_fits: DFF<Bit>,
    plan_any: DFF<Bit>,
    plan_valid: DFF<Bit>,
    next_sum: Signal<Local, Bits<30>>,
    issue: Signal<Local, Bit>,
    issued: Signal<Local, Bits<7>>,
    ar_fire: Signal<Local, Bit>,
    r_fire: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    emit: Signal<Local, Bit>,
    word_count: Signal<Local, Bits<17>>,
    fifo_words: ConstBits<7, FIFO_WORDS>,
    max_burst: ConstBits<5, MAX_BURST>,
}

impl Logic for DmaReadStream {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            next_word,
            words_left,
            ar_pending,
            outstanding,
            saw_error,
            have,
            byte_idx,
            first_word,
            bytes_left,
            plan_beats,
            plan_fits,
            plan_any,
            plan_valid
        );
        clock!(self, clock, fifo, ar_word, ar_len, reserved, word, skip);
        self.cmd_ready.next = self.state.q.val() == ReadState::Idle;
        self.take.next = (self.state.q.val() == ReadState::Idle) & self.cmd_valid.val();
        self.done.next = false;
        self.error.next = self.saw_error.q.val();

        // Burst size: at most 16 beats, the words left, and up to the 4 KiB
        // boundary (1024 words; fewer than 16 remain only in its last 16).
        self.beats_left.next = self.max_burst.val();
        if !self.words_left.q.val().get_bits::<12>(4).any() {
            self.beats_left.next = self.words_left.q.val().get_bits::<5>(0);
        }
        self.beats_page.next = self.max_burst.val();
        if self.next_word.q.val().get_bits::<6>(4) == 0x3F {
            self.beats_page.next =
                self.max_burst.val() - bit_cast::<5, 4>(self.next_word.q.val().get_bits::<4>(0));
        }
        self.beats.next = self.beats_left.val();
        if self.beats_page.val() < self.beats_left.val() {
            self.beats.next = self.beats_page.val();
        }
        // The plan, registered: valid the cycle after nothing it reads moved.
        self.plan_beats.d.next = self.beats.val();
        self.plan_fits.d.next =
            (self.reserved.q.val() + bit_cast::<7, 5>(self.beats.val())) <= self.fifo_words.val();
        self.plan_any.d.next = self.words_left.q.val().any();
        self.issue.next = (self.state.q.val() == ReadState::Run)
            & !self.ar_pending.q.val()
            & self.plan_valid.q.val()
            & self.plan_any.q.val()
            & self.plan_fits.q.val();
        self.issued.next = 0.into();
        if self.issue.val() {
            self.issued.next = bit_cast::<7, 5>(self.plan_beats.q.val());
        }
        self.plan_valid.d.next = !self.take.val() & !self.issue.val();
        self.axi.araddr.next = bit_cast::<32, 30>(self.ar_word.q.val()) << 2;
        self.axi.arlen.next = bit_cast::<8, 4>(self.ar_len.q.val());
        self.axi.arsize.next = 2.into();
        self.axi.arburst.next = 1.into();
        self.axi.arvalid.next = self.ar_pending.q.val();
        self.ar_fire.next = self.ar_pending.q.val() & self.axi.arready.val();
        self.ar_word.d.next = self.next_word.q.val();
        self.ar_word.en.next = self.issue.val();
        self.ar_len.d.next = bit_cast::<4, 5>(self.plan_beats.q.val() - 1);
        self.ar_len.en.next = self.issue.val();
        if self.issue.val() {
            self.ar_pending.d.next = true;
        }
        if self.ar_fire.val() {
            self.ar_pending.d.next = false;
        }
        // Next address and words left: a command loads them, a burst moves them.
        self.next_sum.next = self.next_word.q.val() + bit_cast::<30, 5>(self.plan_beats.q.val());
        self.word_count.next =
            (self.cmd_len.val() + bit_cast::<17, 2>(self.cmd_addr.val().get_bits::<2>(0)) + 3) >> 2;
        if self.take.val() {
            self.next_word.d.next = self.cmd_addr.val().get_bits::<30>(2);
            self.words_left.d.next = bit_cast::<16, 17>(self.word_count.val());
        } else if self.issue.val() {
            self.next_word.d.next = self.next_sum.val();
            self.words_left.d.next =
                self.words_left.q.val() - bit_cast::<16, 5>(self.plan_beats.q.val());
        }

        // Data side: room was reserved, so every beat is taken at once.
        self.axi.rready.next = true;
        self.r_fire.next = self.axi.rvalid.val();
        self.fifo.write.next = self.r_fire.val();
        self.fifo.data_in.next = self.axi.rdata.val();
        if self.r_fire.val() & self.axi.rresp.val().any() {
            self.saw_error.d.next = true;
        }

        // Byte side: one word at a time, byte `byte_idx` out; the first
        // word starts at the command's address modulo 4.
        match self.byte_idx.q.val().index() {
            0 => self.m_axis.tdata.next = self.word.q.val().get_bits::<8>(0),
            1 => self.m_axis.tdata.next = self.word.q.val().get_bits::<8>(8),
            2 => self.m_axis.tdata.next = self.word.q.val().get_bits::<8>(16),
            _ => self.m_axis.tdata.next = self.word.q.val().get_bits::<8>(24),
        }
        self.m_axis.tvalid.next = self.have.q.val() & self.bytes_left.q.val().any();
        self.m_axis.tlast.next = self.bytes_left.q.val() == 1;
        self.emit.next = self.m_axis.tvalid.val() & self.m_axis.tready.val();
        self.pop.next = !self.have.q.val() & !self.fifo.empty.val() & self.bytes_left.q.val().any();
        self.fifo.read.next = self.pop.val();
        self.word.d.next = self.fifo.data_out.val();
        self.word.en.next = self.pop.val();
        self.skip.d.next = self.cmd_addr.val().get_bits::<2>(0);
        self.skip.en.next = self.take.val();
        if self.pop.val() {
            self.have.d.next = true;
            self.byte_idx.d.next = 0.into();
            if self.first_word.q.val() {
                self.byte_idx.d.next = self.skip.q.val();
            }
            self.first_word.d.next = false;
        }
        if self.emit.val() {
            self.byte_idx.d.next = self.byte_idx.q.val() + 1;
            // The word's last byte, or the command's (a partial last word
            // is dropped).
            if (self.byte_idx.q.val() == 3) | (self.bytes_left.q.val() == 1) {
                self.have.d.next = false;
            }
        }
        self.bytes_left.d.next =
            self.bytes_left.q.val() - bit_cast::<17, 1>(self.emit.val().into());
        if self.take.val() {
            self.bytes_left.d.next = self.cmd_len.val();
        }

        // Reservation: words requested but not yet taken out of the FIFO;
        // outstanding: beats requested but not yet received.
        self.reserved.d.next =
            self.reserved.q.val() + self.issued.val() - bit_cast::<7, 1>(self.pop.val().into());
        self.reserved.en.next = true;
        self.reserved.init.next = false;
        self.outstanding.d.next =
            self.outstanding.q.val() - bit_cast::<7, 1>(self.r_fire.val().into());
        if self.ar_fire.val() {
            self.outstanding.d.next =
                self.outstanding.q.val() + bit_cast::<7, 4>(self.ar_len.q.val()) + 1
                    - bit_cast::<7, 1>(self.r_fire.val().into());
        }

        match self.state.q.val() {
            ReadState::Idle => {
                if self.cmd_valid.val() {
                    self.state.d.next = ReadState::Run;
                    self.first_word.d.next = true;
                    self.saw_error.d.next = false;
                }
            }
            ReadState::Run => {
                if !self.bytes_left.q.val().any()
                    & !self.words_left.q.val().any()
                    & !self.ar_pending.q.val()
                    & !self.outstanding.q.val().any()
                {
                    self.done.next = true;
                    self.state.d.next = ReadState::Idle;
                    // Beats of a partial last word left nothing behind but
                    // the reservation of words never popped: release it.
                    self.reserved.init.next = true;
                }
            }
            _ => {
                self.state.d.next = ReadState::Idle;
            }
        }
    }
}

/// The block's Verilog on its own, for its Verilator tests.
pub fn verilog() -> String {
    crate::emit::top_verilog(DmaReadStream::default(), &[("axi$", "")])
}
