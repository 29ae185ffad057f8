//! The PC's side of the board's USB-UART (the FT2232H), bit by bit in
//! simulated time: 8N1 at `baud`, exact (the FTDI chip's clock), while the
//! fabric's rate is its divisor's approximation, as on the real board.
//!
//! Sending: queued bytes go out back to back, each a start bit, eight data
//! bits LSB first and a stop bit; [`UartHost::line`] is the level on the
//! wire at a given time. Receiving: [`UartHost::sample`] is given the
//! fabric's line at every simulation step; a falling edge starts a byte,
//! sampled in the middle of each bit.
//!
//! It is the co-simulation's [`Transport`] for the bridge's link: what the
//! link sends goes on the wire, what arrives is handed back.
use std::collections::VecDeque;
use std::io;

use synack_bridge::link::Transport;

#[derive(Debug)]
pub struct UartHost {
    bit_ns: f64,
    queue: VecDeque<u8>,
    /// The byte on the wire and when its start bit began.
    sending: Option<(u8, f64)>,
    /// When the wire is next free.
    free_at: f64,
    receiving: Option<Receiving>,
    last_level: bool,
    received: Vec<u8>,
    /// Bytes whose stop bit read low.
    pub framing_errors: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

#[derive(Debug)]
struct Receiving {
    start: f64,
    bit: u32,
    value: u8,
}

impl UartHost {
    pub fn new(baud: u32) -> Self {
        Self {
            bit_ns: 1e9 / f64::from(baud),
            queue: VecDeque::new(),
            sending: None,
            free_at: 0.0,
            receiving: None,
            last_level: true,
            received: Vec::new(),
            framing_errors: 0,
            bytes_sent: 0,
            bytes_received: 0,
        }
    }

    /// Changes the rate (as the PC does after the board confirmed a new divisor).
    pub fn set_baud(&mut self, baud: u32) {
        self.bit_ns = 1e9 / f64::from(baud);
    }

    /// Queues bytes to send.
    pub fn write(&mut self, bytes: &[u8]) {
        self.queue.extend(bytes);
    }

    /// Nothing queued or on the wire.
    pub fn is_idle(&self, now_ns: u64) -> bool {
        self.queue.is_empty() && self.sending.is_none() && now_ns as f64 >= self.free_at
    }

    /// A byte is being received.
    pub fn is_receiving(&self) -> bool {
        self.receiving.is_some()
    }

    /// The level the PC drives at `now_ns` (call with increasing times).
    pub fn line(&mut self, now_ns: u64) -> bool {
        let now = now_ns as f64;
        loop {
            match self.sending {
                Some((byte, start)) => {
                    let bit = ((now - start) / self.bit_ns) as u32;
                    match bit {
                        0 => return false,
                        1..=8 => return byte >> (bit - 1) & 1 == 1,
                        9 => return true,
                        _ => {
                            self.free_at = start + 10.0 * self.bit_ns;
                            self.sending = None;
                            self.bytes_sent += 1;
                        }
                    }
                }
                None => {
                    let Some(byte) = self.queue.pop_front() else {
                        return true;
                    };
                    self.sending = Some((byte, now.max(self.free_at)));
                }
            }
        }
    }

    /// The fabric's line at `now_ns` (call at every step).
    pub fn sample(&mut self, now_ns: u64, level: bool) {
        let now = now_ns as f64;
        match &mut self.receiving {
            None => {
                if self.last_level && !level {
                    self.receiving = Some(Receiving {
                        start: now,
                        bit: 0,
                        value: 0,
                    });
                }
            }
            Some(r) => {
                let due = r.start + (f64::from(r.bit) + 0.5) * self.bit_ns;
                if now >= due {
                    match r.bit {
                        0 if level => self.receiving = None,
                        0 => r.bit = 1,
                        1..=8 => {
                            r.value |= u8::from(level) << (r.bit - 1);
                            r.bit += 1;
                        }
                        _ => {
                            if level {
                                self.received.push(r.value);
                                self.bytes_received += 1;
                            } else {
                                self.framing_errors += 1;
                            }
                            self.receiving = None;
                        }
                    }
                }
            }
        }
        self.last_level = level;
    }

    /// Bytes received so far; takes them.
    pub fn take_received(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.received)
    }
}

impl Transport for UartHost {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write(bytes);
        Ok(())
    }

    fn receive(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        into.append(&mut self.received);
        Ok(())
    }

    /// A simulated wire loses nothing: an answer that never comes is a
    /// fault of the design under test, for the caller's time limit to find.
    fn timed_out(&mut self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_sent_is_a_byte_received_at_the_same_rate() {
        let mut a = UartHost::new(3_000_000);
        let mut b = UartHost::new(3_000_000);
        a.write(&[0x5A, 0x00, 0xFF, 0xA5]);
        for t in (0..20_000).step_by(5) {
            let level = a.line(t);
            b.sample(t, level);
        }
        assert_eq!(b.take_received(), [0x5A, 0x00, 0xFF, 0xA5]);
        assert_eq!(b.framing_errors, 0);
    }

    #[test]
    fn a_wrong_rate_is_seen_as_framing_errors_or_wrong_bytes() {
        let mut a = UartHost::new(1_000_000);
        let mut b = UartHost::new(3_000_000);
        a.write(&[0x00; 4]);
        for t in (0..60_000).step_by(5) {
            let level = a.line(t);
            b.sample(t, level);
        }
        assert!(b.framing_errors > 0);
    }
}
