//! An iperf3 server for TCP tests, speaking iperf3's control protocol so
//! that an unmodified `iperf3 -c` (3.x) runs against it, in both directions
//! (`-R`) and with parallel streams (`-P`).
//!
//! The protocol, server side, as iperf3 implements it:
//! 1. The client opens the control connection and sends a 37-byte cookie
//!    (36 characters and a NUL).
//! 2. Server → `PARAM_EXCHANGE` (one signed byte, 9); client → its
//!    parameters as JSON, preceded by the length (4 bytes, network order).
//! 3. Server → `CREATE_STREAMS` (10); the client opens `parallel` data
//!    connections, each starting with the same cookie. Stream ids are
//!    numbered 1, 3, 4, 5, … (iperf3's `iperf_add_stream` quirk, kept by
//!    both sides).
//! 4. Server → `TEST_START` (1), `TEST_RUNNING` (2); data flows client →
//!    server, or server → client with `reverse`.
//! 5. Client → `TEST_END` (4); the server closes the data connections,
//!    sends `EXCHANGE_RESULTS` (13), reads the client's results (length +
//!    JSON), sends its own, then `DISPLAY_RESULTS` (14).
//! 6. Client → `IPERF_DONE` (16) and closes.
//!
//! One test at a time: a connection arriving during a test that is not one
//! of its data streams gets `ACCESS_DENIED` (-1). UDP, SCTP and
//! bidirectional tests are refused with `SERVER_ERROR` (-2) and
//! `IEUNIMP`. Malformed input ends the test and is counted; nothing a
//! client sends can make the server panic or grow without bound (the
//! parameter and result JSON are capped at [`MAX_JSON`]).

use std::io;

use serde_json::{Value, json};
use synack_host::socket::{Net, TcpListener, TcpStream};
use synack_host::time::Instant;

use crate::conn::Conn;
use crate::{App, Progress};

/// iperf3's cookie: 36 characters and a NUL.
pub const COOKIE_SIZE: usize = 37;
/// Largest JSON message accepted on the control connection.
pub const MAX_JSON: usize = 64 * 1024;
/// Most parallel streams accepted (iperf3's `MAX_STREAMS` is 128).
pub const MAX_STREAMS: usize = 128;
/// Block size when the client names none (iperf3's TCP default, 128 KiB).
const DEFAULT_BLOCK: usize = 128 * 1024;

/// iperf3's control states (`iperf_api.h`).
mod state {
    pub const TEST_START: i8 = 1;
    pub const TEST_RUNNING: i8 = 2;
    pub const TEST_END: i8 = 4;
    pub const PARAM_EXCHANGE: i8 = 9;
    pub const CREATE_STREAMS: i8 = 10;
    pub const CLIENT_TERMINATE: i8 = 12;
    pub const EXCHANGE_RESULTS: i8 = 13;
    pub const DISPLAY_RESULTS: i8 = 14;
    pub const IPERF_DONE: i8 = 16;
    pub const ACCESS_DENIED: i8 = -1;
    pub const SERVER_ERROR: i8 = -2;
}

/// `IEUNIMP`: "not implemented yet".
const IE_UNIMP: u32 = 13;

/// What the client asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub reverse: bool,
    pub parallel: usize,
    pub block: usize,
    /// Seconds the client will run (for the log only; the client decides).
    pub time: u64,
}

impl Params {
    /// The client's parameter JSON; `Err` names what is refused.
    pub fn parse(text: &[u8]) -> Result<Params, String> {
        let v: Value = serde_json::from_slice(text).map_err(|e| format!("bad JSON: {e}"))?;
        let o = v.as_object().ok_or("parameters are not an object")?;
        let flag = |k: &str| o.get(k).and_then(Value::as_bool).unwrap_or(false);
        if flag("udp") || flag("sctp") || !flag("tcp") {
            return Err("only TCP tests are supported".into());
        }
        if flag("bidirectional") {
            return Err("bidirectional tests are not supported".into());
        }
        let num = |k: &str, default: u64| o.get(k).and_then(Value::as_u64).unwrap_or(default);
        let parallel = num("parallel", 1) as usize;
        if parallel == 0 || parallel > MAX_STREAMS {
            return Err(format!("{parallel} parallel streams"));
        }
        let block = match num("len", 0) as usize {
            0 => DEFAULT_BLOCK,
            n => n.min(1 << 20),
        };
        Ok(Params {
            reverse: flag("reverse"),
            parallel,
            block,
            time: num("time", 10),
        })
    }
}

/// Where the control conversation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Cookie,
    ParamLen,
    Params(usize),
    Streams,
    Running,
    ResultsLen,
    Results(usize),
    WaitDone,
}

struct DataStream {
    conn: Conn,
    id: u32,
    bytes: u64,
    retransmits: u64,
}

struct Test {
    ctrl: Conn,
    phase: Phase,
    input: Vec<u8>,
    cookie: Vec<u8>,
    params: Option<Params>,
    /// Accepted data connections still sending their cookie.
    joining: Vec<(Conn, Vec<u8>)>,
    streams: Vec<DataStream>,
    start: Option<Instant>,
    end: Option<Instant>,
    block: Vec<u8>,
}

/// Why a test ended early.
type Abort = String;

impl Test {
    fn new(ctrl: TcpStream) -> Self {
        Test {
            ctrl: Conn::new(ctrl),
            phase: Phase::Cookie,
            input: Vec::new(),
            cookie: Vec::new(),
            params: None,
            joining: Vec::new(),
            streams: Vec::new(),
            start: None,
            end: None,
            block: Vec::new(),
        }
    }

    fn send_state(&mut self, s: i8) {
        self.ctrl.queue(&s.to_be_bytes());
    }

    /// Take `n` bytes of control input, if they have arrived.
    fn take(&mut self, n: usize) -> Option<Vec<u8>> {
        (self.input.len() >= n).then(|| self.input.drain(..n).collect())
    }

    /// A data connection: its cookie decides.
    fn join(&mut self, stream: TcpStream) {
        self.joining.push((Conn::new(stream), Vec::new()));
    }

    fn results_json(&self, now: Instant) -> Vec<u8> {
        let reverse = self.params.as_ref().is_some_and(|p| p.reverse);
        let secs = match (self.start, self.end) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            (Some(a), None) => (now - a).as_secs_f64(),
            _ => 0.0,
        };
        let streams: Vec<Value> = self
            .streams
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "bytes": s.bytes,
                    "retransmits": if reverse { s.retransmits as i64 } else { -1 },
                    "jitter": 0.0,
                    "errors": 0,
                    "omitted_errors": 0,
                    "packets": 0,
                    "omitted_packets": 0,
                    "start_time": 0.0,
                    "end_time": secs,
                })
            })
            .collect();
        let v = json!({
            "cpu_util_total": 0.0,
            "cpu_util_user": 0.0,
            "cpu_util_system": 0.0,
            "sender_has_retransmits": if reverse { 1 } else { -1 },
            "streams": streams,
        });
        v.to_string().into_bytes()
    }

    /// One step of the test; `Ok(true)` when it is over.
    fn step(
        &mut self,
        net: &mut Net<'_>,
        log: &mut Vec<String>,
        p: &mut Progress,
    ) -> Result<bool, Abort> {
        fn e(what: &'static str) -> impl Fn(io::Error) -> String {
            move |err| format!("{what}: {err}")
        }
        self.ctrl.flush(net).map_err(e("control write"))?;
        let pass = self
            .ctrl
            .read_into(net, &mut self.input, MAX_JSON + 8)
            .map_err(e("control read"))?;
        self.admit_streams(net, log)?;
        self.run_streams(net, p)?;
        loop {
            let before = self.phase;
            match self.phase {
                Phase::Cookie => {
                    if let Some(c) = self.take(COOKIE_SIZE) {
                        self.cookie = c;
                        self.send_state(state::PARAM_EXCHANGE);
                        self.phase = Phase::ParamLen;
                    }
                }
                Phase::ParamLen | Phase::ResultsLen => {
                    if let Some(b) = self.take(4) {
                        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                        if n > MAX_JSON {
                            return Err(format!("{n}-byte JSON message"));
                        }
                        self.phase = if self.phase == Phase::ParamLen {
                            Phase::Params(n)
                        } else {
                            Phase::Results(n)
                        };
                    }
                }
                Phase::Params(n) => {
                    if let Some(text) = self.take(n) {
                        match Params::parse(&text) {
                            Ok(params) => {
                                log.push(format!(
                                    "iperf3: test of {} s, {} stream(s), {}",
                                    params.time,
                                    params.parallel,
                                    if params.reverse {
                                        "reverse (synack sends)"
                                    } else {
                                        "synack receives"
                                    }
                                ));
                                self.block = vec![0x69; params.block];
                                self.params = Some(params);
                                self.send_state(state::CREATE_STREAMS);
                                self.phase = Phase::Streams;
                            }
                            Err(why) => {
                                self.send_state(state::SERVER_ERROR);
                                self.ctrl.queue(&IE_UNIMP.to_be_bytes());
                                self.ctrl.queue(&0u32.to_be_bytes());
                                let _ = self.ctrl.flush(net);
                                return Err(format!("refused: {why}"));
                            }
                        }
                    }
                }
                Phase::Streams => {
                    let want = self.params.as_ref().map_or(1, |p| p.parallel);
                    if self.streams.len() == want {
                        self.send_state(state::TEST_START);
                        self.send_state(state::TEST_RUNNING);
                        self.start = Some(net.now());
                        self.phase = Phase::Running;
                    }
                }
                Phase::Running => {
                    if let Some(b) = self.take(1) {
                        match b[0] as i8 {
                            state::TEST_END => {
                                self.end = Some(net.now());
                                self.close_streams(net);
                                self.send_state(state::EXCHANGE_RESULTS);
                                self.phase = Phase::ResultsLen;
                            }
                            state::CLIENT_TERMINATE => return Err("client terminated".into()),
                            s => return Err(format!("unexpected state {s} while running")),
                        }
                    }
                }
                Phase::Results(n) => {
                    if let Some(text) = self.take(n) {
                        serde_json::from_slice::<Value>(&text)
                            .map_err(|e| format!("client results: {e}"))?;
                        let ours = self.results_json(net.now());
                        self.ctrl.queue(&(ours.len() as u32).to_be_bytes());
                        self.ctrl.queue(&ours);
                        self.send_state(state::DISPLAY_RESULTS);
                        self.phase = Phase::WaitDone;
                    }
                }
                Phase::WaitDone => {
                    if let Some(b) = self.take(1) {
                        if b[0] as i8 != state::IPERF_DONE {
                            return Err(format!("unexpected state {} at the end", b[0] as i8));
                        }
                        let _ = self.ctrl.flush(net);
                        let _ = self.ctrl.stream.close(net);
                        self.log_summary(log);
                        return Ok(true);
                    }
                }
            }
            if self.phase == before {
                break;
            }
        }
        self.ctrl.flush(net).map_err(e("control write"))?;
        if pass.eof {
            if self.phase == Phase::WaitDone {
                self.log_summary(log);
                let _ = self.ctrl.stream.close(net);
                return Ok(true);
            }
            return Err("the client closed the control connection".into());
        }
        Ok(false)
    }

    /// Data connections reading their cookie: matching ones become streams.
    fn admit_streams(&mut self, net: &mut Net<'_>, log: &mut Vec<String>) -> Result<(), Abort> {
        let mut joining = std::mem::take(&mut self.joining);
        joining.retain_mut(|(conn, buf)| {
            let r = conn.read_into(net, buf, COOKIE_SIZE);
            if buf.len() < COOKIE_SIZE {
                if r.is_err() || r.is_ok_and(|p| p.eof) {
                    let _ = conn.stream.close(net);
                    return false;
                }
                return true;
            }
            let want = self.params.as_ref().map_or(0, |p| p.parallel);
            if *buf == self.cookie && self.phase == Phase::Streams && self.streams.len() < want {
                // iperf3's numbering: 1, then 3, 4, 5, ...
                let id = if self.streams.is_empty() {
                    1
                } else {
                    self.streams.len() as u32 + 2
                };
                log.push(format!(
                    "iperf3: stream {id} from {}",
                    conn.stream.peer_addr()
                ));
                self.streams.push(DataStream {
                    conn: Conn::new(conn.stream),
                    id,
                    bytes: 0,
                    retransmits: 0,
                });
            } else {
                let _ = conn.stream.write(net, &state::ACCESS_DENIED.to_be_bytes());
                let _ = conn.stream.close(net);
            }
            false
        });
        self.joining = joining;
        Ok(())
    }

    /// Move test data: send blocks (reverse) or count what arrives.
    fn run_streams(&mut self, net: &mut Net<'_>, p: &mut Progress) -> Result<(), Abort> {
        if self.phase != Phase::Running {
            return Ok(());
        }
        let reverse = self.params.as_ref().is_some_and(|p| p.reverse);
        for s in &mut self.streams {
            if reverse {
                loop {
                    if s.conn.pending() == 0 {
                        s.conn.queue(&self.block);
                    }
                    match s.conn.flush(net) {
                        Ok(0) => break,
                        Ok(n) => {
                            s.bytes += n as u64;
                            p.bytes_out += n as u64;
                        }
                        Err(e) => return Err(format!("stream {}: {e}", s.id)),
                    }
                }
                if let Some(c) = net.engine().connection(s.conn.stream.handle()) {
                    s.retransmits = c.total_retransmits();
                }
            } else {
                let pass = s
                    .conn
                    .drain(net)
                    .map_err(|e| format!("stream {}: {e}", s.id))?;
                s.bytes += pass.bytes as u64;
                p.bytes_in += pass.bytes as u64;
            }
        }
        Ok(())
    }

    /// `TEST_END`: count what is left, then close every data connection.
    fn close_streams(&mut self, net: &mut Net<'_>) {
        let reverse = self.params.as_ref().is_some_and(|p| p.reverse);
        for s in &mut self.streams {
            if !reverse {
                if let Ok(pass) = s.conn.drain(net) {
                    s.bytes += pass.bytes as u64;
                }
            } else if let Some(c) = net.engine().connection(s.conn.stream.handle()) {
                s.retransmits = c.total_retransmits();
            }
            let _ = s.conn.stream.close(net);
        }
    }

    fn close_all(&mut self, net: &mut Net<'_>) {
        for s in &self.streams {
            let _ = s.conn.stream.close(net);
        }
        for (c, _) in &self.joining {
            let _ = c.stream.close(net);
        }
        let _ = self.ctrl.stream.close(net);
    }

    fn log_summary(&self, log: &mut Vec<String>) {
        let bytes: u64 = self.streams.iter().map(|s| s.bytes).sum();
        let secs = match (self.start, self.end) {
            (Some(a), Some(b)) => (b - a).as_secs_f64(),
            _ => 0.0,
        };
        let rate = if secs > 0.0 {
            bytes as f64 * 8.0 / secs / 1e6
        } else {
            0.0
        };
        let retrans: u64 = self.streams.iter().map(|s| s.retransmits).sum();
        log.push(format!(
            "iperf3: test done: {bytes} bytes in {secs:.3} s of simulated time = {rate:.2} Mb/s, {retrans} retransmissions"
        ));
    }
}

pub struct Iperf3Server {
    port: u16,
    listener: Option<TcpListener>,
    test: Option<Test>,
    tests: u64,
    log: Vec<String>,
    progress: Progress,
}

impl Iperf3Server {
    pub fn new(port: u16) -> Self {
        Iperf3Server {
            port,
            listener: None,
            test: None,
            tests: 0,
            log: Vec::new(),
            progress: Progress::default(),
        }
    }

    /// Tests completed.
    pub fn tests_done(&self) -> u64 {
        self.tests
    }
}

impl App for Iperf3Server {
    fn start(&mut self, net: &mut Net<'_>) -> io::Result<()> {
        self.listener = Some(TcpListener::bind(net, self.port, 128)?);
        Ok(())
    }

    fn poll(&mut self, net: &mut Net<'_>) {
        let Some(l) = self.listener else { return };
        while let Ok((stream, peer)) = l.accept(net) {
            self.progress.total += 1;
            match self.test.as_mut() {
                None => {
                    self.log
                        .push(format!("iperf3: control connection from {peer}"));
                    self.test = Some(Test::new(stream));
                }
                Some(t) if t.phase == Phase::Streams => t.join(stream),
                Some(_) => {
                    let _ = stream.write(net, &state::ACCESS_DENIED.to_be_bytes());
                    let _ = stream.close(net);
                }
            }
        }
        let Some(t) = self.test.as_mut() else { return };
        match t.step(net, &mut self.log, &mut self.progress) {
            Ok(false) => {}
            Ok(true) => {
                self.tests += 1;
                self.test = None;
            }
            Err(why) => {
                self.log.push(format!("iperf3: test ended: {why}"));
                self.progress.errors += 1;
                t.close_all(net);
                self.test = None;
            }
        }
        self.progress.open = self.test.as_ref().map_or(0, |t| 1 + t.streams.len());
    }

    fn progress(&self) -> Progress {
        self.progress
    }

    fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_parameters_are_read_and_unsupported_tests_refused() {
        let p = Params::parse(
            br#"{"tcp":true,"omit":0,"time":3,"num":0,"blockcount":0,"parallel":2,"reverse":true,"len":131072,"client_version":"3.12"}"#,
        )
        .unwrap();
        assert_eq!(
            p,
            Params {
                reverse: true,
                parallel: 2,
                block: 131072,
                time: 3
            }
        );
        assert!(Params::parse(br#"{"udp":true,"parallel":1}"#).is_err());
        assert!(Params::parse(br#"{"tcp":true,"bidirectional":true}"#).is_err());
        assert!(Params::parse(br#"{"tcp":true,"parallel":1000}"#).is_err());
        assert!(Params::parse(b"{not json").is_err());
        assert!(Params::parse(b"[1,2]").is_err());
    }
}
