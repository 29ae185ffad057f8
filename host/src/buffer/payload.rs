//! A segment's payload: a view of a buffer that views of the same buffer
//! share, counted without atomics.
//!
//! A received segment's payload is a view of the frame it arrived in, kept
//! until the application reads it (`connection::ready_queue`), so its bytes
//! are copied once, into the reader's buffer. The host stack is one thread
//! (sans-IO), so the count of views is a plain `Rc`: dropping the last view
//! of a frame read megabytes after it arrived costs one cache miss on the
//! count, not a locked read-modify-write that stalls the core until the line
//! arrives (with `bytes::Bytes` that was 13% of a 1500-byte-MTU stream).
//!
//! Invariants: `start <= end <= buffer length`; an empty payload holds no
//! buffer; a buffer from [`Payload::pooled`] goes back to the frame pool
//! when its last view drops.
use core::fmt;
use core::ops::{Bound, Deref, RangeBounds};
use std::rc::Rc;

use super::frame_pool;

/// The bytes of one buffer shared by views.
#[derive(Default, Clone)]
pub struct Payload {
    buf: Option<Rc<Buffer>>,
    start: usize,
    end: usize,
}

/// A buffer, given back to the frame pool when the last view drops if it
/// came from there.
struct Buffer {
    bytes: Vec<u8>,
    pooled: bool,
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if self.pooled {
            frame_pool::give(core::mem::take(&mut self.bytes));
        }
    }
}

impl Payload {
    /// No bytes.
    pub const fn new() -> Self {
        Payload {
            buf: None,
            start: 0,
            end: 0,
        }
    }

    fn whole(bytes: Vec<u8>, pooled: bool) -> Self {
        if bytes.is_empty() {
            if pooled {
                frame_pool::give(bytes);
            }
            return Self::new();
        }
        let end = bytes.len();
        Payload {
            buf: Some(Rc::new(Buffer { bytes, pooled })),
            start: 0,
            end,
        }
    }

    /// A frame from the frame pool, which it goes back to when the last
    /// view of it drops.
    pub fn pooled(frame: Vec<u8>) -> Self {
        Self::whole(frame, true)
    }

    /// A copy of `data`.
    pub fn copy_from_slice(data: &[u8]) -> Self {
        Self::whole(data.to_vec(), false)
    }

    /// A copy of static bytes (tests and constants).
    pub fn from_static(data: &'static [u8]) -> Self {
        Self::copy_from_slice(data)
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The bytes in `range` (relative to this view) as a view of the same
    /// buffer. Panics if the range is out of bounds, as slicing does.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Self {
        let from = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s + 1,
            Bound::Unbounded => 0,
        };
        let to = match range.end_bound() {
            Bound::Included(&e) => e + 1,
            Bound::Excluded(&e) => e,
            Bound::Unbounded => self.len(),
        };
        assert!(
            from <= to && to <= self.len(),
            "payload range {from}..{to} out of 0..{}",
            self.len()
        );
        if from == to {
            return Self::new();
        }
        Payload {
            buf: self.buf.clone(),
            start: self.start + from,
            end: self.start + to,
        }
    }

    /// The view of `sub`, which must lie inside this view's bytes (a
    /// subslice of `&self[..]`).
    pub fn slice_ref(&self, sub: &[u8]) -> Self {
        if sub.is_empty() {
            return Self::new();
        }
        let base = self.as_ref().as_ptr() as usize;
        let at = (sub.as_ptr() as usize)
            .checked_sub(base)
            .filter(|&at| at + sub.len() <= self.len())
            .expect("slice_ref: the slice is not inside the payload");
        self.slice(at..at + sub.len())
    }

    /// The first `n` bytes as their own view; this view keeps the rest.
    pub fn split_to(&mut self, n: usize) -> Self {
        let head = self.slice(..n);
        self.advance(n);
        head
    }

    /// Drops the first `n` bytes from the view.
    pub fn advance(&mut self, n: usize) {
        assert!(n <= self.len(), "advance {n} past {}", self.len());
        self.start += n;
        if self.start == self.end {
            *self = Self::new();
        }
    }
}

impl From<Vec<u8>> for Payload {
    fn from(bytes: Vec<u8>) -> Self {
        Self::whole(bytes, false)
    }
}

impl Deref for Payload {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.buf {
            Some(b) => &b.bytes[self.start..self.end],
            None => &[],
        }
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Payload {}

impl PartialEq<[u8]> for Payload {
    fn eq(&self, other: &[u8]) -> bool {
        &self[..] == other
    }
}

impl PartialEq<Vec<u8>> for Payload {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self[..] == other[..]
    }
}

impl FromIterator<u8> for Payload {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<Vec<u8>>())
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_share_the_buffer_and_slice_relative_to_themselves() {
        let p = Payload::from((0u8..100).collect::<Vec<_>>());
        let mid = p.slice(10..60);
        assert_eq!(&mid[..3], &[10, 11, 12]);
        let inner = mid.slice(5..=6);
        assert_eq!(&inner[..], &[15, 16]);
        assert_eq!(mid.slice_ref(&mid[20..25]), p.slice(30..35));
        let mut rest = mid.clone();
        let head = rest.split_to(4);
        assert_eq!(&head[..], &[10, 11, 12, 13]);
        assert_eq!(rest.len(), 46);
        rest.advance(46);
        assert!(
            rest.is_empty() && rest.buf.is_none(),
            "an empty view holds nothing"
        );
        assert!(p.slice(7..7).buf.is_none());
    }

    #[test]
    #[should_panic(expected = "out of")]
    fn a_range_past_the_end_panics_like_slicing() {
        Payload::from(vec![1, 2, 3]).slice(2..5);
    }

    #[test]
    #[should_panic(expected = "not inside")]
    fn slice_ref_of_foreign_bytes_panics() {
        let other = [9u8; 4];
        Payload::from(vec![1, 2, 3]).slice_ref(&other[..2]);
    }

    #[test]
    fn a_pooled_frame_goes_back_when_its_last_view_drops() {
        let mut f = frame_pool::take(1500);
        f.extend_from_slice(&[7u8; 1500]);
        let ptr = f.as_ptr();
        let p = Payload::pooled(f);
        let view = p.slice(100..200);
        drop(p);
        assert_eq!(view[0], 7);
        drop(view);
        let again = frame_pool::take(1500);
        assert_eq!(again.as_ptr(), ptr, "recycled");
    }
}
