//! Frame buffers, recycled. A bulk transfer builds and frees one frame per
//! segment; a 1.5 KiB or 64 KiB allocation takes the allocator's slow path
//! every time. Buffers given back here (by whoever drops the frame: the
//! driver once it has copied it out, or a received frame's last payload
//! view, see [`Payload`](super::payload::Payload)) are handed out again by [`take`].
//!
//! The pool is per thread (no locking) and bounded: at most
//! [`MAX_POOLED`] small buffers (4 MiB) and 64 TSO-sized ones (4 MiB);
//! anything beyond, or of another size, is simply freed.

use std::cell::RefCell;

/// Small buffers kept: a few MiB, a receive window's worth of 1500-byte
/// frames held for the application.
pub const MAX_POOLED: usize = 2048;
/// Large (TSO-sized) buffers kept: 4 MiB.
const MAX_POOLED_LARGE: usize = 64;

/// Capacity of a small buffer: any frame up to a 1500-byte MTU, with room.
const SMALL: usize = 2048;
/// Capacity of a large buffer: a TSO frame (64 KiB of IPv4 plus link header).
const LARGE: usize = 65_535 + 64;

thread_local! {
    static FREE: RefCell<[Vec<Vec<u8>>; 2]> = const { RefCell::new([Vec::new(), Vec::new()]) };
}

fn class(capacity: usize) -> Option<usize> {
    match capacity {
        SMALL => Some(0),
        LARGE => Some(1),
        _ => None,
    }
}

/// An empty buffer with room for `len` bytes, recycled when one is free.
pub fn take(len: usize) -> Vec<u8> {
    let (class, capacity) = if len <= SMALL {
        (0, SMALL)
    } else if len <= LARGE {
        (1, LARGE)
    } else {
        return Vec::with_capacity(len);
    };
    FREE.with(|f| f.borrow_mut()[class].pop())
        .unwrap_or_else(|| Vec::with_capacity(capacity))
}

/// Give a buffer back for reuse (freed if the pool is full or it is not
/// one of the pool's sizes).
pub fn give(mut buf: Vec<u8>) {
    let Some(class) = class(buf.capacity()) else {
        return;
    };
    buf.clear();
    FREE.with(|f| {
        let mut f = f.borrow_mut();
        let max = if class == 0 {
            MAX_POOLED
        } else {
            MAX_POOLED_LARGE
        };
        if f[class].len() < max {
            f[class].push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_is_taken_again_and_strangers_are_not_kept() {
        let a = take(1500);
        assert_eq!(a.capacity(), SMALL);
        let ptr = a.as_ptr();
        give(a);
        let b = take(60);
        assert_eq!(b.as_ptr(), ptr, "recycled");
        assert!(b.is_empty());
        give(Vec::with_capacity(1000));
        assert_ne!(
            take(100).capacity(),
            1000,
            "odd sizes are freed, not pooled"
        );
        let big = take(40_000);
        assert_eq!(big.capacity(), LARGE);
    }

    #[test]
    fn the_pool_is_bounded() {
        let bufs: Vec<_> = (0..MAX_POOLED + 50).map(|_| take(100)).collect();
        for b in bufs {
            give(b);
        }
        FREE.with(|f| assert_eq!(f.borrow()[0].len(), MAX_POOLED));
    }
}
