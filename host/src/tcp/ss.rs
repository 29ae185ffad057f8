//! An `ss -ant`-style listing (SPEC R7): per-state counts (the article's
//! `awk '{++S[$NF]} END {...}'` one-liners) and per-socket rows with
//! Recv-Q, Send-Q, addresses and the pending timer.
//!
//! Conventions follow `ss`: for LISTEN rows Recv-Q is the accept-queue length
//! and Send-Q the backlog; SYN-RECV rows are the SYN-queue records;
//! TIME-WAIT rows come from the compact table.

use core::fmt::Write as _;
use core::time::Duration;
use std::net::{Ipv4Addr, SocketAddrV4};

use crate::time::Instant;

use super::connection::state::State;
use super::connection::timers::Timer;
use super::engine::Engine;

/// The `timer:(name,remaining,retransmits)` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerInfo {
    /// `on` (retransmit), `keepalive`, `timewait`, `persist`, or `delack`.
    pub name: &'static str,
    pub remaining: Duration,
    pub retransmits: u32,
}

/// One row of the listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketRow {
    pub state: State,
    pub recv_q: usize,
    pub send_q: usize,
    pub local: SocketAddrV4,
    /// `None` for LISTEN (`*`).
    pub peer: Option<SocketAddrV4>,
    pub timer: Option<TimerInfo>,
}

impl Engine {
    /// Every socket: listeners, SYN-queue records, connections, TIME-WAIT records.
    pub fn sockets(&self, now: Instant) -> Vec<SocketRow> {
        let mut rows = Vec::new();
        for l in self.listeners.values() {
            rows.push(SocketRow {
                state: State::Listen,
                recv_q: l.accept_queue.len(),
                send_q: l.backlog,
                local: l.local,
                peer: None,
                timer: None,
            });
            for r in l.syn_queue.values() {
                rows.push(SocketRow {
                    state: State::SynReceived,
                    recv_q: 0,
                    send_q: 0,
                    local: r.tuple.local,
                    peer: Some(r.tuple.remote),
                    timer: Some(TimerInfo {
                        name: "on",
                        remaining: r.expires - now,
                        retransmits: r.num_retrans,
                    }),
                });
            }
        }
        for c in self.conns.values() {
            if c.state() == State::Closed {
                continue;
            }
            // inet_diag's choice: retransmit ("on"), else zero-window probe
            // ("persist"), else the socket timer (keepalive; an orphaned
            // FIN-WAIT-2 lives in a TIME-WAIT socket on Linux, hence "timewait").
            let t = &c.timers;
            let timer = if let Some(at) = t.get(Timer::Retransmit).or(t.get(Timer::LossProbe)) {
                Some(("on", at, c.retransmits))
            } else if let Some(at) = t.get(Timer::Probe) {
                Some(("persist", at, c.probes_out))
            } else if let Some(at) = t.get(Timer::FinWait2) {
                Some(("timewait", at, 0))
            } else {
                t.get(Timer::Keepalive)
                    .map(|at| ("keepalive", at, c.probes_out))
            }
            .map(|(name, at, retransmits)| TimerInfo {
                name,
                remaining: at - now,
                retransmits,
            });
            rows.push(SocketRow {
                state: c.state(),
                recv_q: c.recv_queue(),
                send_q: c.send_queue(),
                local: c.tuple().local,
                peer: Some(c.tuple().remote),
                timer,
            });
        }
        for e in self.tw.iter() {
            rows.push(SocketRow {
                state: State::TimeWait,
                recv_q: 0,
                send_q: 0,
                local: e.tuple.local,
                peer: Some(e.tuple.remote),
                timer: Some(TimerInfo {
                    name: "timewait",
                    remaining: e.expires - now,
                    retransmits: 0,
                }),
            });
        }
        rows.sort_by_key(|r| (state_order(r.state), r.local, r.peer));
        rows
    }

    /// Sockets per state, in `ss`'s state order, zero counts omitted.
    pub fn state_counts(&self, now: Instant) -> Vec<(State, usize)> {
        let rows = self.sockets(now);
        State::ALL
            .iter()
            .map(|s| (*s, rows.iter().filter(|r| r.state == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The listing as `ss -anto` prints it.
    pub fn format_ss(&self, now: Instant) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<11}{:<7}{:<7}{:<22}{:<22}",
            "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"
        );
        for r in self.sockets(now) {
            let peer = r
                .peer
                .map_or_else(|| format!("{}:*", Ipv4Addr::UNSPECIFIED), |p| p.to_string());
            let _ = write!(
                out,
                "{:<11}{:<7}{:<7}{:<22}{:<22}",
                r.state.to_string(),
                r.recv_q,
                r.send_q,
                r.local.to_string(),
                peer
            );
            if let Some(t) = r.timer {
                let _ = write!(
                    out,
                    " timer:({},{},{})",
                    t.name,
                    format_remaining(t.remaining),
                    t.retransmits
                );
            }
            out.push('\n');
        }
        out
    }
}

fn state_order(s: State) -> usize {
    State::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(usize::MAX)
}

/// `ss`'s `print_ms_timer`: `59sec`, `1.200ms` (sic), `119min`, `2min30sec`, `500ms`.
pub fn format_remaining(d: Duration) -> String {
    let timeout = d.as_millis();
    let mut secs = timeout / 1000;
    let minutes = secs / 60;
    secs %= 60;
    let mut msecs = timeout % 1000;
    let mut out = String::new();
    if minutes > 0 {
        msecs = 0;
        let _ = write!(out, "{minutes}min");
        if minutes > 9 {
            secs = 0;
        }
    }
    if secs > 0 {
        if secs > 9 {
            msecs = 0;
        }
        let _ = write!(out, "{secs}{}", if msecs > 0 { "." } else { "sec" });
    }
    if msecs > 0 {
        let _ = write!(out, "{msecs:03}ms");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_format_matches_ss() {
        assert_eq!(format_remaining(Duration::from_millis(59_000)), "59sec");
        assert_eq!(format_remaining(Duration::from_millis(59_400)), "59sec");
        assert_eq!(format_remaining(Duration::from_millis(1_200)), "1.200ms");
        assert_eq!(format_remaining(Duration::from_millis(200)), "200ms");
        assert_eq!(format_remaining(Duration::from_secs(150)), "2min30sec");
        assert_eq!(format_remaining(Duration::from_secs(7140)), "119min");
    }
}
