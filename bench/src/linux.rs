//! Linux's TCP over loopback, measured in a child process that runs in a
//! network namespace of its own (so the loopback MTU can be set without
//! touching the host) and pinned to one CPU.
//!
//! The parent ([`bulk`], [`churn`]) makes the namespace, sets `lo`'s MTU,
//! runs `EXE bench-linux-peer ...` in it with `ip netns exec`, reads one line
//! of figures from it and deletes the namespace on every path. The child
//! ([`child_main`]) uses `std::net` sockets on one CPU
//! ([`crate::cpu::pin_to_one_cpu`]); its CPU time is `getrusage(RUSAGE_SELF)`:
//! its threads and the kernel's loopback work done on their behalf. Bulk runs two ways ([`Driver`]): a client and a
//! server thread with blocking sockets, as programs like iperf3 use Linux
//! (the figure the targets are set against), and one thread with
//! nonblocking sockets taking the same turns as the in-process stacks, so
//! a reader can see what Linux's TCP costs without its scheduler.

use core::time::Duration;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;

use thiserror::Error;

use crate::cpu::process_time;
use crate::{Bulk, CHUNK, Measurement, next_write};

#[derive(Debug, Error)]
pub enum LinuxError {
    #[error(
        "`{cmd}` failed: {why} (the Linux figures need root and iproute2; `--no-linux` leaves them out)"
    )]
    Command { cmd: String, why: String },
    #[error("the Linux peer printed `{0}`, not figures")]
    Output(String),
}

fn run(args: &[&str]) -> Result<String, LinuxError> {
    let cmd = args.join(" ");
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| LinuxError::Command {
            cmd: cmd.clone(),
            why: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(LinuxError::Command {
            cmd,
            why: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string())
}

/// A namespace for one run, deleted on drop.
struct Ns(String);

impl Ns {
    fn new(mtu: u16) -> Result<Ns, LinuxError> {
        let name = format!("synack-bench-{}", std::process::id());
        let _ = run(&["ip", "netns", "delete", &name]);
        run(&["ip", "netns", "add", &name])?;
        let ns = Ns(name);
        run(&[
            "ip",
            "netns",
            "exec",
            &ns.0,
            "ip",
            "link",
            "set",
            "lo",
            "mtu",
            &mtu.to_string(),
            "up",
        ])?;
        Ok(ns)
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = run(&["ip", "netns", "delete", &self.0]);
    }
}

fn peer(exe: &Path, mtu: u16, what: &[&str]) -> Result<Measurement, LinuxError> {
    let ns = Ns::new(mtu)?;
    let exe = exe.to_string_lossy();
    let mut args = vec!["ip", "netns", "exec", &ns.0, &exe, "bench-linux-peer"];
    args.extend_from_slice(what);
    let line = run(&args)?;
    let f: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match f[..] {
        [work, cpu, wall] => Ok(Measurement {
            work,
            cpu: Duration::from_nanos(cpu),
            wall: Duration::from_nanos(wall),
        }),
        _ => Err(LinuxError::Output(line.trim().to_string())),
    }
}

/// Whether the Linux figures can be taken here (a namespace can be made and
/// deleted): checked before anything is measured, so a user without root
/// hears it at once, not after the first figures.
pub fn check_available() -> Result<(), LinuxError> {
    Ns::new(1500).map(drop)
}

/// How the Linux peer's program drives a bulk stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// A client and a server thread on one CPU, blocking sockets: each
    /// side sleeps when it cannot go on and the scheduler switches.
    Threads,
    /// One thread, nonblocking sockets, in turns: one [`CHUNK`] written,
    /// then the reader drained — the in-process stacks' loop.
    Turns,
}

impl Driver {
    fn mode(self) -> &'static str {
        match self {
            Driver::Threads => "bulk",
            Driver::Turns => "bulk-turns",
        }
    }
}

/// One stream over loopback with MTU `b.mtu` (Linux leaves loopback
/// checksums out; `b.offload` changes nothing).
pub fn bulk(exe: &Path, b: Bulk, driver: Driver) -> Result<Measurement, LinuxError> {
    peer(exe, b.mtu, &[driver.mode(), &b.bytes.to_string()])
}

/// `n` connections as [`crate::stack::churn`] makes them.
pub fn churn(exe: &Path, n: u64) -> Result<Measurement, LinuxError> {
    peer(exe, 1500, &["churn", &n.to_string()])
}

const USAGE: &str = "usage: bench-linux-peer bulk BYTES | bulk-turns BYTES | churn N";

/// The child's side: `bulk BYTES`, `bulk-turns BYTES` or `churn N`; prints
/// `work cpu_ns wall_ns`.
pub fn child_main(args: &[String]) -> Result<String, String> {
    crate::cpu::pin_to_one_cpu()?;
    let n: u64 = args.get(1).and_then(|x| x.parse().ok()).ok_or(USAGE)?;
    let wall = std::time::Instant::now();
    let cpu = process_time();
    match args.first().map(String::as_str) {
        Some("bulk") => child_bulk(n).map_err(|e| e.to_string())?,
        Some("bulk-turns") => child_bulk_turns(n).map_err(|e| e.to_string())?,
        Some("churn") => child_churn(n).map_err(|e| e.to_string())?,
        _ => return Err(USAGE.into()),
    }
    let cpu = process_time() - cpu;
    Ok(format!(
        "{n} {} {}",
        cpu.as_nanos(),
        wall.elapsed().as_nanos()
    ))
}

fn child_bulk(bytes: u64) -> std::io::Result<()> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let addr = l.local_addr()?;
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        let mut s = TcpStream::connect(addr)?;
        let chunk = vec![0x5au8; CHUNK];
        let mut left = bytes;
        while left > 0 {
            let n = next_write(left);
            s.write_all(&chunk[..n])?;
            left -= n as u64;
        }
        s.shutdown(Shutdown::Write)
    });
    let (mut c, _) = l.accept()?;
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0u64;
    loop {
        let k = c.read(&mut buf)?;
        if k == 0 {
            break;
        }
        got += k as u64;
    }
    sender.join().expect("sender thread")?;
    if got != bytes {
        return Err(std::io::Error::other(format!("{got} of {bytes} bytes")));
    }
    Ok(())
}

fn child_bulk_turns(bytes: u64) -> std::io::Result<()> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let mut client = TcpStream::connect(l.local_addr()?)?;
    let (mut server, _) = l.accept()?;
    client.set_nonblocking(true)?;
    server.set_nonblocking(true)?;
    let chunk = vec![0x5au8; CHUNK];
    let mut buf = vec![0u8; CHUNK];
    let (mut sent, mut got) = (0u64, 0u64);
    let mut moved_at = std::time::Instant::now();
    while got < bytes {
        let before = (sent, got);
        if sent < bytes {
            let n = next_write(bytes - sent);
            match client.write(&chunk[..n]) {
                Ok(k) => sent += k as u64,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        loop {
            match server.read(&mut buf) {
                Ok(0) => {
                    return Err(std::io::Error::other(format!(
                        "closed at {got} of {bytes} bytes"
                    )));
                }
                Ok(k) => got += k as u64,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        // Loopback delivers within the write call, so a turn that moves
        // nothing is rare; a transfer that stops moving is an error, not a
        // spin without end.
        if (sent, got) != before {
            moved_at = std::time::Instant::now();
        } else if moved_at.elapsed() > STALL {
            return Err(std::io::Error::other(format!(
                "stalled at {got} of {bytes} bytes for {STALL:?}"
            )));
        }
    }
    Ok(())
}

/// How long a turns transfer may go without moving a byte.
const STALL: Duration = Duration::from_secs(10);

fn child_churn(n: u64) -> std::io::Result<()> {
    let ports = crate::stack::CHURN_PORTS;
    let listeners: Vec<TcpListener> = (0..ports)
        .map(|i| TcpListener::bind(("127.0.0.1", 6000 + i)))
        .collect::<Result<_, _>>()?;
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let mut buf = [0u8; 256];
        for i in 0..n {
            let (mut c, _) = listeners[(i % u64::from(ports)) as usize].accept()?;
            let mut got = 0;
            while got < 64 {
                got += c.read(&mut buf)?;
            }
            c.write_all(&[0x22; 64])?;
            // The client closes first; then so does the server.
            while c.read(&mut buf)? > 0 {}
        }
        Ok(())
    });
    let mut buf = [0u8; 256];
    for i in 0..n {
        let port = 6000 + (i % u64::from(ports)) as u16;
        let mut c = TcpStream::connect(("127.0.0.1", port))?;
        c.write_all(&[0x11; 64])?;
        let mut got = 0;
        while got < 64 {
            got += c.read(&mut buf)?;
        }
        drop(c);
    }
    server.join().expect("server thread")
}
