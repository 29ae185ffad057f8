//! The host driver (SPEC D1, D2) against register and DMA mappings this test
//! plays the device through (the end-to-end tests run it against the
//! Verilator fabric): set-up, ring accounting, phase bits, errors.
use memmap2::MmapMut;
use synack_abi::regs::{self, control};
use synack_abi::ring::{PHASE, RxDesc, TxDesc, rx_csum, rx_flags, tx_flags};
use synack_host::driver::{
    DmaError, DmaRegion, Driver, DriverConfig, DriverError, IrqMode, RegisterWindow, TxError,
    TxOffload,
};
use synack_sim::shared_memory::SharedMemory;

/// The device's view of both mappings, and the driver's.
struct Device {
    page: MmapMut,
    dma: MmapMut,
}

impl Device {
    fn reg(&self, offset: u32) -> u32 {
        let o = offset as usize;
        u32::from_le_bytes(self.page[o..o + 4].try_into().unwrap())
    }

    fn set_reg(&mut self, offset: u32, value: u32) {
        let o = offset as usize;
        self.page[o..o + 4].copy_from_slice(&value.to_le_bytes());
    }
}

fn mappings(dma_len: usize, id: u32) -> (Device, RegisterWindow, DmaRegion) {
    let page = SharedMemory::new(regs::WINDOW_SIZE as usize).unwrap();
    let dma = SharedMemory::new(dma_len).unwrap();
    let mut dev = Device {
        page: page.map().unwrap(),
        dma: dma.map().unwrap(),
    };
    dev.set_reg(regs::ID, id);
    dev.set_reg(regs::VERSION, synack_abi::VERSION);
    (
        dev,
        RegisterWindow::new(page.map().unwrap()).unwrap(),
        DmaRegion::new(dma.map().unwrap(), 0).unwrap(),
    )
}

fn small() -> DriverConfig {
    DriverConfig {
        tx_ring_log2: 2,
        rx_ring_log2: 3,
        tx_buffer_size: 4096,
        rx_buffer_size: 2048,
        irq: IrqMode::Interrupt {
            count: 4,
            usecs: 50,
        },
    }
}

fn driver() -> (Device, Driver) {
    let cfg = small();
    let (dev, regs, dma) = mappings(cfg.layout().size, synack_abi::DEVICE_ID);
    (dev, Driver::new(regs, dma, cfg).unwrap())
}

#[test]
fn driver_refuses_a_window_that_is_not_a_synack_fabric() {
    let (_dev, regs, dma) = mappings(small().layout().size, 0xDEAD_BEEF);
    assert!(matches!(
        Driver::new(regs, dma, small()),
        Err(DriverError::WrongDevice(0xDEAD_BEEF))
    ));
}

#[test]
fn driver_refuses_dma_memory_too_small_for_its_rings() {
    let (_dev, regs, dma) = mappings(4096, synack_abi::DEVICE_ID);
    assert!(matches!(
        Driver::new(regs, dma, small()),
        Err(DriverError::Dma(DmaError::TooSmall { len: 4096, .. }))
    ));
}

#[test]
fn driver_programs_both_rings_and_posts_every_rx_buffer() {
    let (dev, _driver) = driver();
    let layout = small().layout();
    assert_eq!(dev.reg(regs::TX_RING_BASE_LO), layout.tx_ring as u32);
    assert_eq!(dev.reg(regs::TX_CPL_BASE_LO), layout.tx_cpl as u32);
    assert_eq!(dev.reg(regs::RX_RING_BASE_LO), layout.rx_ring as u32);
    assert_eq!(dev.reg(regs::RX_CPL_BASE_LO), layout.rx_cpl as u32);
    assert_eq!(
        (dev.reg(regs::TX_RING_LOG2), dev.reg(regs::RX_RING_LOG2)),
        (2, 3)
    );
    assert_eq!(dev.reg(regs::RX_PRODUCER), 8, "all 8 RX buffers posted");
    assert_eq!(dev.reg(regs::TX_PRODUCER), 0);
    assert_eq!(
        dev.reg(regs::CONTROL),
        control::TX_ENABLE | control::RX_ENABLE | control::IRQ_ENABLE
    );
    assert_eq!(dev.reg(regs::IRQ_COALESCE_COUNT), 4);
    assert_eq!(dev.reg(regs::IRQ_COALESCE_USECS), 50);
    for i in 0..8 {
        let at = layout.rx_ring + 16 * i;
        let expected = RxDesc {
            addr: (layout.rx_buffers + i * layout.rx_buffer_size) as u64,
            len: layout.rx_buffer_size as u32,
            reserved: 0,
        };
        assert_eq!(dev.dma[at..at + 16], expected.to_bytes());
    }
}

#[test]
fn poll_mode_leaves_the_interrupt_disabled() {
    let cfg = DriverConfig {
        irq: IrqMode::Poll,
        ..small()
    };
    let (dev, regs, dma) = mappings(cfg.layout().size, synack_abi::DEVICE_ID);
    let _driver = Driver::new(regs, dma, cfg).unwrap();
    assert_eq!(dev.reg(regs::CONTROL) & control::IRQ_ENABLE, 0);
}

fn tx_completion(dev: &mut Device, index: usize, frames: u16, phase: bool) {
    let at = small().layout().tx_cpl + 8 * (index % 4);
    dev.dma[at..at + 8].copy_from_slice(&[
        frames as u8,
        (frames >> 8) as u8,
        0,
        if phase { PHASE } else { 0 },
        0,
        0,
        0,
        0,
    ]);
}

#[test]
fn a_full_tx_ring_refuses_more_until_completions_with_the_right_phase_come_back() {
    let (mut dev, mut driver) = driver();
    let layout = small().layout();
    for i in 0..4u8 {
        driver
            .transmit(
                &[&[i; 100]],
                TxOffload::Tso {
                    mss: 40,
                    hdr_len: 54,
                },
            )
            .unwrap();
    }
    assert_eq!(
        driver.transmit(&[&[9; 60]], TxOffload::Checksum),
        Err(TxError::RingFull)
    );
    assert_eq!(dev.reg(regs::TX_PRODUCER), 0, "no doorbell before flush");
    driver.flush();
    assert_eq!(dev.reg(regs::TX_PRODUCER), 4);
    let d = TxDesc {
        addr: layout.tx_buffers as u64 + 2 * layout.tx_buffer_size as u64,
        len: 100,
        mss: 40,
        hdr_len: 54,
        flags: tx_flags::TSO | tx_flags::CSUM,
    };
    assert_eq!(
        dev.dma[layout.tx_ring + 32..layout.tx_ring + 48],
        d.to_bytes()
    );
    // A stale entry (phase of the previous pass) is not a completion.
    tx_completion(&mut dev, 0, 3, false);
    assert_eq!(driver.reclaim_tx(), 0);
    tx_completion(&mut dev, 0, 3, true);
    tx_completion(&mut dev, 1, 3, true);
    assert_eq!(driver.reclaim_tx(), 2);
    assert_eq!(dev.reg(regs::TX_CPL_HEAD), 2, "completions acknowledged");
    assert_eq!(driver.stats().tx_frames, 6);
    assert_eq!(driver.tx_space(), 2);
    // The second pass over the ring expects the phase bit clear.
    for i in 0..2u8 {
        driver.transmit(&[&[i; 60]], TxOffload::Checksum).unwrap();
    }
    driver.flush();
    tx_completion(&mut dev, 2, 1, true);
    tx_completion(&mut dev, 3, 1, true);
    tx_completion(&mut dev, 4, 1, true);
    assert_eq!(driver.reclaim_tx(), 2, "index 4 still holds pass-one phase");
    tx_completion(&mut dev, 4, 1, false);
    assert_eq!(driver.reclaim_tx(), 1);
    assert!(matches!(
        driver.transmit(&[&[0; 5000]], TxOffload::None),
        Err(TxError::TooLong { len: 5000, .. })
    ));
}

fn rx_completion(dev: &mut Device, index: usize, len: u16, csum: u8, flags: u8) {
    let at = small().layout().rx_cpl + 8 * (index % 8);
    dev.dma[at..at + 8].copy_from_slice(&[len as u8, (len >> 8) as u8, csum, flags, 0, 0, 0, 0]);
}

#[test]
fn received_frames_come_with_verdicts_truncated_ones_are_dropped_and_buffers_reposted() {
    let (mut dev, mut driver) = driver();
    let layout = small().layout();
    let good = rx_csum::IPV4 | rx_csum::IP_OK | rx_csum::TCP | rx_csum::L4_OK;
    dev.dma[layout.rx_buffers..layout.rx_buffers + 3].copy_from_slice(b"abc");
    rx_completion(&mut dev, 0, 3, good, PHASE);
    rx_completion(&mut dev, 1, 2048, 0, PHASE | rx_flags::TRUNCATED);
    rx_completion(&mut dev, 2, 60, rx_csum::IPV4 | rx_csum::UDP, PHASE);
    let mut seen = Vec::new();
    let n = driver.receive(u32::MAX, |f| seen.push((f.bytes.to_vec(), f.checksum)));
    assert_eq!(n, 3);
    assert_eq!(seen.len(), 2, "the truncated frame is not handed on");
    assert_eq!(seen[0].0, b"abc");
    assert_eq!((seen[0].1.ipv4, seen[0].1.l4), (Some(true), Some(true)));
    assert_eq!((seen[1].1.ipv4, seen[1].1.l4), (Some(false), Some(false)));
    assert_eq!(driver.stats().rx_truncated, 1);
    assert_eq!(dev.reg(regs::RX_PRODUCER), 11, "three buffers reposted");
    assert_eq!(dev.reg(regs::RX_CPL_HEAD), 3);
    assert_eq!(driver.receive(u32::MAX, |_| panic!("nothing new")), 0);
}
