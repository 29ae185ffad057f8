//! When a co-simulated NIC's fabric is idle, so the testbed may let
//! simulated time jump without clocking it: clocking it would change nothing
//! until something reaches it from outside (a frame from the wire, a
//! register written by its host).
//!
//! The model's ports show part of it ([`ports_quiet`]): no frame on MII
//! either way (the receive side counts the inter-frame gap after an injected
//! frame), no DMA burst in flight, no register access in flight. The rest is
//! inside the fabric and is read through its registers by a *probe*: reads
//! over AXI4-Lite, which have no side effects (SPEC F7), queued while the
//! ports are quiet, in the order of [`PROBE`]. The fabric is idle when the
//! probe is done, nothing moved while it ran, and ([`verdict`]):
//! - every frame the PHY model drove into MII has been judged by the MAC:
//!   counted as received or as dropped for a cause. A frame judged good is
//!   complete in the MAC's store-and-forward FIFO, which starts the RX
//!   engine at once; STATUS, read last, shows whether it did;
//! - every frame the host queued (TSO segments and plain sends) has left
//!   the MAC on MII, or was dropped as oversize;
//! - STATUS shows both ring engines idle (TX: no descriptor being fetched,
//!   sent or completed; RX: no frame or completion being written, no frame
//!   being discarded);
//! - no interrupt is about to rise: with the interrupt enabled and a
//!   coalescing time set, no completion waits unacknowledged, or the
//!   coalescing timer (which a skip does not run) would raise the line.
//!
//! An idle fabric still tells whether it holds completions its host has not
//! processed: in poll mode, the host's next poll then has work; a poll with
//! none (and no frame of the host's waiting for ring space) would change
//! nothing, and the testbed leaves it out.
//!
//! Anything that moves afterwards — a frame on MII, a DMA burst, a frame
//! driven in, a register the host's service changed, the interrupt line —
//! makes the verdict stale ([`Fabric::Moved`]); the probe is redone once the
//! ports are quiet again. A probe that finds work in progress is retried
//! after [`RETRY_NS`] (or, for a pending interrupt, once the coalescing time
//! has passed), since some of that work (a frame being discarded, the MAC
//! judging a frame) shows at no port.
use synack_abi::regs::{self, control, stat, status};
use synack_host::driver::RegisterBlock;

use crate::sim_nic::SimNic;

/// The registers a probe reads, in order: the MAC's counters first and
/// STATUS last, so a frame released during the probe has visibly started
/// its engine by the time STATUS is read.
pub(super) const PROBE: [u32; 10] = [
    regs::stat_offset(stat::RX_FRAMES),
    regs::stat_offset(stat::RX_DROP_FCS),
    regs::stat_offset(stat::RX_DROP_RUNT),
    regs::stat_offset(stat::RX_DROP_OVERSIZE),
    regs::stat_offset(stat::RX_DROP_RX_ER),
    regs::stat_offset(stat::RX_DROP_OVERFLOW),
    regs::stat_offset(stat::TX_DROP_OVERSIZE),
    regs::TX_CONSUMER,
    regs::RX_CONSUMER,
    regs::STATUS,
];

/// How long to clock before probing again a fabric found working.
pub(super) const RETRY_NS: u64 = 1_000;

/// What the testbed knows about one fabric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fabric {
    /// Something moved since the last probe; probe once the ports are quiet.
    Moved,
    /// A probe's reads are queued; nothing moved since they were.
    Probing,
    /// The last probe found the fabric idle and nothing moved since;
    /// `completions` if it holds completions the host has not processed
    /// (so a poll would find work).
    Idle { completions: bool },
    /// The last probe found work in progress; probe again at this time.
    Working { retry_at_ns: u64 },
}

/// No frame on MII, no DMA, no register access in flight.
pub(super) fn ports_quiet(nic: &SimNic) -> bool {
    !nic.bench().is_active() && nic.registers_synced()
}

/// What the testbed counted for one node, to compare with the fabric's view.
#[derive(Clone, Copy, Debug)]
pub(super) struct Counts {
    /// Frames the host handed to its driver: TSO segments plus plain sends.
    pub queued_tx: u64,
    /// Frames the MAC put on MII.
    pub sent_on_mii: u64,
    /// Frames the wire drove into this NIC's MII.
    pub driven_in: u64,
}

/// Reads a finished probe (the register page holds its values) and says
/// whether the fabric is idle, or when to probe again.
pub(super) fn verdict(regs: &RegisterBlock, counts: Counts, irq: bool, now_ns: u64) -> Fabric {
    let stat = |i: u32| regs.stats[i as usize].read();
    let judged = [
        stat::RX_FRAMES,
        stat::RX_DROP_FCS,
        stat::RX_DROP_RUNT,
        stat::RX_DROP_OVERSIZE,
        stat::RX_DROP_RX_ER,
        stat::RX_DROP_OVERFLOW,
    ]
    .into_iter()
    .fold(0u32, |sum, i| sum.wrapping_add(stat(i)));
    // The counters are 32 bits and wrap: compare modulo 2^32.
    let rx_done = judged == counts.driven_in as u32;
    let tx_done = (counts.sent_on_mii as u32).wrapping_add(stat(stat::TX_DROP_OVERSIZE))
        == counts.queued_tx as u32;
    let engines_idle = regs.status.read() & (status::TX_BUSY | status::RX_BUSY) == 0;
    let working = Fabric::Working {
        retry_at_ns: now_ns.saturating_add(RETRY_NS),
    };
    if !(rx_done && tx_done && engines_idle) || irq {
        // An interrupt line that is up has the host due: it runs and acknowledges.
        return working;
    }
    let pending = regs
        .tx_consumer
        .read()
        .wrapping_sub(regs.tx_cpl_head.read())
        .wrapping_add(
            regs.rx_consumer
                .read()
                .wrapping_sub(regs.rx_cpl_head.read()),
        );
    let usecs = u64::from(regs.irq_coalesce_usecs.read() & 0xFFFF);
    let irq_enabled = regs.control.read() & control::IRQ_ENABLE != 0;
    if irq_enabled && pending != 0 && usecs != 0 {
        // The coalescing timer runs: the line rises at most `usecs` from now.
        return Fabric::Working {
            retry_at_ns: now_ns.saturating_add(usecs * 1000),
        };
    }
    Fabric::Idle {
        completions: pending != 0,
    }
}

/// The registers the host writes, as its page holds them: a service that
/// changed none of them left the fabric as it was.
pub(super) fn written(regs: &RegisterBlock) -> [u32; 13] {
    [
        regs.tx_ring_base_lo.read(),
        regs.tx_ring_log2.read(),
        regs.tx_cpl_base_lo.read(),
        regs.rx_ring_base_lo.read(),
        regs.rx_ring_log2.read(),
        regs.rx_cpl_base_lo.read(),
        regs.irq_coalesce_count.read(),
        regs.irq_coalesce_usecs.read(),
        regs.tx_producer.read(),
        regs.tx_cpl_head.read(),
        regs.rx_producer.read(),
        regs.rx_cpl_head.read(),
        regs.control.read(),
    ]
}
