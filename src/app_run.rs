//! The application a live command runs on synack's socket API, shared by
//! `synack tap` (a co-simulated NIC on a TAP link) and `synack board` (a
//! board on a serial port): which app the flags ask for, starting and
//! polling it inside the stack's service, printing every TCP state change
//! and its log, and deciding when the run ends (signal, `--seconds`, a
//! client app done).
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as WallClock};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use synack_apps::discard::DiscardServer;
use synack_apps::echo::EchoServer;
use synack_apps::http::HttpServer;
use synack_apps::iperf3::Iperf3Server;
use synack_apps::sender::Sender;
use synack_apps::{App, Progress};
use synack_host::socket::Net;
use synack_host::tcp::State;

use crate::args;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Service {
    /// RFC 862 echo (port 7).
    Echo,
    /// RFC 863 discard (port 9).
    Discard,
    /// HTTP: `/` a status page, `/bytes/N` N bytes (port 80).
    Http,
    /// iperf3 server for TCP tests, `-R` included (port 5201).
    Iperf3,
}

impl Service {
    pub fn default_port(self) -> u16 {
        match self {
            Service::Echo => 7,
            Service::Discard => 9,
            Service::Http => 80,
            Service::Iperf3 => 5201,
        }
    }

    /// A command that uses the service from a Linux shell.
    pub fn hint(self, addr: Ipv4Addr, port: u16) -> String {
        match self {
            Service::Echo => format!("nc {addr} {port}"),
            Service::Discard => format!("nc {addr} {port} < /dev/zero"),
            Service::Http if port == 80 => format!("curl http://{addr}/"),
            Service::Http => format!("curl http://{addr}:{port}/"),
            Service::Iperf3 if port == 5201 => format!("iperf3 -c {addr} -t 3"),
            Service::Iperf3 => format!("iperf3 -c {addr} -p {port} -t 3"),
        }
    }
}

/// What synack runs: a server, or a client sending to a peer.
#[derive(Args, Clone, Debug)]
pub struct AppArgs {
    /// Run this server on synack.
    #[arg(long, value_enum, conflicts_with = "connect")]
    pub serve: Option<Service>,
    /// The server's port (default: the service's usual port).
    #[arg(long, requires = "serve")]
    pub port: Option<u16>,
    /// Client mode: connect to ADDR:PORT and send --send MiB.
    #[arg(long, requires = "send")]
    pub connect: Option<SocketAddrV4>,
    /// MiB to send in client mode.
    #[arg(long, value_parser = args::mebibytes, requires = "connect")]
    pub send: Option<f64>,
}

impl AppArgs {
    /// The app the flags ask for (`seed` for a client's data).
    pub fn app(&self, seed: u64) -> Result<Box<dyn App>> {
        Ok(match (self.serve, self.connect) {
            (Some(s), _) => {
                let port = self.port.unwrap_or(s.default_port());
                match s {
                    Service::Echo => Box::new(EchoServer::new(port)),
                    Service::Discard => Box::new(DiscardServer::new(port)),
                    Service::Http => Box::new(HttpServer::new(port)),
                    Service::Iperf3 => Box::new(Iperf3Server::new(port)),
                }
            }
            (None, Some(peer)) => {
                let bytes = (self.send.unwrap_or(1.0) * 1024.0 * 1024.0).round() as u64;
                Box::new(Sender::new(peer, bytes, seed))
            }
            (None, None) => bail!(
                "say what synack should run: --serve echo|discard|http|iperf3, or --connect ADDR:PORT --send MiB"
            ),
        })
    }

    /// What the app does, and how to try it from a Linux shell (`prefix`
    /// is put before the command, e.g. `ip netns exec NS `).
    pub fn describe(&self, addr: Ipv4Addr, prefix: &str) -> String {
        match (self.serve, self.connect) {
            (Some(s), _) => {
                let port = self.port.unwrap_or(s.default_port());
                format!(
                    "  serving {s:?} on {addr}:{port}; try: {prefix}{}",
                    s.hint(addr, port)
                )
            }
            (None, Some(peer)) => format!("  sending to {peer}"),
            (None, None) => String::new(),
        }
    }
}

/// Ctrl-C and SIGTERM set this; the run loop checks it.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    Ok(stop)
}

/// The app inside the stack, and what ends the run.
pub struct AppRun {
    app: Box<dyn App>,
    started: bool,
    start_error: Option<std::io::Error>,
    states: States,
    stop: Arc<AtomicBool>,
    wall: WallClock,
    limit: Option<Duration>,
}

impl AppRun {
    pub fn new(app: Box<dyn App>, stop: Arc<AtomicBool>, seconds: Option<u64>) -> Self {
        Self {
            app,
            started: false,
            start_error: None,
            states: States::default(),
            stop,
            wall: WallClock::now(),
            limit: seconds.map(Duration::from_secs),
        }
    }

    pub fn progress(&self) -> Progress {
        self.app.progress()
    }

    /// The app's turn inside a service: started the first time, polled,
    /// state changes printed.
    pub fn poll(&mut self, net: &mut Net<'_>) {
        if !self.started {
            self.started = true;
            if let Err(e) = self.app.start(net) {
                self.start_error = Some(e);
            }
        }
        self.app.poll(net);
        self.states.update(net);
    }

    /// After a stretch of the run: prints the app's log; `Some` ends the
    /// run (with the app's summary printed, or its error).
    pub fn check(&mut self) -> Option<Result<()>> {
        if let Some(e) = self.start_error.take() {
            return Some(Err(anyhow::anyhow!("the application could not start: {e}")));
        }
        for line in self.app.take_log() {
            println!("  {line}");
        }
        let why = if self.stop.load(Ordering::SeqCst) {
            Some("signal")
        } else if self.limit.is_some_and(|l| self.wall.elapsed() >= l) {
            Some("--seconds")
        } else {
            None
        };
        if let Some(why) = why {
            println!("stopping ({why})");
            // A client stopped halfway has failed; a server stops when told.
            return Some(match self.app.unfinished() {
                Some(left) => Err(anyhow::anyhow!(
                    "stopped ({why}) before the client finished: {left}"
                )),
                None => Ok(()),
            });
        }
        if self.app.finished() {
            return Some(match self.app.outcome() {
                Some(Err(e)) => Err(anyhow::anyhow!("{e}")),
                Some(Ok(summary)) => {
                    println!("{summary}");
                    Ok(())
                }
                None => Ok(()),
            });
        }
        None
    }
}

/// Connection states by 4-tuple, to print changes.
#[derive(Default)]
struct States {
    known: Vec<(SocketAddrV4, SocketAddrV4, State)>,
}

impl States {
    fn update(&mut self, net: &Net<'_>) {
        let rows = net.engine().sockets(net.now());
        let now_s = net.now().total_micros() as f64 / 1e6;
        let mut next = Vec::new();
        for r in rows.iter() {
            let Some(peer) = r.peer else { continue };
            let before = self
                .known
                .iter()
                .find(|(l, p, _)| *l == r.local && *p == peer)
                .map(|k| k.2);
            if before != Some(r.state) {
                println!(
                    "  {now_s:>10.6} s  {} ⇄ {}  {}",
                    r.local,
                    peer,
                    r.state.rfc_name()
                );
            }
            next.push((r.local, peer, r.state));
        }
        for (l, p, _) in &self.known {
            if !next.iter().any(|(l2, p2, _)| l2 == l && p2 == p) {
                println!("  {now_s:>10.6} s  {l} ⇄ {p}  CLOSED");
            }
        }
        self.known = next;
    }
}

/// Mb/s between two byte counts over `secs` (0 when no time passed).
pub fn rate_mbps(now: u64, before: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        now.saturating_sub(before) as f64 * 8.0 / secs / 1e6
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 1), 5000);

    fn stopped(app: Box<dyn App>, signal: bool, seconds: Option<u64>) -> Result<()> {
        let mut run = AppRun::new(app, Arc::new(AtomicBool::new(signal)), seconds);
        run.check().expect("the run ends")
    }

    #[test]
    fn a_client_stopped_before_it_finished_fails_and_says_what_was_left() {
        let e = stopped(Box::new(Sender::new(PEER, 1 << 20, 1)), true, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stopped (signal) before the client finished: 0 of 1048576 bytes sent to \
             192.0.2.1:5000, the connection not yet established"
        );
        let e = stopped(Box::new(Sender::new(PEER, 1, 1)), false, Some(0)).unwrap_err();
        assert!(
            e.to_string().starts_with("stopped (--seconds) before"),
            "{e}"
        );
    }

    #[test]
    fn a_server_stopped_when_told_succeeds() {
        assert!(stopped(Box::new(EchoServer::new(7)), true, None).is_ok());
        assert!(stopped(Box::new(EchoServer::new(7)), false, Some(0)).is_ok());
    }
}
