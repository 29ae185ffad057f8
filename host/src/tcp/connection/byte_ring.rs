//! A ring of bytes for the send and receive buffers: every copy in or out
//! is at most two `memcpy`s (the ring may wrap once), never a byte loop.
//!
//! Invariants: the stored bytes are `buf[head..]` followed by
//! `buf[..head + len - cap]` when they wrap; `len <= buf.len()`; the
//! capacity is a power of two (or zero) and only grows.

#[derive(Clone, Debug, Default)]
pub struct ByteRing {
    buf: Vec<u8>,
    head: usize,
    len: usize,
}

impl ByteRing {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes it holds without growing.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Make room for `more` bytes, keeping the contents in order.
    fn reserve(&mut self, more: usize) {
        let need = self.len + more;
        if need <= self.capacity() {
            return;
        }
        // Start small (a 64-byte request needs no 4 KiB of zeroes); double after.
        let new_cap = need.next_power_of_two().max(256);
        let mut next = vec![0u8; new_cap];
        let (a, b) = self.as_slices();
        next[..a.len()].copy_from_slice(a);
        next[a.len()..a.len() + b.len()].copy_from_slice(b);
        self.buf = next;
        self.head = 0;
    }

    /// The contents as one or two slices, in order.
    pub fn as_slices(&self) -> (&[u8], &[u8]) {
        self.range(0, self.len)
    }

    /// `len` bytes from `offset`, as one or two slices (clamped to what is stored).
    pub fn range(&self, offset: usize, len: usize) -> (&[u8], &[u8]) {
        let offset = offset.min(self.len);
        let len = len.min(self.len - offset);
        if len == 0 {
            return (&[], &[]);
        }
        let cap = self.capacity();
        let start = (self.head + offset) & (cap - 1);
        if start + len <= cap {
            (&self.buf[start..start + len], &[])
        } else {
            let first = cap - start;
            (&self.buf[start..], &self.buf[..len - first])
        }
    }

    /// Append all of `data`.
    pub fn push(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        self.reserve(data.len());
        let cap = self.capacity();
        let tail = (self.head + self.len) & (cap - 1);
        let first = data.len().min(cap - tail);
        self.buf[tail..tail + first].copy_from_slice(&data[..first]);
        self.buf[..data.len() - first].copy_from_slice(&data[first..]);
        self.len += data.len();
    }

    /// Move up to `out.len()` bytes from the front into `out`; returns how many.
    pub fn pop(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.len);
        let (a, b) = self.range(0, n);
        let (al, bl) = (a.len(), b.len());
        out[..al].copy_from_slice(a);
        out[al..al + bl].copy_from_slice(b);
        self.consume(n);
        n
    }

    /// Drop `n` bytes from the front.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        if n == 0 {
            return;
        }
        self.head = (self.head + n) & (self.capacity() - 1);
        self.len -= n;
        if self.len == 0 {
            self.head = 0;
        }
    }

    pub fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    /// Its buffer, for another ring ([`Self::reuse`]); this ring is left
    /// empty, on no buffer.
    pub fn take_buffer(&mut self) -> Vec<u8> {
        self.clear();
        core::mem::take(&mut self.buf)
    }

    /// An empty ring on `buf` (from [`Self::take_buffer`]: a power of two
    /// long, or empty). Its old bytes lie outside the ring and are never read.
    pub fn reuse(buf: Vec<u8>) -> Self {
        debug_assert!(buf.is_empty() || buf.len().is_power_of_two());
        ByteRing {
            buf,
            head: 0,
            len: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order_across_wraps_and_growth() {
        let mut r = ByteRing::default();
        let mut model = std::collections::VecDeque::new();
        let mut next = 0u8;
        for step in 0..2000usize {
            let n = (step * 37) % 3000;
            let data: Vec<u8> = (0..n)
                .map(|_| {
                    next = next.wrapping_add(1);
                    next
                })
                .collect();
            r.push(&data);
            model.extend(&data);
            let mut out = vec![0u8; (step * 53) % 3100];
            let k = r.pop(&mut out);
            let want: Vec<u8> = model.drain(..k).collect();
            assert_eq!(&out[..k], &want[..]);
            assert_eq!(r.len(), model.len());
            let (a, b) = r.range(7, 100);
            let got: Vec<u8> = a.iter().chain(b).copied().collect();
            let want: Vec<u8> = model.iter().skip(7).take(100).copied().collect();
            assert_eq!(got, want);
        }
    }
}
