//! `synack demo`, run as a user runs it: its outputs, and the pcap read back
//! by tshark with every checksum checked (issue 5).
use std::process::Command;

fn tshark(pcap: &std::path::Path, filter: &str) -> Vec<String> {
    synack_sim::pcap::tshark_matching(pcap, filter)
        .expect("tshark runs (scripts/setup.sh installs it)")
}

fn frames_written(report: &str) -> usize {
    let line = report
        .lines()
        .find(|l| l.contains("demo.pcap"))
        .unwrap_or_else(|| panic!("no pcap line in:\n{report}"));
    let at = line.find('(').expect("frame count") + 1;
    line[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn demo_transfers_closes_and_writes_a_pcap_tshark_reads_clean() {
    let out_dir = std::env::temp_dir().join(format!("synack-demo-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args([
            "demo", "--size", "0.125", "--loss", "0.01", "--seed", "5", "--out",
        ])
        .arg(&out_dir)
        .output()
        .expect("runs synack demo");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    for line in [
        "client  SYN-SENT",
        "server  SYN-RECEIVED",
        "client  FIN-WAIT-2",
        "server  LAST-ACK",
        "client  TIME-WAIT",
        "client  CLOSED",
        "goodput:",
    ] {
        assert!(report.contains(line), "no {line:?} in:\n{report}");
    }
    let pcap = out_dir.join("demo.pcap");
    let frames = frames_written(&report);
    assert!(frames > 100, "{report}");
    assert_eq!(
        tshark(&pcap, "frame").len(),
        frames,
        "tshark reads every frame"
    );
    let bad = tshark(
        &pcap,
        "_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0",
    );
    assert!(bad.is_empty(), "malformed or bad-checksum frames: {bad:#?}");
    let tcp_good = tshark(&pcap, "ip.checksum.status == 1 && tcp.checksum.status == 1");
    let arp = tshark(&pcap, "arp");
    assert_eq!(tcp_good.len() + arp.len(), frames);
    for svg in ["handshake.svg", "close.svg"] {
        let text = std::fs::read_to_string(out_dir.join(svg)).expect("svg written");
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        assert!(text.contains("ESTABLISHED") || text.contains("TIME-WAIT"));
    }
    std::fs::remove_dir_all(out_dir).ok();
}

/// The number after `key` in `report` (as in "goodput: 2.159 Mb/s").
fn number_after(report: &str, key: &str) -> f64 {
    let at = report
        .find(key)
        .unwrap_or_else(|| panic!("no {key:?} in:\n{report}"))
        + key.len();
    report[at..]
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no number after {key:?} in:\n{report}"))
}

#[test]
fn demo_board_reaches_the_board_only_over_the_bridge_and_prints_phy_config_and_goodput() {
    // 12 Mbaud: the fastest documented rate, not the default (the board
    // test runs at 3), so the rate change at bring-up is exercised too.
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["demo", "--board", "--baud", "12000000", "--seed", "3"])
        .output()
        .expect("runs synack demo --board");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    for line in [
        "over its USB-UART bridge at 12 Mbaud",
        // The DP83848J model's ID, read over MDIO through the bridge.
        "PHY ID 0x2000:0x5c9",
        "(TI DP83848J)",
        "(link up)",
        "64 KiB of DMA memory",
        "driver configuration: 8 TX slots × 4352 B, 16 RX buffers × 1536 B, polled",
        "board   SYN-SENT",
        "server  SYN-RECEIVED",
        "board   FIN-WAIT-2",
        "server  LAST-ACK",
        "board   TIME-WAIT",
        "server  CLOSED",
        "transfer: 8 KiB, SHA-256",
        "none dropped",
        "(0 resent)",
    ] {
        assert!(report.contains(line), "no {line:?} in:\n{report}");
    }
    // Goodput below what the UART carries one way (12 Mbaud 8N1: 9.6 Mb/s of
    // bytes), and well above what a slower rate could give.
    let goodput = number_after(&report, "goodput: ");
    assert!(goodput > 2.4 && goodput < 9.6, "{report}");
    // Every payload byte crossed the bridge into the board's DMA memory.
    let written = number_after(&report, "DMA memory: ");
    assert!(written >= 8.0, "{report}");
}
