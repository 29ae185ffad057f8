//! Two jobs at once: [`PairRunner::join`] runs one closure on the calling
//! thread and the other on a helper thread the runner owns, and returns
//! when both are done (issue 14: the two NICs of a testbed clock their
//! steps in parallel, each model with its own Verilator context).
//!
//! The jobs can be short (a step of a few hundred core cycles, most of them
//! skipped in the fast fidelity, can take ~20 µs), so the hand-off must cost
//! far less than a thread wake-up: each side spins on a sequence
//! number for a while ([`SPIN_FOR`]) and only then parks, to be woken by the
//! other side's `unpark` (so a loaded machine loses little to spinning).
//!
//! Invariants: `join` does not return (normally or by unwinding) before the
//! helper has finished the job it was given, so the job may borrow from the
//! caller's stack; a panic in the helper's job is caught there and resumed
//! on the calling thread. Dropping the runner stops and joins the helper.
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long either side spins (for the next job, or for the helper to
/// finish) before it parks until woken: long enough to cover the gap between
/// two steps and a host's service (20 µs parked often enough to cost 14%
/// of the wall time on an idle machine); a loaded machine, where spinning
/// steals cores, is left to the [`ModeChooser`], which then picks one thread.
pub const SPIN_FOR: Duration = Duration::from_micros(200);

/// A job handed to the helper: a borrowed closure with its lifetime erased.
/// Only [`PairRunner::join`] makes one, and it outlives the helper's use.
struct Job(*mut (dyn FnMut() + Send + 'static));

// SAFETY: the closure behind the pointer is `Send` (required by `join`), and
// the pointer is dereferenced by exactly one thread at a time: the helper,
// between taking it (after `posted` moves) and publishing `done`.
#[allow(unsafe_code)]
unsafe impl Send for Job {}

type Panic = Box<dyn std::any::Any + Send + 'static>;

struct Shared {
    /// Bumped once per job posted.
    posted: AtomicU64,
    /// The `posted` value of the last job the helper finished.
    done: AtomicU64,
    job: Mutex<Option<Job>>,
    panic: Mutex<Option<Panic>>,
    quit: AtomicBool,
    /// The thread that posted the current job, woken when it is done.
    caller: Mutex<Option<thread::Thread>>,
}

/// A helper thread for running two closures at once.
pub struct PairRunner {
    shared: Arc<Shared>,
    helper: Option<JoinHandle<()>>,
}

impl PairRunner {
    /// Starts the helper thread.
    pub fn new() -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            posted: AtomicU64::new(0),
            done: AtomicU64::new(0),
            job: Mutex::new(None),
            panic: Mutex::new(None),
            quit: AtomicBool::new(false),
            caller: Mutex::new(None),
        });
        let theirs = Arc::clone(&shared);
        let helper = thread::Builder::new()
            .name("synack-cosim-pair".into())
            .spawn(move || helper_loop(&theirs))?;
        Ok(Self {
            shared,
            helper: Some(helper),
        })
    }

    /// Runs `here` on this thread and `there` on the helper, and returns
    /// when both have finished. A panic in either is resumed here, after
    /// both have stopped.
    pub fn join<A, B>(&mut self, here: A, mut there: B)
    where
        A: FnOnce(),
        B: FnMut() + Send,
    {
        let ptr: *mut (dyn FnMut() + Send + '_) = &mut there;
        // SAFETY: only the lifetime is erased (the layout of the fat pointer
        // is unchanged). `_wait` below makes this function wait, on every
        // exit path, until the helper has finished with the pointer, so the
        // closure (`there`, on this frame) outlives every use of it.
        #[allow(unsafe_code)]
        let ptr: *mut (dyn FnMut() + Send + 'static) = unsafe { std::mem::transmute(ptr) };
        *self.shared.job.lock().expect("job slot") = Some(Job(ptr));
        *self.shared.caller.lock().expect("caller slot") = Some(thread::current());
        let ticket = self.shared.posted.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(helper) = &self.helper {
            helper.thread().unpark();
        }
        let _wait = WaitFor {
            shared: &self.shared,
            ticket,
        };
        here();
        drop(_wait);
        // Taken before resuming, so the slot's lock is not held (and
        // poisoned) by the unwinding.
        let panicked = self.shared.panic.lock().expect("panic slot").take();
        if let Some(p) = panicked {
            panic::resume_unwind(p);
        }
    }
}

/// Waits for the helper to finish job `ticket` when dropped (also while
/// unwinding from a panic in the caller's own job).
struct WaitFor<'a> {
    shared: &'a Shared,
    ticket: u64,
}

impl Drop for WaitFor<'_> {
    fn drop(&mut self) {
        spin_then_park(|| self.shared.done.load(Ordering::Acquire) >= self.ticket);
    }
}

fn helper_loop(shared: &Shared) {
    let mut seen = 0u64;
    loop {
        spin_then_park(|| {
            shared.quit.load(Ordering::Acquire) || shared.posted.load(Ordering::Acquire) > seen
        });
        if shared.quit.load(Ordering::Acquire) {
            return;
        }
        seen = shared.posted.load(Ordering::Acquire);
        let job = shared.job.lock().expect("job slot").take();
        if let Some(Job(ptr)) = job {
            // SAFETY: `join` posted this pointer and waits for `done` to
            // reach its ticket before the closure goes out of scope; no
            // other thread touches the closure meanwhile.
            #[allow(unsafe_code)]
            let job = unsafe { &mut *ptr };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(job)) {
                *shared.panic.lock().expect("panic slot") = Some(p);
            }
        }
        shared.done.store(seen, Ordering::Release);
        if let Some(caller) = shared.caller.lock().expect("caller slot").as_ref() {
            caller.unpark();
        }
    }
}

/// Waits until `ready()`: spins for [`SPIN_FOR`], then parks (woken by the
/// other side's `unpark`, or every millisecond to look again).
fn spin_then_park(ready: impl Fn() -> bool) {
    let start = Instant::now();
    let mut spins = 0u32;
    while !ready() {
        spins = spins.wrapping_add(1);
        if spins % 64 == 0 && start.elapsed() > SPIN_FOR {
            thread::park_timeout(Duration::from_millis(1));
        } else {
            std::hint::spin_loop();
        }
    }
}

impl Drop for PairRunner {
    fn drop(&mut self) {
        self.shared.quit.store(true, Ordering::Release);
        if let Some(helper) = self.helper.take() {
            helper.thread().unpark();
            let _ = helper.join();
        }
    }
}

impl std::fmt::Debug for PairRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairRunner")
            .field("posted", &self.shared.posted.load(Ordering::Relaxed))
            .finish()
    }
}

/// Chooses, as it goes, whether two threads are faster than one: on an
/// idle machine with two cores they are; on a loaded one (a parallel test
/// suite, a compiler) the hand-offs can cost more than they save. Work runs
/// in rounds of [`ROUND`] steps: [`PROBE`] steps of a round in the mode not
/// preferred, in blocks of [`PROBE_BLOCK`] spread evenly over the round (so
/// both modes see the same mix of busy and quiet stretches of the
/// simulation), the rest in the preferred one, each timed; at the end of a
/// round the preference flips if the probe was at least 5% faster per
/// simulated cycle. A wrong choice therefore costs at most a probe's share
/// of a round (3%), and the choice follows the machine's load.
#[derive(Clone, Debug)]
pub struct ModeChooser {
    prefer_two: bool,
    /// Never probe or switch (a fixed choice, for tests and measurements).
    fixed: bool,
    /// Steps into the current round.
    step: u32,
    /// Wall time and work (core cycles run) in the current round:
    /// [probe, preferred]. Steps differ in length, so the modes are
    /// compared by wall time per cycle, not per step.
    ns: [u64; 2],
    work: [u64; 2],
    /// Rounds that ended with two threads preferred, and in all.
    pub rounds_two: u64,
    pub rounds: u64,
}

/// Steps per round of [`ModeChooser`].
pub const ROUND: u32 = 4096;
/// Steps per round run in the mode not preferred.
pub const PROBE: u32 = 128;
/// Consecutive probe steps: a few, so that a mode switch's own cost (the
/// helper thread spinning up or down) is a small part of each block.
pub const PROBE_BLOCK: u32 = 16;

impl ModeChooser {
    pub fn new(prefer_two: bool) -> Self {
        Self {
            prefer_two,
            fixed: false,
            step: 0,
            ns: [0; 2],
            work: [0; 2],
            rounds_two: 0,
            rounds: 0,
        }
    }

    /// Two threads always, never one.
    pub fn always_two() -> Self {
        Self {
            fixed: true,
            ..Self::new(true)
        }
    }

    /// Whether the next step runs on two threads.
    pub fn two_now(&self) -> bool {
        self.prefer_two != self.probing()
    }

    /// Whether the current step is one of the probe's.
    fn probing(&self) -> bool {
        let period = ROUND / (PROBE / PROBE_BLOCK);
        !self.fixed && self.step % period < PROBE_BLOCK
    }

    /// Records a step's wall time and work (the core cycles of its longer
    /// run); ends the round after [`ROUND`] steps.
    pub fn record(&mut self, wall_ns: u64, work: u64) {
        let slot = usize::from(!self.probing());
        self.ns[slot] += wall_ns;
        self.work[slot] += work;
        self.step += 1;
        if self.step < ROUND {
            return;
        }
        let per = |i: usize| self.ns[i] as f64 / self.work[i].max(1) as f64;
        if per(0) < 0.95 * per(1) && !self.fixed {
            self.prefer_two = !self.prefer_two;
        }
        self.rounds += 1;
        self.rounds_two += u64::from(self.prefer_two);
        self.step = 0;
        self.ns = [0; 2];
        self.work = [0; 2];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `rounds` rounds in which a step takes `two_ns` on two threads
    /// and `one_ns` on one; returns the preference at the end.
    fn settle(chooser: &mut ModeChooser, rounds: u32, two_ns: u64, one_ns: u64) -> bool {
        for _ in 0..rounds * ROUND {
            let ns = if chooser.two_now() { two_ns } else { one_ns };
            chooser.record(ns, 1);
        }
        chooser.prefer_two
    }

    #[test]
    fn the_chooser_moves_to_the_faster_mode_and_back_when_the_load_changes() {
        let mut c = ModeChooser::new(false);
        assert!(settle(&mut c, 2, 10, 16), "two threads are faster: chosen");
        assert!(
            !settle(&mut c, 2, 40, 16),
            "under load one is faster: chosen"
        );
        // Within 5% the choice stays put (no flapping on noise).
        assert!(!settle(&mut c, 3, 16, 16));
    }

    #[test]
    fn the_mode_not_preferred_runs_only_for_the_probe_of_each_round() {
        let mut c = ModeChooser::new(true);
        let mut one = 0;
        for _ in 0..ROUND {
            one += u32::from(!c.two_now());
            c.record(10, 1);
        }
        assert_eq!(one, PROBE);
    }

    #[test]
    fn a_costly_stretch_of_the_simulation_does_not_fool_the_probe() {
        // Two threads are 20% faster, but the first 512 steps of every
        // round simulate something ten times costlier for both modes (the
        // transfer's busy phase): a probe taken all in that stretch would
        // call two threads slower forever.
        let mut c = ModeChooser::new(false);
        for _ in 0..3 {
            for step in 0..ROUND {
                let phase = if step < 512 { 10 } else { 1 };
                let ns = if c.two_now() { 8 } else { 10 } * phase;
                c.record(ns, 1);
            }
        }
        assert!(c.prefer_two, "two threads chosen");
    }

    #[test]
    fn both_jobs_run_and_their_effects_are_seen_after_join() {
        let mut runner = PairRunner::new().unwrap();
        for round in 0..1000u64 {
            let (mut a, mut b) = (0u64, 0u64);
            runner.join(|| a = round, || b = round * 2);
            assert_eq!((a, b), (round, round * 2));
        }
    }

    #[test]
    fn the_second_job_runs_on_another_thread() {
        let mut runner = PairRunner::new().unwrap();
        let here = thread::current().id();
        let mut there = None;
        runner.join(|| {}, || there = Some(thread::current().id()));
        assert_ne!(there, Some(here));
        assert!(there.is_some());
    }

    #[test]
    fn a_panic_in_the_helpers_job_reaches_the_caller_and_the_runner_still_works() {
        let mut runner = PairRunner::new().unwrap();
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            runner.join(|| {}, || panic!("job failed"));
        }));
        assert!(caught.is_err());
        let mut ran = false;
        runner.join(|| {}, || ran = true);
        assert!(ran);
    }

    #[test]
    fn a_panic_in_the_callers_job_waits_for_the_helper_first() {
        let mut runner = PairRunner::new().unwrap();
        let mut finished = false;
        let caught = panic::catch_unwind(AssertUnwindSafe(|| {
            runner.join(
                || panic!("caller failed"),
                || {
                    thread::sleep(Duration::from_millis(20));
                    finished = true;
                },
            );
        }));
        assert!(caught.is_err());
        assert!(finished, "the helper's job finished before join unwound");
    }
}
