//! The apps against clients on the socket API, over an in-memory link
//! (`MemoryLink`): the same code `synack tap` runs against Linux tools.

use core::time::Duration;
use std::io::ErrorKind;
use std::net::SocketAddrV4;

use sha2::{Digest, Sha256};
use synack_apps::App;
use synack_apps::discard::DiscardServer;
use synack_apps::echo::EchoServer;
use synack_apps::http::{HttpServer, body_byte};
use synack_apps::sender::Sender;
use synack_host::socket::memory_link::ADDR_B;
use synack_host::socket::{MemoryLink, Net, TcpListener, TcpStream};

const TICK: Duration = Duration::from_millis(1);

fn b_addr(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(ADDR_B.into(), port)
}

/// Run `app` on host B and `client` on host A, one tick at a time, until
/// `client` says it is done (or 60 s of simulated time pass).
fn run(app: &mut dyn App, mut client: impl FnMut(&mut Net<'_>) -> bool) -> bool {
    let mut l = MemoryLink::default();
    app.start(&mut l.b()).expect("app starts");
    for _ in 0..60_000 {
        l.step();
        app.poll(&mut l.b());
        l.step();
        if client(&mut l.a()) {
            return true;
        }
        l.now += TICK;
    }
    false
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 1000) as u8).collect()
}

#[test]
fn echo_returns_every_byte_and_closes_after_the_client() {
    let data = payload(1 << 20);
    let mut echo = EchoServer::new(7);
    let (mut stream, mut sent, mut got, mut shut) = (None, 0, Vec::new(), false);
    let done = run(&mut echo, |net| {
        let s = *stream.get_or_insert_with(|| TcpStream::connect(net, b_addr(7)).unwrap());
        if sent < data.len() {
            if let Ok(n) = s.write(net, &data[sent..]) {
                sent += n;
            }
        } else if !shut {
            s.shutdown(net, synack_host::socket::Shutdown::Write)
                .unwrap();
            shut = true;
        }
        let mut buf = [0u8; 65536];
        loop {
            match s.read(net, &mut buf) {
                Ok(0) => return true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                Err(e) => panic!("{e}"),
            }
        }
    });
    assert!(
        done,
        "echo did not finish: {} of {} back",
        got.len(),
        data.len()
    );
    assert!(got == data, "echo differs");
    let p = echo.progress();
    assert_eq!(
        (p.bytes_in, p.bytes_out, p.total, p.errors),
        (1 << 20, 1 << 20, 1, 0)
    );
}

#[test]
fn discard_reads_everything_and_closes() {
    let mut d = DiscardServer::new(9);
    let (mut stream, mut sent, mut closed) = (None, 0usize, false);
    let data = payload(300_000);
    run(&mut d, |net| {
        let s = *stream.get_or_insert_with(|| TcpStream::connect(net, b_addr(9)).unwrap());
        if sent < data.len() {
            if let Ok(n) = s.write(net, &data[sent..]) {
                sent += n;
            }
            false
        } else {
            if !closed {
                s.close(net).unwrap();
                closed = true;
            }
            s.state(net) == synack_host::tcp::State::Closed
        }
    });
    assert_eq!(d.progress().bytes_in, 300_000);
    assert_eq!(d.progress().open, 0);
}

/// One HTTP exchange: the raw response.
fn http(server: &mut HttpServer, request: &[u8]) -> Vec<u8> {
    let (mut stream, mut sent, mut got) = (None, false, Vec::new());
    let done = run(server, |net| {
        let s = *stream.get_or_insert_with(|| TcpStream::connect(net, b_addr(80)).unwrap());
        if !sent && s.readiness(net).writable {
            s.write(net, request).unwrap();
            sent = true;
        }
        let mut buf = [0u8; 65536];
        loop {
            match s.read(net, &mut buf) {
                Ok(0) => {
                    s.close(net).unwrap();
                    return true;
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
                Err(e) => panic!("{e}"),
            }
        }
    });
    assert!(done, "no complete response");
    got
}

fn split(response: &[u8]) -> (String, Vec<u8>) {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    (
        String::from_utf8(response[..end].to_vec()).unwrap(),
        response[end + 4..].to_vec(),
    )
}

#[test]
fn http_serves_n_bytes_with_the_right_length_and_content() {
    let mut s = HttpServer::new(80);
    let (head, body) = split(&http(
        &mut s,
        b"GET /bytes/1048576 HTTP/1.1\r\nHost: synack\r\n\r\n",
    ));
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains("Content-Length: 1048576"), "{head}");
    assert_eq!(body.len(), 1 << 20);
    let want: Vec<u8> = (0..1u64 << 20).map(body_byte).collect();
    assert_eq!(Sha256::digest(&body), Sha256::digest(&want));
}

#[test]
fn http_status_page_lists_connections_and_counters() {
    let mut s = HttpServer::new(80);
    let (head, body) = split(&http(&mut s, b"GET / HTTP/1.1\r\n\r\n"));
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("State      Recv-Q Send-Q"), "{page}");
    assert!(page.contains("LISTEN"), "{page}");
    assert!(
        page.contains("ESTAB"),
        "the connection serving the page: {page}"
    );
    assert!(page.contains("segments in"), "{page}");
}

#[test]
fn http_bad_requests_get_a_status_and_count_as_errors() {
    for (req, status) in [
        (&b"POST / HTTP/1.1\r\n\r\n"[..], "405"),
        (b"GET /nothing HTTP/1.1\r\n\r\n", "404"),
        (b"GET /bytes/x HTTP/1.1\r\n\r\n", "400"),
        (b"\x00\x01\x02\r\n\r\n", "400"),
    ] {
        let mut s = HttpServer::new(80);
        let (head, _) = split(&http(&mut s, req));
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
        assert_eq!(s.progress().errors, 1);
    }
    let mut s = HttpServer::new(80);
    let huge = [
        b"GET / HTTP/1.1\r\nX: ".to_vec(),
        vec![b'a'; 20_000],
        b"\r\n\r\n".to_vec(),
    ]
    .concat();
    let (head, _) = split(&http(&mut s, &huge));
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
}

#[test]
fn sender_delivers_its_bytes_and_reports_their_digest() {
    let mut l = MemoryLink::default();
    let sink = TcpListener::bind(&mut l.b(), 5000, 4).unwrap();
    let mut app = Sender::new(b_addr(5000), 1 << 20, 42);
    app.start(&mut l.a()).unwrap();
    let (mut conn, mut got, mut eof) = (None, Vec::new(), false);
    for _ in 0..60_000 {
        l.step();
        app.poll(&mut l.a());
        l.step();
        let mut nb = l.b();
        if conn.is_none() {
            conn = sink.accept(&mut nb).ok().map(|x| x.0);
        }
        if let Some(c) = conn {
            let mut buf = [0u8; 65536];
            loop {
                match c.read(&mut nb, &mut buf) {
                    Ok(0) => {
                        if !eof {
                            c.close(&mut nb).unwrap();
                        }
                        eof = true;
                        break;
                    }
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(_) => break,
                }
            }
        }
        if app.finished() && eof {
            break;
        }
        l.now += TICK;
    }
    assert!(
        app.finished() && app.error().is_none(),
        "{:?}",
        app.take_log()
    );
    assert_eq!(got.len(), 1 << 20);
    assert_eq!(Sha256::digest(&got).as_slice(), &app.digest());
}
