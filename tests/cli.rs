//! The `synack` command line, run as a user runs it.
use std::process::Command;

fn synack(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .output()
        .expect("runs synack");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn figure(report: &str, name: &str) -> f64 {
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in:\n{report}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn synth_report_prints_yosys_figures_for_the_mac() {
    let work = std::env::temp_dir().join(format!("synack-synth-{}", std::process::id()));
    let (ok, report) = synack(&[
        "synth-report",
        "--top",
        "eth_mac_mii",
        "--work",
        work.to_str().unwrap(),
    ]);
    assert!(ok, "{report}");
    let luts = figure(&report, "LUT ");
    let ffs = figure(&report, "FF ");
    let bram = figure(&report, "BRAM36");
    let carry = figure(&report, "CARRY4");
    // A MAC with two frame FIFOs: some logic, some flip-flops, two RAMB18 at most.
    assert!(luts > 200.0 && luts < 5000.0, "LUT {luts}");
    assert!(ffs > 200.0, "FF {ffs}");
    assert!(bram > 0.0 && bram <= 2.0, "BRAM36 {bram}");
    assert!(carry > 0.0, "CARRY4 {carry}");
    std::fs::remove_dir_all(work).ok();
}

#[test]
fn mac_loopback_sends_frames_through_the_mac_and_gets_them_back() {
    let (ok, report) = synack(&["mac-loopback", "--frames", "6", "--seed", "3"]);
    assert!(ok, "{report}");
    assert!(
        report.contains("all 6 frames came back identical, in order"),
        "{report}"
    );
    assert_eq!(report.matches(": ok").count(), 6, "{report}");
}
