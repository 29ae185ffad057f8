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

/// `synack synth-report --top TOP [extra...]` in a work folder of its own,
/// which must succeed; returns its report and Yosys' `stat.txt`.
fn synth_report(top: &str, extra: &[&str]) -> (String, String) {
    let work = std::env::temp_dir().join(format!("synack-synth-{top}-{}", std::process::id()));
    let mut args = vec![
        "synth-report",
        "--top",
        top,
        "--work",
        work.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (ok, report) = synack(&args);
    assert!(ok, "{report}");
    let stat = std::fs::read_to_string(work.join(top).join("stat.txt")).unwrap();
    std::fs::remove_dir_all(work).ok();
    (report, stat)
}

#[test]
fn synth_report_prints_yosys_figures_for_the_mac() {
    let (report, stat) = synth_report("eth_mac_mii", &[]);
    let luts = figure(&report, "LUT ");
    let ffs = figure(&report, "FF ");
    let bram = figure(&report, "BRAM36");
    let carry = figure(&report, "CARRY4");
    // A MAC with two frame FIFOs: some logic, some flip-flops, two RAMB18 at most.
    assert!(luts > 200.0 && luts < 5000.0, "LUT {luts}");
    assert!(ffs > 200.0, "FF {ffs}");
    assert!(bram > 0.0 && bram <= 2.0, "BRAM36 {bram}");
    assert!(carry > 0.0, "CARRY4 {carry}");
    // Flattened, as Vivado synthesises: one module's figures.
    assert!(report.contains("eth_mac_mii (flattened)"), "{report}");
    assert_eq!(stat.matches("=== ").count(), 1, "one module: {stat}");
}

#[test]
fn synth_report_keeps_each_block_when_asked() {
    let (report, stat) = synth_report("stat_bank", &["--keep-hierarchy"]);
    assert!(report.contains("stat_bank (hierarchy kept)"), "{report}");
    assert!(figure(&report, "LUT ") > 0.0, "{report}");
    assert!(
        stat.contains("=== top$bank ===") && stat.contains("=== design hierarchy ==="),
        "per-block figures: {stat}"
    );
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

/// Runs synack expecting it to refuse: a non-zero exit, no panic; returns
/// what it printed.
fn refused(args: &[&str]) -> String {
    let (ok, text) = synack(args);
    assert!(!ok, "synack {args:?} succeeded:\n{text}");
    assert!(
        !text.contains("panicked"),
        "synack {args:?} panicked:\n{text}"
    );
    text
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-cli-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn demo_refuses_times_that_overflow_naming_the_value() {
    for (flag, value) in [
        ("--delay-us", "18446744073709552"),
        ("--poll-us", "18446744073709551615"),
        ("--poll-us", "0"),
        ("--vcd-us", "18446744073709551615"),
    ] {
        let text = refused(&["demo", flag, value]);
        assert!(
            text.contains(flag) && text.contains(value) && text.contains("µs"),
            "{text}"
        );
    }
}

#[test]
fn demo_refuses_probabilities_and_sizes_that_cannot_work() {
    for (flag, value) in [
        ("--loss", "1"),
        ("--corrupt", "nan"),
        ("--reorder", "-0.5"),
        ("--duplicate", "inf"),
        ("--size", "nan"),
        ("--size", "0"),
    ] {
        let text = refused(&["demo", &format!("{flag}={value}")]);
        assert!(text.contains(flag) && text.contains(value), "{text}");
    }
}

#[test]
fn demo_board_refuses_baud_rates_the_board_cannot_run_and_baud_without_board() {
    for value in ["100", "13000000", "fast"] {
        let text = refused(&["demo", "--board", &format!("--baud={value}")]);
        assert!(text.contains("--baud") && text.contains(value), "{text}");
    }
    let text = refused(&["demo", "--baud", "1000000"]);
    assert!(text.contains("--board"), "{text}");
    let text = refused(&["demo", "--board", "--out", "somewhere"]);
    assert!(text.contains("--out"), "{text}");
}

#[test]
fn mac_loopback_refuses_probabilities_that_would_panic_or_never_finish() {
    for value in ["1.5", "nan", "-1", "1.0"] {
        let text = refused(&["mac-loopback", &format!("--idle={value}")]);
        assert!(text.contains("--idle") && text.contains(value), "{text}");
    }
    // A receiver never ready can never take a frame: say so up front.
    let text = refused(&["mac-loopback", "--backpressure", "1.0"]);
    assert!(
        text.contains("--backpressure") && text.contains("never finish"),
        "{text}"
    );
    let text = refused(&["mac-loopback", "--frames", "0"]);
    assert!(text.contains("--frames"), "{text}");
}

#[test]
fn demo_output_folder_that_is_a_file_is_named_before_simulating() {
    let dir = scratch("out-file");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let text = refused(&["demo", "--out", file.to_str().unwrap()]);
    assert!(text.contains(file.to_str().unwrap()), "{text}");
    assert!(text.contains("--out"), "says what to do: {text}");
    assert!(!text.contains("SYN-SENT"), "nothing was simulated: {text}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn demo_output_files_that_cannot_be_written_are_named_before_simulating() {
    for name in ["demo.pcap", "handshake.svg", "close.svg"] {
        let dir = scratch(&name.replace('.', "-"));
        let blocker = dir.join(name);
        std::fs::create_dir_all(&blocker).unwrap();
        let text = refused(&["demo", "--size", "0.01", "--out", dir.to_str().unwrap()]);
        assert!(text.contains(blocker.to_str().unwrap()), "{text}");
        assert!(text.contains("--out"), "says what to do: {text}");
        assert!(!text.contains("shared memory"), "{text}");
        assert!(!text.contains("SYN-SENT"), "nothing was simulated: {text}");
        std::fs::remove_dir_all(dir).ok();
    }
}

#[test]
fn emit_verilog_into_an_existing_file_names_it() {
    let dir = scratch("verilog-file");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.v");
    std::fs::write(&file, "// not a folder").unwrap();
    let text = refused(&["emit-verilog", file.to_str().unwrap()]);
    assert!(
        text.contains(file.to_str().unwrap()) && text.contains("not a folder"),
        "{text}"
    );
    // A design's file that cannot be written is named too.
    let out = dir.join("verilog");
    std::fs::create_dir_all(out.join("nic_core.v")).unwrap();
    let text = refused(&["emit-verilog", out.to_str().unwrap()]);
    assert!(
        text.contains(out.join("nic_core.v").to_str().unwrap()),
        "{text}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn synth_report_names_a_work_folder_it_cannot_use_and_lists_designs() {
    let dir = scratch("synth-work");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("work");
    std::fs::write(&file, "x").unwrap();
    let text = refused(&["synth-report", "--work", file.to_str().unwrap()]);
    assert!(
        text.contains(file.to_str().unwrap()) && text.contains("--work"),
        "{text}"
    );
    let text = refused(&["synth-report", "--top", "no_such_design"]);
    assert!(
        text.contains("no_such_design") && text.contains("nic_core"),
        "{text}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn board_names_a_serial_port_it_cannot_open_and_refuses_bad_addresses() {
    let text = refused(&[
        "board",
        "--serial",
        "/nonexistent/ttyUSB9",
        "--addr",
        "192.0.2.2/24",
        "--serve",
        "echo",
    ]);
    assert!(
        text.contains("/nonexistent/ttyUSB9") && text.contains("ttyUSB1"),
        "names the port and where the board's bridge usually is: {text}"
    );
    for (flag, value) in [
        ("--addr", "192.0.2.2"),
        ("--mac", "01:00:5e:00:00:01"),
        ("--mac", "02:00"),
    ] {
        let mut args = vec!["board", "--serial", "/dev/null", "--serve", "echo"];
        if flag != "--addr" {
            args.extend(["--addr", "192.0.2.2/24"]);
        }
        args.extend([flag, value]);
        let text = refused(&args);
        assert!(text.contains(flag) && text.contains(value), "{text}");
    }
    let text = refused(&["board", "--serial", "/dev/null", "--addr", "192.0.2.2/24"]);
    assert!(text.contains("--serve"), "says what to run: {text}");
}

#[test]
fn timing_report_works_in_a_work_folder_outside_the_current_one() {
    // YoWASP's tools see only the folder they run in: the report must run
    // them there, whatever --work says.
    let work = std::env::temp_dir().join(format!("synack-timing-{}", std::process::id()));
    let (ok, report) = synack(&[
        "timing-report",
        "--top",
        "stat_bank",
        "--seeds",
        "1",
        "--work",
        work.to_str().unwrap(),
    ]);
    assert!(ok, "{report}");
    assert!(
        report.contains("worst of 1 seed(s)") && report.contains("MHz"),
        "{report}"
    );
    assert!(
        work.join("stat_bank").join("yosys.log").exists(),
        "the logs are in --work"
    );
    std::fs::remove_dir_all(work).ok();
}
