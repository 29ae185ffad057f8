//! A passive view of a byte stream, for blocks that watch frames go by
//! without taking part in the handshake (the checksum parser and verifier).
use rust_hdl::prelude::*;

bus! {
    /// The watcher's side: `tdata` and `tlast` of the byte that moves this
    /// cycle, and `beat` (the stream's `tvalid & tready`). A tap never
    /// stalls the stream.
    pub struct StreamTap;
    {
        tdata: In Bits<8>, beat: In Bit, tlast: In Bit,
    }
}
