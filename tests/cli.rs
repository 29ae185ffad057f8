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

/// A scratch folder `name` holding a file `file` (with `contents`), where a
/// folder is wanted; returns both paths.
fn scratch_with_file(
    name: &str,
    file: &str,
    contents: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = scratch(name);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(file);
    std::fs::write(&file, contents).unwrap();
    (dir, file)
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
    let (dir, file) = scratch_with_file("out-file", "not-a-folder", "x");
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
    let (dir, file) = scratch_with_file("verilog-file", "out.v", "// not a folder");
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
    let (dir, file) = scratch_with_file("synth-work", "work", "x");
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

/// The fields of `synack bench`'s table row `name` after the name: synack,
/// smoltcp, Linux, ÷ smoltcp, ÷ Linux, unit.
fn bench_row(report: &str, name: &str) -> Vec<String> {
    let rest = report
        .lines()
        .find_map(|l| {
            l.strip_prefix(name).filter(|r| {
                r.starts_with(' ') && r.trim_start().starts_with(|c: char| c.is_ascii_digit())
            })
        })
        .unwrap_or_else(|| panic!("no row {name} in:\n{report}"));
    rest.split_whitespace().map(str::to_string).collect()
}

/// The rows where synack is measured against its peers.
const COMPARED: [&str; 3] = [
    "bulk, MTU 1500",
    "bulk, MTU 64 KiB",
    "churn (TIME-WAIT kept)",
];

/// `synack bench` over `args`, small and quick; returns its report and the plot.
fn bench(name: &str, extra: &[&str]) -> (String, String) {
    let dir = scratch(name);
    let plot = dir.join("out").join("bench.svg");
    let mut args = vec![
        "bench",
        "--mib",
        "1",
        "--churn",
        "200",
        "--time-wait",
        "1000",
        "--plot",
        plot.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (ok, report) = synack(&args);
    assert!(ok, "{report}");
    let svg = std::fs::read_to_string(&plot).expect("the plot is written");
    std::fs::remove_dir_all(dir).ok();
    (report, svg)
}

#[test]
fn bench_prints_every_figure_against_smoltcp_with_its_spread_and_writes_the_plot() {
    let (report, svg) = bench("bench", &["--rounds", "2", "--no-linux"]);
    for name in COMPARED {
        let row = bench_row(&report, name);
        let (synack, smoltcp): (f64, f64) = (row[0].parse().unwrap(), row[1].parse().unwrap());
        assert!(synack > 0.0 && smoltcp > 0.0, "{name}: {row:?}");
        assert_eq!(row[2], "—", "{name}: Linux left out");
        let ratio: f64 = row[3].trim_end_matches('×').parse().unwrap();
        assert!((ratio - synack / smoltcp).abs() < 0.01, "{name}: {row:?}");
    }
    for name in [
        "bulk, MTU 1500, checksums offloaded",
        "bulk, MTU 64 KiB, checksums offloaded",
        "churn with 1000 TIME-WAIT records",
    ] {
        let row = bench_row(&report, name);
        assert!(row[0].parse::<f64>().unwrap() > 0.0, "{name}: {row:?}");
        assert_eq!(&row[1..5], ["—", "—", "—", "—"], "{name}: synack's alone");
    }
    let bytes: f64 = bench_row(&report, "TIME-WAIT memory at 1000 records")[0]
        .parse()
        .unwrap();
    assert!(bytes > 0.0 && bytes < 4096.0, "{bytes} bytes per record");
    assert!(
        !report.contains("Linux in turns"),
        "no Linux rows without Linux:\n{report}"
    );
    // Each ratio's spread over the two rounds, under the table.
    let spread = report
        .split("lowest–highest of 2 rounds:")
        .nth(1)
        .unwrap_or_else(|| panic!("no spread in:\n{report}"));
    for name in COMPARED {
        let row = bench_row(spread, name);
        let (lo, hi) = row[0].trim_end_matches('×').split_once('–').unwrap();
        let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
        assert!(0.0 < lo && lo <= hi, "{name}: {row:?}");
    }
    assert!(
        svg.starts_with("<svg") && svg.contains("÷ smoltcp"),
        "{svg}"
    );
}

/// With Linux: its figures come from a network namespace the bench makes
/// and deletes; bulk is measured with Linux driven two ways (two blocking
/// threads, and the in-process stacks' turns), each against the same
/// synack figure.
#[test]
fn bench_measures_linux_loopback_in_a_namespace_it_deletes() {
    let (report, _) = bench("bench-linux", &["--rounds", "1"]);
    for name in COMPARED {
        let row = bench_row(&report, name);
        assert!(row[2].parse::<f64>().unwrap() > 0.0, "{name}: {row:?}");
        assert!(row[4].ends_with('×'), "{name}: {row:?}");
    }
    for mtu in ["1500", "64 KiB"] {
        let threads = bench_row(&report, &format!("bulk, MTU {mtu}"));
        let turns = bench_row(&report, &format!("bulk, MTU {mtu}, Linux in turns"));
        assert_eq!(turns[0], threads[0], "MTU {mtu}: the same synack figure");
        let linux: f64 = turns[2].parse().unwrap();
        assert!(linux > 0.0 && turns[1] == "—", "MTU {mtu}: {turns:?}");
        let ratio: f64 = turns[4].trim_end_matches('×').parse().unwrap();
        let synack: f64 = turns[0].parse().unwrap();
        assert!(
            (ratio - synack / linux).abs() < 0.01,
            "MTU {mtu}: {turns:?}"
        );
    }
    assert!(
        !report.contains("lowest–highest"),
        "one round has no spread:\n{report}"
    );
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&left.stdout).contains("synack-bench-"),
        "a namespace was left behind"
    );
}

#[test]
fn bench_names_a_plot_path_it_cannot_write_and_refuses_zero_rounds() {
    let (dir, file) = scratch_with_file("bench-refused", "a-file", "");
    let inside = file.join("bench.svg");
    let text = refused(&["bench", "--no-linux", "--plot", inside.to_str().unwrap()]);
    assert!(text.contains("a-file") && text.contains("--plot"), "{text}");
    let text = refused(&["bench", "--rounds", "0"]);
    assert!(text.contains("0") && text.contains("--rounds"), "{text}");
    // The hidden Linux peer names its modes when given another.
    let text = refused(&["bench-linux-peer", "bulk-sideways", "1024"]);
    assert!(text.contains("bulk-turns BYTES"), "{text}");
    std::fs::remove_dir_all(dir).ok();
}

/// A reader that goes away (`synack bench | head -1`) ends the report
/// quietly, killed by SIGPIPE as other Unix tools are, not with a panic.
#[test]
fn a_report_whose_reader_went_away_ends_quietly_without_a_panic() {
    use std::os::unix::net::UnixStream;
    use std::os::unix::process::ExitStatusExt;
    // The child's standard output: a socket whose other end is closed
    // before it starts, so its first line finds no reader.
    let (stdout, reader) = UnixStream::pair().unwrap();
    drop(reader);
    let dir = scratch("closed-stdout");
    let plot = dir.join("bench.svg");
    let out = Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(["bench", "--no-linux", "--rounds", "1", "--mib", "1"])
        .args(["--churn", "100", "--time-wait", "1000", "--plot"])
        .arg(&plot)
        .stdout(std::os::fd::OwnedFd::from(stdout))
        .output()
        .expect("runs synack");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.signal(), Some(13), "SIGPIPE ends it: {out:?}");
    std::fs::remove_dir_all(dir).ok();
}

/// Without the rights to make a network namespace (an unprivileged user
/// namespace here), the bench says so before it measures anything, and
/// names the way around it.
#[test]
fn bench_without_root_says_so_before_measuring_and_names_no_linux() {
    let out = Command::new("unshare")
        .args(["--user", "--map-user=65534"])
        .arg(env!("CARGO_BIN_EXE_synack"))
        .args(["bench", "--plot", "/dev/null"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("runs unshare (util-linux)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("ip netns add") && text.contains("--no-linux"),
        "{text}"
    );
    // The run's header line comes after the check, and before any figure.
    assert!(
        !text.contains("round(s)"),
        "nothing measured first:\n{text}"
    );
}

#[test]
fn tap_refuses_a_gateway_that_is_not_another_address_on_its_network_naming_it() {
    // Checked before any namespace or TAP is made, so no root is needed.
    let e = refused(&[
        "tap",
        "--serve",
        "echo",
        "--gateway",
        "10.9.9.9",
        "--seconds",
        "1",
    ]);
    assert!(e.contains("--gateway 10.9.9.9"), "{e}");
    assert!(
        e.contains("192.0.2.1"),
        "names the Linux side as an example: {e}"
    );
    let e = refused(&[
        "tap",
        "--serve",
        "echo",
        "--gateway",
        "192.0.2.2",
        "--seconds",
        "1",
    ]);
    assert!(
        e.contains("--gateway 192.0.2.2"),
        "synack's own address: {e}"
    );
}
