//! The PHY's side of MII (SPEC F1): nibbles on the wire, framed and checked
//! by an implementation independent of the fabric's (`crc32fast`).
//!
//! A frame on the wire is 15 × 0x5, 0xD (preamble and SFD), the bytes low
//! nibble first, then the FCS (CRC-32 of the bytes, little-endian). These
//! helpers build such nibble sequences for the receive side, possibly broken
//! on purpose, and decode what the MAC transmits.

/// One MII nibble time: data, rx_dv/tx_en, rx_er/tx_er.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Nibble {
    pub data: u8,
    pub valid: bool,
    pub error: bool,
}

impl Nibble {
    pub const IDLE: Nibble = Nibble {
        data: 0,
        valid: false,
        error: false,
    };

    pub fn data(data: u8) -> Self {
        Nibble {
            data: data & 0xF,
            valid: true,
            error: false,
        }
    }
}

/// Preamble and SFD: 7 × 0x55 then 0xD5, low nibble first.
pub const PREAMBLE_NIBBLES: usize = 16;
/// Inter-frame gap: 96 bit times, 24 nibbles (SPEC F1).
pub const MIN_GAP_NIBBLES: usize = 24;

/// The FCS of `bytes` as it follows them on the wire.
pub fn fcs(bytes: &[u8]) -> [u8; 4] {
    crc32fast::hash(bytes).to_le_bytes()
}

/// Bytes to nibbles, low nibble first.
pub fn nibbles_of(bytes: &[u8]) -> impl Iterator<Item = Nibble> + '_ {
    bytes
        .iter()
        .flat_map(|&b| [Nibble::data(b & 0xF), Nibble::data(b >> 4)])
}

/// The nibbles of a whole frame: preamble, SFD, `bytes` and, if `with_fcs`,
/// their correct FCS.
pub fn encode_frame(bytes: &[u8], with_fcs: bool) -> Vec<Nibble> {
    let mut out = Vec::with_capacity(PREAMBLE_NIBBLES + 2 * bytes.len() + 8);
    out.extend(std::iter::repeat_n(Nibble::data(0x5), PREAMBLE_NIBBLES - 1));
    out.push(Nibble::data(0xD));
    out.extend(nibbles_of(bytes));
    if with_fcs {
        out.extend(nibbles_of(&fcs(bytes)));
    }
    out
}

/// A frame as the MAC put it on the wire, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireFrame {
    /// Every nibble while tx_en was high, preamble included.
    pub nibbles: Vec<Nibble>,
    /// tx_clk cycle of the first nibble.
    pub start: u64,
    /// tx_clk cycles with tx_en low before this frame (`u64::MAX` for the first).
    pub gap_before: u64,
}

/// Why a transmitted frame is not a well-formed Ethernet frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    Preamble(Vec<u8>),
    OddNibbles(usize),
    TooShort(usize),
    Fcs { expected: [u8; 4], found: [u8; 4] },
    TxError,
}

impl WireFrame {
    /// The frame's bytes after the SFD, FCS included.
    pub fn bytes(&self) -> Result<Vec<u8>, WireError> {
        let head: Vec<u8> = self
            .nibbles
            .iter()
            .take(PREAMBLE_NIBBLES)
            .map(|n| n.data)
            .collect();
        let mut expected = vec![0x5; PREAMBLE_NIBBLES - 1];
        expected.push(0xD);
        if head != expected {
            return Err(WireError::Preamble(head));
        }
        if self.nibbles.iter().any(|n| n.error) {
            return Err(WireError::TxError);
        }
        let body = &self.nibbles[PREAMBLE_NIBBLES..];
        if body.len() % 2 != 0 {
            return Err(WireError::OddNibbles(body.len()));
        }
        Ok(body
            .chunks(2)
            .map(|p| p[0].data | (p[1].data << 4))
            .collect())
    }

    /// The frame's data with its FCS checked and removed.
    pub fn payload(&self) -> Result<Vec<u8>, WireError> {
        let mut bytes = self.bytes()?;
        if bytes.len() < 4 {
            return Err(WireError::TooShort(bytes.len()));
        }
        let found: [u8; 4] = bytes[bytes.len() - 4..].try_into().expect("four bytes");
        bytes.truncate(bytes.len() - 4);
        let expected = fcs(&bytes);
        if expected != found {
            return Err(WireError::Fcs { expected, found });
        }
        Ok(bytes)
    }
}

/// Watches tx_en/txd on each tx_clk rising edge and cuts frames out.
#[derive(Default)]
pub struct TxMonitor {
    cycle: u64,
    current: Vec<Nibble>,
    current_start: u64,
    idle_run: u64,
    seen_any: bool,
    frames: Vec<WireFrame>,
}

impl TxMonitor {
    /// Samples one tx_clk cycle.
    pub fn sample(&mut self, nibble: Nibble) {
        if nibble.valid {
            if self.current.is_empty() {
                self.current_start = self.cycle;
            }
            self.current.push(nibble);
        } else {
            if !self.current.is_empty() {
                let gap_before = if self.seen_any {
                    self.idle_run
                } else {
                    u64::MAX
                };
                self.frames.push(WireFrame {
                    nibbles: std::mem::take(&mut self.current),
                    start: self.current_start,
                    gap_before,
                });
                self.seen_any = true;
                self.idle_run = 0;
            }
            self.idle_run += 1;
        }
        self.cycle += 1;
    }

    /// Lets `cycles` tx_clk cycles pass with tx_en low, unsampled (time
    /// jumped over while idle), so frame start cycles stay true times.
    pub fn skip(&mut self, cycles: u64) {
        debug_assert!(self.current.is_empty(), "skipping inside a frame");
        self.cycle += cycles;
        self.idle_run += cycles;
    }

    /// Frames completed so far, oldest first; takes them.
    pub fn take_frames(&mut self) -> Vec<WireFrame> {
        std::mem::take(&mut self.frames)
    }

    /// True while a frame is being transmitted.
    pub fn in_frame(&self) -> bool {
        !self.current.is_empty()
    }

    /// tx_clk cycles sampled.
    pub fn cycles(&self) -> u64 {
        self.cycle
    }
}

/// Drives rx_dv/rx_er/rxd: one queued nibble per rx_clk, idle when empty.
#[derive(Default)]
pub struct RxDriver {
    queue: std::collections::VecDeque<Nibble>,
}

impl RxDriver {
    /// Queues a frame's nibbles followed by an inter-frame gap.
    pub fn push_frame(&mut self, nibbles: &[Nibble]) {
        self.queue.extend(nibbles.iter().copied());
        self.queue
            .extend(std::iter::repeat_n(Nibble::IDLE, MIN_GAP_NIBBLES));
    }

    /// The nibble for the next rx_clk cycle.
    pub fn next_nibble(&mut self) -> Nibble {
        self.queue.pop_front().unwrap_or(Nibble::IDLE)
    }

    pub fn is_idle(&self) -> bool {
        self.queue.is_empty()
    }
}

/// A hook that may change a looped-back frame: (index of the frame, its nibbles).
pub type LoopbackHook = Box<dyn FnMut(usize, &mut Vec<Nibble>) + Send>;

/// The PHY's side of one MII port: watches TX, drives RX, and optionally
/// loops transmitted frames back (through a hook that may damage them).
/// Every transmitted frame is also kept, oldest first, for the caller.
pub struct MiiPhy {
    monitor: TxMonitor,
    rx_driver: RxDriver,
    wire: Vec<WireFrame>,
    loopback: bool,
    looped: usize,
    hook: Option<LoopbackHook>,
}

impl MiiPhy {
    pub fn new(loopback: bool) -> Self {
        Self {
            monitor: TxMonitor::default(),
            rx_driver: RxDriver::default(),
            wire: Vec::new(),
            loopback,
            looped: 0,
            hook: None,
        }
    }

    /// Frames looped back pass through `hook` first.
    pub fn set_loopback_hook(&mut self, hook: LoopbackHook) {
        self.hook = Some(hook);
    }

    /// Samples tx_en/txd at a tx_clk rising edge.
    pub fn sample_tx(&mut self, nibble: Nibble) {
        self.monitor.sample(nibble);
        for frame in self.monitor.take_frames() {
            if self.loopback {
                let mut nibbles = frame.nibbles.clone();
                if let Some(hook) = self.hook.as_mut() {
                    hook(self.looped, &mut nibbles);
                }
                self.looped += 1;
                self.rx_driver.push_frame(&nibbles);
            }
            self.wire.push(frame);
        }
    }

    /// The nibble to drive for the next rx_clk cycle.
    pub fn next_rx_nibble(&mut self) -> Nibble {
        self.rx_driver.next_nibble()
    }

    /// Lets `cycles` MII clock cycles pass with nothing on the wire.
    pub fn skip(&mut self, cycles: u64) {
        self.monitor.skip(cycles);
    }

    /// Puts raw nibbles on the receive side, followed by a gap.
    pub fn inject_rx(&mut self, nibbles: &[Nibble]) {
        self.rx_driver.push_frame(nibbles);
    }

    /// A frame is being transmitted or received right now.
    pub fn is_busy(&self) -> bool {
        self.monitor.in_frame() || !self.rx_driver.is_idle()
    }

    /// Transmitted frames not yet taken.
    pub fn wire_frame_count(&self) -> usize {
        self.wire.len()
    }

    /// A transmitted frame is still in progress.
    pub fn in_tx_frame(&self) -> bool {
        self.monitor.in_frame()
    }

    /// Transmitted frames, oldest first; takes them.
    pub fn take_wire_frames(&mut self) -> Vec<WireFrame> {
        std::mem::take(&mut self.wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_frame_decodes_to_its_bytes() {
        let bytes: Vec<u8> = (0..60).collect();
        let frame = WireFrame {
            nibbles: encode_frame(&bytes, true),
            start: 0,
            gap_before: 0,
        };
        assert_eq!(frame.payload().unwrap(), bytes);
    }

    #[test]
    fn a_flipped_bit_fails_the_fcs() {
        let bytes: Vec<u8> = (0..60).collect();
        let mut nibbles = encode_frame(&bytes, true);
        nibbles[40].data ^= 0x4;
        let frame = WireFrame {
            nibbles,
            start: 0,
            gap_before: 0,
        };
        assert!(matches!(frame.payload(), Err(WireError::Fcs { .. })));
    }

    #[test]
    fn monitor_measures_gaps_between_frames() {
        let mut monitor = TxMonitor::default();
        for _ in 0..3 {
            monitor.sample(Nibble::data(5));
        }
        for _ in 0..24 {
            monitor.sample(Nibble::IDLE);
        }
        monitor.sample(Nibble::data(5));
        monitor.sample(Nibble::IDLE);
        let frames = monitor.take_frames();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].gap_before, 24);
        assert_eq!(frames[1].start, 27);
    }
}
