//! A Linux TAP device (through `tun-rs`) as the far end of a co-simulated
//! NIC's cable: the kernel writes Ethernet frames into it and reads the
//! NIC's frames from it.
//!
//! Invariants: the device has no `IFF_VNET_HDR` (tun-rs `offload(false)`),
//! so the kernel can neither hand it TSO/GSO super-frames nor leave
//! checksums for it to fill: every frame read is one whole Ethernet frame
//! (no FCS) of at most MTU + 14 bytes. Reads never block.

use std::io::{self, ErrorKind};

use tun_rs::{DeviceBuilder, Layer, SyncDevice};

/// The kernel side's MTU (SPEC W5): 1500-byte IP packets, 1514-byte frames.
pub const MTU: u16 = 1500;
/// Largest frame read from or written to the device (no FCS).
pub const MAX_FRAME: usize = MTU as usize + 14;

pub struct TapDevice {
    dev: SyncDevice,
    name: String,
}

impl TapDevice {
    /// Create TAP device `name` in this process's namespace, MTU 1500,
    /// down, non-blocking.
    pub fn create(name: &str) -> io::Result<TapDevice> {
        let dev = DeviceBuilder::new()
            .name(name)
            .layer(Layer::L2)
            .mtu(MTU)
            .enable(false)
            .with(|b| {
                b.offload(false).packet_information(false);
            })
            .build_sync()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "creating TAP device {name}: {e} (needs root or CAP_NET_ADMIN, and /dev/net/tun)"
                    ),
                )
            })?;
        dev.set_nonblocking(true)?;
        Ok(TapDevice {
            dev,
            name: name.to_string(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// One frame from the kernel into `buf`, or `None` if none is waiting.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        match self.dev.recv(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One frame to the kernel. A full device queue (`WouldBlock`) drops the
    /// frame, as a full NIC queue would: returns false.
    pub fn send(&self, frame: &[u8]) -> io::Result<bool> {
        match self.dev.send(frame) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(e),
        }
    }
}
