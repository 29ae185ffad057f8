//! How far each model may run in one step without missing anything the
//! other end could send it: conservative parallel simulation, with the
//! wire's delay as the lookahead (issue 14).
//!
//! The two ends of the cable touch only through the wire, and a frame takes
//! at least the wire's delay to cross it. So a node may run ahead of the
//! other end's present by that delay (less [`EMIT_LAG_NS`], how late a
//! model may report a frame after its last nibble) and still receive every
//! frame at its exact arrival time. A node proved idle (parked) sends
//! nothing before its next own event, or before a frame from the other end
//! reaches it and it answers; that lets both ends of an idle link jump far
//! without leapfrogging in steps of the delay.
//!
//! Invariant: with a lookahead of `L`, a node is never let past the time
//! at which a frame the other end has not yet sent could arrive (at least
//! `L` after that end's earliest send, see [`horizons`]).

/// How long after its last nibble a model may report a frame (the RTL's
/// PHY monitor sees tx_en fall a nibble later; the frame MAC at its next
/// cycle): a bound with room to spare.
pub const EMIT_LAG_NS: u64 = 500;

/// What the scheduler knows of one node at the start of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub now_ns: u64,
    /// Proved idle with no host due: it acts next at `act_ns` (its own
    /// timers, poll or a frame already on the wire to it; `u64::MAX`: never)
    /// unless something new reaches it.
    pub parked: Option<u64>,
}

impl View {
    /// The earliest it could send anything by itself.
    fn sends_from(&self) -> u64 {
        self.parked.unwrap_or(self.now_ns)
    }
}

/// The lookahead of a wire with this delay.
pub fn lookahead(delay_ns: u64) -> u64 {
    delay_ns.saturating_sub(EMIT_LAG_NS)
}

/// How far each of two nodes may go this step: node `i` up to the earliest
/// time a frame the other end has not sent yet could reach it. A busy end
/// may send from its present on; a parked end from its next event, or once
/// a frame of `i`'s (sent no earlier than `i`'s own earliest send) has
/// reached it. `lookahead` is each direction's: `lookahead[e]` for frames
/// from node `e`.
pub fn horizons(views: [View; 2], lookahead: [u64; 2]) -> [u64; 2] {
    let horizon = |i: usize| {
        let j = 1 - i;
        let other = &views[j];
        let earliest = match other.parked {
            None => other.now_ns,
            Some(act) => act.min(views[i].sends_from().saturating_add(lookahead[i])),
        };
        earliest.saturating_add(lookahead[j])
    };
    [horizon(0), horizon(1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: u64 = 4_500;

    fn busy(now_ns: u64) -> View {
        View {
            now_ns,
            parked: None,
        }
    }

    fn parked(now_ns: u64, act: u64) -> View {
        View {
            now_ns,
            parked: Some(act),
        }
    }

    #[test]
    fn two_busy_ends_may_each_run_a_lookahead_past_the_other() {
        assert_eq!(
            horizons([busy(1_000), busy(3_000)], [L, L]),
            [3_000 + L, 1_000 + L]
        );
    }

    #[test]
    fn a_parked_end_answers_no_sooner_than_a_frame_can_reach_it_and_come_back() {
        // Node 1 idle with nothing planned: node 0's frames reach it a
        // lookahead after node 0's present at the soonest, and its answer
        // takes another to come back.
        let [h0, h1] = horizons([busy(1_000), parked(1_000, u64::MAX)], [L, L]);
        assert_eq!(h0, 1_000 + 2 * L);
        // The parked end itself may go as far as the busy end's present
        // plus the lookahead.
        assert_eq!(h1, 1_000 + L);
        // Its own timer, sooner, bounds it instead.
        let [h0, _] = horizons([busy(1_000), parked(1_000, 2_000)], [L, L]);
        assert_eq!(h0, 2_000 + L);
    }

    #[test]
    fn two_parked_ends_jump_to_the_first_event_without_leapfrogging() {
        let [h0, h1] = horizons([parked(0, u64::MAX), parked(0, u64::MAX)], [L, L]);
        assert_eq!([h0, h1], [u64::MAX, u64::MAX]);
        // Node 0's timer at 60 s: node 1 may go up to what node 0's answer
        // could reach, node 0 past its own timer (it stops there itself).
        let t = 60_000_000_000;
        let [h0, h1] = horizons([parked(0, t), parked(0, u64::MAX)], [L, L]);
        assert_eq!(h1, t + L);
        assert_eq!(h0, t + 2 * L);
    }

    #[test]
    fn a_short_wire_gives_no_lookahead() {
        assert_eq!(lookahead(100), 0);
        assert_eq!(lookahead(5_000), 4_500);
    }
}
