//! `stat_bank` in Verilator (SPEC F8): every event is counted, including
//! events of many counters in the same cycle and the fast sources firing in
//! every cycle; a counter never runs ahead of its events nor more than 18
//! cycles behind them; the spare words stay zero.
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use synack_abi::regs::stat;
use synack_sim::model::StatBank;

/// Cycles within which an event shows in its counter (the pointer starting,
/// 16 slots, the write).
const LAG: usize = 18;
/// Sources that may fire in every cycle; the others at most once per 16 cycles.
const FAST: [u32; 3] = [
    stat::RX_DROP_RUNT,
    stat::RX_DROP_RX_ER,
    stat::TX_TSO_SEGMENTS,
];

struct Bench {
    model: StatBank,
    /// Exact counts after each cycle's events, oldest first (the last `LAG + 1`).
    history: Vec<[u32; 14]>,
    counts: [u32; 14],
    last_event: [Option<usize>; 14],
    cycle: usize,
}

impl Bench {
    fn new() -> Self {
        let mut model = StatBank::new();
        model.set_clock(0);
        model.eval();
        Self {
            model,
            history: vec![[0; 14]],
            counts: [0; 14],
            last_event: [None; 14],
            cycle: 0,
        }
    }

    /// One cycle with `events` (bit i: counter i) and the byte amounts.
    fn cycle(&mut self, events: u16, tx_bytes: u16, rx_bytes: u16) {
        for i in 0..14u32 {
            if events & (1 << i) == 0 {
                continue;
            }
            if let (false, Some(last)) = (FAST.contains(&i), self.last_event[i as usize]) {
                assert!(self.cycle - last >= 16, "bench fired counter {i} too often");
            }
            self.last_event[i as usize] = Some(self.cycle);
            let amount = match i {
                stat::TX_BYTES => tx_bytes as u32,
                stat::RX_BYTES => rx_bytes as u32,
                _ => 1,
            };
            self.counts[i as usize] = self.counts[i as usize].wrapping_add(amount);
        }
        let m = &mut self.model;
        m.set_clock(0);
        m.set_events(events as u64);
        m.set_tx_bytes(tx_bytes as u64);
        m.set_rx_bytes(rx_bytes as u64);
        m.eval();
        m.set_clock(1);
        m.eval();
        self.cycle += 1;
        self.history.push(self.counts);
        if self.history.len() > LAG + 1 {
            self.history.remove(0);
        }
    }

    /// The read port is combinational: set the address and settle, no edge.
    fn read(&mut self, index: u32) -> u32 {
        self.model.set_rd_addr(index as u64);
        self.model.eval();
        self.model.rd_data() as u32
    }

    /// Every counter lies between its count `LAG` cycles ago and now.
    fn check_window(&mut self) {
        for i in 0..14u32 {
            let value = self.read(i);
            let (old, now) = (self.history[0][i as usize], self.counts[i as usize]);
            assert!(
                (old..=now).contains(&value),
                "counter {i} reads {value}, expected {old}..={now} (cycle {})",
                self.cycle
            );
        }
    }

    fn settle_and_check_exact(&mut self) {
        for _ in 0..LAG {
            self.cycle(0, 0, 0);
        }
        for i in 0..14u32 {
            assert_eq!(self.read(i), self.counts[i as usize], "counter {i}");
        }
        assert_eq!((self.read(14), self.read(15)), (0, 0), "spare words");
    }
}

#[test]
fn all_counters_firing_together_are_all_counted() {
    let mut b = Bench::new();
    // Every source at once, as often as each may fire, for a while.
    for k in 0..64 * 16 {
        let mut events = 0u16;
        for i in FAST {
            events |= 1 << i;
        }
        if k % 16 == 0 {
            events = (1 << 14) - 1;
        }
        b.cycle(events, 1514, 60 + (k % 1455) as u16);
        if k % 37 == 0 {
            b.check_window();
        }
    }
    b.settle_and_check_exact();
    assert_eq!(b.read(stat::TX_FRAMES), 64);
    assert_eq!(b.read(stat::TX_BYTES), 64 * 1514);
    assert_eq!(b.read(stat::TX_TSO_SEGMENTS), 64 * 16);
}

#[test]
fn random_events_with_random_amounts_are_counted_exactly() {
    for seed in 0..4 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut b = Bench::new();
        let busy = [0.02, 0.2, 0.6, 1.0][seed as usize];
        for _ in 0..20_000 {
            let mut events = 0u16;
            for i in 0..14u32 {
                let allowed = FAST.contains(&i)
                    || b.last_event[i as usize].is_none_or(|last| b.cycle - last >= 16);
                if allowed && rng.random_bool(busy) {
                    events |= 1 << i;
                }
            }
            // Frames and bytes count the same event.
            for (frames, bytes) in [
                (stat::TX_FRAMES, stat::TX_BYTES),
                (stat::RX_FRAMES, stat::RX_BYTES),
            ] {
                if events & (1 << frames) != 0 {
                    events |= 1 << bytes;
                } else {
                    events &= !(1 << bytes);
                }
            }
            b.cycle(events, rng.random_range(1..4096), rng.random_range(1..4096));
            if rng.random_bool(0.05) {
                b.check_window();
            }
        }
        b.settle_and_check_exact();
    }
}

#[test]
fn a_quiet_bank_reads_zero_and_an_event_shows_within_the_lag() {
    let mut b = Bench::new();
    for _ in 0..40 {
        b.cycle(0, 0, 0);
    }
    for i in 0..16 {
        assert_eq!(b.read(i), 0);
    }
    b.cycle(1 << stat::RX_DROP_FCS, 0, 0);
    let mut seen_after = None;
    for k in 1..=LAG {
        if b.read(stat::RX_DROP_FCS) == 1 {
            seen_after = Some(k);
            break;
        }
        b.cycle(0, 0, 0);
    }
    assert!(seen_after.is_some(), "not counted within {LAG} cycles");
}
