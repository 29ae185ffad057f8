//! Requests and their answers over a byte stream, one request at a time
//! (the bridge executes one at a time and ignores bytes meanwhile).
//!
//! [`Link::start`] takes a batch of operations; [`Link::poll`] sends each
//! request once the previous one was answered and returns the batch's
//! answers when all are in. A transport that can block (a serial port)
//! makes `poll` wait; the co-simulation's returns at once and is polled
//! between clock chunks.
//!
//! Invariants: requests go out in batch order, each only after the answer
//! to the one before; an answer whose CRC fails, or that does not come
//! within the transport's patience, makes the request go out again (every
//! request is idempotent: register writes write values, memory writes
//! write bytes), at most [`RETRIES`] times; an error status from the
//! board is an error, never retried.
use std::collections::VecDeque;
use std::io;

use thiserror::Error;

use crate::frame::{self, EncodeError, Op, ResponseParser, status_name};

/// How often one request is sent again before the link gives up.
pub const RETRIES: u32 = 3;

/// A byte stream to the board.
pub trait Transport {
    /// Sends bytes to the board.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Appends what the board sent since the last call (possibly nothing).
    /// A blocking transport waits a while for the first byte.
    fn receive(&mut self, into: &mut Vec<u8>) -> io::Result<()>;
    /// True when an answer can no longer be expected for what was sent
    /// (a serial port's patience ran out); the request is then sent again.
    fn timed_out(&mut self) -> bool;
}

/// Why a batch failed.
#[derive(Debug, Error)]
pub enum LinkError {
    #[error("the board's serial link: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Encode(#[from] EncodeError),
    #[error("the board answered request {seq} with '{}' (status {status})", status_name(*status))]
    Refused { seq: u8, status: u8 },
    #[error("the board's answer has {got} bytes where {expected} were due")]
    ShortAnswer { expected: usize, got: usize },
    #[error(
        "no good answer to request {seq} after {RETRIES} tries: check the cable, the port and the baud rate"
    )]
    NoAnswer { seq: u8 },
}

/// A request channel to the board over `T`.
pub struct Link<T> {
    transport: T,
    parser: ResponseParser,
    seq: u8,
    pending: VecDeque<Op>,
    in_flight: Option<(u8, Vec<u8>, u32)>,
    answers: Vec<Vec<u8>>,
    received: Vec<u8>,
    /// Bytes sent and received, for goodput figures.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub requests: u64,
    pub resends: u64,
    /// Answers to a request already answered (after a resend), dropped.
    pub stale: u64,
}

impl<T: Transport> Link<T> {
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            parser: ResponseParser::default(),
            seq: 0,
            pending: VecDeque::new(),
            in_flight: None,
            answers: Vec::new(),
            received: Vec::new(),
            bytes_sent: 0,
            bytes_received: 0,
            requests: 0,
            resends: 0,
            stale: 0,
        }
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// No batch is running.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.pending.is_empty()
    }

    /// Starts a batch. What was left of an unfinished one (after an error)
    /// is abandoned: a late answer to it is counted stale and dropped.
    pub fn start(&mut self, batch: Vec<Op>) {
        self.in_flight = None;
        self.pending = batch.into();
        self.answers.clear();
    }

    /// Moves the batch along; returns its answers (payloads, in order) when
    /// every request has been answered.
    pub fn poll(&mut self) -> Result<Option<Vec<Vec<u8>>>, LinkError> {
        loop {
            if self.in_flight.is_none() {
                let Some(op) = self.pending.pop_front() else {
                    return Ok(Some(std::mem::take(&mut self.answers)));
                };
                let seq = self.seq;
                self.seq = self.seq.wrapping_add(1);
                let bytes = frame::encode(seq, &op)?;
                self.send(&bytes)?;
                self.requests += 1;
                self.in_flight = Some((seq, bytes, 0));
            }
            self.received.clear();
            self.transport.receive(&mut self.received)?;
            self.bytes_received += self.received.len() as u64;
            let mut answered = false;
            for i in 0..self.received.len() {
                let Some(result) = self.parser.push(self.received[i]) else {
                    continue;
                };
                let (seq, _, _) = self.in_flight.as_ref().expect("a request is in flight");
                match result {
                    // A late answer to a request already answered once.
                    Ok(r) if r.seq != *seq => self.stale += 1,
                    Ok(r) if r.status != synack_abi::board::status::OK => {
                        return Err(LinkError::Refused {
                            seq: r.seq,
                            status: r.status,
                        });
                    }
                    Ok(r) => {
                        self.answers.push(r.payload);
                        self.in_flight = None;
                        answered = true;
                    }
                    Err(_) => self.resend()?,
                }
            }
            if answered {
                continue;
            }
            if self.transport.timed_out() {
                self.resend()?;
            }
            return Ok(None);
        }
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        self.transport.send(bytes)?;
        self.bytes_sent += bytes.len() as u64;
        Ok(())
    }

    fn resend(&mut self) -> Result<(), LinkError> {
        let (seq, bytes, tries) = self.in_flight.take().expect("a request is in flight");
        if tries + 1 >= RETRIES {
            return Err(LinkError::NoAnswer { seq });
        }
        self.parser = ResponseParser::default();
        self.send(&bytes)?;
        self.resends += 1;
        self.in_flight = Some((seq, bytes, tries + 1));
        Ok(())
    }

    /// Runs a batch to its end (for a blocking transport).
    pub fn run(&mut self, batch: Vec<Op>) -> Result<Vec<Vec<u8>>, LinkError> {
        self.start(batch);
        loop {
            if let Some(answers) = self.poll()? {
                return Ok(answers);
            }
        }
    }
}
