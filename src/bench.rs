//! `synack bench`: synack's host stack against smoltcp and Linux loopback,
//! in one run, interleaved, per CPU-second, as ratios (the machine may be
//! shared and noisy: only figures taken side by side are compared).
//!
//! Figures: bulk goodput at MTU 1500 and 64 KiB (software checksums; and
//! synack with checksums offloaded, to show what the fabric saves the
//! host; Linux driven both by two blocking threads and in the in-process
//! stacks' turns), connection churn (with TIME-WAIT records kept, and again with a
//! million already in the table), and resident memory per TIME-WAIT record
//! at a million. Bulk runs in this process; each churn figure in a fresh
//! one (`bench-churn`, hidden), Linux's in its network namespace. Writes a
//! plot next to the table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use plotters::prelude::*;
use synack_bench::linux::Driver;
use synack_bench::{Bulk, linux, smol, stack};

#[derive(Args)]
pub struct BenchArgs {
    /// Rounds of every measurement (medians are reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
    rounds: u32,
    /// MiB per bulk transfer.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=4096))]
    mib: u64,
    /// Connections per churn run.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(100..=10_000_000))]
    churn: u64,
    /// TIME-WAIT records for the memory figure and the full-table churn.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1000..=10_000_000))]
    time_wait: u64,
    /// Leave Linux out (it needs root to make a network namespace).
    #[arg(long)]
    no_linux: bool,
    /// Where to write the plot (SVG).
    #[arg(long, default_value = "bench-out/bench.svg")]
    plot: PathBuf,
}

/// One row of the report: a figure for each stack (medians over the
/// rounds; higher is better unless `lower_better`), and the lowest and
/// highest of synack's ratio to each peer within one round.
struct Row {
    name: String,
    unit: &'static str,
    synack: f64,
    smoltcp: Option<f64>,
    linux: Option<f64>,
    lower_better: bool,
    spread: [Option<(f64, f64)>; 2],
}

impl Row {
    /// A figure of synack's alone.
    fn synack_only(name: String, unit: &'static str, rounds: &[f64], lower_better: bool) -> Self {
        Row {
            name,
            unit,
            synack: median(rounds),
            smoltcp: None,
            linux: None,
            lower_better,
            spread: [None, None],
        }
    }

    /// A figure measured for synack and its peers, round by round (a peer
    /// with no figures, left out or not measured this way, shows none).
    fn compared(name: String, unit: &'static str, s: &[f64], m: &[f64], l: &[f64]) -> Self {
        let peer = |p: &[f64]| (!p.is_empty()).then(|| median(p));
        Row {
            name,
            unit,
            synack: median(s),
            smoltcp: peer(m),
            linux: peer(l),
            lower_better: false,
            spread: [ratio_range(s, m), ratio_range(s, l)],
        }
    }
}

/// The middle value (the upper of the two middle ones for an even count).
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The lowest and highest of `s[i] / peer[i]`, round by round: how far a
/// ratio taken side by side moves on this machine. `None` for fewer than
/// two rounds or a peer not measured.
fn ratio_range(s: &[f64], peer: &[f64]) -> Option<(f64, f64)> {
    if s.len() < 2 || peer.len() != s.len() || peer.iter().any(|p| *p <= 0.0) {
        return None;
    }
    let ratios = s.iter().zip(peer).map(|(s, p)| s / p);
    Some(
        ratios.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
            (lo.min(r), hi.max(r))
        }),
    )
}

pub fn run(a: &BenchArgs) -> Result<()> {
    if let Some(dir) = a.plot.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {}; choose another --plot", dir.display()))?;
    }
    std::fs::write(&a.plot, "")
        .with_context(|| format!("cannot write {}; choose another --plot", a.plot.display()))?;
    // One CPU for every stack: the churn processes and Linux's peer
    // started below inherit it.
    let cpu = synack_bench::cpu::pin_to_one_cpu().map_err(anyhow::Error::msg)?;
    let exe = std::env::current_exe().context("finding the synack executable")?;
    let linux_ok = !a.no_linux;
    if linux_ok {
        linux::check_available()?;
    }
    println!(
        "synack bench: {} round(s), interleaved, on CPU {cpu}; bulk {} MiB, churn {} connections, {} TIME-WAIT records",
        a.rounds, a.mib, a.churn, a.time_wait
    );
    let mut rows = Vec::new();
    for (mtu, label) in [(1500u16, "1500"), (65535, "64 KiB")] {
        let b = Bulk {
            mtu,
            bytes: a.mib << 20,
            offload: false,
        };
        let offloaded = Bulk { offload: true, ..b };
        let (mut s, mut o, mut m) = (Vec::new(), Vec::new(), Vec::new());
        let (mut l, mut lt) = (Vec::new(), Vec::new());
        for _ in 0..a.rounds {
            s.push(stack::bulk(b).gbit_per_cpu_s());
            m.push(smol::bulk(b).gbit_per_cpu_s());
            if linux_ok {
                l.push(linux::bulk(&exe, b, Driver::Threads)?.gbit_per_cpu_s());
                lt.push(linux::bulk(&exe, b, Driver::Turns)?.gbit_per_cpu_s());
            }
            o.push(stack::bulk(offloaded).gbit_per_cpu_s());
        }
        let unit = "Gbit/s per CPU-s";
        rows.push(Row::compared(
            format!("bulk, MTU {label}"),
            unit,
            &s,
            &m,
            &l,
        ));
        if linux_ok {
            // Linux alone: smoltcp is driven one way only.
            rows.push(Row::compared(
                format!("bulk, MTU {label}, Linux in turns"),
                unit,
                &s,
                &[],
                &lt,
            ));
        }
        rows.push(Row::synack_only(
            format!("bulk, MTU {label}, checksums offloaded"),
            unit,
            &o,
            false,
        ));
    }
    // Churn runs in fresh processes, every stack alike (Linux's in its
    // namespace): what a process did before (bulk buffers, a fragmented
    // heap) would otherwise weigh on the figure.
    let (mut s, mut full, mut bytes, mut m, mut l) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..a.rounds {
        s.push(churn_in_child(&exe, "synack", a.churn, 0)?.1);
        m.push(churn_in_child(&exe, "smoltcp", a.churn, 0)?.1);
        if linux_ok {
            l.push(linux::churn(&exe, a.churn)?.per_cpu_s());
        }
        let (b, c) = churn_in_child(&exe, "synack", a.churn, a.time_wait)?;
        bytes.push(b);
        full.push(c);
    }
    let unit = "connections per CPU-s";
    rows.push(Row::compared(
        "churn (TIME-WAIT kept)".into(),
        unit,
        &s,
        &m,
        &l,
    ));
    rows.push(Row::synack_only(
        format!("churn with {} TIME-WAIT records", a.time_wait),
        unit,
        &full,
        false,
    ));
    rows.push(Row::synack_only(
        format!("TIME-WAIT memory at {} records", a.time_wait),
        "resident bytes per record",
        &bytes,
        true,
    ));
    print_table(&rows);
    print_spread(&rows, a.rounds);
    plot(&a.plot, &rows)?;
    println!("wrote {}", a.plot.display());
    Ok(())
}

fn ratio(a: f64, b: Option<f64>) -> String {
    b.filter(|b| *b > 0.0)
        .map_or("—".into(), |b| format!("{:.2}×", a / b))
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<42} {:>12} {:>12} {:>12} {:>10} {:>10}  unit",
        "", "synack", "smoltcp", "Linux", "/smoltcp", "/Linux"
    );
    let f = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.2}"));
    for r in rows {
        println!(
            "{:<42} {:>12.2} {:>12} {:>12} {:>10} {:>10}  {}{}",
            r.name,
            r.synack,
            f(r.smoltcp),
            f(r.linux),
            ratio(r.synack, r.smoltcp),
            ratio(r.synack, r.linux),
            r.unit,
            if r.lower_better {
                " (lower is better)"
            } else {
                ""
            }
        );
    }
}

/// Below the table: each ratio's lowest and highest within one round, so a
/// reader sees how much the machine's noise moves it.
fn print_spread(rows: &[Row], rounds: u32) {
    let lines: Vec<String> = rows
        .iter()
        .filter(|r| r.spread.iter().any(Option::is_some))
        .map(|r| {
            let f = |x: Option<(f64, f64)>| {
                x.map_or("—".into(), |(lo, hi)| format!("{lo:.2}–{hi:.2}×"))
            };
            // The blank spans the synack, smoltcp and Linux columns of
            // `print_table` (three of 12 and their separators), so the
            // ranges stand under the table's ratios.
            format!(
                "{:<42} {:>38} {:>10} {:>10}",
                r.name,
                "",
                f(r.spread[0]),
                f(r.spread[1])
            )
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    println!("\nsynack ÷ peer within one round, lowest–highest of {rounds} rounds:");
    for l in lines {
        println!("{l}");
    }
}

/// A bar chart of synack's ratio to each peer, per figure (1.0 = parity).
fn plot(path: &Path, rows: &[Row]) -> Result<()> {
    let bars: Vec<(String, f64, f64)> = rows
        .iter()
        .filter(|r| r.smoltcp.is_some() || r.linux.is_some())
        .map(|r| {
            let q = |x: Option<f64>| x.filter(|x| *x > 0.0).map_or(0.0, |x| r.synack / x);
            (r.name.clone(), q(r.smoltcp), q(r.linux))
        })
        .collect();
    let top = bars.iter().flat_map(|b| [b.1, b.2]).fold(1.0f64, f64::max) * 1.15;
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "synack per CPU-second, as a multiple of each peer",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..bars.len() as f64, 0f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len())
        .x_label_formatter(&|x| bars.get(*x as usize).map_or(String::new(), |b| b.0.clone()))
        .y_desc("synack ÷ peer")
        .draw()?;
    for (i, (_, smol, lin)) in bars.iter().enumerate() {
        let x = i as f64;
        chart.draw_series([
            Rectangle::new([(x + 0.1, 0.0), (x + 0.45, *smol)], BLUE.filled()),
            Rectangle::new([(x + 0.55, 0.0), (x + 0.9, *lin)], RED.filled()),
        ])?;
    }
    chart.draw_series(LineSeries::new(
        [(0.0, 1.0), (bars.len() as f64, 1.0)],
        BLACK.stroke_width(1),
    ))?;
    root.titled("blue: ÷ smoltcp, red: ÷ Linux loopback", ("sans-serif", 12))?;
    root.present()?;
    Ok(())
}

/// Runs `bench-churn STACK CHURN RECORDS` in a fresh process; returns
/// (resident bytes per TIME-WAIT record, connections per CPU-second).
fn churn_in_child(exe: &Path, stack: &str, churn: u64, records: u64) -> Result<(f64, f64)> {
    let child = std::process::Command::new(exe)
        .args([
            "bench-churn",
            stack,
            &churn.to_string(),
            &records.to_string(),
        ])
        .output()
        .context("running a churn measurement")?;
    if !child.status.success() {
        bail!(
            "the {stack} churn measurement failed: {}",
            String::from_utf8_lossy(&child.stderr)
        );
    }
    let out = String::from_utf8_lossy(&child.stdout);
    let f: Vec<f64> = out
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let [bytes, rate] = f[..] else {
        bail!("the {stack} churn measurement printed `{out}`");
    };
    Ok((bytes, rate))
}

/// `bench-churn STACK CHURN RECORDS`: in a fresh process, CHURN connections
/// through STACK (`synack` or `smoltcp`); for synack, after RECORDS others
/// filled the TIME-WAIT table. Prints the resident bytes per record (0
/// without records) and connections per CPU-second.
pub fn churn_child(args: &[String]) -> Result<()> {
    let stack_name = args.first().map(String::as_str).unwrap_or("");
    let churn: u64 = args
        .get(1)
        .and_then(|x| x.parse().ok())
        .context("bench-churn: the second argument is the connection count")?;
    let records: u64 = args.get(2).and_then(|x| x.parse().ok()).unwrap_or(0);
    match stack_name {
        "synack" => {
            let c = stack::churn(churn, records);
            println!(
                "{:.1} {:.1}",
                c.bytes_per_prefilled_record,
                c.measurement.per_cpu_s()
            );
        }
        "smoltcp" => println!("0 {:.1}", smol::churn(churn).per_cpu_s()),
        other => bail!("bench-churn: no stack `{other}`; use synack or smoltcp"),
    }
    Ok(())
}
