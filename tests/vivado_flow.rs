//! The Vivado flow without Vivado: `constraints/build.tcl` runs under
//! tclsh with every Vivado command stubbed (`constraints/dry_run.tcl`), on
//! the Verilog `synack bitstream` emits. It must read every file of the
//! list (each exists), synthesise for the right part, and its XDC must name
//! only ArtyTop's ports and give every ArtyTop port a pin and an I/O
//! standard.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run synack")
}

/// A fresh temporary folder.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("synack-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// ArtyTop's ports as `name` or `name[i]`, one per pin.
fn arty_top_pins(verilog: &str) -> BTreeSet<String> {
    let start = verilog.find("module top(").expect("module top");
    let end = start + verilog[start..].find("endmodule // top").expect("its end");
    let mut pins = BTreeSet::new();
    for line in verilog[start..end].lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !matches!(words.first(), Some(&("input" | "output" | "inout"))) {
            continue;
        }
        let name = words.last().unwrap().trim_end_matches(';');
        match words
            .iter()
            .find_map(|w| w.strip_prefix('[')?.strip_suffix(":0]"))
        {
            Some(msb) => {
                for i in 0..=msb.parse::<u32>().unwrap() {
                    pins.insert(format!("{name}[{i}]"));
                }
            }
            None => {
                pins.insert(name.to_owned());
            }
        }
    }
    pins
}

/// Does an XDC port pattern (`eth_txd[*]`, `led[0]`, `clk100`) match `pin`?
fn matches(pattern: &str, pin: &str) -> bool {
    match pattern.strip_suffix("[*]") {
        Some(base) => pin.strip_prefix(base).is_some_and(|r| r.starts_with('[')),
        None => pattern == pin,
    }
}

struct DryRun {
    lines: Vec<String>,
    exit: i32,
}

fn dry_run(part: &str, out: &Path) -> DryRun {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("tclsh")
        .arg(repo.join("constraints/dry_run.tcl"))
        .arg(part)
        .arg(out)
        .arg(repo)
        .output()
        .expect("tclsh is installed (apt-get install tcl; scripts/setup.sh does)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code().is_some(),
        "tclsh died: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    DryRun {
        lines: text.lines().map(str::to_owned).collect(),
        exit: output.status.code().unwrap(),
    }
}

fn emitted(dir: &Path) -> String {
    let out = synack(&["bitstream", "--out", dir.to_str().unwrap()]);
    // No Vivado on this PATH: it emits the Verilog, then says what to install.
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Vivado is not on PATH") && stderr.contains("settings64.sh"),
        "{stderr}"
    );
    std::fs::read_to_string(dir.join("arty_top.v")).expect("bitstream emitted arty_top.v")
}

#[test]
fn the_vivado_script_reads_every_listed_file_for_the_right_part() {
    let dir = temp_dir("vivado-files");
    emitted(&dir);
    let run = dry_run("xc7a35ticsg324-1L", &dir);
    assert_eq!(run.exit, 0, "{:#?}", run.lines);
    let read: Vec<&str> = run
        .lines
        .iter()
        .filter_map(|l| {
            l.strip_prefix("read_verilog ")
                .or(l.strip_prefix("read_xdc "))
        })
        .collect();
    assert_eq!(read.len(), 2, "the design and the XDC: {read:?}");
    for f in &read {
        assert!(Path::new(f).is_file(), "{f} does not exist");
    }
    assert!(read[0].ends_with("arty_top.v") && read[1].ends_with("constraints/arty_a7.xdc"));
    assert!(
        run.lines
            .iter()
            .any(|l| l == "synth_design part xc7a35ticsg324-1L top top"),
        "{:#?}",
        run.lines
    );
    // The 100T's part goes through as given.
    let run = dry_run("xc7a100tcsg324-1", &dir);
    assert!(
        run.lines
            .iter()
            .any(|l| l.starts_with("synth_design part xc7a100tcsg324-1 "))
    );
    // A listed file that is missing stops the flow before synthesis.
    std::fs::remove_file(dir.join("arty_top.v")).unwrap();
    let run = dry_run("xc7a35ticsg324-1L", &dir);
    assert_eq!(run.exit, 2);
    assert!(!run.lines.iter().any(|l| l.starts_with("synth_design")));
}

#[test]
fn every_xdc_port_is_an_arty_top_port_and_every_arty_top_port_has_a_pin() {
    let dir = temp_dir("vivado-ports");
    let pins = arty_top_pins(&emitted(&dir));
    let run = dry_run("xc7a35ticsg324-1L", &dir);
    assert_eq!(run.exit, 0);
    let mut placed: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut named = BTreeSet::new();
    for line in &run.lines {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '{' || c == '}').to_owned())
            .collect();
        match words.first().map(String::as_str) {
            Some("port") => {
                named.insert(words[1].clone());
            }
            Some("pin") => {
                let old = placed.insert(words[1].clone(), (words[2].clone(), words[3].clone()));
                assert!(old.is_none(), "{} is placed twice", words[1]);
            }
            _ => {}
        }
    }
    for pattern in &named {
        assert!(
            pins.iter().any(|p| matches(pattern, p)),
            "the XDC names `{pattern}`, which is no ArtyTop port"
        );
    }
    for pin in &pins {
        let (site, standard) = placed
            .get(pin)
            .unwrap_or_else(|| panic!("ArtyTop's `{pin}` has no PACKAGE_PIN in the XDC"));
        assert_eq!(standard, "LVCMOS33", "{pin}");
        assert!(!site.is_empty());
    }
    let sites: BTreeSet<_> = placed.values().map(|(s, _)| s).collect();
    assert_eq!(sites.len(), placed.len(), "two ports share a pin");
    // Spot checks against the board's schematic.
    for (pin, site) in [
        ("clk100", "E3"),
        ("ck_rst_n", "C2"),
        ("uart_rxd_out", "D10"),
        ("uart_txd_in", "A9"),
        ("eth_ref_clk", "G18"),
    ] {
        assert_eq!(placed[pin].0, site, "{pin}");
    }
}
