//! Running `synack` as a user runs it, for the tests against real peers
//! (`linux_peer`, `board_serial`): a child process whose output is
//! collected, stopped with SIGINT; network namespaces, and commands run in
//! them with a time bound.
//!
//! Every test that uses these needs root (CAP_NET_ADMIN); without it they
//! fail, saying so, unless `SYNACK_SKIP_NETNS=1` asks to leave them out.
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

pub const SYNACK: &str = "192.0.2.2";

/// True if these tests can run here; panics with advice if they cannot.
pub fn privileged() -> bool {
    if std::env::var("SYNACK_SKIP_NETNS").is_ok_and(|v| v == "1") {
        eprintln!("SYNACK_SKIP_NETNS=1: Linux-peer test left out");
        return false;
    }
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    assert_eq!(
        String::from_utf8_lossy(&uid.stdout).trim(),
        "0",
        "the Linux-peer tests create network namespaces and TAP devices: run them as root \
         (or set SYNACK_SKIP_NETNS=1 to leave them out)"
    );
    true
}

/// A running `synack` command; stopped with SIGINT on drop, and its namespace
/// checked gone if it made one.
pub struct Synack {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    pub netns: String,
    owns_netns: bool,
}

impl Synack {
    /// `synack tap ARGS`, up to its `ready`.
    pub fn start(args: &[&str]) -> Synack {
        Self::start_command("tap", args)
    }

    /// `synack COMMAND ARGS`, up to its `ready`; the namespace it names is
    /// its own unless `--netns` was given.
    pub fn start_command(command: &str, args: &[&str]) -> Synack {
        let mut child = Command::new(env!("CARGO_BIN_EXE_synack"))
            .arg(command)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("synack runs");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(pipe).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(l);
                }
            });
        }
        let mut s = Synack {
            child,
            lines,
            netns: String::new(),
            owns_netns: !args.contains(&"--netns"),
        };
        s.wait_for("ready", Duration::from_secs(60));
        let first = s.output();
        // The namespace the command made or borrowed, if it names one.
        s.netns = first
            .split_whitespace()
            .skip_while(|w| *w != "namespace")
            .nth(1)
            .unwrap_or_default()
            .trim_end_matches(',')
            .to_string();
        s.owns_netns &= !s.netns.is_empty();
        s
    }

    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn wait_for(&mut self, text: &str, limit: Duration) {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if self.output().contains(text) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "synack exited ({status}) before `{text}`:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no `{text}` from synack in {limit:?}:\n{}", self.output());
    }

    /// Run a command inside the namespace, bounded in time.
    pub fn exec(&self, secs: u64, args: &[&str]) -> Output {
        ns_exec(&self.netns, secs, args)
    }

    /// Stop with SIGINT and wait for the exit; returns the whole output.
    pub fn stop(&mut self) -> String {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                let out = self.output();
                if self.owns_netns {
                    assert!(!netns_exists(&self.netns), "namespace left behind:\n{out}");
                }
                return out;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("synack did not stop on SIGINT:\n{}", self.output());
    }
}

impl Drop for Synack {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(1));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn ns_exec(netns: &str, secs: u64, args: &[&str]) -> Output {
    Command::new("timeout")
        .arg(secs.to_string())
        .args(["ip", "netns", "exec", netns])
        .args(args)
        .output()
        .expect("ip netns exec")
}

pub fn netns_exists(name: &str) -> bool {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

/// A namespace made by the test itself (for client mode), deleted on drop.
pub struct TestNetns(pub String);

impl TestNetns {
    pub fn new(tag: &str) -> TestNetns {
        let name = format!("synack-{tag}-{}", std::process::id());
        let s = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap();
        assert!(s.success(), "ip netns add {name}");
        TestNetns(name)
    }
}

impl Drop for TestNetns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.0])
            .status();
    }
}

pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-linux-peer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

pub fn payload(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| {
            (i as u8)
                .wrapping_mul(31)
                .wrapping_add(seed ^ (i >> 10) as u8)
        })
        .collect()
}

pub fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

pub fn http_body(n: u64) -> Vec<u8> {
    (0..n).map(synack_apps::http::body_byte).collect()
}

/// TCP sockets Linux holds in the namespace, as `ss -Htan` lists them.
pub fn linux_sockets(synack: &Synack) -> Vec<String> {
    let out = synack.exec(10, &["ss", "-Htan"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}
