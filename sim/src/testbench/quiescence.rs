//! What the fast fidelity knows about the datapath standing still, so that
//! `NicBench` may skip its clock (`Fidelity::Frames`).
//!
//! The datapath is **still** when one clock cycle left its whole state
//! (every register, memory, output and trigger flag of the Verilated model,
//! compared byte for byte, input ports left out) as it was, with its ports
//! quiet: nothing asked of the AXI4 memory (no valid out) and nothing due
//! from it (no write under way, no read beat ready: a read may be waiting
//! out its latency), no register access, no byte able to cross to or from
//! the MAC.
//! Clocked on with the same inputs it would stay so, so cycles are skipped,
//! not clocked, until the MAC's outputs change, a read beat falls due or
//! the ports stop being quiet. (Blocks that used to move on their own were made to rest when
//! idle: the statistics bank's slot pointer, the interrupt timer's
//! prescaler once its wait is over.) The memory model's ready signals vary
//! at random while it is idle; an AXI master acts on a ready only with its
//! valid up, so they are not inputs that matter there.
//!
//! One thing moves in an otherwise still datapath for tens of microseconds
//! at a time: the interrupt-coalescing timer (`hdl/src/dma/irq_coalesce.rs`),
//! whose prescaler counts cycles while completions wait for the host. A
//! cycle that changed nothing but the prescaler (up by one, its next value
//! one more, the microsecond count as it was) proves the rest still and the
//! prescaler counting; it is then run forward — its register and its next
//! value written into the state — short of its wrap, where the microsecond
//! count steps and the interrupt may rise, which is clocked.
//!
//! A failed check doubles the wait before the next, up to [`MAX_BACKOFF`]
//! cycles, while the ports stay quiet; activity at the ports resets it, so
//! the datapath is checked as soon as they fall quiet again. Invariant: a
//! skip never crosses a cycle in which the outputs of the MAC model change.
use crate::frame_mac::MacOutputs;
use crate::model::NicDatapath;

/// Longest wait, in cycles, between two quiescence checks that failed.
const MAX_BACKOFF: u64 = 256;

/// The interrupt timer's prescaler counts 0..=99 (cycles per microsecond).
const PRESCALE_LAST: u64 = 99;

/// Where the interrupt timer lies in the datapath's state: (offset, size)
/// of its prescaler's register and next value, and of its microsecond count.
struct InterruptTimer {
    prescale_q: (usize, usize),
    prescale_d: (usize, usize),
    waited_q: (usize, usize),
    waited_d: (usize, usize),
}

impl InterruptTimer {
    /// The timer's variables, if the Verilated model has them by these names.
    fn find(model: &NicDatapath) -> Option<Self> {
        let m = |n: &str| model.member(&format!("top__DOT__interrupt__DOT__{n}"));
        let t = Self {
            prescale_q: m("prescale__024q")?,
            prescale_d: m("prescale__024d")?,
            waited_q: m("waited__024q")?,
            waited_d: m("waited__024d")?,
        };
        (t.prescale_q.1 == 1 && t.prescale_d.1 == 1).then_some(t)
    }

    fn holes(&self) -> [(usize, usize); 4] {
        [
            self.prescale_q,
            self.prescale_d,
            self.waited_q,
            self.waited_d,
        ]
    }
}

/// What a check proved, valid while the MAC's outputs stay `outputs` and
/// the ports quiet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    None,
    /// The datapath stays as it is.
    Still,
    /// It does, but for its interrupt timer's prescaler, counting.
    TimerCounting,
}

/// Where a fast-fidelity datapath's cycles went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuiescenceStats {
    /// Skipped, not clocked.
    pub skipped: u64,
    /// Stillness checks made (a clocked cycle each).
    pub checks: u64,
    /// Clocked with the ports busy.
    pub busy: u64,
    /// Clocked with the ports quiet but nothing proved.
    pub unproved: u64,
}

/// See the module docs.
pub struct Quiescence {
    pub proof: Proof,
    pub outputs: MacOutputs,
    saved: Vec<u8>,
    scratch: Vec<u8>,
    pub next_try: u64,
    backoff: u64,
    timer: Option<InterruptTimer>,
    pub stats: QuiescenceStats,
}

impl Quiescence {
    pub fn new(model: &NicDatapath) -> Self {
        Self {
            proof: Proof::None,
            outputs: MacOutputs::default(),
            saved: Vec::new(),
            scratch: Vec::new(),
            next_try: 0,
            backoff: 0,
            timer: InterruptTimer::find(model),
            stats: QuiescenceStats::default(),
        }
    }

    /// The ports were busy: the proof is void, and once they are quiet
    /// again, check at once (the back-off is for a datapath busy behind
    /// quiet ports).
    pub fn ports_moved(&mut self) {
        self.stats.busy += 1;
        self.proof = Proof::None;
        self.backoff = 0;
        self.next_try = 0;
    }

    /// A check starts: the state and the MAC's outputs it runs under.
    pub fn begin(&mut self, model: &NicDatapath, outputs: MacOutputs) {
        model.save_state(&mut self.saved);
        self.outputs = outputs;
        self.proof = Proof::None;
    }

    /// The check's cycle was clocked (with the inputs [`Self::begin`] saw),
    /// and it is now cycle `now`: what it proved.
    pub fn judge(&mut self, model: &NicDatapath, now: u64) {
        self.stats.checks += 1;
        self.proof = if model.same_state(&self.saved) {
            Proof::Still
        } else if self.timer_alone_counted(model) {
            Proof::TimerCounting
        } else {
            Proof::None
        };
        if self.proof == Proof::None {
            self.backoff = (self.backoff * 2).clamp(1, MAX_BACKOFF);
            self.next_try = now + self.backoff;
        } else {
            self.backoff = 0;
            self.next_try = now;
        }
    }

    /// How many cycles (at most `room`) may be skipped under
    /// the proof; for a counting timer, its prescaler is moved on by as
    /// many. 0: clock the next cycle instead.
    pub fn skippable(&mut self, model: &mut NicDatapath, room: u64) -> u64 {
        match self.proof {
            Proof::None => 0,
            Proof::Still => room,
            Proof::TimerCounting => {
                let Some(t) = &self.timer else { return 0 };
                let mut q = [0u8];
                if !model.peek(t.prescale_q.0, &mut q) {
                    return 0;
                }
                let q = u64::from(q[0]);
                // q + n + 1 <= PRESCALE_LAST: its next value does not wrap either.
                let n = (PRESCALE_LAST - 1).saturating_sub(q).min(room);
                if n == 0 {
                    // The wrap is near: clock through it and prove again after.
                    self.proof = Proof::None;
                    return 0;
                }
                let poked = model.poke(t.prescale_q.0, &[(q + n) as u8])
                    && model.poke(t.prescale_d.0, &[(q + n + 1) as u8]);
                assert!(poked, "the timer's bytes lie inside the state");
                n
            }
        }
    }

    /// The cycle changed nothing but a counting prescaler: up by one, its
    /// next value one more, the microsecond count as it was.
    fn timer_alone_counted(&mut self, model: &NicDatapath) -> bool {
        let Some(t) = &self.timer else {
            return false;
        };
        model.save_state(&mut self.scratch);
        let (before, after) = (&self.saved, &self.scratch);
        let byte = |buf: &[u8], (off, _): (usize, usize)| u64::from(buf[off]);
        let q = byte(after, t.prescale_q);
        q == byte(before, t.prescale_q) + 1
            && byte(after, t.prescale_d) == q + 1
            && same_range(before, after, t.waited_q)
            && same_range(before, after, t.waited_d)
            && same_except(before, after, &t.holes())
    }
}

fn same_range(a: &[u8], b: &[u8], (off, len): (usize, usize)) -> bool {
    a[off..off + len] == b[off..off + len]
}

/// `a` and `b` are equal but in the byte ranges `holes` ((offset, length) each).
fn same_except(a: &[u8], b: &[u8], holes: &[(usize, usize)]) -> bool {
    let mut holes = holes.to_vec();
    holes.sort_unstable();
    let mut at = 0;
    for (off, len) in holes {
        if a[at..off.max(at)] != b[at..off.max(at)] {
            return false;
        }
        at = at.max(off + len);
    }
    a[at..] == b[at..]
}

#[cfg(test)]
mod tests {
    use super::same_except;

    #[test]
    fn bytes_in_holes_are_ignored_and_the_rest_compared() {
        let a = [1, 2, 3, 4, 5, 6];
        let b = [1, 9, 3, 4, 9, 6];
        assert!(same_except(&a, &b, &[(4, 1), (1, 1)]));
        assert!(!same_except(&a, &b, &[(1, 1)]));
        assert!(!same_except(&a, &[1, 2, 3, 4, 5, 7], &[(0, 2)]));
    }
}
