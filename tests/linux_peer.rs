//! synack against the Linux kernel (SPEC S4): `synack tap` runs as a user
//! runs it, and Linux tools in the namespace it made (`curl`, `nc`,
//! `iperf3`, `hping3`, `tc netem`, `ss`, `tshark`) talk to it.
//!
//! Every test has its own namespace (synack creates and deletes it, or the
//! test does), bounds its time and traffic, and sends only to addresses in
//! that namespace, so they may run side by side: as many at once as the
//! test harness has threads (one per core, each co-simulation wants one).
//! They need root (CAP_NET_ADMIN); without it they fail, saying so, unless
//! `SYNACK_SKIP_NETNS=1` asks to leave them out.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::live::*;

#[test]
fn curl_fetches_a_mebibyte_and_the_pcap_reads_clean() {
    if !privileged() {
        return;
    }
    let pcap = temp("curl.pcap");
    let mut s = Synack::start(&["--serve", "http", "--pcap", pcap.to_str().unwrap()]);
    let out = s.exec(
        120,
        &[
            "curl",
            "-sS",
            "-m",
            "110",
            &format!("http://{SYNACK}/bytes/1048576"),
        ],
    );
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), 1 << 20);
    assert_eq!(sha(&out.stdout), sha(&http_body(1 << 20)));
    let page = s.exec(
        60,
        &["curl", "-sS", "-m", "50", &format!("http://{SYNACK}/")],
    );
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(page.contains("LISTEN") && page.contains("ESTAB"), "{page}");
    let log = s.stop();
    assert!(
        log.contains("ESTABLISHED") && log.contains("TIME-WAIT"),
        "{log}"
    );
    // Every frame on the link, both ways, reads clean: no malformed frame,
    // no expert error, every checksum right.
    let t = Command::new("tshark")
        .args(["-r", pcap.to_str().unwrap(), "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"])
        .args(["-Y", "_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\""])
        .output()
        .expect("tshark");
    assert!(
        t.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&t.stderr)
    );
    assert!(
        t.stdout.is_empty(),
        "bad frames:\n{}",
        String::from_utf8_lossy(&t.stdout)
    );
    let all = Command::new("tshark")
        .args(["-r", pcap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&all.stdout).lines().count() > 700,
        "the pcap holds the transfer"
    );
}

#[test]
fn linux_pings_synack_and_hears_port_unreachable_from_a_closed_udp_port_fragmented_or_not() {
    if !privileged() {
        return;
    }
    let mut s = Synack::start(&["--serve", "http"]);
    // The largest ping that fits the MTU unfragmented (1472 + 8 + 20 = 1500), and a small one.
    for size in ["1472", "56"] {
        let out = s.exec(
            30,
            &[
                "ping", "-c", "3", "-i", "0.2", "-W", "5", "-M", "do", "-s", size, SYNACK,
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("3 received"),
            "ping -s {size}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Linux reads the ICMP error and reports it to hping3.
    let out = s.exec(
        30,
        &[
            "hping3", "--udp", "-p", "9999", "-c", "2", "-i", "u300000", SYNACK,
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("ICMP Port Unreachable from ip={SYNACK}")),
        "hping3: {text}"
    );
    // A datagram Linux sends in fragments (of 1,000 and of 16 bytes) is
    // reassembled before synack finds no socket for it.
    for mtu in ["1000", "16"] {
        let out = s.exec(
            30,
            &[
                "hping3", "--udp", "-p", "9998", "-d", "3000", "-m", mtu, "-c", "1", SYNACK,
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("ICMP Port Unreachable from ip={SYNACK}")),
            "hping3 -m {mtu}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let page = s.exec(
        60,
        &["curl", "-sS", "-m", "50", &format!("http://{SYNACK}/")],
    );
    let page = String::from_utf8_lossy(&page.stdout).to_string();
    s.stop();
    assert!(
        page.contains("echo replies sent 6, port unreachables sent 4, rate-limited 0"),
        "{page}"
    );
    assert!(page.contains("datagrams reassembled 2, failed 0"), "{page}");
}

#[test]
fn a_connect_that_a_linux_firewall_rejects_with_icmp_fails_at_once() {
    if !privileged() {
        return;
    }
    // nftables' `reject with icmp type ...` answers synack's SYN with an ICMP
    // error quoting it: Linux's own connect() fails at once with the
    // error's meaning; so must synack's, not after two minutes of SYNs.
    for (icmp, says) in [
        ("port-unreachable", "connection refused"),
        ("host-unreachable", "no route to host"),
    ] {
        let ns = TestNetns::new("reject");
        let rule = format!("add rule inet fw input tcp dport 5000 reject with icmp type {icmp}");
        for cmd in [
            "add table inet fw",
            "add chain inet fw input { type filter hook input priority 0; }",
            &rule,
        ] {
            let nft = ns_exec(&ns.0, 10, &["nft", cmd]);
            assert!(
                nft.status.success(),
                "nft {cmd}: {}",
                String::from_utf8_lossy(&nft.stderr)
            );
        }
        let started = Instant::now();
        let out = Command::new("timeout")
            .args(["90", env!("CARGO_BIN_EXE_synack"), "tap", "--netns", &ns.0])
            .args([
                "--connect",
                "192.0.2.1:5000",
                "--send",
                "1",
                "--seconds",
                "60",
            ])
            .output()
            .expect("synack tap");
        let took = started.elapsed();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !out.status.success(),
            "{icmp}: the transfer cannot succeed:\n{text}"
        );
        assert!(
            text.contains(&format!("failed: transfer: {says}")),
            "{icmp}: {text}"
        );
        assert!(
            took < Duration::from_secs(30),
            "{icmp}: took {took:?}:\n{text}"
        );
    }
}

#[test]
fn a_linux_router_with_a_narrower_next_hop_teaches_synack_the_path_mtu() {
    if !privileged() {
        return;
    }
    // synack ─TAP (1500)─ Linux router ─veth (1280 on the router's end)─ sink.
    // synack's 1500-byte segments carry DF (SPEC W2), so the router refuses
    // them with "fragmentation needed, next hop MTU 1280" (RFC 1191); without
    // path-MTU discovery the transfer would stall until the connection
    // times out. The sink's end is 1500, so its MSS option says 1460: only
    // the ICMP can tell synack.
    let router = TestNetns::new("pmtu");
    let sink_ns = TestNetns::new("pmtu-sink");
    let setup: &[&[&str]] = &[
        &[
            "-n", &router.0, "link", "add", "vr", "mtu", "1280", "type", "veth", "peer", "name",
            "vs", "netns", &sink_ns.0, "mtu", "1500",
        ],
        &[
            "-n",
            &router.0,
            "addr",
            "add",
            "198.51.100.1/24",
            "dev",
            "vr",
        ],
        &["-n", &router.0, "link", "set", "vr", "up"],
        &[
            "-n",
            &sink_ns.0,
            "addr",
            "add",
            "198.51.100.2/24",
            "dev",
            "vs",
        ],
        &["-n", &sink_ns.0, "link", "set", "vs", "up"],
        &["-n", &sink_ns.0, "link", "set", "lo", "up"],
        &[
            "-n",
            &sink_ns.0,
            "route",
            "add",
            "default",
            "via",
            "198.51.100.1",
        ],
    ];
    for args in setup {
        let out = Command::new("ip").args(*args).output().unwrap();
        assert!(
            out.status.success(),
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let fwd = ns_exec(&router.0, 10, &["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    assert!(fwd.status.success(), "ip_forward");
    let sink = temp("pmtu-sink.bin");
    let mut nc = Command::new("timeout")
        .args(["60", "ip", "netns", "exec", &sink_ns.0, "sh", "-c"])
        .arg(format!("nc -l -N 5000 > {}", sink.display()))
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let mut s = Synack::start(&[
        "--netns",
        &router.0,
        "--gateway",
        "192.0.2.1",
        "--connect",
        "198.51.100.2:5000",
        "--send",
        "1",
        "--seconds",
        "50",
    ]);
    s.wait_for("SHA-256", Duration::from_secs(55));
    assert!(nc.wait().unwrap().success(), "nc -l");
    let took = started.elapsed();
    let got = std::fs::read(&sink).unwrap();
    assert_eq!(got.len(), 1 << 20);
    let counters = ns_exec(&router.0, 10, &["nstat", "-az", "IpFragFails"]);
    let counters = String::from_utf8_lossy(&counters.stdout).to_string();
    let log = s.stop();
    assert!(
        log.contains(&sha(&got)),
        "synack's digest differs from the sink's {}:\n{log}",
        sha(&got)
    );
    // The router did refuse packets (the test tests what it says), and the
    // transfer took seconds, not a retransmission timeout per segment.
    let refused: u64 = counters
        .lines()
        .find_map(|l| l.strip_prefix("IpFragFails"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    assert!(refused >= 1, "the router refused nothing:\n{counters}");
    assert!(
        took < Duration::from_secs(30),
        "took {took:?}, {refused} refused:\n{log}"
    );
}

#[test]
fn nc_echo_round_trip_of_a_mebibyte() {
    if !privileged() {
        return;
    }
    let input = temp("echo.in");
    let data = payload(1 << 20, 3);
    std::fs::write(&input, &data).unwrap();
    let mut s = Synack::start(&["--serve", "echo"]);
    let out = s.exec(
        150,
        &[
            "sh",
            "-c",
            &format!("nc -N {SYNACK} 7 < {}", input.display()),
        ],
    );
    assert!(
        out.status.success(),
        "nc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), data.len());
    assert_eq!(sha(&out.stdout), sha(&data));
    s.stop();
}

#[test]
fn synack_sends_a_mebibyte_to_a_linux_nc_sink() {
    if !privileged() {
        return;
    }
    let ns = TestNetns::new("sink");
    let sink = temp("sink.bin");
    // The sink listens on any address, so it can start before the TAP exists.
    let mut nc = Command::new("timeout")
        .args(["150", "ip", "netns", "exec", &ns.0, "sh", "-c"])
        .arg(format!("nc -l -N 5000 > {}", sink.display()))
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut s = Synack::start(&[
        "--netns",
        &ns.0,
        "--connect",
        "192.0.2.1:5000",
        "--send",
        "1",
    ]);
    s.wait_for("SHA-256", Duration::from_secs(150));
    let status = nc.wait().unwrap();
    assert!(status.success(), "nc -l");
    let got = std::fs::read(&sink).unwrap();
    assert_eq!(got.len(), 1 << 20);
    let log = s.stop();
    assert!(
        log.contains(&sha(&got)),
        "synack's digest differs from the sink's {}:\n{log}",
        sha(&got)
    );
    assert!(netns_exists(&ns.0), "a borrowed namespace is left in place");
}

#[test]
fn lossy_reordering_link_both_ways_keeps_the_streams_intact_and_closes_cleanly() {
    if !privileged() {
        return;
    }
    // Loss on the Linux side, both directions: `tc netem` where the kernel
    // has it, else nftables dropping 2% of TCP in and out (this machine's
    // kernel is built without netem). Reordering (and 2% more loss) both
    // ways on synack's wire, which carries the kernel's frames too.
    let mut s = Synack::start(&[
        "--serve",
        "echo",
        "--loss",
        "0.02",
        "--reorder",
        "0.03",
        "--seed",
        "5",
    ]);
    let dev = format!("sk{}", s.child.id());
    let netem = s.exec(
        10,
        &[
            "tc", "qdisc", "add", "dev", &dev, "root", "netem", "loss", "2%", "delay", "2ms",
            "reorder", "10%", "50%",
        ],
    );
    if !netem.status.success() {
        for cmd in [
            "add table inet lossy",
            "add chain inet lossy in { type filter hook input priority 0; }",
            "add chain inet lossy out { type filter hook output priority 0; }",
            "add rule inet lossy in meta l4proto tcp numgen random mod 100 < 2 counter drop",
            "add rule inet lossy out meta l4proto tcp numgen random mod 100 < 2 counter drop",
        ] {
            let out = s.exec(10, &["nft", cmd]);
            assert!(
                out.status.success(),
                "nft {cmd}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let input = temp("lossy.in");
    let data = payload(512 * 1024, 9);
    std::fs::write(&input, &data).unwrap();
    let out = s.exec(
        280,
        &[
            "sh",
            "-c",
            &format!("nc -N {SYNACK} 7 < {}", input.display()),
        ],
    );
    assert!(
        out.status.success(),
        "nc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), data.len());
    assert_eq!(sha(&out.stdout), sha(&data));
    // Both ends closed: Linux holds nothing but TIME-WAIT (or nothing).
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let left: Vec<String> = linux_sockets(&s)
            .into_iter()
            .filter(|l| !l.starts_with("TIME-WAIT"))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < end, "sockets left on Linux: {left:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    if !netem.status.success() {
        let rules = s.exec(10, &["nft", "list", "table", "inet", "lossy"]);
        let rules = String::from_utf8_lossy(&rules.stdout);
        let dropped: u64 = rules
            .split("packets ")
            .skip(1)
            .filter_map(|r| r.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        assert!(dropped > 0, "the Linux side lost nothing:\n{rules}");
    }
    let log = s.stop();
    assert!(log.contains("TIME-WAIT") || log.contains("CLOSED"), "{log}");
}

/// `iperf3 -c` for `secs` seconds; returns the bytes its JSON says arrived.
fn iperf3(s: &Synack, reverse: bool) -> u64 {
    let mut args = vec!["iperf3", "-c", SYNACK, "-t", "3", "-J"];
    if reverse {
        args.push("-R");
    }
    let out = s.exec(90, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "iperf3 {args:?}: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("iperf3 -J prints JSON");
    assert!(v.get("error").is_none(), "{text}");
    let end = &v["end"];
    let sent = end["sum_sent"]["bytes"].as_u64().expect("sum_sent.bytes");
    let received = end["sum_received"]["bytes"]
        .as_u64()
        .expect("sum_received.bytes");
    assert!(sent > 0 && received > 0, "{text}");
    received
}

#[test]
fn iperf3_runs_a_test_against_synack_both_ways() {
    if !privileged() {
        return;
    }
    let mut s = Synack::start(&["--serve", "iperf3"]);
    let up = iperf3(&s, false);
    let down = iperf3(&s, true);
    let log = s.stop();
    assert!(up > 10_000 && down > 10_000, "{up} up, {down} down:\n{log}");
    assert_eq!(log.matches("iperf3: test done").count(), 2, "{log}");
}

#[test]
fn syn_flood_with_cookies_lets_legitimate_fetches_through() {
    if !privileged() {
        return;
    }
    // With a gateway (the Linux side) every spoofed source has a route back,
    // so each SYN makes a SYN-queue record or a cookie; without one synack,
    // as Linux, keeps nothing for a source it cannot answer.
    let mut s = Synack::start(&[
        "--serve",
        "http",
        "--syn-backlog",
        "32",
        "--gateway",
        "192.0.2.1",
    ]);
    // 1,500 spoofed SYNs, 300 a second for 5 s, aimed only at synack in this namespace;
    // synack's SYN-ACKs to them go to the Linux side, which does not forward them.
    let mut flood = Command::new("timeout")
        .args(["30", "ip", "netns", "exec", &s.netns])
        .args([
            "hping3",
            "-q",
            "-S",
            "-p",
            "80",
            "--rand-source",
            "-i",
            "u3333",
            "-c",
            "1500",
            SYNACK,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("hping3");
    std::thread::sleep(Duration::from_millis(500));
    let (mut ok, mut tries) = (0, 0);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) || tries < 20 {
        tries += 1;
        let out = s.exec(
            30,
            &[
                "curl",
                "-sS",
                "-m",
                "25",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                &format!("http://{SYNACK}/bytes/1000"),
            ],
        );
        if String::from_utf8_lossy(&out.stdout) == "200" {
            ok += 1;
        }
    }
    let _ = flood.wait();
    let page = s.exec(
        60,
        &["curl", "-sS", "-m", "50", &format!("http://{SYNACK}/")],
    );
    let page = String::from_utf8_lossy(&page.stdout).to_string();
    s.stop();
    eprintln!("{ok} of {tries} fetches succeeded during the flood");
    assert!(
        ok * 100 >= tries * 99,
        "{ok} of {tries} fetches during the flood:\n{page}"
    );
    let cookies: u64 = page
        .split("syncookies sent ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the status page counts cookies");
    assert!(cookies > 0, "no SYN cookies under a flood:\n{page}");
    eprintln!("{cookies} SYN cookies sent");
    let half_open = page.lines().filter(|l| l.starts_with("SYN-RECV")).count();
    assert!(
        half_open <= 32,
        "the SYN queue outgrew its bound: {half_open}\n{page}"
    );
}
