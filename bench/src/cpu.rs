//! CPU time of the calling thread and of a whole process, and the one CPU
//! every stack is measured on.

use core::time::Duration;

use nix::sys::resource::{UsageWho, getrusage};
use nix::time::{ClockId, clock_gettime};

/// CPU time the calling thread has used.
pub fn thread_time() -> Duration {
    let t = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).expect("thread CPU clock");
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

/// User plus system CPU time of this process (all its threads).
pub fn process_time() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let tv =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    tv(u.user_time()) + tv(u.system_time())
}

/// Run `f`, returning its result and the thread CPU and wall time it took.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let wall = std::time::Instant::now();
    let cpu = thread_time();
    let r = f();
    (r, thread_time() - cpu, wall.elapsed())
}

/// The CPU every measurement runs on: Linux's peer pins itself there, and
/// `synack bench` pins itself (and so the churn processes it starts) there
/// too, so no stack is measured on a core the others never ran on.
pub const BENCH_CPU: usize = 0;

/// Pin the calling thread (and the threads and processes it starts later)
/// to [`BENCH_CPU`].
pub fn pin_to_bench_cpu() -> Result<(), String> {
    let mut set = nix::sched::CpuSet::new();
    set.set(BENCH_CPU).map_err(|e| e.to_string())?;
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), &set)
        .map_err(|e| format!("pinning to CPU {BENCH_CPU}: {e}"))
}
