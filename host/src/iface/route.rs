//! Next-hop choice (SPEC W2): on-link iff both addresses ANDed with the mask
//! agree; otherwise the gateway, if there is one.

use crate::wire::{Ipv4Address, Ipv4Cidr};

/// Where a packet to some destination goes on the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHop {
    /// The limited or the subnet's directed broadcast: the link broadcast address.
    Broadcast,
    /// A unicast neighbour: the destination itself (on-link) or the gateway.
    Unicast(Ipv4Address),
}

/// The next hop towards `dst`, or `None` when there is no route
/// (off-link without a gateway, multicast, the unspecified address).
pub fn next_hop(
    cidr: &Ipv4Cidr,
    gateway: Option<Ipv4Address>,
    dst: Ipv4Address,
) -> Option<NextHop> {
    if dst.is_broadcast() || cidr.broadcast() == Some(dst) {
        return Some(NextHop::Broadcast);
    }
    if !dst.is_unicast() {
        return None;
    }
    if cidr.is_on_link(&dst) {
        Some(NextHop::Unicast(dst))
    } else {
        gateway.map(NextHop::Unicast)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr() -> Ipv4Cidr {
        Ipv4Cidr::from_netmask(
            Ipv4Address::new(192, 168, 1, 10),
            Ipv4Address::new(255, 255, 255, 0),
        )
        .unwrap()
    }

    #[test]
    fn on_link_vs_gateway_is_decided_by_the_mask() {
        let gw = Some(Ipv4Address::new(192, 168, 1, 1));
        let near = Ipv4Address::new(192, 168, 1, 77);
        let far = Ipv4Address::new(192, 168, 2, 77);
        assert_eq!(next_hop(&cidr(), gw, near), Some(NextHop::Unicast(near)));
        assert_eq!(next_hop(&cidr(), gw, far), gw.map(NextHop::Unicast));
        assert_eq!(next_hop(&cidr(), None, far), None);
        // A /16 mask makes the same "far" address on-link.
        let wide = Ipv4Cidr::new(Ipv4Address::new(192, 168, 1, 10), 16).unwrap();
        assert_eq!(next_hop(&wide, gw, far), Some(NextHop::Unicast(far)));
    }

    #[test]
    fn broadcasts_and_multicast() {
        let bcast = Ipv4Address::new(192, 168, 1, 255);
        assert_eq!(next_hop(&cidr(), None, bcast), Some(NextHop::Broadcast));
        assert_eq!(
            next_hop(&cidr(), None, Ipv4Address::BROADCAST),
            Some(NextHop::Broadcast)
        );
        assert_eq!(
            next_hop(&cidr(), None, Ipv4Address::new(224, 0, 0, 1)),
            None
        );
        assert_eq!(next_hop(&cidr(), None, Ipv4Address::UNSPECIFIED), None);
    }
}
