//! `FrameMac`: the MII MAC (`eth_mac_mii`) at frame level, in Rust, for the
//! co-simulation's fast fidelity (the datapath's RTL in Verilator, the MAC
//! here). It has the RTL MAC's core-side ports — `s_axis` frames to send,
//! `m_axis` frames received, the ten statistics events — and keeps what
//! the datapath can see of it:
//! - **Buffering and backpressure**: both 2 KiB store-and-forward FIFOs.
//!   Transmit bytes leave as the framer takes them for the wire (eight core
//!   cycles per byte at 100 Mb/s, the 32-nibble crossing ahead of the
//!   line); once full, the FIFO offers space again in [`TX_SPACE_STEP`]
//!   steps rather than a byte at a time (on purpose, see there). A received
//!   frame is written into its FIFO at line rate as it arrives (it can
//!   overflow), and released to `m_axis` only when judged good.
//! - **Wire timing** (SPEC F1): preamble and SFD, data, padding to 60
//!   bytes, FCS, then at least 24 nibbles of gap; a frame starts a fixed
//!   latency after it is complete in the FIFO, or after the gap.
//! - **Verdicts** (SPEC F1, F8): the RTL deframer's rules and priorities —
//!   a bad preamble is ignored, then rx_er, oversize (> 1518 with FCS), runt
//!   (< 64), FCS or a half byte, overflow; frames over 1514 bytes to send
//!   are dropped whole.
//!
//! It is a model, not the MAC: nibble-level detail (the crossings' exact
//! synchroniser delays) is folded into two constant latencies, so wire
//! times agree with the RTL's to within a few nibbles, not to the cycle;
//! `sim/tests/frame_mac.rs` runs both side by side.
//!
//! Invariants: the transmit FIFO never holds more than [`FIFO_BYTES`], nor
//! the receive FIFO; a frame reaches `m_axis` whole or not at all; every
//! frame driven in that has a valid preamble produces exactly one event.
use std::collections::VecDeque;

use synack_abi::regs::stat;

use crate::mii::{Nibble, PREAMBLE_NIBBLES, WireFrame, encode_frame, fcs};

/// Each frame FIFO's size (the RTL's `AxisFrameFifo<11, 12>`).
pub const FIFO_BYTES: usize = 2048;
/// Largest frame accepted for transmission, without FCS.
pub const MAX_TX_FRAME: usize = 1514;
/// Received frames' bounds, FCS included.
const MIN_FRAME: usize = 64;
const MAX_FRAME: usize = 1518;
/// Core cycles per MII nibble at 100 Mb/s (25 MHz against 100 MHz).
pub const NIBBLE_CYCLES: u64 = 4;
/// The gap after each frame: 24 nibbles (96 bit times).
const GAP_NIBBLES: u64 = 24;
/// Nibbles the transmit crossing holds ahead of the line.
const TX_CROSSING: u64 = 32;
/// Core cycles from the framer's first nibble to that nibble on MII.
const TX_START_LATENCY: u64 = 36;
/// Core cycles from a nibble on MII to the deframer seeing it.
const RX_LATENCY: u64 = 28;
/// Once the transmit FIFO has filled, the space it offers again: the RTL
/// frees a byte every eight cycles as the framer takes it, which keeps the
/// datapath busy one cycle in eight; here the datapath sees the space in
/// steps of this many bytes (512 cycles of line time), so it works in
/// bursts and stands still, skippably, in between. Frames on the wire are
/// unaffected: a full FIFO holds the next frame long before the line wants
/// it (`tests/fidelity.rs` compares the wire times).
pub const TX_SPACE_STEP: usize = 64;
/// Delay line of the deframer: a byte is written when the fifth after it arrives.
const LINE_DEPTH: usize = 5;

/// What the MAC presents to the datapath in the current cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacOutputs {
    pub tx_tready: bool,
    pub rx_tdata: u8,
    pub rx_tvalid: bool,
    pub rx_tlast: bool,
    /// Bit `i` pulses one event of counter `i` (`synack_abi::regs::stat`, 0..=9).
    pub stat_events: u16,
    pub stat_tx_bytes: u16,
    pub stat_rx_bytes: u16,
}

/// What the datapath presents to the MAC in the current cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacInputs {
    pub tx_tdata: u8,
    pub tx_tvalid: bool,
    pub tx_tlast: bool,
    pub rx_tready: bool,
}

/// A frame given to the framer, with its schedule.
struct TxFrame {
    bytes: Vec<u8>,
    /// Core cycle at which the framer writes its first nibble.
    framer_start: u64,
    /// Core cycle at which its first nibble is on MII.
    wire_start: u64,
    /// Bytes the framer has taken from the FIFO.
    popped: usize,
    /// Its statistics event was given.
    counted: bool,
}

impl TxFrame {
    /// Nibbles on the wire: preamble and SFD, data and padding, FCS.
    fn nibbles(&self) -> u64 {
        (PREAMBLE_NIBBLES + 2 * self.bytes.len().max(60) + 8) as u64
    }

    fn wire_end(&self) -> u64 {
        self.wire_start + NIBBLE_CYCLES * self.nibbles()
    }

    /// When the framer writes nibble `j` of the frame (gap nibbles after
    /// it included): one per cycle, no more than the crossing holds ahead
    /// of the line.
    fn nibble_written(&self, j: u64) -> u64 {
        let behind_line =
            (self.wire_start + NIBBLE_CYCLES * j).saturating_sub(NIBBLE_CYCLES * TX_CROSSING);
        (self.framer_start + j).max(behind_line)
    }

    /// When the framer takes byte `i` from the FIFO (with its low nibble).
    fn byte_taken(&self, i: usize) -> u64 {
        self.nibble_written((PREAMBLE_NIBBLES + 2 * i) as u64)
    }
}

/// A frame driven in on MII: its verdict and the bytes the deframer writes.
struct RxFrame {
    /// Core cycle at which the deframer sees its first nibble.
    start: u64,
    /// Nibble index of the first data nibble (after the SFD).
    data_at: u64,
    /// Nibble index of the nibble that ends it (rx_dv low).
    end_at: u64,
    /// Every complete byte, FCS included.
    bytes: Vec<u8>,
    /// Bytes the deframer writes during reception (the line holds the rest).
    streamed: usize,
    /// The verdict before overflow (`None`: good so far), as a stat index.
    cause: Option<u32>,
    /// Not a frame at all (bad preamble): no writes, no event.
    discard: bool,
    /// Bytes written so far.
    written: usize,
    overflow: bool,
}

impl RxFrame {
    /// Judges a nibble stream the way the RTL deframer does.
    fn judge(start: u64, nibbles: &[Nibble]) -> Self {
        let mut frame = RxFrame {
            start,
            data_at: 0,
            end_at: nibbles.len() as u64,
            bytes: Vec::new(),
            streamed: 0,
            cause: None,
            discard: false,
            written: 0,
            overflow: false,
        };
        // Preamble: 0x5 nibbles, then 0xD; anything else is not a frame.
        let mut i = 0;
        let mut saw_er = false;
        loop {
            match nibbles.get(i) {
                Some(n) if n.valid => {
                    saw_er |= n.error;
                    i += 1;
                    match n.data {
                        0x5 => continue,
                        0xD => break,
                        _ => {
                            frame.discard = true;
                            return frame;
                        }
                    }
                }
                _ => {
                    frame.discard = true;
                    return frame;
                }
            }
        }
        frame.data_at = i as u64;
        let mut low = None;
        let mut oversize = false;
        while let Some(n) = nibbles.get(i).filter(|n| n.valid) {
            saw_er |= n.error;
            match low.take() {
                None => low = Some(n.data & 0xF),
                Some(l) => {
                    if frame.bytes.len() >= LINE_DEPTH && !oversize {
                        frame.streamed = frame.bytes.len() - LINE_DEPTH + 1;
                    }
                    if frame.bytes.len() == MAX_FRAME {
                        oversize = true;
                    }
                    frame.bytes.push(l | (n.data & 0xF) << 4);
                }
            }
            i += 1;
        }
        frame.end_at = i as u64;
        let n = frame.bytes.len();
        let fcs_ok = low.is_none() && n >= 4 && fcs(&frame.bytes[..n - 4]) == frame.bytes[n - 4..];
        frame.cause = if saw_er {
            Some(stat::RX_DROP_RX_ER)
        } else if oversize {
            Some(stat::RX_DROP_OVERSIZE)
        } else if n < MIN_FRAME {
            Some(stat::RX_DROP_RUNT)
        } else if !fcs_ok {
            Some(stat::RX_DROP_FCS)
        } else {
            None
        };
        frame
    }

    /// When the deframer writes byte `b` (during reception).
    fn write_time(&self, b: usize) -> u64 {
        let nibble = self.data_at + 2 * (b + LINE_DEPTH) as u64 + 1;
        self.start + NIBBLE_CYCLES * nibble
    }

    fn end_time(&self) -> u64 {
        self.start + NIBBLE_CYCLES * self.end_at
    }

    /// Nibbles on the wire with the gap after it.
    fn busy_until(&self, nibbles: usize) -> u64 {
        self.start + NIBBLE_CYCLES * (nibbles as u64 + GAP_NIBBLES)
    }
}

/// A statistics event waiting for its cycle.
#[derive(Clone, Copy)]
struct Event {
    at: u64,
    index: u32,
    bytes: u16,
}

/// The MAC at frame level; see the module docs.
#[derive(Default)]
pub struct FrameMac {
    /// The cycle about to be clocked.
    now: u64,
    // Transmit.
    /// The frame coming in, up to [`MAX_TX_FRAME`] bytes.
    ingress: Vec<u8>,
    /// It went past [`MAX_TX_FRAME`]: the rest is swallowed, the frame dropped.
    ingress_oversize: bool,
    /// Bytes in the transmit FIFO, committed or not.
    tx_used: usize,
    /// The FIFO filled, and has not yet [`TX_SPACE_STEP`] bytes free again.
    tx_full: bool,
    /// Frames committed, oldest first; the front is on its way out.
    tx_frames: VecDeque<TxFrame>,
    /// When the framer is free for the next frame, and the line after the gap.
    framer_free: u64,
    line_free: u64,
    last_wire_end: Option<u64>,
    wire: Vec<WireFrame>,
    tx_events: VecDeque<Event>,
    // Receive.
    rx_in: VecDeque<RxFrame>,
    /// When the line is free for the next frame driven in (after its gap).
    rx_line_free: u64,
    rx_used: usize,
    rx_ready: VecDeque<Vec<u8>>,
    rx_read: usize,
    rx_events: VecDeque<Event>,
}

impl FrameMac {
    pub fn new() -> Self {
        Self::default()
    }

    /// Core cycles clocked so far.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Lets `cycles` pass with no handshake with the datapath: only up to
    /// [`Self::next_change`], while the datapath offers nothing the MAC
    /// would take and takes nothing it offers.
    pub fn advance(&mut self, cycles: u64) {
        debug_assert!(self.now + cycles <= self.next_change(), "skipping a change");
        self.now += cycles;
        self.advance_tx();
        self.advance_rx();
    }

    /// A frame (bytes with FCS, or broken on purpose) arrives on MII as
    /// nibbles after the frames before it and a gap.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        self.inject_rx_at(nibbles, self.now);
    }

    /// A frame whose first nibble reaches MII at core cycle `at` (now if
    /// that has passed), after the frames before it and a gap: given ahead
    /// of time, it changes nothing the datapath sees before then.
    pub fn inject_rx_at(&mut self, nibbles: &[Nibble], at: u64) {
        let start = self.rx_line_free.max(self.now).max(at) + RX_LATENCY;
        let frame = RxFrame::judge(start, nibbles);
        self.rx_line_free = frame.busy_until(nibbles.len()) - RX_LATENCY;
        self.rx_in.push_back(frame);
    }

    /// Frames that have left on MII, oldest first; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        std::mem::take(&mut self.wire)
    }

    /// Frames that have left on MII and not been taken.
    pub fn wire_frame_count(&self) -> usize {
        self.wire.len()
    }

    /// A frame is on MII either way, or waits in a FIFO, or an event waits.
    pub fn is_busy(&self) -> bool {
        !self.tx_frames.is_empty()
            || !self.ingress.is_empty()
            || !self.rx_in.is_empty()
            || self.rx_line_free > self.now
            || self.line_free > self.now
            || !self.tx_events.is_empty()
            || !self.rx_events.is_empty()
    }

    /// A frame is being sent on MII (its last nibble not yet out).
    pub fn in_tx_frame(&self) -> bool {
        self.tx_frames
            .front()
            .is_some_and(|f| f.wire_start <= self.now)
    }

    /// The earliest cycle from now at which the outputs may change with the
    /// inputs held as they are (`u64::MAX`: never). What changes nothing
    /// the datapath sees — bytes written into the receive FIFO, bytes taken
    /// from a transmit FIFO that is not full, frames leaving on the wire —
    /// does not count: [`Self::advance`] does it in one go.
    pub fn next_change(&self) -> u64 {
        let mut next = u64::MAX;
        let mut at = |t: u64| next = next.min(t.max(self.now));
        if self.tx_full && !self.ingress_oversize {
            if let Some(t) = self.reopens_at() {
                at(t);
            }
        }
        if let Some(e) = self.tx_events.front() {
            at(e.at);
        }
        if let Some(f) = self.tx_frames.iter().find(|f| !f.counted) {
            at(f.nibble_written(f.nibbles() - 1));
        }
        if let Some(e) = self.rx_events.front() {
            at(e.at);
        }
        if let Some(f) = self.rx_in.front() {
            at(f.end_time());
        }
        next
    }

    /// The outputs during the current cycle.
    pub fn outputs(&self) -> MacOutputs {
        let mut o = MacOutputs {
            tx_tready: !self.tx_full || self.ingress_oversize,
            ..MacOutputs::default()
        };
        if let Some(f) = self.rx_ready.front() {
            o.rx_tvalid = true;
            o.rx_tdata = f[self.rx_read];
            o.rx_tlast = self.rx_read + 1 == f.len();
        }
        if let Some(e) = self.tx_events.front().filter(|e| e.at <= self.now) {
            o.stat_events |= event_bits(e.index);
            o.stat_tx_bytes = e.bytes;
        }
        if let Some(e) = self.rx_events.front().filter(|e| e.at <= self.now) {
            o.stat_events |= event_bits(e.index);
            o.stat_rx_bytes = e.bytes;
        }
        o
    }

    /// The rising edge that ends the current cycle: handshakes with the
    /// datapath (`i` as settled against [`Self::outputs`]), then everything
    /// the line does by the next cycle.
    pub fn clock(&mut self, i: MacInputs) {
        let o = self.outputs();
        let now = self.now;
        if o.stat_events & 0b111 != 0 {
            self.tx_events.pop_front();
        }
        if o.stat_events & !0b111 != 0 {
            self.rx_events.pop_front();
        }
        if i.tx_tvalid && o.tx_tready {
            self.ingress_beat(i.tx_tdata, i.tx_tlast);
        }
        if o.rx_tvalid && i.rx_tready {
            self.rx_read += 1;
            self.rx_used -= 1;
            if o.rx_tlast {
                self.rx_ready.pop_front();
                self.rx_read = 0;
            }
        }
        self.now = now + 1;
        self.advance_tx();
        self.advance_rx();
    }

    fn ingress_beat(&mut self, data: u8, last: bool) {
        // The RTL counts beats; until the frame is oversize that count is
        // the bytes taken, so a beat past MAX_TX_FRAME marks it oversize.
        if !self.ingress_oversize {
            if self.ingress.len() == MAX_TX_FRAME {
                self.ingress_oversize = true;
            } else {
                self.ingress.push(data);
                self.tx_used += 1;
                self.tx_full |= self.tx_used == FIFO_BYTES;
            }
        }
        if !last {
            return;
        }
        let bytes = std::mem::take(&mut self.ingress);
        if std::mem::take(&mut self.ingress_oversize) {
            self.tx_free(bytes.len());
            push_event(&mut self.tx_events, self.now + 1, stat::TX_DROP_OVERSIZE, 0);
            return;
        }
        // Visible to the framer from the next cycle.
        let framer_start = self.framer_free.max(self.now + 1);
        let wire_start = (framer_start + TX_START_LATENCY).max(self.line_free);
        let frame = TxFrame {
            bytes,
            framer_start,
            wire_start,
            popped: 0,
            counted: false,
        };
        let nibbles = frame.nibbles();
        self.framer_free = frame.nibble_written(nibbles + GAP_NIBBLES - 1) + 1;
        self.line_free = frame.wire_end() + NIBBLE_CYCLES * GAP_NIBBLES;
        self.tx_frames.push_back(frame);
    }

    /// `n` bytes leave the transmit FIFO; a full one offers space again
    /// once [`TX_SPACE_STEP`] bytes are free.
    fn tx_free(&mut self, n: usize) {
        self.tx_used -= n;
        self.tx_full &= self.tx_used + TX_SPACE_STEP > FIFO_BYTES;
    }

    /// When a full transmit FIFO has [`TX_SPACE_STEP`] bytes free again:
    /// when the framer takes the byte that frees the last of them.
    fn reopens_at(&self) -> Option<u64> {
        let mut left = (self.tx_used + TX_SPACE_STEP).checked_sub(FIFO_BYTES)?;
        for f in &self.tx_frames {
            let waiting = f.bytes.len() - f.popped;
            if left <= waiting {
                return Some(f.byte_taken(f.popped + left - 1));
            }
            left -= waiting;
        }
        None
    }

    fn advance_tx(&mut self) {
        let now = self.now;
        while let Some(f) = self.tx_frames.front_mut() {
            let popped = f.popped;
            while f.popped < f.bytes.len() && f.byte_taken(f.popped) < now {
                f.popped += 1;
            }
            let taken = f.popped - popped;
            self.tx_free(taken);
            let f = self.tx_frames.front_mut().expect("the front frame");
            let last_written = f.nibble_written(f.nibbles() - 1);
            if !f.counted && last_written < now {
                f.counted = true;
                let (at, bytes) = (last_written + 1, f.bytes.len() as u16);
                push_event(&mut self.tx_events, at, stat::TX_FRAMES, bytes);
            }
            if f.wire_end() > now || !f.counted || f.popped < f.bytes.len() {
                break;
            }
            let f = self.tx_frames.pop_front().expect("front");
            let mut padded = f.bytes.clone();
            padded.resize(padded.len().max(60), 0);
            let nibbles = encode_frame(&padded, true);
            let start = f.wire_start / NIBBLE_CYCLES;
            let gap_before = match self.last_wire_end {
                Some(end) => start - end / NIBBLE_CYCLES,
                None => u64::MAX,
            };
            self.last_wire_end = Some(f.wire_end());
            self.wire.push(WireFrame {
                nibbles,
                start,
                gap_before,
            });
        }
    }

    fn advance_rx(&mut self) {
        let now = self.now;
        while let Some(f) = self.rx_in.front_mut() {
            if f.discard {
                if f.end_time() >= now {
                    break;
                }
                self.rx_in.pop_front();
                continue;
            }
            while f.written < f.streamed && !f.overflow && f.write_time(f.written) < now {
                if self.rx_used == FIFO_BYTES {
                    f.overflow = true;
                } else {
                    f.written += 1;
                    self.rx_used += 1;
                }
            }
            if f.end_time() >= now {
                break;
            }
            let f = self.rx_in.pop_front().expect("front");
            let at = f.end_time() + 1;
            let data = f.bytes.len().saturating_sub(4);
            let full = self.rx_used == FIFO_BYTES;
            let cause = f.cause.or(if f.overflow || full {
                Some(stat::RX_DROP_OVERFLOW)
            } else {
                None
            });
            match cause {
                Some(index) => {
                    self.rx_used -= f.written;
                    push_event(&mut self.rx_events, at, index, 0);
                }
                None => {
                    self.rx_used += 1;
                    let mut bytes = f.bytes;
                    bytes.truncate(data);
                    self.rx_ready.push_back(bytes);
                    push_event(&mut self.rx_events, at, stat::RX_FRAMES, data as u16);
                }
            }
        }
    }
}

/// Queues an event; one per cycle on each side, as the RTL gives them.
fn push_event(queue: &mut VecDeque<Event>, at: u64, index: u32, bytes: u16) {
    let at = queue.back().map_or(at, |e| at.max(e.at + 1));
    queue.push_back(Event { at, index, bytes });
}

/// The event bits of a counter: frames and bytes share an event.
fn event_bits(index: u32) -> u16 {
    match index {
        stat::TX_FRAMES => 1 << stat::TX_FRAMES | 1 << stat::TX_BYTES,
        stat::RX_FRAMES => 1 << stat::RX_FRAMES | 1 << stat::RX_BYTES,
        i => 1 << i,
    }
}
