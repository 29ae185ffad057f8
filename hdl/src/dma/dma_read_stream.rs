//! `dma_read_stream`: reads `cmd_len` bytes from `cmd_addr` over an AXI4 read
//! channel (32-bit data, INCR bursts of up to 16 beats) and emits them as a
//! byte stream (`m_axis_*`, `tlast` on the last byte).
//!
//! Inputs: `cmd_addr`, `cmd_len` (0..=2^17-1, any alignment), `cmd_valid`;
//! AXI4 `arready`, `rdata`, `rresp`, `rlast`, `rvalid`; `m_axis_tready`.
//! Outputs: `cmd_ready` (idle), `done` (one-cycle pulse when every byte was
//! emitted and every beat received) with `error` (some beat had a non-OKAY
//! response; the bytes were still emitted), AXI4 `araddr`, `arlen`, `arsize`,
//! `arburst`, `arvalid`, `rready`; `m_axis_tdata/tvalid/tlast`.
//!
//! Invariants: a burst is issued only when the 32-word FIFO has room for all
//! of it, so `rready` is always high and a slow consumer never stalls the
//! shared R channel; bursts never cross a 4 KiB boundary (AXI4 rule); words
//! requested = ⌈(addr mod 4 + len) / 4⌉ exactly.
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ReadState {
    Idle,
    Run,
}

/// Words the FIFO holds.
const FIFO_WORDS: u64 = 32;
/// Longest burst, in beats.
const MAX_BURST: u64 = 16;

type WordFifo = SynchronousFIFO<Bits<32>, 5, 6, 1>;

#[derive(LogicBlock)]
pub struct DmaReadStream {
    pub clock: Signal<In, Clock>,
    pub cmd_addr: Signal<In, Bits<32>>,
    pub cmd_len: Signal<In, Bits<17>>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub done: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    pub araddr: Signal<Out, Bits<32>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    pub rdata: Signal<In, Bits<32>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    pub m_axis_tdata: Signal<Out, Bits<8>>,
    pub m_axis_tvalid: Signal<Out, Bit>,
    pub m_axis_tlast: Signal<Out, Bit>,
    pub m_axis_tready: Signal<In, Bit>,
    state: DFF<ReadState>,
    // Address side.
    next_addr: DFF<Bits<32>>,
    words_left: DFF<Bits<16>>,
    ar_pending: DFF<Bit>,
    ar_addr: DFF<Bits<32>>,
    ar_beats: DFF<Bits<5>>,
    reserved: DFF<Bits<7>>,
    outstanding: DFF<Bits<7>>,
    saw_error: DFF<Bit>,
    // Byte side.
    fifo: WordFifo,
    word: DFF<Bits<32>>,
    word_bytes: DFF<Bits<3>>,
    first_word: DFF<Bit>,
    skip: DFF<Bits<2>>,
    bytes_left: DFF<Bits<17>>,
    // Combinational helpers.
    beats: Signal<Local, Bits<16>>,
    to_boundary: Signal<Local, Bits<16>>,
    issue: Signal<Local, Bit>,
    ar_fire: Signal<Local, Bit>,
    r_fire: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    emit: Signal<Local, Bit>,
    popped_word: Signal<Local, Bits<32>>,
    fifo_words: Constant<Bits<7>>,
    max_burst: Constant<Bits<16>>,
    page_words: Constant<Bits<16>>,
    word_size: Constant<Bits<3>>,
}

impl Default for DmaReadStream {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            cmd_addr: Default::default(),
            cmd_len: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            done: Default::default(),
            error: Default::default(),
            araddr: Default::default(),
            arlen: Default::default(),
            arsize: Default::default(),
            arburst: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            state: Default::default(),
            next_addr: Default::default(),
            words_left: Default::default(),
            ar_pending: Default::default(),
            ar_addr: Default::default(),
            ar_beats: Default::default(),
            reserved: Default::default(),
            outstanding: Default::default(),
            saw_error: Default::default(),
            fifo: Default::default(),
            word: Default::default(),
            word_bytes: Default::default(),
            first_word: Default::default(),
            skip: Default::default(),
            bytes_left: Default::default(),
            beats: Default::default(),
            to_boundary: Default::default(),
            issue: Default::default(),
            ar_fire: Default::default(),
            r_fire: Default::default(),
            pop: Default::default(),
            emit: Default::default(),
            popped_word: Default::default(),
            fifo_words: Constant::new(FIFO_WORDS.to_bits()),
            max_burst: Constant::new(MAX_BURST.to_bits()),
            page_words: Constant::new(1024u64.to_bits()),
            word_size: Constant::new(4u64.to_bits()),
        }
    }
}

impl Logic for DmaReadStream {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            next_addr,
            words_left,
            ar_pending,
            ar_addr,
            ar_beats,
            reserved,
            outstanding,
            saw_error,
            word,
            word_bytes,
            first_word,
            skip,
            bytes_left
        );
        self.fifo.clock.next = self.clock.val();
        self.cmd_ready.next = self.state.q.val() == ReadState::Idle;
        self.done.next = false;
        self.error.next = self.saw_error.q.val();

        // Burst size: at most 16 beats, the words left, and up to the 4 KiB boundary.
        // Not `!addr + 1`: Verilog would widen before inverting.
        self.to_boundary.next =
            self.page_words.val() - bit_cast::<16, 10>(self.next_addr.q.val().get_bits::<10>(2));
        self.beats.next = self.max_burst.val();
        if self.words_left.q.val() < self.beats.val() {
            self.beats.next = self.words_left.q.val();
        }
        if self.to_boundary.val() < self.beats.val() {
            self.beats.next = self.to_boundary.val();
        }
        self.issue.next = (self.state.q.val() == ReadState::Run)
            & !self.ar_pending.q.val()
            & self.words_left.q.val().any()
            & ((bit_cast::<16, 7>(self.reserved.q.val()) + self.beats.val())
                <= bit_cast::<16, 7>(self.fifo_words.val()));
        self.araddr.next = self.ar_addr.q.val();
        self.arlen.next = bit_cast::<8, 5>(self.ar_beats.q.val()) - 1;
        self.arsize.next = 2.into();
        self.arburst.next = 1.into();
        self.arvalid.next = self.ar_pending.q.val();
        self.ar_fire.next = self.ar_pending.q.val() & self.arready.val();
        if self.issue.val() {
            self.ar_pending.d.next = true;
            self.ar_addr.d.next = self.next_addr.q.val();
            self.ar_beats.d.next = bit_cast::<5, 16>(self.beats.val());
            self.next_addr.d.next =
                self.next_addr.q.val() + (bit_cast::<32, 16>(self.beats.val()) << 2);
            self.words_left.d.next = self.words_left.q.val() - self.beats.val();
        }
        if self.ar_fire.val() {
            self.ar_pending.d.next = false;
        }

        // Data side: room was reserved, so every beat is taken at once.
        self.rready.next = true;
        self.r_fire.next = self.rvalid.val();
        self.fifo.write.next = self.r_fire.val();
        self.fifo.data_in.next = self.rdata.val();
        if self.r_fire.val() & self.rresp.val().any() {
            self.saw_error.d.next = true;
        }

        // Byte side: one word at a time, low byte first.
        self.m_axis_tdata.next = self.word.q.val().get_bits::<8>(0);
        self.m_axis_tvalid.next = self.word_bytes.q.val().any() & self.bytes_left.q.val().any();
        self.m_axis_tlast.next = self.bytes_left.q.val() == 1;
        self.emit.next = self.m_axis_tvalid.val() & self.m_axis_tready.val();
        self.pop.next =
            !self.word_bytes.q.val().any() & !self.fifo.empty.val() & self.bytes_left.q.val().any();
        self.fifo.read.next = self.pop.val();
        self.popped_word.next = self.fifo.data_out.val();
        if self.first_word.q.val() {
            match self.skip.q.val().index() {
                0 => self.popped_word.next = self.fifo.data_out.val(),
                1 => self.popped_word.next = self.fifo.data_out.val() >> 8,
                2 => self.popped_word.next = self.fifo.data_out.val() >> 16,
                _ => self.popped_word.next = self.fifo.data_out.val() >> 24,
            }
        }
        if self.pop.val() {
            self.word.d.next = self.popped_word.val();
            self.word_bytes.d.next = 4.into();
            if self.first_word.q.val() {
                self.word_bytes.d.next = self.word_size.val() - bit_cast::<3, 2>(self.skip.q.val());
            }
            self.first_word.d.next = false;
        }
        if self.emit.val() {
            self.word.d.next = self.word.q.val() >> 8;
            self.word_bytes.d.next = self.word_bytes.q.val() - 1;
            self.bytes_left.d.next = self.bytes_left.q.val() - 1;
            if self.bytes_left.q.val() == 1 {
                // A partial last word is left in `word`; drop it.
                self.word_bytes.d.next = 0.into();
            }
        }

        // Reservation: words requested but not yet taken out of the FIFO.
        self.reserved.d.next = self.reserved.q.val();
        if self.issue.val() & !self.pop.val() {
            self.reserved.d.next = self.reserved.q.val() + bit_cast::<7, 16>(self.beats.val());
        }
        if self.issue.val() & self.pop.val() {
            self.reserved.d.next = self.reserved.q.val() + bit_cast::<7, 16>(self.beats.val()) - 1;
        }
        if !self.issue.val() & self.pop.val() {
            self.reserved.d.next = self.reserved.q.val() - 1;
        }
        self.outstanding.d.next = self.outstanding.q.val();
        if self.ar_fire.val() & !self.r_fire.val() {
            self.outstanding.d.next =
                self.outstanding.q.val() + bit_cast::<7, 5>(self.ar_beats.q.val());
        }
        if self.ar_fire.val() & self.r_fire.val() {
            self.outstanding.d.next =
                self.outstanding.q.val() + bit_cast::<7, 5>(self.ar_beats.q.val()) - 1;
        }
        if !self.ar_fire.val() & self.r_fire.val() {
            self.outstanding.d.next = self.outstanding.q.val() - 1;
        }

        match self.state.q.val() {
            ReadState::Idle => {
                if self.cmd_valid.val() {
                    self.state.d.next = ReadState::Run;
                    self.next_addr.d.next = (self.cmd_addr.val() >> 2) << 2;
                    self.skip.d.next = self.cmd_addr.val().get_bits::<2>(0);
                    self.first_word.d.next = true;
                    self.bytes_left.d.next = self.cmd_len.val();
                    self.words_left.d.next = bit_cast::<16, 17>(
                        (self.cmd_len.val()
                            + bit_cast::<17, 2>(self.cmd_addr.val().get_bits::<2>(0))
                            + 3)
                            >> 2,
                    );
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
                    self.reserved.d.next = 0.into();
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
    let mut block = DmaReadStream::default();
    block.connect_all();
    generate_verilog(&block)
}
