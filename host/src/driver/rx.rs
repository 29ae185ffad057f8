//! The RX ring: reading completions, handing frames on with the fabric's
//! checksum verdicts, and reposting buffers.
use synack_abi::ring::{PHASE, RxCompletion, RxDesc, rx_csum, rx_flags};

use super::{Driver, expected_phase};

/// What the fabric found about one frame's checksums (SPEC F3), decoded
/// from its RX completion: `None` where it checked nothing (not IPv4, or
/// not TCP/UDP), else whether the checksum was right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxChecksum {
    pub ipv4: Option<bool>,
    pub l4: Option<bool>,
}

/// One received frame as the fabric reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxFrame<'a> {
    /// The frame without FCS.
    pub bytes: &'a [u8],
    /// What the fabric found about its checksums (SPEC F3).
    pub checksum: RxChecksum,
}

/// The verdicts in an RX completion's `csum` byte.
fn hw_checksum(csum: u8) -> RxChecksum {
    let ipv4 = csum & rx_csum::IPV4 != 0;
    let l4 = ipv4 && csum & (rx_csum::TCP | rx_csum::UDP) != 0;
    RxChecksum {
        ipv4: ipv4.then_some(csum & rx_csum::IP_OK != 0),
        l4: l4.then_some(csum & rx_csum::L4_OK != 0),
    }
}

impl Driver {
    /// Hands up to `budget` received frames to `deliver`, oldest first;
    /// returns how many completions were consumed. Truncated frames are
    /// counted and dropped. Every buffer is reposted and the RX doorbell and
    /// completion head are written before returning.
    pub fn receive(&mut self, budget: u32, mut deliver: impl FnMut(RxFrame<'_>)) -> u32 {
        let mut done = 0;
        while done < budget {
            let slot = (self.rx_clean & (self.rx_size() - 1)) as usize;
            let cpl =
                RxCompletion::from_bytes(self.dma.read_completion(self.layout.rx_cpl + slot * 8));
            if (cpl.flags & PHASE != 0) != expected_phase(self.rx_clean, self.cfg.rx_ring_log2) {
                break;
            }
            let len = usize::from(cpl.len).min(self.layout.rx_buffer_size);
            if cpl.flags & rx_flags::TRUNCATED != 0 {
                self.stats.rx_truncated += 1;
            } else {
                self.stats.rx_frames += 1;
                self.stats.rx_bytes += len as u64;
                let at = self.layout.rx_buffers + slot * self.layout.rx_buffer_size;
                deliver(RxFrame {
                    bytes: self.dma.bytes(at, len),
                    checksum: hw_checksum(cpl.csum),
                });
            }
            self.rx_clean = self.rx_clean.wrapping_add(1);
            self.post_rx_buffer();
            done += 1;
        }
        if done > 0 {
            self.dma.publish();
            self.regs.write(|r| &r.rx_producer, self.rx_posted);
            self.regs.write(|r| &r.rx_cpl_head, self.rx_clean);
        }
        done
    }

    /// Writes the descriptor for RX index `rx_posted` (its slot's buffer).
    pub(super) fn post_rx_buffer(&mut self) {
        let slot = (self.rx_posted & (self.rx_size() - 1)) as usize;
        let buf = self.layout.rx_buffers + slot * self.layout.rx_buffer_size;
        let desc = RxDesc {
            addr: self.dma.bus_addr(buf).into(),
            len: self.layout.rx_buffer_size as u32,
            reserved: 0,
        };
        self.dma
            .write(self.layout.rx_ring + slot * 16, &desc.to_bytes());
        self.rx_posted = self.rx_posted.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_checksum_bits_become_verdicts() {
        use rx_csum::*;
        assert_eq!(hw_checksum(0), RxChecksum::default());
        assert_eq!(
            hw_checksum(IPV4 | IP_OK | TCP | L4_OK),
            RxChecksum {
                ipv4: Some(true),
                l4: Some(true)
            }
        );
        assert_eq!(
            hw_checksum(IPV4 | UDP),
            RxChecksum {
                ipv4: Some(false),
                l4: Some(false)
            }
        );
        assert_eq!(
            hw_checksum(IPV4 | IP_OK),
            RxChecksum {
                ipv4: Some(true),
                l4: None
            }
        );
    }
}
