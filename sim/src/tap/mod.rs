//! The co-simulated NIC's cable to the Linux kernel (SPEC S4): a TAP device
//! inside a network namespace of its own, holding the Linux side's
//! address, so `curl`, `nc`, `iperf3`, `ss` and `tcpdump` run there
//! (`ip netns exec NAME ...`) and talk to synack, while the host's own
//! networking is never touched.
//!
//! [`TapLink::open`] creates (or borrows) the namespace, creates the TAP in
//! this process's namespace, moves it into the other one and configures
//! it there: address, MTU 1500, up. The process keeps the TAP's file
//! descriptor, which works across the move.

pub mod device;
pub mod netns;

use std::net::Ipv4Addr;

use thiserror::Error;

pub use device::{MAX_FRAME, MTU, TapDevice};
pub use netns::{Netns, NetnsError};

/// TEST-NET-1 (RFC 5737): addresses that route nowhere.
pub const DEFAULT_LINUX_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const DEFAULT_SYNACK_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
pub const DEFAULT_PREFIX: u8 = 24;

#[derive(Debug, Error)]
pub enum TapError {
    #[error(transparent)]
    Netns(#[from] NetnsError),
    #[error("{0}")]
    Device(#[from] std::io::Error),
    #[error("{linux} and {synack} are not on one /{prefix} network; pick addresses that are")]
    NotOnLink {
        linux: Ipv4Addr,
        synack: Ipv4Addr,
        prefix: u8,
    },
}

/// Where the Linux side lives.
#[derive(Clone, Debug)]
pub struct TapConfig {
    /// Namespace to create (and delete afterwards), or to borrow.
    pub netns: String,
    pub borrow_netns: bool,
    /// TAP device name (at most 15 characters).
    pub device: String,
    pub linux_addr: Ipv4Addr,
    pub synack_addr: Ipv4Addr,
    pub prefix: u8,
}

impl TapConfig {
    /// A fresh namespace and device named after this process.
    pub fn for_process() -> Self {
        let pid = std::process::id();
        TapConfig {
            netns: format!("synack-{pid}"),
            borrow_netns: false,
            device: format!("sk{pid}"),
            linux_addr: DEFAULT_LINUX_ADDR,
            synack_addr: DEFAULT_SYNACK_ADDR,
            prefix: DEFAULT_PREFIX,
        }
    }

    /// This process's fresh namespace and device, or `netns` borrowed,
    /// with the link's addresses.
    pub fn with_addresses(
        netns: Option<&str>,
        linux_addr: Ipv4Addr,
        synack_addr: Ipv4Addr,
        prefix: u8,
    ) -> Self {
        let mut cfg = Self::for_process();
        if let Some(ns) = netns {
            cfg.netns = ns.to_owned();
            cfg.borrow_netns = true;
        }
        cfg.linux_addr = linux_addr;
        cfg.synack_addr = synack_addr;
        cfg.prefix = prefix;
        cfg
    }

    /// The netmask of `prefix`.
    pub fn netmask(&self) -> Ipv4Addr {
        let bits = u32::MAX
            .checked_shl(32 - u32::from(self.prefix))
            .unwrap_or(0);
        Ipv4Addr::from(bits)
    }
}

/// The TAP device, in its namespace, configured.
pub struct TapLink {
    // Field order: the device closes before the namespace is deleted.
    pub device: TapDevice,
    pub netns: Netns,
    pub config: TapConfig,
}

impl TapLink {
    pub fn open(config: TapConfig) -> Result<TapLink, TapError> {
        let mask = u32::from(config.netmask());
        if !(1..=30).contains(&config.prefix)
            || u32::from(config.linux_addr) & mask != u32::from(config.synack_addr) & mask
            || config.linux_addr == config.synack_addr
        {
            return Err(TapError::NotOnLink {
                linux: config.linux_addr,
                synack: config.synack_addr,
                prefix: config.prefix,
            });
        }
        let netns = if config.borrow_netns {
            Netns::borrow(&config.netns)?
        } else {
            Netns::create(&config.netns)?
        };
        let device = TapDevice::create(&config.device)?;
        netns.adopt(&config.device)?;
        let dev = config.device.as_str();
        let addr = format!("{}/{}", config.linux_addr, config.prefix);
        netns.exec(&["ip", "addr", "add", &addr, "dev", dev])?;
        netns.exec(&[
            "ip",
            "link",
            "set",
            "dev",
            dev,
            "mtu",
            &MTU.to_string(),
            "up",
        ])?;
        Ok(TapLink {
            device,
            netns,
            config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_off_one_network_are_refused_before_anything_is_created() {
        let mut c = TapConfig::for_process();
        c.synack_addr = Ipv4Addr::new(198, 51, 100, 2);
        assert!(matches!(TapLink::open(c), Err(TapError::NotOnLink { .. })));
        let c = TapConfig::for_process();
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
    }
}
