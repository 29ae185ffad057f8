//! Frames from the simulated wire into a pcap file that Wireshark and tshark
//! read (SPEC S3): Ethernet link type, nanosecond timestamps of simulated
//! time, each frame as the MAC sent it without preamble, SFD or FCS.
//!
//! Invariant: timestamps never go backwards, so tools show the exchange in
//! the order the wire carried it.
use pcap_file::DataLink;
use pcap_file::TsResolution;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use std::io::Write;
use std::time::Duration;

/// Why a frame could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum PcapError {
    #[error("the pcap: {0}")]
    Write(#[from] pcap_file::PcapError),
    #[error("frame at {at_ns} ns is earlier than the previous one at {previous_ns} ns")]
    TimeWentBack { at_ns: u64, previous_ns: u64 },
}

/// Writes frames with their simulated time.
pub struct PcapRecorder<W: Write> {
    writer: PcapWriter<W>,
    last_ns: u64,
    frames: u64,
}

impl<W: Write> PcapRecorder<W> {
    pub fn new(sink: W) -> Result<Self, PcapError> {
        let header = PcapHeader {
            datalink: DataLink::ETHERNET,
            ts_resolution: TsResolution::NanoSecond,
            ..Default::default()
        };
        Ok(Self {
            writer: PcapWriter::with_header(sink, header)?,
            last_ns: 0,
            frames: 0,
        })
    }

    /// Records one frame (Ethernet header onwards, no FCS) seen at `at_ns`.
    pub fn record(&mut self, at_ns: u64, frame: &[u8]) -> Result<(), PcapError> {
        if at_ns < self.last_ns {
            return Err(PcapError::TimeWentBack {
                at_ns,
                previous_ns: self.last_ns,
            });
        }
        self.last_ns = at_ns;
        let packet = PcapPacket::new(Duration::from_nanos(at_ns), frame.len() as u32, frame);
        self.writer.write_packet(&packet)?;
        self.frames += 1;
        Ok(())
    }

    /// Frames recorded so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The sink (a `BufWriter` still needs its flush).
    pub fn into_inner(self) -> W {
        self.writer.into_writer()
    }
}

/// Every frame of a pcap file with its timestamp in nanoseconds, in file
/// order: for tests that compare what was written with what was meant.
pub fn read_frames(pcap: &std::path::Path) -> Result<Vec<(u64, Vec<u8>)>, PcapError> {
    let file = std::fs::File::open(pcap)
        .map_err(|e| PcapError::Write(pcap_file::PcapError::IoError(e)))?;
    let mut reader = pcap_file::pcap::PcapReader::new(std::io::BufReader::new(file))?;
    let mut frames = Vec::new();
    while let Some(packet) = reader.next_packet() {
        let packet = packet?;
        frames.push((packet.timestamp.as_nanos() as u64, packet.data.into_owned()));
    }
    Ok(frames)
}

/// Runs `tshark -r pcap` with IPv4, TCP and UDP checksum checks on and the
/// display filter `filter`; returns the matching frames, one summary line
/// each. For tests and tools: needs tshark installed (`scripts/setup.sh`).
pub fn tshark_matching(pcap: &std::path::Path, filter: &str) -> std::io::Result<Vec<String>> {
    let out = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(pcap)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
        ])
        .args(["-o", "udp.check_checksum:TRUE", "-Y", filter])
        .output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "tshark failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}
