//! The TAP link's plumbing against the real kernel (SPEC S4): a namespace
//! of its own, a TAP inside it with the Linux side's address, frames from
//! the kernel readable by this process; everything removed afterwards.
//! Needs root (CAP_NET_ADMIN); see `tests/common` of the root crate for
//! the policy on machines without it.

use std::process::Command;
use std::time::{Duration, Instant};

use synack_sim::tap::{TapConfig, TapLink};

fn ns_exists(name: &str) -> bool {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn tap_in_its_own_namespace_carries_the_kernels_arp_and_is_removed_on_drop() {
    let mut cfg = TapConfig::for_process();
    cfg.netns = format!("synack-t{}", std::process::id());
    cfg.device = format!("skt{}", std::process::id());
    let name = cfg.netns.clone();
    let link = TapLink::open(cfg).expect("TAP link (run as root)");
    assert!(ns_exists(&name));
    // The device is in the namespace with the Linux side's address, not here.
    let here = Command::new("ip")
        .args(["link", "show", link.device.name()])
        .output()
        .unwrap();
    assert!(!here.status.success(), "the TAP left this namespace");
    let there = link
        .netns
        .exec(&["ip", "-o", "addr", "show", "dev", link.device.name()])
        .unwrap();
    assert!(String::from_utf8_lossy(&there.stdout).contains("192.0.2.1/24"));
    // A connection attempt from the namespace makes the kernel ask for synack's MAC.
    let mut nc = Command::new("ip")
        .args([
            "netns",
            "exec",
            &name,
            "nc",
            "-z",
            "-w",
            "1",
            "192.0.2.2",
            "80",
        ])
        .spawn()
        .expect("nc");
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut arp = None;
    while Instant::now() < deadline && arp.is_none() {
        if let Some(n) = link.device.recv(&mut buf).unwrap() {
            assert!(n <= synack_sim::tap::MAX_FRAME);
            // EtherType ARP, operation request, target 192.0.2.2.
            if n >= 42 && buf[12..14] == [0x08, 0x06] && buf[20..22] == [0, 1] {
                arp = Some(buf[38..42].to_vec());
            }
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let _ = nc.wait();
    assert_eq!(
        arp,
        Some(vec![192, 0, 2, 2]),
        "no ARP request from the kernel"
    );
    drop(link);
    assert!(!ns_exists(&name), "the namespace is deleted on drop");
}
