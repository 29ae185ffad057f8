//! IPv4 option validation on receive, as Linux's `ip_options_compile` does
//! it for a received packet, and Linux's source-route policy
//! (`accept_source_route = 0`).
//!
//! RFC 791 §3.1: options are a single octet (End of Option List, No
//! Operation) or a type octet, a length octet counting the type and length
//! octets, and data. A packet whose options cannot be walked, or whose
//! known options have impossible lengths or pointers, is dropped (Linux
//! sends an ICMP parameter problem, which this stack does not, and counts
//! it in `InHdrErrors`); a source-routed packet is dropped by policy.
//! Unknown option types with a sane length are skipped (RFC 1122 §3.2.1.8).

use super::super::{Error, Result};

/// RFC 791 option types.
mod kind {
    pub const END: u8 = 0;
    pub const NOOP: u8 = 1;
    pub const RR: u8 = 7;
    pub const TIMESTAMP: u8 = 68;
    pub const LSRR: u8 = 131;
    pub const CIPSO: u8 = 134;
    pub const SSRR: u8 = 137;
    pub const RA: u8 = 148;
}

/// Timestamp option flags (RFC 791 "Internet Timestamp", low nibble).
const TS_AND_ADDR: u8 = 1;
const TS_PRESPEC: u8 = 3;

/// Check a received header's option bytes: `Err(BadIpOption)` for options
/// Linux's `ip_options_compile` refuses, `Err(SourceRouted)` for a loose or
/// strict source route.
pub fn check(options: &[u8]) -> Result<()> {
    let mut seen_rr = false;
    let mut seen_ts = false;
    let mut source_routed = false;
    let mut rest = options;
    while let Some(&t) = rest.first() {
        match t {
            kind::END => break,
            kind::NOOP => {
                rest = &rest[1..];
                continue;
            }
            _ => {}
        }
        // Every other option has a length octet, at least 2 and within the header.
        let Some(&len) = rest.get(1) else {
            return Err(Error::BadIpOption);
        };
        let len = usize::from(len);
        if len < 2 || len > rest.len() {
            return Err(Error::BadIpOption);
        }
        let opt = &rest[..len];
        match t {
            kind::LSRR | kind::SSRR => {
                // Pointer at least 4; a second source route is refused (RFC 1812 §5.2.4.1).
                if len < 3 || opt[2] < 4 || source_routed {
                    return Err(Error::BadIpOption);
                }
                source_routed = true;
            }
            kind::RR => {
                if seen_rr || len < 3 || opt[2] < 4 {
                    return Err(Error::BadIpOption);
                }
                // A pointer inside the option must leave room for an address.
                if usize::from(opt[2]) <= len && usize::from(opt[2]) + 3 > len {
                    return Err(Error::BadIpOption);
                }
                seen_rr = true;
            }
            kind::TIMESTAMP => {
                if seen_ts || len < 4 || opt[2] < 5 {
                    return Err(Error::BadIpOption);
                }
                check_timestamp(opt)?;
                seen_ts = true;
            }
            kind::RA if len < 4 => return Err(Error::BadIpOption),
            // CIPSO needs a configured DOI; with none, Linux's `cipso_v4_validate` refuses it.
            kind::CIPSO => return Err(Error::BadIpOption),
            _ => {}
        }
        rest = &rest[len..];
    }
    if source_routed {
        return Err(Error::SourceRouted);
    }
    Ok(())
}

/// The Internet Timestamp option's pointer and flags.
fn check_timestamp(opt: &[u8]) -> Result<()> {
    let len = opt.len();
    let ptr = usize::from(opt[2]);
    let flags = opt[3] & 0x0f;
    if ptr <= len {
        // Room left: the entry the pointer names must fit.
        if ptr + 3 > len {
            return Err(Error::BadIpOption);
        }
        // Other flag values pass on receive (Linux refuses them only on
        // options an unprivileged user sets).
        if matches!(flags, TS_AND_ADDR | TS_PRESPEC) && ptr + 7 > len {
            return Err(Error::BadIpOption);
        }
    } else if flags != TS_PRESPEC && opt[3] >> 4 == 15 {
        // Full, and the overflow counter cannot count one more hop.
        return Err(Error::BadIpOption);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_unknown_options_with_sane_lengths_pass() {
        assert_eq!(check(&[]), Ok(()));
        assert_eq!(check(&[1, 1, 1, 0]), Ok(()));
        // End of list: whatever follows is padding.
        assert_eq!(check(&[0, 0xff, 0xff, 0xff]), Ok(()));
        // An unknown type (30) with length 4, then a router alert.
        assert_eq!(check(&[30, 4, 0, 0, 148, 4, 0, 0]), Ok(()));
        // Record route with room for one address (pointer 4, length 7).
        assert_eq!(check(&[7, 7, 4, 0, 0, 0, 0, 0]), Ok(()));
        // Timestamps only, pointer 5, room for one; an unknown flag value.
        assert_eq!(check(&[68, 8, 5, 0, 0, 0, 0, 0]), Ok(()));
        assert_eq!(check(&[68, 8, 5, 2, 0, 0, 0, 0]), Ok(()));
    }

    #[test]
    fn options_linux_refuses_are_bad() {
        let bad: &[&[u8]] = &[
            &[30, 0, 0, 0],                              // length 0
            &[30, 1, 0, 0],                              // length 1
            &[30, 5, 0, 0],                              // past the header
            &[1, 1, 1, 30],                              // no length octet
            &[7, 7, 3, 0, 0, 0, 0, 0],                   // record route pointer below 4
            &[7, 7, 4, 0, 0, 0, 0, 7, 7, 4, 0, 0, 0, 0], // two record routes
            &[7, 5, 4, 0, 0, 0, 0, 0],                   // pointer leaves no room for an address
            &[68, 8, 4, 0, 0, 0, 0, 0],                  // timestamp pointer below 5
            &[68, 8, 5, 1, 0, 0, 0, 0],                  // address+timestamp entry does not fit
            &[68, 8, 9, 0xf0, 0, 0, 0, 0],               // full and overflow saturated
            &[148, 2, 0, 0],                             // router alert too short
            &[134, 8, 0, 0, 0, 1, 0, 0],                 // CIPSO without a DOI
        ];
        for b in bad {
            assert_eq!(check(b), Err(Error::BadIpOption), "{b:?}");
        }
    }

    #[test]
    fn source_routes_are_dropped_by_policy() {
        assert_eq!(
            check(&[131, 7, 4, 10, 0, 0, 1, 0]),
            Err(Error::SourceRouted)
        );
        assert_eq!(
            check(&[137, 7, 4, 10, 0, 0, 1, 0]),
            Err(Error::SourceRouted)
        );
        // A malformed one is malformed first.
        assert_eq!(check(&[131, 7, 3, 10, 0, 0, 1, 0]), Err(Error::BadIpOption));
    }
}
