//! Value parsers for the command line. Every flag is checked as it is
//! parsed, so a value that cannot work is refused — with clap's message
//! naming the flag and the value, and ours saying why and what is accepted —
//! before anything is built or simulated. No value reaches arithmetic that
//! could overflow or a random-number call that would panic.

/// The demo's limit of simulated time, seconds: it gives up after this.
pub const DEMO_LIMIT_S: u64 = 600;
/// The longest time a demo flag may name, µs: the demo's whole limit.
pub const MAX_DEMO_MICROS: u64 = DEMO_LIMIT_S * 1_000_000;
/// Most frames `mac-loopback` sends (they are held in memory, up to 1514 bytes each).
pub const MAX_LOOPBACK_FRAMES: usize = 100_000;
/// The board bridge's slowest and fastest UART rates, baud ([`baud_rate`]).
pub const MIN_BAUD: u32 = 400_000;
pub const MAX_BAUD: u32 = 12_000_000;
/// Largest demo transfer, MiB.
pub const MAX_DEMO_MIB: f64 = 4096.0;

fn number<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| format!("`{s}` is not {what}"))
}

/// A per-frame probability in [0, 1): at 1 every frame would be lost,
/// corrupted, held back or duplicated (or every cycle idle or stalled), and
/// the run could never finish.
pub fn probability_below_one(s: &str) -> Result<f64, String> {
    let p: f64 = number(s, "a number")?;
    if (0.0..1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "a probability must be at least 0 and below 1 (at 1 the run could never finish); got {s}"
        ))
    }
}

/// A time in µs from 0 up to the demo's limit of simulated time.
pub fn demo_micros(s: &str) -> Result<u64, String> {
    micros_in(s, 0)
}

/// A poll interval in µs: at least 1, at most the demo's limit.
pub fn poll_micros(s: &str) -> Result<u64, String> {
    micros_in(s, 1)
}

fn micros_in(s: &str, min: u64) -> Result<u64, String> {
    let us: u64 = number(s, "a whole number of microseconds")?;
    if (min..=MAX_DEMO_MICROS).contains(&us) {
        Ok(us)
    } else {
        Err(format!(
            "must be {min} to {MAX_DEMO_MICROS} µs (the demo gives up after {DEMO_LIMIT_S} s of simulated time); got {s}"
        ))
    }
}

/// µs to ns, checked (the parsers above keep it far from overflowing).
pub fn nanos(us: u64) -> anyhow::Result<u64> {
    us.checked_mul(1000)
        .ok_or_else(|| anyhow::anyhow!("{us} µs is too long to count in nanoseconds"))
}

/// The demo's transfer size in MiB: above 0, at most [`MAX_DEMO_MIB`].
pub fn mebibytes(s: &str) -> Result<f64, String> {
    let mib: f64 = number(s, "a number of MiB")?;
    if mib > 0.0 && mib <= MAX_DEMO_MIB {
        Ok(mib)
    } else {
        Err(format!(
            "must be above 0 and at most {MAX_DEMO_MIB} MiB; got {s}"
        ))
    }
}

/// The board bridge's UART rate: the baud divisor register's 12 bits of
/// sixteenths of a 100 MHz cycle reach down to 390,720 baud; the FT2232H
/// goes up to 12 Mbaud.
pub fn baud_rate(s: &str) -> Result<u32, String> {
    let baud: u32 = number(s, "a whole number of baud")?;
    if (MIN_BAUD..=MAX_BAUD).contains(&baud) {
        Ok(baud)
    } else {
        Err(format!(
            "must be {MIN_BAUD} to {MAX_BAUD} baud (the board's divisor and the FT2232H's range); got {s}"
        ))
    }
}

/// A frame count for `mac-loopback`: 1 to [`MAX_LOOPBACK_FRAMES`].
pub fn frame_count(s: &str) -> Result<usize, String> {
    let n: usize = number(s, "a whole number of frames")?;
    if (1..=MAX_LOOPBACK_FRAMES).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "must be 1 to {MAX_LOOPBACK_FRAMES} frames; got {s}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_finite_and_below_one() {
        assert_eq!(probability_below_one("0"), Ok(0.0));
        assert_eq!(probability_below_one("0.25"), Ok(0.25));
        for bad in ["1", "1.0", "1.5", "-0.1", "nan", "NaN", "inf", "x"] {
            assert!(probability_below_one(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_stay_within_the_demo_limit_and_convert_without_overflow() {
        assert_eq!(demo_micros("0"), Ok(0));
        assert_eq!(poll_micros("0").ok(), None);
        assert_eq!(
            demo_micros(&MAX_DEMO_MICROS.to_string()),
            Ok(MAX_DEMO_MICROS)
        );
        for bad in ["18446744073709552", "18446744073709551615", "-1", "1.5"] {
            assert!(demo_micros(bad).is_err(), "{bad}");
            assert!(poll_micros(bad).is_err(), "{bad}");
        }
        assert_eq!(nanos(MAX_DEMO_MICROS).unwrap(), MAX_DEMO_MICROS * 1000);
        assert!(nanos(u64::MAX).is_err());
    }

    #[test]
    fn sizes_and_counts_are_bounded() {
        assert_eq!(mebibytes("0.125"), Ok(0.125));
        for bad in ["0", "-1", "nan", "inf", "4097"] {
            assert!(mebibytes(bad).is_err(), "{bad}");
        }
        assert_eq!(frame_count("20"), Ok(20));
        assert!(frame_count("0").is_err());
        assert!(frame_count("100001").is_err());
    }
}

/// A MAC address as six hex bytes separated by colons; unicast (a group
/// address as a source is refused by every receiver).
pub fn mac_address(s: &str) -> Result<synack_host::wire::EthernetAddress, String> {
    let bytes: Vec<u8> = s
        .split(':')
        .map(|b| u8::from_str_radix(b, 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{s}` is not a MAC address (six hex bytes, as 02:53:41:43:4b:01)"))?;
    let bytes: [u8; 6] = bytes
        .try_into()
        .map_err(|_| format!("`{s}` is not a MAC address (six hex bytes, as 02:53:41:43:4b:01)"))?;
    if bytes[0] & 1 == 1 {
        return Err(format!(
            "{s} is a group (multicast) address; give a unicast one"
        ));
    }
    Ok(synack_host::wire::EthernetAddress(bytes))
}
