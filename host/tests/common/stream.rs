//! One TCP stream from interface A to interface B over raw IPv4, run to
//! completion on a virtual clock, with a say over every packet A sends.

use std::net::SocketAddrV4;

use synack_host::iface::{Interface, Transmit};
use synack_host::tcp::{State, WriteError};
use synack_host::time::Instant;

/// A connects to B's `port` (B listening), writes `data` in writes of at
/// most `write` bytes, and both run until B has read it all and nothing
/// moves. `path(now, packet)` sees each packet A puts on the wire (TSO
/// runs cut by the segmenter's rule): `None` delivers it to B, `Some(reply)`
/// drops it and hands `reply` (an IP packet) to A, as a router would.
/// Panics unless B read exactly `data`; returns A's transmits as built (one
/// per run with TSO).
pub fn stream(
    a: &mut Interface,
    b: &mut Interface,
    port: u16,
    data: &[u8],
    write: usize,
    mut path: impl FnMut(Instant, &[u8]) -> Option<Vec<u8>>,
) -> Vec<Transmit> {
    let mut now = Instant::from_secs(1);
    let l = b.tcp_listen(port, 4).unwrap();
    let peer = SocketAddrV4::new(b.addr().into(), port);
    let c = a.tcp_connect(now, peer).unwrap();
    let (mut written, mut got, mut built, mut server) = (0, Vec::new(), Vec::new(), None);
    for _ in 0..20_000 {
        if server.is_none() {
            server = b.engine_mut().accept(l).ok().map(|(h, _)| h);
        }
        if a.engine().state(c) == State::Established && written < data.len() {
            let end = (written + write).min(data.len());
            match a.engine_mut().write(now, c, &data[written..end]) {
                Ok(n) => written += n,
                Err(WriteError::WouldBlock) => {}
                Err(e) => panic!("write: {e:?}"),
            }
        }
        let mut moved = false;
        let mut replies = Vec::new();
        while let Some(t) = a.poll_transmit(now) {
            for p in a.wire_frames(&t) {
                match path(now, &p) {
                    None => b.receive(now, &p),
                    Some(reply) => replies.push(reply),
                }
            }
            built.push(t);
            moved = true;
        }
        for r in replies {
            a.receive(now, &r);
        }
        while let Some(t) = b.poll_transmit(now) {
            a.receive(now, &t.frame);
            moved = true;
        }
        if let Some(s) = server {
            let mut buf = [0u8; 65536];
            while let Ok(n) = b.engine_mut().read(now, s, &mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
        }
        while a.engine_mut().poll_event().is_some() {}
        if got.len() == data.len() && !moved {
            break;
        }
        if !moved {
            now = [a.poll_timeout(), b.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now);
            for i in [&mut *a, &mut *b] {
                if i.poll_timeout().is_some_and(|t| t <= now) {
                    i.handle_timeout(now);
                }
            }
        }
    }
    assert!(
        got == data,
        "stream incomplete: {} of {} bytes",
        got.len(),
        data.len()
    );
    built
}
