//! A hostile board: the PC side of the USB-UART bridge (the link, bring-up,
//! the register and DMA mirror) against answers the fuzzer writes. In framed
//! mode every answer carries the right sequence number and a good CRC, so
//! its *content* is what is hostile (wrong lengths, error statuses, ring
//! bases and consumer indices pointing anywhere); in raw mode the bytes on
//! the line are anything at all. Every answer is used or refused with an
//! error: never a panic, and never a hang (the transport's patience runs
//! out when the input does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io;
use synack_abi::board::SYNC_RESPONSE;
use synack_bridge::board::probe;
use synack_bridge::frame::frame;
use synack_bridge::link::{Link, Transport};
use synack_bridge::mirror::Mirror;

struct Hostile<'a> {
    data: &'a [u8],
    raw: bool,
    /// The sequence number of the request awaiting an answer.
    asked: Option<u8>,
}

impl Hostile<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
}

impl Transport for Hostile<'_> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.asked = bytes.get(1).copied();
        Ok(())
    }

    fn receive(&mut self, into: &mut Vec<u8>) -> io::Result<()> {
        if self.raw {
            let n = self.take(1).first().map_or(0, |&n| usize::from(n));
            into.extend_from_slice(self.take(n));
            return Ok(());
        }
        let Some(seq) = self.asked.take() else {
            return Ok(());
        };
        let head = self.take(3).to_vec();
        let [status, lo, hi] = head[..] else {
            return Ok(());
        };
        // Mostly good statuses, so that answers get as far as the mirror.
        let status = if status < 224 { 0 } else { status & 7 };
        let len = usize::from(u16::from_le_bytes([lo, hi])) % 2100;
        let payload = self.take(len).to_vec();
        into.extend(frame(SYNC_RESPONSE, seq, status, &payload));
        Ok(())
    }

    fn timed_out(&mut self) -> bool {
        self.data.is_empty()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    let mut link = Link::new(Hostile {
        data,
        raw: mode & 1 == 1,
        asked: None,
    });
    let _ = probe(&mut link);
    let Ok((mut mirror, _maps)) = Mirror::new() else {
        return;
    };
    let Ok(answers) = link.run(mirror.initial()) else {
        return;
    };
    if mirror.complete(answers).is_err() {
        return;
    }
    for _ in 0..4 {
        let mut batch = mirror.begin();
        loop {
            let Ok(answers) = link.run(batch) else {
                return;
            };
            match mirror.complete(answers) {
                Ok(Some(next)) => batch = next,
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
});
