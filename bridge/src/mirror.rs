//! A mirror of the board's register window and DMA memory, which the
//! unchanged driver maps as if they were the device's (SPEC D1).
//!
//! Sound because of the boundary's rules (no register has a read side
//! effect, every write is idempotent, and the ring protocol gives every
//! byte of DMA memory one writer at a time): the driver's changes can be
//! carried to the board after it ran, and the board's changes back before
//! it runs again, without the driver noticing the delay.
//!
//! One sync ([`Session::sync`](crate::session::Session::sync)) is a few
//! bridge requests, in three steps:
//! 1. *Push and status*: every run of DMA bytes the host changed since the
//!    last sync (found by comparing with a copy of what the board holds)
//!    is written; then every writable register whose page value differs
//!    from the board's, in `synack_abi::regs::WRITABLE` order (CONTROL
//!    last, doorbells after the memory they publish); then the status
//!    registers, the statistics and the registers just written are read.
//! 2. *Completions*: the TX and RX completions between the consumer
//!    indices seen last time and those just read are read (the fabric
//!    writes a completion before it advances its consumer index).
//! 3. *Received frames*: each new RX completion's buffer (its address from
//!    the host's own RX descriptor, its length from the completion) is read.
//!
//! Then the frames, then the completions, then the registers land in the
//! host's mappings, and the driver may run. What the board wrote is also
//! recorded as what the board holds, so it is never pushed back.
//!
//! Invariants: between syncs the mirror changes nothing the driver sees;
//! after a sync, every completion the fabric had counted is in the host's
//! DMA memory with the frame it describes, and every register read
//! matches the board's at that step.
use memmap2::MmapMut;
use std::io;
use synack_abi::board::DMA_BYTES;
use synack_abi::regs;
use synack_abi::ring::{RxCompletion, RxDesc};
use thiserror::Error;

use crate::frame::{MAX_MEM_READ, MAX_MEM_WRITE, MAX_REG_READS, Op};
use crate::shared_memory::SharedMemory;

const WORDS: usize = (regs::WINDOW_SIZE / 4) as usize;

/// Runs of changed DMA bytes closer than this are written as one.
const MERGE_GAP: usize = 16;

/// The mappings the driver takes (as `synack_sim::sim_nic::HostMappings`).
pub struct HostMappings {
    pub registers: MmapMut,
    pub dma: MmapMut,
    pub dma_bus_base: u32,
}

/// Why a sync failed.
#[derive(Debug, Error)]
pub enum MirrorError {
    #[error("an answer from the board has {got} bytes where {expected} were due")]
    ShortAnswer { expected: usize, got: usize },
    #[error(
        "the board reports a ring at {base:#x} of 2^{log2} entries, outside its {DMA_BYTES}-byte DMA memory"
    )]
    RingOutsideMemory { base: u32, log2: u32 },
}

/// Where a sync is.
#[derive(Debug)]
enum Step {
    Idle,
    /// The initial read of every register.
    Initial {
        reads: Vec<u16>,
    },
    Push {
        reads: Vec<u16>,
    },
    Completions {
        tx: Vec<(u32, u32)>,
        rx: Vec<(u32, u32)>,
    },
    Frames {
        frames: Vec<(u32, u32)>,
    },
}

/// The mirror: the host's mappings and what the board holds.
pub struct Mirror {
    page: MmapMut,
    dma: MmapMut,
    board_page: Box<[u32; WORDS]>,
    board_dma: Vec<u8>,
    /// Consumer indices whose completions are already in the host's memory.
    tx_seen: u32,
    rx_seen: u32,
    step: Step,
    /// The board's memory is not known yet: the first sync writes the
    /// rings whole (after a reset the block RAM holds an earlier run's).
    rings_unknown: bool,
    /// Completions pulled this sync: (offset, bytes).
    pulled_completions: Vec<(usize, Vec<u8>)>,
    /// Registers read this sync, applied at its end.
    pulled_regs: Vec<(u16, u32)>,
    /// Counted for figures.
    pub syncs: u64,
    pub bytes_pushed: u64,
    pub bytes_pulled: u64,
}

impl Mirror {
    /// A mirror of a board with `DMA_BYTES` of DMA memory at bus address 0,
    /// and the mappings for the driver. Run [`Mirror::initial`] through a
    /// link before the driver reads its first register.
    pub fn new() -> io::Result<(Self, HostMappings)> {
        let page = SharedMemory::new(regs::WINDOW_SIZE as usize)?;
        let dma = SharedMemory::new(DMA_BYTES)?;
        let mirror = Self {
            page: page.map()?,
            dma: dma.map()?,
            board_page: Box::new([0; WORDS]),
            board_dma: vec![0; DMA_BYTES],
            tx_seen: 0,
            rx_seen: 0,
            step: Step::Idle,
            rings_unknown: true,
            pulled_completions: Vec::new(),
            pulled_regs: Vec::new(),
            syncs: 0,
            bytes_pushed: 0,
            bytes_pulled: 0,
        };
        let host = HostMappings {
            registers: page.map()?,
            dma: dma.map()?,
            dma_bus_base: 0,
        };
        Ok((mirror, host))
    }

    /// The first batch: reads every register into the page.
    pub fn initial(&mut self) -> Vec<Op> {
        let reads: Vec<u16> = regs::READ_ONLY
            .into_iter()
            .chain(regs::WRITABLE)
            .chain((0..regs::stat::COUNT).map(regs::stat_offset))
            .map(|r| r as u16)
            .collect();
        self.step = Step::Initial {
            reads: reads.clone(),
        };
        vec![Op::RegRead(reads)]
    }

    /// Starts a sync (after the driver ran): its first batch.
    pub fn begin(&mut self) -> Vec<Op> {
        if std::mem::take(&mut self.rings_unknown) {
            self.forget_rings();
        }
        let mut ops = self.push_memory();
        let mut writes = Vec::new();
        for &reg in regs::WRITABLE.iter() {
            let i = (reg / 4) as usize;
            let value = self.page_word(i);
            if value != self.board_page[i] {
                writes.push((reg as u16, value));
                self.board_page[i] = value;
            }
        }
        let mut reads: Vec<u16> = [
            regs::STATUS,
            regs::TX_CONSUMER,
            regs::RX_CONSUMER,
            regs::IRQ_STATUS,
        ]
        .into_iter()
        .chain((0..regs::stat::COUNT).map(regs::stat_offset))
        .map(|r| r as u16)
        .collect();
        reads.extend(writes.iter().map(|&(a, _)| a));
        if !writes.is_empty() {
            ops.push(Op::RegWrite(writes));
        }
        for chunk in reads.chunks(MAX_REG_READS) {
            ops.push(Op::RegRead(chunk.to_vec()));
        }
        self.step = Step::Push { reads };
        self.pulled_completions.clear();
        self.pulled_regs.clear();
        ops
    }

    /// Takes a batch's answers; returns the next batch, or `None` when the
    /// sync is over and the host's mappings are up to date.
    pub fn complete(&mut self, answers: Vec<Vec<u8>>) -> Result<Option<Vec<Op>>, MirrorError> {
        match std::mem::replace(&mut self.step, Step::Idle) {
            Step::Idle => Ok(None),
            Step::Initial { reads } => {
                let values = reg_values(&reads, &answers)?;
                for (reg, value) in values {
                    let i = usize::from(reg / 4);
                    self.board_page[i] = value;
                    self.set_page_word(i, value);
                }
                Ok(None)
            }
            Step::Push { reads } => {
                let values = reg_values(&reads, &answers)?;
                let value_of = |reg: u32| {
                    values
                        .iter()
                        .rev()
                        .find(|(r, _)| u32::from(*r) == reg)
                        .map(|&(_, v)| v)
                        .unwrap_or(0)
                };
                let tx_consumer = value_of(regs::TX_CONSUMER);
                let rx_consumer = value_of(regs::RX_CONSUMER);
                self.pulled_regs = values;
                let tx = self.ring_runs(
                    regs::TX_CPL_BASE_LO,
                    regs::TX_RING_LOG2,
                    8,
                    self.tx_seen,
                    tx_consumer,
                )?;
                let rx = self.ring_runs(
                    regs::RX_CPL_BASE_LO,
                    regs::RX_RING_LOG2,
                    8,
                    self.rx_seen,
                    rx_consumer,
                )?;
                self.tx_seen = tx_consumer;
                self.rx_seen = rx_consumer;
                if tx.is_empty() && rx.is_empty() {
                    self.finish();
                    return Ok(None);
                }
                let ops = tx
                    .iter()
                    .chain(&rx)
                    .map(|&(addr, len)| Op::MemRead {
                        addr,
                        len: len as u16,
                    })
                    .collect();
                self.step = Step::Completions { tx, rx };
                Ok(Some(ops))
            }
            Step::Completions { tx, rx } => {
                let runs: Vec<(u32, u32)> = tx.iter().chain(&rx).copied().collect();
                check_lengths(&runs, &answers)?;
                let mut frames = Vec::new();
                let rx_answers = &answers[tx.len()..];
                for (&(addr, _), bytes) in runs.iter().zip(&answers) {
                    self.pulled_completions.push((addr as usize, bytes.clone()));
                }
                for (&(addr, _), bytes) in rx.iter().zip(rx_answers) {
                    for (k, cpl) in bytes.chunks_exact(8).enumerate() {
                        let cpl = RxCompletion::from_bytes(cpl.try_into().expect("8 bytes"));
                        let slot =
                            (addr as usize + 8 * k - self.reg(regs::RX_CPL_BASE_LO) as usize) / 8;
                        let desc_at = self.reg(regs::RX_RING_BASE_LO) as usize + 16 * slot;
                        let Some(desc) = self.dma.get(desc_at..desc_at + 16) else {
                            continue;
                        };
                        let desc = RxDesc::from_bytes(desc.try_into().expect("16 bytes"));
                        let len = u32::from(cpl.len).min(desc.len);
                        let mut at = desc.addr as u32;
                        let end = at.saturating_add(len).min(DMA_BYTES as u32);
                        while at < end {
                            let n = (end - at).min(MAX_MEM_READ as u32);
                            frames.push((at, n));
                            at += n;
                        }
                    }
                }
                if frames.is_empty() {
                    self.finish();
                    return Ok(None);
                }
                let ops = frames
                    .iter()
                    .map(|&(addr, len)| Op::MemRead {
                        addr,
                        len: len as u16,
                    })
                    .collect();
                self.step = Step::Frames { frames };
                Ok(Some(ops))
            }
            Step::Frames { frames } => {
                check_lengths(&frames, &answers)?;
                for (&(addr, _), bytes) in frames.iter().zip(&answers) {
                    self.land(addr as usize, bytes);
                }
                self.finish();
                Ok(None)
            }
        }
    }

    /// Completions after the frames, then the registers.
    fn finish(&mut self) {
        for (at, bytes) in std::mem::take(&mut self.pulled_completions) {
            self.land(at, &bytes);
        }
        for (reg, value) in std::mem::take(&mut self.pulled_regs) {
            let i = usize::from(reg / 4);
            self.board_page[i] = value;
            self.set_page_word(i, value);
        }
        self.syncs += 1;
    }

    /// Bytes the board wrote, into the host's memory and the board copy.
    fn land(&mut self, at: usize, bytes: &[u8]) {
        self.dma[at..at + bytes.len()].copy_from_slice(bytes);
        self.board_dma[at..at + bytes.len()].copy_from_slice(bytes);
        self.bytes_pulled += bytes.len() as u64;
    }

    /// Marks the four rings (as the page describes them) as differing from
    /// the board, so the next push writes them whole.
    fn forget_rings(&mut self) {
        for (base, log2, entry) in [
            (regs::TX_RING_BASE_LO, regs::TX_RING_LOG2, 16),
            (regs::TX_CPL_BASE_LO, regs::TX_RING_LOG2, 8),
            (regs::RX_RING_BASE_LO, regs::RX_RING_LOG2, 16),
            (regs::RX_CPL_BASE_LO, regs::RX_RING_LOG2, 8),
        ] {
            let start = self.reg(base) as usize;
            let len = entry << self.reg(log2).min(15);
            let end = (start + len).min(DMA_BYTES);
            for i in start.min(end)..end {
                self.board_dma[i] = !self.dma[i];
            }
        }
    }

    /// Writes of every run of bytes that differs from the board's copy.
    fn push_memory(&mut self) -> Vec<Op> {
        let mut ops = Vec::new();
        let mut i = 0;
        let len = self.dma.len();
        while i < len {
            if self.dma[i] == self.board_dma[i] {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i + 1;
            let mut j = end;
            while j < len && j - end < MERGE_GAP && end - start < MAX_MEM_WRITE {
                if self.dma[j] != self.board_dma[j] {
                    end = j + 1;
                }
                j += 1;
            }
            let end = end.min(start + MAX_MEM_WRITE);
            let data = self.dma[start..end].to_vec();
            self.board_dma[start..end].copy_from_slice(&data);
            self.bytes_pushed += data.len() as u64;
            ops.push(Op::MemWrite {
                addr: start as u32,
                data,
            });
            i = end;
        }
        ops
    }

    /// The byte runs (bus address, length) of ring entries `from..to` of
    /// the ring whose base and size registers are given, split at the wrap.
    fn ring_runs(
        &self,
        base_reg: u32,
        log2_reg: u32,
        entry: u32,
        from: u32,
        to: u32,
    ) -> Result<Vec<(u32, u32)>, MirrorError> {
        let base = self.reg(base_reg);
        let log2 = self.reg(log2_reg).min(15);
        let size = 1u32 << log2;
        if u64::from(base) + u64::from(entry * size) > DMA_BYTES as u64 {
            return Err(MirrorError::RingOutsideMemory { base, log2 });
        }
        let count = to.wrapping_sub(from).min(size);
        let mut runs = Vec::new();
        let mut index = from;
        let mut left = count;
        while left > 0 {
            let slot = index & (size - 1);
            let n = left.min(size - slot);
            runs.push((base + entry * slot, entry * n));
            index = index.wrapping_add(n);
            left -= n;
        }
        Ok(runs)
    }

    fn reg(&self, reg: u32) -> u32 {
        self.page_word((reg / 4) as usize)
    }

    fn page_word(&self, i: usize) -> u32 {
        u32::from_le_bytes(self.page[4 * i..4 * i + 4].try_into().expect("4 bytes"))
    }

    fn set_page_word(&mut self, i: usize, value: u32) {
        self.page[4 * i..4 * i + 4].copy_from_slice(&value.to_le_bytes());
    }
}

/// (register, value) of each read, from answers to `RegRead` chunks.
fn reg_values(reads: &[u16], answers: &[Vec<u8>]) -> Result<Vec<(u16, u32)>, MirrorError> {
    let bytes: Vec<u8> = answers
        .iter()
        .rev()
        .take(reads.len().div_ceil(MAX_REG_READS))
        .rev()
        .flatten()
        .copied()
        .collect();
    if bytes.len() != 4 * reads.len() {
        return Err(MirrorError::ShortAnswer {
            expected: 4 * reads.len(),
            got: bytes.len(),
        });
    }
    Ok(reads
        .iter()
        .zip(bytes.chunks_exact(4))
        .map(|(&r, v)| (r, u32::from_le_bytes(v.try_into().expect("4 bytes"))))
        .collect())
}

fn check_lengths(runs: &[(u32, u32)], answers: &[Vec<u8>]) -> Result<(), MirrorError> {
    for (&(_, len), a) in runs.iter().zip(answers) {
        if a.len() != len as usize {
            return Err(MirrorError::ShortAnswer {
                expected: len as usize,
                got: a.len(),
            });
        }
    }
    if runs.len() != answers.len() {
        return Err(MirrorError::ShortAnswer {
            expected: runs.len(),
            got: answers.len(),
        });
    }
    Ok(())
}
