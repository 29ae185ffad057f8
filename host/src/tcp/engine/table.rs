//! The engine's connections, in a slab: a handle is a slot index and the
//! slot's generation, so finding a connection is an index, not a hash,
//! and a stale handle (its slot since reused) finds nothing.
//!
//! Each slot also carries the engine's bookkeeping for its connection:
//! whether it waits in the transmit list, and the deadline under which it
//! is filed in the timer index.
//!
//! Invariants: every reuse of a slot increments its generation, so
//! `(generation, index)` — the handle — is never issued twice (until one
//! slot is reused 2^32 times); generation 0 is never issued, so a handle
//! below 2^32 names nothing.

use crate::time::Instant;

use super::super::connection::Connection;
use super::super::handles::ConnectionHandle;

pub(crate) struct Slot {
    pub(crate) conn: Connection,
    /// In the engine's list of connections that may have something to send.
    pub(crate) dirty: bool,
    /// The deadline this connection is filed under in the timer index (never
    /// later than its true next deadline; see `Engine::refresh_deadline`).
    pub(crate) filed: Option<Instant>,
}

struct Entry {
    generation: u32,
    slot: Option<Slot>,
}

#[derive(Default)]
pub(crate) struct ConnTable {
    entries: Vec<Entry>,
    free: Vec<u32>,
    live: usize,
}

impl core::fmt::Debug for ConnTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn split(h: ConnectionHandle) -> (u32, usize) {
    ((h.0 >> 32) as u32, (h.0 & 0xffff_ffff) as usize)
}

impl ConnTable {
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// File `conn`; returns its new handle.
    pub(crate) fn insert(&mut self, conn: Connection) -> ConnectionHandle {
        let slot = Slot {
            conn,
            dirty: false,
            filed: None,
        };
        let index = match self.free.pop() {
            Some(i) => i as usize,
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    slot: None,
                });
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[index];
        e.generation = e.generation.wrapping_add(1).max(1);
        e.slot = Some(slot);
        self.live += 1;
        ConnectionHandle(u64::from(e.generation) << 32 | index as u64)
    }

    pub(crate) fn slot(&self, h: ConnectionHandle) -> Option<&Slot> {
        let (generation, index) = split(h);
        let e = self.entries.get(index)?;
        if e.generation != generation {
            return None;
        }
        e.slot.as_ref()
    }

    pub(crate) fn slot_mut(&mut self, h: ConnectionHandle) -> Option<&mut Slot> {
        let (generation, index) = split(h);
        let e = self.entries.get_mut(index)?;
        if e.generation != generation {
            return None;
        }
        e.slot.as_mut()
    }

    pub(crate) fn get(&self, h: &ConnectionHandle) -> Option<&Connection> {
        self.slot(*h).map(|s| &s.conn)
    }

    pub(crate) fn get_mut(&mut self, h: &ConnectionHandle) -> Option<&mut Connection> {
        self.slot_mut(*h).map(|s| &mut s.conn)
    }

    /// Drop `h`'s connection where it lies (nothing is moved out).
    pub(crate) fn discard(&mut self, h: ConnectionHandle) {
        let (generation, index) = split(h);
        if let Some(e) = self.entries.get_mut(index) {
            if e.generation == generation && e.slot.is_some() {
                e.slot = None;
                self.free.push(index as u32);
                self.live -= 1;
            }
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (ConnectionHandle, &Connection)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| {
            e.slot.as_ref().map(|s| {
                (
                    ConnectionHandle(u64::from(e.generation) << 32 | i as u64),
                    &s.conn,
                )
            })
        })
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Connection> {
        self.entries
            .iter()
            .filter_map(|e| e.slot.as_ref().map(|s| &s.conn))
    }
}
