//! The containers a connection leaves behind when it goes, emptied, for
//! the next connection to fill without allocating: a churn of short
//! connections otherwise allocates and frees a send ring, a retransmission
//! queue, a chunk list and a receive queue on both sides of every one.
//!
//! Invariants: every container in a [`Spares`] is empty (its old bytes lie
//! outside any range a connection reads); a send ring is kept only up to
//! [`MAX_RING`] bytes, and at most [`MAX_SPARES`] sets are kept, so what a
//! few large transfers left behind does not stay resident.

use std::collections::VecDeque;

use super::Connection;
use super::rtx_queue::SentSegment;
use super::send_buf::Chunk;
use crate::tcp::segment::Payload;

/// Sets of containers kept.
pub const MAX_SPARES: usize = 64;
/// Largest send ring kept (the rings of bulk transfers are freed).
pub const MAX_RING: usize = 16 * 1024;

/// One connection's containers, emptied.
#[derive(Debug)]
pub struct Storage {
    ring: Vec<u8>,
    rtx: VecDeque<SentSegment>,
    chunks: VecDeque<Chunk>,
    ready: VecDeque<Payload>,
    tail: Vec<u8>,
}

/// Containers of connections gone, handed to new ones.
#[derive(Debug, Default)]
pub struct Spares(Vec<Storage>);

impl Spares {
    /// Take `conn`'s containers, emptied, if there is room for another set
    /// (`conn` is about to be dropped).
    pub fn give(&mut self, conn: &mut Connection) {
        if self.0.len() >= MAX_SPARES {
            return;
        }
        let (ring, rtx, chunks) = conn.send.take_storage();
        let (ready, tail) = conn.recv.take_storage();
        self.0.push(Storage {
            ring: if ring.len() <= MAX_RING {
                ring
            } else {
                Vec::new()
            },
            rtx,
            chunks,
            ready,
            tail,
        });
    }

    /// Give `conn` a spare set of containers, if there is one.
    pub fn fit(&mut self, conn: &mut Connection) {
        if let Some(s) = self.0.pop() {
            conn.send.adopt(s.ring, s.rtx, s.chunks);
            conn.recv.adopt(s.ready, s.tail);
        }
    }
}

/// Make `mine` use `spare`'s capacity if that is larger, keeping what
/// `mine` holds, in order.
pub fn adopt_deque<T>(mine: &mut VecDeque<T>, mut spare: VecDeque<T>) {
    if spare.capacity() > mine.capacity() {
        spare.clear();
        spare.extend(mine.drain(..));
        *mine = spare;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adopted_deque_keeps_what_it_held_in_order() {
        let mut mine: VecDeque<u32> = VecDeque::new();
        mine.push_back(1);
        mine.push_back(2);
        let spare: VecDeque<u32> = VecDeque::with_capacity(64);
        adopt_deque(&mut mine, spare);
        assert_eq!(mine.iter().copied().collect::<Vec<_>>(), [1, 2]);
        assert!(mine.capacity() >= 64);
    }
}
