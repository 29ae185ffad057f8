//! The engine's application events, coalesced per socket.
//!
//! An application that does not drain events must not make the engine grow:
//! each socket has at most one entry in the queue, holding a set of pending
//! event kinds, so the queue never holds more entries than there are
//! sockets (connections plus listeners), however many segments arrive.
//! Repeated events of one kind merge (ten segments of data make one
//! `Readable`), which is what readiness means: "there is something to do on
//! this socket", not "this happened N times".
//!
//! Order: sockets come out in the order they first became ready; one
//! socket's events come out in the order of a connection's life —
//! `Connected`, `Readable`, `Writable`, `PeerClosed`, `Lingered`, `Closed` —
//! whatever order they were raised in.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::error::ConnError;
use super::handles::{ConnectionHandle, Event, ListenerHandle};

/// Whose event it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Conn(ConnectionHandle),
    Listener(ListenerHandle),
}

/// The events pending for one socket.
#[derive(Clone, Copy, Debug, Default)]
struct Pending {
    connected: bool,
    incoming: bool,
    readable: bool,
    writable: bool,
    peer_closed: bool,
    lingered: Option<bool>,
    closed: Option<Option<ConnError>>,
}

impl Pending {
    fn set(&mut self, e: Event) {
        match e {
            Event::Connected(_) => self.connected = true,
            Event::Incoming(_) => self.incoming = true,
            Event::Readable(_) => self.readable = true,
            Event::Writable(_) => self.writable = true,
            Event::PeerClosed(_) => self.peer_closed = true,
            Event::Lingered(_, sent) => self.lingered = Some(sent),
            // The first cause of death is the one reported (Linux `sk_err`).
            Event::Closed(_, err) => {
                if self.closed.is_none() {
                    self.closed = Some(err);
                }
            }
        }
    }

    /// Take the first pending event in life order.
    fn take(&mut self, key: Key) -> Option<Event> {
        match key {
            Key::Listener(l) => core::mem::take(&mut self.incoming).then_some(Event::Incoming(l)),
            Key::Conn(h) => {
                if core::mem::take(&mut self.connected) {
                    Some(Event::Connected(h))
                } else if core::mem::take(&mut self.readable) {
                    Some(Event::Readable(h))
                } else if core::mem::take(&mut self.writable) {
                    Some(Event::Writable(h))
                } else if core::mem::take(&mut self.peer_closed) {
                    Some(Event::PeerClosed(h))
                } else if let Some(sent) = self.lingered.take() {
                    Some(Event::Lingered(h, sent))
                } else {
                    self.closed.take().map(|err| Event::Closed(h, err))
                }
            }
        }
    }
}

/// Pending events, one entry per socket.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    order: VecDeque<Key>,
    /// Keyed by our own handles, so a fast unkeyed hash will do.
    pending: FxHashMap<Key, Pending>,
}

impl EventQueue {
    pub(crate) fn push(&mut self, e: Event) {
        let key = match e {
            Event::Incoming(l) => Key::Listener(l),
            Event::Connected(h)
            | Event::Readable(h)
            | Event::Writable(h)
            | Event::PeerClosed(h)
            | Event::Lingered(h, _)
            | Event::Closed(h, _) => Key::Conn(h),
        };
        let p = self.pending.entry(key).or_insert_with(|| {
            self.order.push_back(key);
            Pending::default()
        });
        p.set(e);
    }

    pub(crate) fn pop(&mut self) -> Option<Event> {
        while let Some(&key) = self.order.front() {
            let p = self.pending.get_mut(&key);
            if let Some(e) = p.and_then(|p| p.take(key)) {
                return Some(e);
            }
            self.order.pop_front();
            self.pending.remove(&key);
        }
        None
    }

    /// Sockets with events pending.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Drop a connection's pending events: the application released it.
    pub(crate) fn forget_conn(&mut self, h: ConnectionHandle) {
        self.forget(Key::Conn(h));
    }

    /// Drop a listener's pending events: it is closed.
    pub(crate) fn forget_listener(&mut self, l: ListenerHandle) {
        self.forget(Key::Listener(l));
    }

    /// Without this, an application that never polls events would keep one
    /// entry per socket it ever had. `order` is compacted once most of its
    /// keys are forgotten, so forgetting is amortised O(1).
    fn forget(&mut self, key: Key) {
        if self.pending.remove(&key).is_some() && self.order.len() > 2 * self.pending.len() + 16 {
            let pending = &self.pending;
            self.order.retain(|k| pending.contains_key(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_events_merge_and_come_out_in_life_order() {
        let (a, b) = (ConnectionHandle(1), ConnectionHandle(2));
        let mut q = EventQueue::default();
        for _ in 0..1000 {
            q.push(Event::Readable(a));
        }
        q.push(Event::Closed(a, Some(ConnError::Reset)));
        q.push(Event::Connected(b));
        q.push(Event::Connected(a));
        q.push(Event::Closed(a, None));
        assert_eq!(q.len(), 2);
        let out: Vec<Event> = core::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            out,
            vec![
                Event::Connected(a),
                Event::Readable(a),
                Event::Closed(a, Some(ConnError::Reset)),
                Event::Connected(b),
            ]
        );
        assert_eq!(q.len(), 0);
    }
}
