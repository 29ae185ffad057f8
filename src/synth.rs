//! `synack synth-report`: Yosys `synth_xilinx -family xc7` figures for a design.
//!
//! Yosys stands in for Vivado here: its counts are close enough to check fit
//! (LUT, FF, block RAM, CARRY4) but timing needs Vivado.
//!
//! The design is flattened before synthesis, as Vivado's `synth_design`
//! does by default (`-flatten_hierarchy rebuilt`): rust-hdl emits every
//! register as a module of its own, and kept apart they cost a LUT per bit
//! for the hold multiplexer that flattening folds into the flip-flop's
//! enable. [`Hierarchy::Kept`] keeps every module, for per-block figures in
//! the work folder's `stat.txt` (larger counts, and slower).
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// Resource figures for one design, from Yosys `stat`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Utilization {
    pub luts: u64,
    pub flip_flops: u64,
    pub ramb36: u64,
    pub ramb18: u64,
    pub lutram: u64,
    pub carry4: u64,
    pub muxf7_f8: u64,
}

impl Utilization {
    /// Block RAM in RAMB36 units: two RAMB18 fill one RAMB36.
    pub fn bram36_equivalent(&self) -> f64 {
        self.ramb36 as f64 + self.ramb18 as f64 / 2.0
    }

    /// Reads the cell counts of the top's `stat` (the last "Number of cells" block).
    pub fn from_stat(stat: &str) -> Result<Self> {
        let block = stat
            .rsplit("Number of cells:")
            .next()
            .context("no cell counts in Yosys output")?;
        let mut u = Utilization::default();
        for line in block.lines().skip(1) {
            let mut words = line.split_whitespace();
            let (Some(cell), Some(count)) = (words.next(), words.next()) else {
                break;
            };
            let Ok(count) = count.parse::<u64>() else {
                break;
            };
            match cell {
                c if c.starts_with("LUT") => u.luts += count,
                c if c.starts_with("FD") => u.flip_flops += count,
                "RAMB36E1" => u.ramb36 += count,
                "RAMB18E1" => u.ramb18 += count,
                c if c.starts_with("RAM32")
                    || c.starts_with("RAM64")
                    || c.starts_with("RAM128") =>
                {
                    u.lutram += count
                }
                "CARRY4" => u.carry4 += count,
                "MUXF7" | "MUXF8" => u.muxf7_f8 += count,
                _ => {}
            }
        }
        if u.luts == 0 {
            bail!("Yosys reported no LUTs: the design was optimised away or synthesis failed");
        }
        Ok(u)
    }
}

/// Whether Yosys flattens the design before synthesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// One module, as Vivado synthesises by default: the figures to check fit with.
    Flattened,
    /// Every module kept, each with its own figures in `stat.txt`.
    Kept,
}

impl Hierarchy {
    /// `-flatten` or nothing: the flag `synth_xilinx` takes.
    fn flag(self) -> &'static str {
        match self {
            Hierarchy::Flattened => " -flatten",
            Hierarchy::Kept => "",
        }
    }

    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            Hierarchy::Flattened => "flattened",
            Hierarchy::Kept => "hierarchy kept",
        }
    }
}

/// Synthesises `verilog` (top module `module`) for 7-series parts.
pub fn synthesize(
    verilog: &str,
    module: &str,
    work: &Path,
    hierarchy: Hierarchy,
) -> Result<Utilization> {
    std::fs::create_dir_all(work).with_context(|| {
        format!(
            "cannot create Yosys' work folder {}; give a folder you can write with --work DIR",
            work.display()
        )
    })?;
    let source = work.join("design.v");
    let stat = work.join("stat.txt");
    std::fs::write(&source, verilog).with_context(|| {
        format!(
            "cannot write {}; give another folder with --work DIR",
            source.display()
        )
    })?;
    let flatten = hierarchy.flag();
    let script = format!(
        "read_verilog {}; synth_xilinx -family xc7{flatten} -top {module}; tee -q -o {} stat",
        source.display(),
        stat.display()
    );
    let output = Command::new("yosys")
        .args(["-q", "-l"])
        .arg(work.join("yosys.log"))
        .args(["-p", &script])
        .output()
        .context("running yosys (install it: apt-get install yosys)")?;
    if !output.status.success() {
        bail!(
            "yosys failed ({}); see {}",
            String::from_utf8_lossy(&output.stderr).trim(),
            work.join("yosys.log").display()
        );
    }
    let stat = std::fs::read_to_string(&stat)
        .with_context(|| format!("reading Yosys' figures from {}", stat.display()))?;
    Utilization::from_stat(&stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_top_level_cell_counts() {
        let stat = "=== sub ===\n   Number of cells: 3\n     LUT2 3\n\n=== design hierarchy ===\n\
                    Number of cells:               20\n     CARRY4 4\n     FDRE 7\n     LUT3 2\n     LUT6 3\n     \
                    RAM32M 2\n     RAMB18E1 3\n     RAMB36E1 1\n\n";
        let u = Utilization::from_stat(stat).unwrap();
        assert_eq!(u.luts, 5);
        assert_eq!(u.flip_flops, 7);
        assert_eq!(u.carry4, 4);
        assert_eq!(u.lutram, 2);
        assert_eq!(u.bram36_equivalent(), 2.5);
    }
}
