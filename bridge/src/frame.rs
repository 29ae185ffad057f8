//! The bridge's frames (`synack_abi::board`): requests encoded, responses
//! parsed from a byte stream.
//!
//! Invariants: an encoded request is never longer than the bridge accepts
//! (operations are split by the caller to fit `MAX_PAYLOAD`, which
//! [`encode`] checks); [`ResponseParser`] never panics on any byte
//! sequence, and resynchronises on the next sync byte after a bad frame.
use synack_abi::board::{
    self, CRC_BYTES, HEADER_BYTES, MAX_PAYLOAD, SYNC_REQUEST, SYNC_RESPONSE, op,
};
use thiserror::Error;

/// One operation of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Registers to read (byte addresses in the bridge's register space).
    RegRead(Vec<u16>),
    /// Registers to write, in order.
    RegWrite(Vec<(u16, u32)>),
    /// `len` bytes of DMA memory from `addr`.
    MemRead { addr: u32, len: u16 },
    /// Bytes to write to DMA memory at `addr`.
    MemWrite { addr: u32, data: Vec<u8> },
}

/// Most registers one request reads (its answer is 4 bytes each).
pub const MAX_REG_READS: usize = MAX_PAYLOAD / 4;
/// Most registers one request writes (6 bytes each).
pub const MAX_REG_WRITES: usize = MAX_PAYLOAD / 6;
/// Most bytes one request reads or writes.
pub const MAX_MEM_READ: usize = MAX_PAYLOAD;
pub const MAX_MEM_WRITE: usize = MAX_PAYLOAD - 4;

/// Why a request cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EncodeError {
    #[error("a request's payload is at most {MAX_PAYLOAD} bytes; this one needs {0}")]
    TooLong(usize),
}

impl Op {
    fn opcode(&self) -> u8 {
        match self {
            Op::RegRead(_) => op::REG_READ,
            Op::RegWrite(_) => op::REG_WRITE,
            Op::MemRead { .. } => op::MEM_READ,
            Op::MemWrite { .. } => op::MEM_WRITE,
        }
    }

    fn payload(&self) -> Vec<u8> {
        let mut p = Vec::new();
        match self {
            Op::RegRead(addrs) => addrs.iter().for_each(|a| p.extend(a.to_le_bytes())),
            Op::RegWrite(writes) => writes.iter().for_each(|(a, v)| {
                p.extend(a.to_le_bytes());
                p.extend(v.to_le_bytes());
            }),
            Op::MemRead { addr, len } => {
                p.extend(addr.to_le_bytes());
                p.extend(len.to_le_bytes());
            }
            Op::MemWrite { addr, data } => {
                p.extend(addr.to_le_bytes());
                p.extend(data);
            }
        }
        p
    }

    /// The payload length of the answer to this operation when it succeeds.
    pub fn response_len(&self) -> usize {
        match self {
            Op::RegRead(addrs) => 4 * addrs.len(),
            Op::MemRead { len, .. } => usize::from(*len),
            Op::RegWrite(_) | Op::MemWrite { .. } => 0,
        }
    }
}

/// A request frame's bytes.
pub fn encode(seq: u8, op: &Op) -> Result<Vec<u8>, EncodeError> {
    let payload = op.payload();
    if payload.len() > MAX_PAYLOAD || op.response_len() > MAX_PAYLOAD {
        return Err(EncodeError::TooLong(payload.len().max(op.response_len())));
    }
    Ok(frame(SYNC_REQUEST, seq, op.opcode(), &payload))
}

/// A frame with any header values (tests build bad ones with it).
pub fn frame(sync: u8, seq: u8, code: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(HEADER_BYTES + payload.len() + CRC_BYTES);
    f.push(sync);
    f.push(seq);
    f.push(code);
    f.extend((payload.len() as u16).to_le_bytes());
    f.extend(payload);
    let crc = crc32fast::hash(&f[1..]);
    f.extend(crc.to_le_bytes());
    f
}

/// An answer from the bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub seq: u8,
    /// `synack_abi::board::status`.
    pub status: u8,
    pub payload: Vec<u8>,
}

/// Why bytes from the bridge were not a good answer.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ResponseError {
    #[error("an answer's CRC does not match (line noise, or a wrong baud rate)")]
    Crc,
    #[error("an answer claims {0} payload bytes, more than the bridge ever sends")]
    Length(usize),
}

/// Reads answers out of a byte stream, one byte at a time.
#[derive(Debug, Default)]
pub struct ResponseParser {
    buf: Vec<u8>,
}

impl ResponseParser {
    /// Takes one byte; returns an answer (or why the frame just ended was
    /// bad) when it completes one.
    pub fn push(&mut self, byte: u8) -> Option<Result<Response, ResponseError>> {
        if self.buf.is_empty() && byte != SYNC_RESPONSE {
            return None;
        }
        self.buf.push(byte);
        if self.buf.len() < HEADER_BYTES {
            return None;
        }
        let len = usize::from(u16::from_le_bytes([self.buf[3], self.buf[4]]));
        if len > MAX_PAYLOAD {
            self.buf.clear();
            return Some(Err(ResponseError::Length(len)));
        }
        if self.buf.len() < HEADER_BYTES + len + CRC_BYTES {
            return None;
        }
        let frame = std::mem::take(&mut self.buf);
        let body = &frame[1..HEADER_BYTES + len];
        let crc = u32::from_le_bytes(frame[HEADER_BYTES + len..].try_into().expect("4 bytes"));
        if crc32fast::hash(body) != crc {
            return Some(Err(ResponseError::Crc));
        }
        Some(Ok(Response {
            seq: frame[1],
            status: frame[2],
            payload: frame[HEADER_BYTES..HEADER_BYTES + len].to_vec(),
        }))
    }

    /// Bytes of an unfinished answer held.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

/// The status code's name, for messages.
pub fn status_name(status: u8) -> &'static str {
    match status {
        board::status::OK => "ok",
        board::status::BAD_CRC => "bad CRC",
        board::status::BAD_LENGTH => "bad length",
        board::status::BAD_OPCODE => "unknown operation",
        board::status::TRUNCATED => "truncated",
        board::status::BAD_ADDRESS => "bad address",
        _ => "unknown status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_frame_carries_its_header_payload_and_crc() {
        let f = encode(7, &Op::RegRead(vec![0x1000, 0x0004])).unwrap();
        assert_eq!(&f[..5], &[SYNC_REQUEST, 7, op::REG_READ, 4, 0]);
        assert_eq!(&f[5..9], &[0x00, 0x10, 0x04, 0x00]);
        assert_eq!(
            u32::from_le_bytes(f[9..13].try_into().unwrap()),
            crc32fast::hash(&f[1..9])
        );
    }

    #[test]
    fn requests_that_cannot_fit_are_refused() {
        assert!(encode(0, &Op::RegRead(vec![0; MAX_REG_READS])).is_ok());
        assert!(encode(0, &Op::RegRead(vec![0; MAX_REG_READS + 1])).is_err());
        assert!(
            encode(
                0,
                &Op::MemWrite {
                    addr: 0,
                    data: vec![0; MAX_MEM_WRITE + 1]
                }
            )
            .is_err()
        );
        assert!(
            encode(
                0,
                &Op::MemRead {
                    addr: 0,
                    len: MAX_MEM_READ as u16 + 1
                }
            )
            .is_err()
        );
    }

    #[test]
    fn the_parser_skips_noise_reads_answers_and_rejects_bad_crcs() {
        let good = frame(SYNC_RESPONSE, 3, 0, &[1, 2, 3]);
        let mut bad = good.clone();
        bad[6] ^= 1;
        let mut p = ResponseParser::default();
        let mut out = Vec::new();
        for b in [0x00, 0x11].into_iter().chain(bad).chain(good) {
            out.extend(p.push(b));
        }
        assert_eq!(
            out,
            [
                Err(ResponseError::Crc),
                Ok(Response {
                    seq: 3,
                    status: 0,
                    payload: vec![1, 2, 3]
                })
            ]
        );
    }
}
