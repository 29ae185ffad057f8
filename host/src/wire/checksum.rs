//! The Internet checksum (RFC 1071) and the IPv4 pseudo-header sum.
//!
//! This is on the receive and transmit hot path whenever the fabric does not
//! offload a checksum, so [`data`] sums native-endian 32-bit words into a 64-bit
//! accumulator, a loop the compiler vectorises, and byte-swaps once at the end.
//! That is sound because the ones'-complement sum is byte-order independent
//! (RFC 1071 §2(B)): swapping every 16-bit word swaps the sum.
//!
//! Invariants:
//! - [`data`] returns the folded ones'-complement *sum* in network order, not
//!   its complement; [`finish`] complements. A buffer verifies when the sum of
//!   its bytes (checksum field included) plus any pseudo-header is `0xffff`.
//! - Partial sums may be [`combine`]d only when every part but the last has
//!   even length (RFC 1071 §2(A) pads only the final odd byte).
//! - Correct for inputs up to 16 GiB (the accumulator cannot overflow before
//!   2^32 words).

use super::ipv4_addr::{IpProtocol, Ipv4Address};

/// Fold a 64-bit accumulator of 16-bit words to 16 bits with end-around carry.
#[inline]
const fn fold(mut acc: u64) -> u16 {
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc as u16
}

/// Ones'-complement sum of `data` as 16-bit big-endian words; an odd final byte
/// is padded with a zero byte on the right (RFC 1071 §2(A)).
#[inline]
pub fn data(data: &[u8]) -> u16 {
    // Two accumulators over 8-byte steps let the vectoriser keep two lanes busy.
    let mut acc_a: u64 = 0;
    let mut acc_b: u64 = 0;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        acc_a += u64::from(u32::from_ne_bytes([c[0], c[1], c[2], c[3]]));
        acc_b += u64::from(u32::from_ne_bytes([c[4], c[5], c[6], c[7]]));
    }
    let mut acc = acc_a + acc_b;
    let mut rest = chunks.remainder();
    if rest.len() >= 4 {
        acc += u64::from(u32::from_ne_bytes([rest[0], rest[1], rest[2], rest[3]]));
        rest = &rest[4..];
    }
    if rest.len() >= 2 {
        acc += u64::from(u16::from_ne_bytes([rest[0], rest[1]]));
        rest = &rest[2..];
    }
    if let [last] = rest {
        acc += u64::from(u16::from_ne_bytes([*last, 0]));
    }
    // The sum of native-endian words is the byte-swapped network-order sum on a
    // little-endian machine; `from_be` undoes exactly that (and is a no-op on
    // big-endian machines).
    u16::from_be(fold(acc))
}

/// Appends `parts` (a ring buffer's two halves) to `out` and returns
/// [`data`] of their concatenation, reading each byte from its source once.
/// A part that starts at an odd offset of the whole has its bytes in the
/// other halves of the 16-bit words, so its sum is byte-swapped (RFC 1071
/// §2(B)) before it is added.
///
/// A payload lying in a send buffer is cold by the time it is cut into a
/// frame; summing it and then copying it read it from memory twice. Here
/// each block is summed as it comes into the first-level cache and copied
/// from there. Blocks have even length, so every block of a part starts at
/// an even offset of it and their sums add without swapping.
#[inline]
pub fn extend_summing(out: &mut Vec<u8>, parts: [&[u8]; 2]) -> u16 {
    /// Small enough to stay in the first-level cache between sum and copy,
    /// large enough that each block's copy runs at full speed.
    const BLOCK: usize = 1024;
    out.reserve(parts[0].len() + parts[1].len());
    let mut sums = [0u64; 2];
    for (part, sum) in parts.iter().zip(&mut sums) {
        for block in part.chunks(BLOCK) {
            *sum += u64::from(data(block));
            out.extend_from_slice(block);
        }
    }
    let tail = fold(sums[1]);
    let tail = if parts[0].len() % 2 == 1 {
        tail.swap_bytes()
    } else {
        tail
    };
    combine(&[fold(sums[0]), tail])
}

/// Ones'-complement sum of several partial sums.
#[inline]
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| u64::from(s)).sum())
}

/// The checksum field value for a ones'-complement sum: its complement.
#[inline]
pub const fn finish(sum: u16) -> u16 {
    !sum
}

/// Sum of the IPv4 pseudo-header (RFC 9293 §3.1, RFC 768): source address,
/// destination address, zero, protocol, and the TCP/UDP length `length`.
#[inline]
pub fn pseudo_header(
    src: &Ipv4Address,
    dst: &Ipv4Address,
    protocol: IpProtocol,
    length: u32,
) -> u16 {
    let s = src.to_u32();
    let d = dst.to_u32();
    let acc = u64::from(s >> 16)
        + u64::from(s & 0xffff)
        + u64::from(d >> 16)
        + u64::from(d & 0xffff)
        + u64::from(u8::from(protocol))
        + u64::from(length >> 16)
        + u64::from(length & 0xffff);
    fold(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straightforward RFC 1071 reference: big-endian words, one at a time.
    fn reference(data: &[u8]) -> u16 {
        let mut acc: u32 = 0;
        for pair in data.chunks(2) {
            let word = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
            acc += u32::from(word);
            acc = (acc & 0xffff) + (acc >> 16);
        }
        acc as u16
    }

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(data(&bytes), 0xddf2);
        assert_eq!(finish(data(&bytes)), 0x220d);
    }

    #[test]
    fn matches_reference_for_every_length_and_alignment() {
        let buf: Vec<u8> = (0..600u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for start in 0..8 {
            for len in 0..(buf.len() - start) {
                let s = &buf[start..start + len];
                assert_eq!(data(s), reference(s), "start {start} len {len}");
            }
        }
    }

    #[test]
    fn all_ones_does_not_overflow() {
        let buf = vec![0xff; 70_000];
        assert_eq!(data(&buf), reference(&buf));
        assert_eq!(data(&buf), 0xffff);
    }

    #[test]
    fn extending_by_two_parts_appends_them_and_sums_their_concatenation_at_any_split() {
        let bytes: Vec<u8> = (0..2601u32).map(|i| (i * 151 + 7) as u8).collect();
        for len in [0, 1, 2, 3, 40, 299, 1023, 1024, 1025, 2048, 2601] {
            for split in 0..=len {
                let (a, b) = bytes[..len].split_at(split);
                let mut out = vec![0xee; 3];
                assert_eq!(
                    extend_summing(&mut out, [a, b]),
                    reference(&bytes[..len]),
                    "len {len}, split at {split}"
                );
                assert_eq!(&out[..3], &[0xee; 3]);
                assert_eq!(&out[3..], &bytes[..len], "len {len}, split at {split}");
            }
        }
    }

    #[test]
    fn empty_and_single_byte() {
        assert_eq!(data(&[]), 0);
        assert_eq!(data(&[0xab]), 0xab00);
    }

    #[test]
    fn combine_equals_sum_of_concatenation_for_even_parts() {
        let a = [1u8, 2, 3, 4, 0xff, 0xfe];
        let b = [9u8, 8, 7];
        let whole: Vec<u8> = a.iter().chain(b.iter()).copied().collect();
        assert_eq!(combine(&[data(&a), data(&b)]), data(&whole));
    }

    #[test]
    fn pseudo_header_equals_sum_of_its_bytes() {
        let src = Ipv4Address::new(192, 168, 1, 10);
        let dst = Ipv4Address::new(10, 0, 0, 255);
        let len = 1480u32;
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&src.octets());
        bytes.extend_from_slice(&dst.octets());
        bytes.extend_from_slice(&[0, 6]);
        bytes.extend_from_slice(&(len as u16).to_be_bytes());
        assert_eq!(
            pseudo_header(&src, &dst, IpProtocol::Tcp, len),
            data(&bytes)
        );
    }
}
