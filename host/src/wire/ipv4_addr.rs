//! IPv4 addresses, subnets and protocol numbers (RFC 791, RFC 4632; SPEC
//! W2): plain values shared by the header code ([`super::ipv4`]) and the
//! checksum's pseudo-header ([`super::checksum`]), so neither depends on the
//! other.
//!
//! Invariant: on-link is decided by masking both addresses with the subnet
//! mask (SPEC W2): [`Ipv4Cidr::is_on_link`].

use core::fmt;
use core::str::FromStr;

/// A 32-bit IPv4 address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Ipv4Address(pub [u8; 4]);

impl Ipv4Address {
    /// `0.0.0.0`.
    pub const UNSPECIFIED: Ipv4Address = Ipv4Address([0; 4]);
    /// `255.255.255.255`, the limited broadcast address.
    pub const BROADCAST: Ipv4Address = Ipv4Address([255; 4]);

    pub const fn new(a: u8, b: u8, c: u8, d: u8) -> Self {
        Ipv4Address([a, b, c, d])
    }

    /// The address in `bytes`, or `None` unless `bytes` has exactly 4 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Ipv4Address> {
        <[u8; 4]>::try_from(bytes).ok().map(Ipv4Address)
    }

    pub const fn octets(&self) -> [u8; 4] {
        self.0
    }

    pub const fn to_u32(&self) -> u32 {
        u32::from_be_bytes(self.0)
    }

    pub const fn from_u32(v: u32) -> Self {
        Ipv4Address(v.to_be_bytes())
    }

    pub const fn is_unspecified(&self) -> bool {
        self.to_u32() == 0
    }

    pub const fn is_broadcast(&self) -> bool {
        self.to_u32() == u32::MAX
    }

    /// 224.0.0.0/4 (RFC 5771).
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0xf0 == 0xe0
    }

    /// 127.0.0.0/8 (RFC 1122 §3.2.1.3(g)).
    pub const fn is_loopback(&self) -> bool {
        self.0[0] == 127
    }

    /// Not unspecified, broadcast or multicast: may be a packet's source.
    pub const fn is_unicast(&self) -> bool {
        !(self.is_unspecified() || self.is_broadcast() || self.is_multicast())
    }
}

impl From<core::net::Ipv4Addr> for Ipv4Address {
    fn from(a: core::net::Ipv4Addr) -> Self {
        Ipv4Address(a.octets())
    }
}

impl From<Ipv4Address> for core::net::Ipv4Addr {
    fn from(a: Ipv4Address) -> Self {
        core::net::Ipv4Addr::from(a.0)
    }
}

impl FromStr for Ipv4Address {
    type Err = core::net::AddrParseError;
    fn from_str(s: &str) -> core::result::Result<Self, Self::Err> {
        core::net::Ipv4Addr::from_str(s).map(Ipv4Address::from)
    }
}

impl fmt::Display for Ipv4Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

impl fmt::Debug for Ipv4Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An interface address with its prefix length, e.g. `192.168.1.10/24`.
///
/// Invariant: `prefix_len <= 32`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Cidr {
    address: Ipv4Address,
    prefix_len: u8,
}

impl Ipv4Cidr {
    /// `None` if `prefix_len > 32`.
    pub const fn new(address: Ipv4Address, prefix_len: u8) -> Option<Self> {
        if prefix_len > 32 {
            None
        } else {
            Some(Ipv4Cidr {
                address,
                prefix_len,
            })
        }
    }

    /// From a dotted netmask such as `255.255.255.0`; `None` if the mask's
    /// one bits are not contiguous from the top.
    pub const fn from_netmask(address: Ipv4Address, netmask: Ipv4Address) -> Option<Self> {
        let m = netmask.to_u32();
        let prefix_len = m.leading_ones();
        // Contiguous iff nothing is left after shifting the leading ones out.
        // (A match, not a let chain: the workspace's rust-version is 1.85.)
        match m.checked_shl(prefix_len) {
            Some(rest) if rest != 0 => return None,
            _ => {}
        }
        Some(Ipv4Cidr {
            address,
            prefix_len: prefix_len as u8,
        })
    }

    pub const fn address(&self) -> Ipv4Address {
        self.address
    }

    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    const fn mask_u32(&self) -> u32 {
        // A shift by 32 would overflow; prefix 0 is the all-zero mask.
        match u32::MAX.checked_shl(32 - self.prefix_len as u32) {
            Some(m) => m,
            None => 0,
        }
    }

    /// The subnet mask, e.g. `255.255.255.0` for /24.
    pub const fn netmask(&self) -> Ipv4Address {
        Ipv4Address::from_u32(self.mask_u32())
    }

    /// The network address: `address AND netmask`.
    pub const fn network(&self) -> Ipv4Address {
        Ipv4Address::from_u32(self.address.to_u32() & self.mask_u32())
    }

    /// The subnet's directed broadcast address, or `None` for /31 and /32,
    /// which have none (RFC 3021).
    pub const fn broadcast(&self) -> Option<Ipv4Address> {
        if self.prefix_len >= 31 {
            None
        } else {
            Some(Ipv4Address::from_u32(
                self.address.to_u32() | !self.mask_u32(),
            ))
        }
    }

    /// `addr` lies in this subnet.
    pub const fn contains(&self, addr: &Ipv4Address) -> bool {
        let m = self.mask_u32();
        addr.to_u32() & m == self.address.to_u32() & m
    }

    /// SPEC W2 (the article's subnet-mask section): a destination is on-link —
    /// reached directly through ARP — iff ANDing both our address and the
    /// destination with the mask gives the same network; otherwise the packet
    /// goes to the gateway.
    pub const fn is_on_link(&self, dst: &Ipv4Address) -> bool {
        self.contains(dst)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

impl fmt::Debug for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Error parsing an [`Ipv4Cidr`] from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CidrParseError;

impl fmt::Display for CidrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected an IPv4 address and prefix, as 192.168.1.10/24")
    }
}

impl core::error::Error for CidrParseError {}

impl FromStr for Ipv4Cidr {
    type Err = CidrParseError;
    fn from_str(s: &str) -> core::result::Result<Self, CidrParseError> {
        let (addr, prefix) = s.split_once('/').ok_or(CidrParseError)?;
        let addr = Ipv4Address::from_str(addr).map_err(|_| CidrParseError)?;
        let prefix = u8::from_str(prefix).map_err(|_| CidrParseError)?;
        Ipv4Cidr::new(addr, prefix).ok_or(CidrParseError)
    }
}

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpProtocol {
    Icmp,
    Tcp,
    Udp,
    Unknown(u8),
}

impl From<u8> for IpProtocol {
    fn from(v: u8) -> Self {
        match v {
            1 => IpProtocol::Icmp,
            6 => IpProtocol::Tcp,
            17 => IpProtocol::Udp,
            other => IpProtocol::Unknown(other),
        }
    }
}

impl From<IpProtocol> for u8 {
    fn from(p: IpProtocol) -> u8 {
        match p {
            IpProtocol::Icmp => 1,
            IpProtocol::Tcp => 6,
            IpProtocol::Udp => 17,
            IpProtocol::Unknown(v) => v,
        }
    }
}
