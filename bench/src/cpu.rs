//! CPU time of the calling thread and of a whole process, and the one CPU
//! every stack is measured on ([`pin_to_one_cpu`]).

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

/// Pin the calling thread (and the threads and processes it starts later)
/// to the lowest-numbered CPU it may run on, and return that CPU. Every
/// measurement runs there: `synack bench` pins itself (and so the churn
/// processes it starts) before it measures, and Linux's peer, started from
/// the pinned bench, finds that one CPU and stays on it, so no stack is
/// measured on a core the others never ran on.
pub fn pin_to_one_cpu() -> Result<usize, String> {
    let me = nix::unistd::Pid::from_raw(0);
    let allowed = nix::sched::sched_getaffinity(me)
        .map_err(|e| format!("reading the CPUs this process may use: {e}"))?;
    let cpu = (0..nix::sched::CpuSet::count())
        .find(|&c| allowed.is_set(c).unwrap_or(false))
        .ok_or("this process may run on no CPU")?;
    let mut one = nix::sched::CpuSet::new();
    one.set(cpu).map_err(|e| e.to_string())?;
    nix::sched::sched_setaffinity(me, &one).map_err(|e| format!("pinning to CPU {cpu}: {e}"))?;
    Ok(cpu)
}
