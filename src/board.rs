//! `synack bitstream` and `synack program`: the Arty A7 from the emitted
//! Verilog to a programmed board (SPEC A1).
//!
//! `bitstream` writes ArtyTop's Verilog where `constraints/arty_files.txt`
//! says generated files go (the `--out` folder) and runs Vivado's batch
//! flow (`constraints/build.tcl`) on that list, when Vivado is installed;
//! otherwise it says what to install. `program` hands the bitstream to
//! openFPGALoader with the board's name, into the FPGA or its flash.
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// This repository (the CLI's crate root).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Arty variants: `--part` value, Vivado part, openFPGALoader board.
pub const PARTS: [(&str, &str, &str); 2] = [
    ("35t", "xc7a35ticsg324-1L", "arty_a7_35t"),
    ("100t", "xc7a100tcsg324-1", "arty_a7_100t"),
];

/// The Vivado part and openFPGALoader board of a `--part` value.
pub fn part(name: &str) -> Result<(&'static str, &'static str)> {
    PARTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, part, board)| (part, board))
        .with_context(|| format!("--part {name}: the Arty A7 comes as 35t or 100t"))
}

/// One line of the file list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// `verilog`, `standin` or `xdc`.
    pub kind: String,
    pub path: PathBuf,
    /// Emitted by `synack` (under `--out`) rather than kept in the repository.
    pub generated: bool,
}

/// The list of the board build's sources, `constraints/arty_files.txt`,
/// with generated files under `out`.
pub fn sources(out: &Path) -> Result<Vec<Source>> {
    let list = repo().join("constraints/arty_files.txt");
    let text = std::fs::read_to_string(&list)
        .with_context(|| format!("reading the board's file list {}", list.display()))?;
    let mut sources = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let [kind, root, path] = words[..] else {
            bail!("{}: `{line}` is not `kind root path`", list.display());
        };
        let (base, generated) = match root {
            "repo" => (repo(), false),
            "gen" => (out.to_path_buf(), true),
            _ => bail!("{}: root `{root}` is neither repo nor gen", list.display()),
        };
        sources.push(Source {
            kind: kind.to_owned(),
            path: base.join(path),
            generated,
        });
    }
    Ok(sources)
}

/// Writes ArtyTop's Verilog to the generated `verilog` entries of the list.
pub fn emit(out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| {
        format!(
            "cannot create {}; give a folder you can write with --out DIR",
            out.display()
        )
    })?;
    let mut written = Vec::new();
    for s in sources(out)?.into_iter().filter(|s| s.generated) {
        if s.kind != "verilog" {
            bail!(
                "constraints/arty_files.txt: generated {} is not Verilog; synack only emits Verilog",
                s.path.display()
            );
        }
        std::fs::write(&s.path, synack_hdl::board::arty::verilog())
            .with_context(|| format!("cannot write {}", s.path.display()))?;
        written.push(s.path);
    }
    Ok(written)
}

/// What `synack bitstream` prints when Vivado is not installed.
pub const INSTALL_VIVADO: &str = "\
Vivado is not on PATH. Install AMD Vivado ML Standard Edition (free of charge; it \
covers the Arty's xc7a35t and xc7a100t; 2020.2 or newer) from AMD's Vivado download \
page, with 'Artix-7' ticked under devices, then run `source <install dir>/Vivado/<version>/settings64.sh` \
in this shell (it puts `vivado` on PATH) and run `synack bitstream` again.";

pub fn bitstream(part_name: &str, out: &Path) -> Result<()> {
    let (part, _) = part(part_name)?;
    let files = emit(out)?;
    for f in &files {
        println!("wrote {}", f.display());
    }
    if !on_path("vivado") {
        bail!("{INSTALL_VIVADO}");
    }
    println!(
        "running Vivado for {part} (20-40 minutes); reports and synack_arty.bit go to {}",
        out.display()
    );
    let status = Command::new("vivado")
        .args(["-mode", "batch", "-nojournal", "-nolog", "-source"])
        .arg(repo().join("constraints/build.tcl"))
        .arg("-tclargs")
        .arg(part)
        .arg(out)
        .arg(repo())
        .status()
        .context("running vivado")?;
    if !status.success() {
        bail!(
            "Vivado's flow failed ({status}); its messages are above, the reports in {}",
            out.display()
        );
    }
    println!("bitstream: {}", out.join("synack_arty.bit").display());
    Ok(())
}

/// The openFPGALoader command line for a bitstream.
pub fn program_command(board: &str, bit: &Path, flash: bool) -> Vec<String> {
    let mut args = vec!["-b".to_owned(), board.to_owned()];
    if flash {
        args.push("-f".to_owned());
    }
    args.push(bit.display().to_string());
    args
}

pub fn program(part_name: &str, bit: &Path, flash: bool) -> Result<()> {
    let (_, board) = part(part_name)?;
    if !bit.is_file() {
        bail!(
            "no bitstream at {}; make one with `synack bitstream` (or give one with --bit FILE)",
            bit.display()
        );
    }
    if !on_path("openFPGALoader") {
        bail!(
            "openFPGALoader is not on PATH; install it with `apt-get install openfpgaloader` (Debian), or run scripts/setup.sh"
        );
    }
    let args = program_command(board, bit, flash);
    println!("openFPGALoader {}", args.join(" "));
    let status = Command::new("openFPGALoader")
        .args(&args)
        .status()
        .context("running openFPGALoader")?;
    if !status.success() {
        bail!(
            "openFPGALoader failed ({status}); is the board plugged in (USB, J10), and are you allowed to use it (root, or Digilent's udev rules)?"
        );
    }
    Ok(())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_map_to_vivado_parts_and_board_names() {
        assert_eq!(part("35t").unwrap(), ("xc7a35ticsg324-1L", "arty_a7_35t"));
        assert_eq!(part("100t").unwrap(), ("xc7a100tcsg324-1", "arty_a7_100t"));
        assert!(part("50t").is_err());
    }

    #[test]
    fn flash_programming_adds_the_flash_flag() {
        let bit = Path::new("out/arty/synack_arty.bit");
        assert_eq!(
            program_command("arty_a7_35t", bit, true),
            ["-b", "arty_a7_35t", "-f", "out/arty/synack_arty.bit"]
        );
        assert_eq!(program_command("arty_a7_35t", bit, false).len(), 3);
    }
}
