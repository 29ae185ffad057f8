//! The TX ring: frames and TSO sends into slot buffers, descriptors, the
//! doorbell, and reaping completions.
use synack_abi::ring::{PHASE, TxCompletion, TxDesc, tx_flags, tx_status};

use super::{Driver, expected_phase};

/// What the fabric does to one TX buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxOffload {
    /// Sent byte for byte.
    None,
    /// IPv4 header and TCP/UDP checksums inserted (SPEC F4).
    Checksum,
    /// Cut into `mss`-byte TCP segments behind a `hdr_len`-byte header
    /// (Ethernet + IPv4 + TCP), checksums inserted (SPEC F5).
    Tso { mss: u16, hdr_len: u8 },
}

/// Why [`Driver::transmit`] refused a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// Every slot is in the fabric's hands; reap completions and retry.
    #[error("TX ring full")]
    RingFull,
    #[error("{len} bytes do not fit a {max}-byte TX buffer")]
    TooLong { len: usize, max: usize },
    #[error("empty frame")]
    Empty,
}

impl Driver {
    /// Free TX slots.
    pub fn tx_space(&self) -> u32 {
        self.tx_size() - self.tx_next.wrapping_sub(self.tx_clean)
    }

    /// Largest buffer [`Self::transmit`] takes.
    pub fn tx_buffer_size(&self) -> usize {
        self.layout.tx_buffer_size
    }

    /// Copies the concatenation of `parts` into the next slot and fills its
    /// descriptor. The fabric sees it at the next [`Self::flush`].
    pub fn transmit(&mut self, parts: &[&[u8]], offload: TxOffload) -> Result<(), TxError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len == 0 {
            return Err(TxError::Empty);
        }
        if len > self.layout.tx_buffer_size {
            return Err(TxError::TooLong {
                len,
                max: self.layout.tx_buffer_size,
            });
        }
        if self.tx_space() == 0 {
            self.stats.tx_ring_full += 1;
            return Err(TxError::RingFull);
        }
        let slot = (self.tx_next & (self.tx_size() - 1)) as usize;
        let buf = self.layout.tx_buffers + slot * self.layout.tx_buffer_size;
        let mut at = buf;
        for part in parts {
            self.dma.write(at, part);
            at += part.len();
        }
        let (flags, mss, hdr_len) = match offload {
            TxOffload::None => (0, 0, 0),
            TxOffload::Checksum => (tx_flags::CSUM, 0, 0),
            TxOffload::Tso { mss, hdr_len } => (tx_flags::TSO | tx_flags::CSUM, mss, hdr_len),
        };
        let desc = TxDesc {
            addr: self.dma.bus_addr(buf).into(),
            len: len as u32,
            mss,
            hdr_len,
            flags,
        };
        self.dma
            .write(self.layout.tx_ring + slot * 16, &desc.to_bytes());
        self.tx_next = self.tx_next.wrapping_add(1);
        self.stats.tx_descriptors += 1;
        Ok(())
    }

    /// Rings the TX doorbell if descriptors were added since the last one.
    pub fn flush(&mut self) {
        if self.tx_published != self.tx_next {
            self.dma.publish();
            self.regs.write(|r| &r.tx_producer, self.tx_next);
            self.tx_published = self.tx_next;
        }
    }

    /// Reaps TX completions; returns how many. Frees their slots and
    /// acknowledges them (TX completion head).
    pub fn reclaim_tx(&mut self) -> u32 {
        let mut reaped = 0;
        while self.tx_clean != self.tx_published {
            let slot = (self.tx_clean & (self.tx_size() - 1)) as usize;
            let cpl =
                TxCompletion::from_bytes(self.dma.read_completion(self.layout.tx_cpl + slot * 8));
            if (cpl.flags & PHASE != 0) != expected_phase(self.tx_clean, self.cfg.tx_ring_log2) {
                break;
            }
            match cpl.status {
                tx_status::OK => self.stats.tx_frames += u64::from(cpl.frames),
                tx_status::DMA_ERROR => self.stats.tx_dma_errors += 1,
                _ => self.stats.tx_bad_descriptors += 1,
            }
            self.tx_clean = self.tx_clean.wrapping_add(1);
            reaped += 1;
        }
        if reaped > 0 {
            self.regs.write(|r| &r.tx_cpl_head, self.tx_clean);
        }
        reaped
    }
}
