//! A small HTTP/1.1 server (RFC 9112 framing, one request per connection,
//! `Connection: close`):
//! - `GET /`: a text status page: the connection table as `ss -ant`
//!   prints it, and the stack's counters.
//! - `GET /bytes/N`: N bytes of body (at most [`MAX_BYTES`]), byte `i`
//!   being [`body_byte`]`(i)`, streamed as the send buffer frees up.
//! - `HEAD` of either: the headers alone.
//!
//! Bad requests are answered with a status (400 malformed, 404 unknown
//! path, 405 other methods, 431 headers over [`MAX_HEAD`]) and closed;
//! they are counted as errors, and never crash the server.

use std::fmt::Write as _;
use std::io;

use synack_host::socket::{Net, TcpListener};

use crate::conn::Conn;
use crate::{App, Progress};

/// Request head (line and headers) a client may send.
pub const MAX_HEAD: usize = 8 * 1024;
/// Largest `/bytes/N` served.
pub const MAX_BYTES: u64 = 1 << 32;

/// Byte `i` of a `/bytes/N` body: a pattern of period 251 (a prime, so
/// no segment or buffer size lines up with it and a misplaced chunk shows).
pub fn body_byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// What a request asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reply {
    Status,
    Bytes(u64),
    Error(u16, &'static str),
}

/// Parse a request head (without the blank line).
fn parse(head: &[u8]) -> (Reply, bool) {
    let Ok(text) = std::str::from_utf8(head) else {
        return (Reply::Error(400, "Bad Request"), false);
    };
    let line = text.lines().next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return (Reply::Error(400, "Bad Request"), false);
    };
    if !version.starts_with("HTTP/1.") {
        return (Reply::Error(400, "Bad Request"), false);
    }
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return (Reply::Error(405, "Method Not Allowed"), false);
    }
    let path = target.split('?').next().unwrap_or("");
    let reply = if path == "/" {
        Reply::Status
    } else if let Some(n) = path.strip_prefix("/bytes/") {
        match n.parse::<u64>() {
            Ok(n) if n <= MAX_BYTES => Reply::Bytes(n),
            _ => Reply::Error(400, "Bad Request"),
        }
    } else {
        Reply::Error(404, "Not Found")
    };
    (reply, head_only)
}

enum Phase {
    /// Reading the request head.
    Head(Vec<u8>),
    /// Sending: `body_left` bytes of `/bytes/N` body still to generate.
    Sending { next: u64, end: u64 },
}

struct Client {
    conn: Conn,
    phase: Phase,
}

/// Renders the status page; the runner supplies whatever it wants shown
/// besides the stack's own listing (co-simulation speed, for instance).
pub type StatusExtra = Box<dyn Fn() -> String>;

pub struct HttpServer {
    port: u16,
    listener: Option<TcpListener>,
    clients: Vec<Client>,
    progress: Progress,
    requests: u64,
    extra: Option<StatusExtra>,
}

impl HttpServer {
    pub fn new(port: u16) -> Self {
        HttpServer {
            port,
            listener: None,
            clients: Vec::new(),
            progress: Progress::default(),
            requests: 0,
            extra: None,
        }
    }

    /// Add lines to the status page.
    pub fn with_status_extra(mut self, extra: StatusExtra) -> Self {
        self.extra = Some(extra);
        self
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    fn status_page(&self, net: &Net<'_>) -> String {
        let now = net.now();
        let e = net.engine();
        let s = e.stats();
        let i = net.interface().stats();
        let mut page = format!(
            "synack at {} (simulated time {:.3} s)\n\n",
            net.local_ip(),
            now.total_micros() as f64 / 1e6
        );
        page.push_str(&e.format_ss(now));
        let _ = writeln!(
            page,
            "\ntcp: segments in {}, retransmitted {}, resets sent {}, syncookies sent {} / received {} / failed {}, \
             listen overflows {}, SYN-queue drops {}, backlog drops {}, TIME-WAIT {}",
            s.segments_in,
            s.retransmits,
            s.resets_sent,
            s.syncookies_sent,
            s.syncookies_recv,
            s.syncookies_failed,
            s.listen_overflows,
            s.syn_queue_drops,
            s.rx_backlog_drops,
            e.time_wait_count()
        );
        let _ = writeln!(
            page,
            "interface: frames in {} ({} bytes), out {} ({} bytes), dropped {}",
            i.rx_frames,
            i.rx_bytes,
            i.tx_frames,
            i.tx_bytes,
            i.total_drops()
        );
        let _ = writeln!(
            page,
            "icmp: messages in {}, echo replies sent {}, port unreachables sent {}, rate-limited {}; \
             errors about tcp: connections ended {}, soft errors {}, fragmentation needed {} \
             (path MTU lowered {}, {} paths known), ignored {}; for connected udp sockets {}",
            i.rx_icmp_messages,
            i.icmp_echo_replies_sent,
            i.icmp_unreachables_sent,
            i.icmp_rate_limited,
            s.icmp_aborts,
            s.icmp_soft_errors,
            s.icmp_frag_needed,
            s.pmtu_reductions,
            e.path_mtus_known(),
            s.icmp_ignored,
            i.udp_icmp_errors
        );
        let _ = writeln!(
            page,
            "ip: fragments in {}, datagrams reassembled {}, failed {}, timed out {}",
            i.rx_fragments, i.rx_reassembled, i.reassembly_failures, i.reassembly_timeouts
        );
        let _ = writeln!(page, "http: {} requests", self.requests);
        if let Some(extra) = &self.extra {
            page.push_str(&extra());
        }
        page
    }

    /// Queue the response to `head`; returns the body still to generate.
    fn respond(&mut self, net: &Net<'_>, conn: &mut Conn, head: &[u8]) -> Phase {
        self.requests += 1;
        let (reply, head_only) = parse(head);
        let (code, reason, body, len, gen_len) = match reply {
            Reply::Status => {
                let page = self.status_page(net);
                let len = page.len() as u64;
                (200, "OK", page.into_bytes(), len, 0)
            }
            Reply::Bytes(n) => (200, "OK", Vec::new(), n, n),
            Reply::Error(code, reason) => {
                self.progress.errors += 1;
                let body = format!("{code} {reason}\n").into_bytes();
                let len = body.len() as u64;
                (code, reason, body, len, 0)
            }
        };
        let kind = if matches!(reply, Reply::Bytes(_)) {
            "application/octet-stream"
        } else {
            "text/plain; charset=utf-8"
        };
        let header = format!(
            "HTTP/1.1 {code} {reason}\r\nServer: synack\r\nContent-Type: {kind}\r\n\
             Content-Length: {len}\r\nConnection: close\r\n\r\n"
        );
        conn.queue(header.as_bytes());
        if head_only {
            return Phase::Sending { next: 0, end: 0 };
        }
        conn.queue(&body);
        Phase::Sending {
            next: 0,
            end: gen_len,
        }
    }

    /// One connection's step; `Ok(false)` when finished.
    fn step(&mut self, c: &mut Client, net: &mut Net<'_>) -> io::Result<bool> {
        if let Phase::Head(buf) = &mut c.phase {
            let before = buf.len();
            let pass = c.conn.read_into(net, buf, MAX_HEAD + 1)?;
            self.progress.bytes_in += pass.bytes as u64;
            let end = find_head_end(buf, before.saturating_sub(3));
            let head = match end {
                Some(end) => buf[..end].to_vec(),
                None if buf.len() > MAX_HEAD => {
                    self.progress.errors += 1;
                    c.conn.queue(
                        b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\
                          Content-Length: 0\r\n\r\n",
                    );
                    c.phase = Phase::Sending { next: 0, end: 0 };
                    return self.send(c, net);
                }
                None if pass.eof => {
                    c.conn.stream.close(net)?;
                    return Ok(false);
                }
                None => return Ok(true),
            };
            c.phase = self.respond(net, &mut c.conn, &head);
        }
        self.send(c, net)
    }

    /// Generate body as the send buffer frees up; close when all is out.
    fn send(&mut self, c: &mut Client, net: &mut Net<'_>) -> io::Result<bool> {
        let Phase::Sending { next, end } = &mut c.phase else {
            return Ok(true);
        };
        loop {
            self.progress.bytes_out += c.conn.flush(net)? as u64;
            if c.conn.pending() > 0 {
                return Ok(true);
            }
            if *next == *end {
                break;
            }
            let n = (*end - *next).min(64 * 1024);
            let chunk: Vec<u8> = (*next..*next + n).map(body_byte).collect();
            *next += n;
            c.conn.queue(&chunk);
        }
        // Everything written: discard what the client may still send (so
        // close() does not turn into a reset) and close.
        let _ = c.conn.drain(net);
        c.conn.stream.close(net)?;
        Ok(false)
    }
}

/// Where the head ends (before "\r\n\r\n"), searching from `from`.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| from + p)
}

impl App for HttpServer {
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()> {
        self.listener = Some(TcpListener::bind(net, self.port, 128)?);
        Ok(())
    }

    fn poll(&mut self, net: &mut Net<'_>) {
        let Some(l) = self.listener else { return };
        while let Ok((stream, _)) = l.accept(net) {
            self.clients.push(Client {
                conn: Conn::new(stream),
                phase: Phase::Head(Vec::new()),
            });
            self.progress.total += 1;
        }
        let mut clients = std::mem::take(&mut self.clients);
        clients.retain_mut(|c| match self.step(c, net) {
            Ok(alive) => alive,
            Err(_) => {
                self.progress.errors += 1;
                let _ = c.conn.stream.close(net);
                false
            }
        });
        self.clients = clients;
        self.progress.open = self.clients.len();
    }

    fn progress(&self) -> Progress {
        self.progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_parsed_or_refused_with_a_status() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: x"), (Reply::Status, false));
        assert_eq!(parse(b"GET /bytes/42 HTTP/1.0"), (Reply::Bytes(42), false));
        assert_eq!(
            parse(b"HEAD /bytes/7?x=1 HTTP/1.1"),
            (Reply::Bytes(7), true)
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1").0,
            Reply::Error(405, "Method Not Allowed")
        );
        assert_eq!(
            parse(b"GET /nope HTTP/1.1").0,
            Reply::Error(404, "Not Found")
        );
        for bad in [
            &b"GET /bytes/-1 HTTP/1.1"[..],
            b"GET /bytes/99999999999999999999 HTTP/1.1",
            b"GET / HTTP/2",
            b"GET /",
            b"GET  / HTTP/1.1",
            b"\xff\xfe",
            b"",
        ] {
            assert_eq!(parse(bad).0, Reply::Error(400, "Bad Request"), "{bad:?}");
        }
    }

    #[test]
    fn the_head_end_is_found_across_reads() {
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r\n", 0), Some(14));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\n\r", 0), None);
        assert_eq!(find_head_end(b"ab\r\n\r\n", 5), None);
        assert_eq!(find_head_end(b"ab\r\n\r\n", 2), Some(2));
    }
}
