//! What the interface hands the driver: a frame and what the fabric must do
//! with it. Plain values, shared by the transmit path ([`super::tx`]) and the
//! queue of frames waiting for ARP ([`super::neighbor`]).

/// What the driver must ask of the fabric for one frame (the DMA descriptor's
/// flags, DESIGN "The boundary"). Offsets let the fabric find the headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxMeta {
    /// The fabric inserts the IPv4 header checksum (SPEC F4); software left it 0.
    pub fabric_ipv4_checksum: bool,
    /// The fabric inserts the TCP/UDP checksum (SPEC F4); software left it 0.
    pub fabric_l4_checksum: bool,
    /// Offset of the IPv4 header in the frame (0 for raw IPv4); `None` for ARP.
    pub l3_offset: Option<u16>,
    /// Offset of the TCP/UDP header in the frame; `None` for ARP.
    pub l4_offset: Option<u16>,
    /// The fabric cuts this frame into TCP segments (SPEC F5).
    pub tso: Option<TsoMeta>,
}

/// How the fabric's segmenter cuts a TSO frame: `mss` payload bytes per
/// segment behind a copy of the frame's first `hdr_len` bytes (link, IPv4
/// and TCP headers), sequence numbers and IPv4 identifications counting up,
/// FIN and PSH on the last segment only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TsoMeta {
    pub mss: u16,
    pub hdr_len: u16,
}

/// One frame (or raw IPv4 packet) for the driver, with its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    pub frame: Vec<u8>,
    pub meta: TxMeta,
}
