//! Per-socket options (SPEC R9, K1, T14, R8), as Linux sockets have them.
//!
//! A listener holds a [`SocketOptions`] that every connection it accepts
//! starts with (Linux clones the listening socket, so every option below is
//! inherited); an active open takes them from `connect_with`. Keepalive
//! timings left at `None` follow the engine's `tcp_keepalive_*` knobs at the
//! moment they are used, so a run-time change of the knob reaches them
//! (Linux `keepalive_time_when`: `tp->keepalive_time ? : sysctl`).
//!
//! Invariant: a stored value is always in the range Linux's `setsockopt`
//! accepts; [`SocketOptions::set`] refuses the rest with `InvalidValue`.

use core::time::Duration;

use super::config::Config;
use super::error::OptionError;

/// Linux `MAX_TCP_KEEPIDLE` / `MAX_TCP_KEEPINTVL`: 32767 s.
pub const MAX_KEEPALIVE_SECS: u64 = 32_767;
/// Linux `MAX_TCP_KEEPCNT`.
pub const MAX_KEEPALIVE_PROBES: u32 = 127;
/// Linux `TCP_MIN_MSS`: the smallest `TCP_MAXSEG` accepted.
pub const MIN_USER_MSS: u16 = 88;
/// Linux `MAX_TCP_WINDOW`: the largest `TCP_MAXSEG` accepted.
pub const MAX_USER_MSS: u16 = 32_767;

/// One option and its value, as `setsockopt` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockOpt {
    /// `SO_KEEPALIVE` (SPEC K1).
    KeepAlive(bool),
    /// `TCP_KEEPIDLE`: idle time before the first probe, 1–32767 s.
    KeepIdle(Duration),
    /// `TCP_KEEPINTVL`: time between probes, 1–32767 s.
    KeepIntvl(Duration),
    /// `TCP_KEEPCNT`: unanswered probes before the connection is dropped, 1–127.
    KeepCnt(u32),
    /// `SO_LINGER`: `None` off; `Some(0)`: `close()` resets (SPEC T14);
    /// `Some(t)`: `close()` completes when everything sent is acknowledged
    /// or after `t` (the engine reports it with [`crate::tcp::Event::Lingered`]).
    Linger(Option<Duration>),
    /// `TCP_NODELAY`: off by default, so Nagle's algorithm runs (SPEC R8).
    NoDelay(bool),
    /// `TCP_MAXSEG`: caps the MSS we announce and the one we send with,
    /// 88–32767 bytes; `None` clears it. Takes effect on the handshake, so
    /// set it on a listener or with `connect_with` (Linux `user_mss`).
    MaxSeg(Option<u16>),
}

/// The options of one socket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketOptions {
    pub keepalive: bool,
    pub keepalive_idle: Option<Duration>,
    pub keepalive_intvl: Option<Duration>,
    pub keepalive_probes: Option<u32>,
    pub linger: Option<Duration>,
    pub nodelay: bool,
    pub max_seg: Option<u16>,
}

impl SocketOptions {
    /// Apply one option, refusing values Linux refuses (`EINVAL`).
    pub fn set(&mut self, opt: SockOpt) -> Result<(), OptionError> {
        let secs = |d: Duration| {
            let ok = d >= Duration::from_secs(1) && d <= Duration::from_secs(MAX_KEEPALIVE_SECS);
            if ok {
                Ok(d)
            } else {
                Err(OptionError::InvalidValue)
            }
        };
        match opt {
            SockOpt::KeepAlive(on) => self.keepalive = on,
            SockOpt::KeepIdle(d) => self.keepalive_idle = Some(secs(d)?),
            SockOpt::KeepIntvl(d) => self.keepalive_intvl = Some(secs(d)?),
            SockOpt::KeepCnt(n) => {
                if !(1..=MAX_KEEPALIVE_PROBES).contains(&n) {
                    return Err(OptionError::InvalidValue);
                }
                self.keepalive_probes = Some(n);
            }
            SockOpt::Linger(l) => self.linger = l,
            SockOpt::NoDelay(on) => self.nodelay = on,
            SockOpt::MaxSeg(m) => {
                if m.is_some_and(|m| !(MIN_USER_MSS..=MAX_USER_MSS).contains(&m)) {
                    return Err(OptionError::InvalidValue);
                }
                self.max_seg = m;
            }
        }
        Ok(())
    }

    /// `close()` resets instead of closing (SO_LINGER on, timeout 0).
    pub fn linger_abort(&self) -> bool {
        self.linger == Some(Duration::ZERO)
    }

    /// Idle time before the first keepalive probe.
    pub fn keepalive_time(&self, cfg: &Config) -> Duration {
        self.keepalive_idle.unwrap_or(cfg.keepalive_time)
    }

    /// Time between keepalive probes.
    pub fn keepalive_intvl(&self, cfg: &Config) -> Duration {
        self.keepalive_intvl.unwrap_or(cfg.keepalive_intvl)
    }

    /// Unanswered keepalive probes before the connection is dropped.
    pub fn keepalive_probes(&self, cfg: &Config) -> u32 {
        self.keepalive_probes.unwrap_or(cfg.keepalive_probes)
    }

    /// The MSS we announce in a SYN or SYN-ACK (Linux `tcp_advertise_mss`).
    pub fn advertised_mss(&self, cfg: &Config) -> u16 {
        match self.max_seg {
            Some(m) => m.min(cfg.adv_mss()),
            None => cfg.adv_mss(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_linux_refuses_are_refused_and_leave_the_options_unchanged() {
        let mut o = SocketOptions::default();
        for bad in [
            SockOpt::KeepIdle(Duration::ZERO),
            SockOpt::KeepIdle(Duration::from_secs(32_768)),
            SockOpt::KeepIntvl(Duration::from_millis(999)),
            SockOpt::KeepCnt(0),
            SockOpt::KeepCnt(128),
            SockOpt::MaxSeg(Some(87)),
            SockOpt::MaxSeg(Some(32_768)),
        ] {
            assert_eq!(o.set(bad), Err(OptionError::InvalidValue), "{bad:?}");
        }
        assert_eq!(o, SocketOptions::default());
        o.set(SockOpt::KeepCnt(127)).unwrap();
        o.set(SockOpt::MaxSeg(Some(88))).unwrap();
        assert_eq!((o.keepalive_probes, o.max_seg), (Some(127), Some(88)));
    }

    #[test]
    fn unset_keepalive_timings_follow_the_engine_knobs() {
        let mut cfg = Config::default();
        let mut o = SocketOptions::default();
        assert_eq!(o.keepalive_time(&cfg), Duration::from_secs(7200));
        cfg.keepalive_time = Duration::from_secs(60);
        assert_eq!(o.keepalive_time(&cfg), Duration::from_secs(60));
        o.set(SockOpt::KeepIdle(Duration::from_secs(5))).unwrap();
        assert_eq!(o.keepalive_time(&cfg), Duration::from_secs(5));
    }
}
