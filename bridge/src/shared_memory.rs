//! Memory that two parties map at once, as a device and its driver share a
//! register page or DMA memory: an unlinked file (in `/dev/shm` when there
//! is one), mapped by each side with memmap2. Both mappings are `MAP_SHARED`
//! views of the same pages, so a write through one is seen through the other.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::{MmapMut, MmapOptions};

/// A zero-filled shared region of a fixed size.
pub struct SharedMemory {
    file: File,
    len: usize,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl SharedMemory {
    /// A new zeroed region of `len` bytes.
    pub fn new(len: usize) -> io::Result<Self> {
        let dir = ["/dev/shm"]
            .iter()
            .map(PathBuf::from)
            .find(|d| d.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!(
            "synack-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        // The open descriptor keeps the pages alive; nothing is left behind.
        std::fs::remove_file(&path)?;
        file.set_len(len as u64)?;
        Ok(Self { file, len })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// One more mapping of the whole region.
    pub fn map(&self) -> io::Result<MmapMut> {
        // SAFETY: the file is private to this process (created here and
        // unlinked at once) and never truncated; every mapping is of its
        // full, fixed length. Several mappings alias the same pages: users
        // reach them only through their own `MmapMut`, one access at a time
        // (the co-simulation is single-threaded), as a device and its driver
        // share memory.
        unsafe { MmapOptions::new().len(self.len).map_mut(&self.file) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_one_mapping_are_seen_through_the_other() {
        let shm = SharedMemory::new(8192).unwrap();
        let mut a = shm.map().unwrap();
        let b = shm.map().unwrap();
        assert!(b.iter().all(|&x| x == 0));
        a[4097] = 0xA5;
        assert_eq!(b[4097], 0xA5);
    }
}
