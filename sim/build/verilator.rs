//! Running Verilator and the C++ compiler: finding Verilator, Verilating a
//! top into its own directory, compiling it with its shim into a static
//! library, and compiling the Verilator runtime once for all tops; each
//! directory is reused while its stamp matches (see `build.rs`'s notes).

use crate::bindings::Model;
use crate::parse::{mk_list, parse_ports, root_members, warning_counts};
use crate::shim::c_shim;
use std::collections::BTreeSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// Optimisation level for all C++, independent of the cargo profile.
const CXX_OPT_LEVEL: u32 = 2;

/// The build script's own text: a change to any generator invalidates every cache.
const SOURCES: [&str; 5] = [
    include_str!("../build.rs"),
    include_str!("parse.rs"),
    include_str!("shim.rs"),
    include_str!("bindings.rs"),
    include_str!("verilator.rs"),
];

/// A model built for one top: what the bindings need, and where its library is.
pub struct Built {
    pub model: Model,
    /// Its directory: Verilog, Verilator's output and log, shim, library.
    pub dir: PathBuf,
    /// Verilator runtime files it needs (`VM_GLOBAL_*`).
    pub runtime_files: Vec<String>,
}

/// The Verilator installation: binary, include directory and version banner.
pub struct Verilator {
    bin: PathBuf,
    include: PathBuf,
    version: String,
}

impl Verilator {
    pub fn find() -> Self {
        let bin = PathBuf::from(env::var_os("VERILATOR").unwrap_or_else(|| "verilator".into()));
        let version = match Command::new(&bin).arg("--version").output() {
            Ok(out) if out.status.success() => {
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            }
            Ok(out) => panic!(
                "`{} --version` failed ({}): {}",
                bin.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if e.kind() == ErrorKind::NotFound => panic!(
                "synack-sim needs Verilator 5 to build its models, but `{}` was not found.\n\
                 Install it with `apt-get install verilator` (or point $VERILATOR at the binary).",
                bin.display()
            ),
            Err(e) => panic!("cannot run `{}`: {e}", bin.display()),
        };
        let major = version
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if major.is_none_or(|m| m < 5) {
            panic!(
                "synack-sim needs Verilator 5 (`apt-get install verilator` on Debian 12), found `{version}`"
            );
        }
        let root = Command::new(&bin)
            .args(["--getenv", "VERILATOR_ROOT"])
            .output()
            .expect("running `verilator --getenv VERILATOR_ROOT`");
        let root = PathBuf::from(String::from_utf8_lossy(&root.stdout).trim());
        let include = root.join("include");
        if !include.join("verilated.cpp").is_file() {
            panic!(
                "Verilator runtime not found in {} (from `verilator --getenv VERILATOR_ROOT`); \
                 reinstall with `apt-get install verilator`",
                include.display()
            );
        }
        Verilator {
            bin,
            include,
            version,
        }
    }

    /// A `cc::Build` with the flags Verilator's own makefile (`verilated.mk`) would use.
    fn cxx(&self, trace: bool, out_dir: &Path) -> cc::Build {
        let mut build = cc::Build::new();
        build
            .cpp(true)
            .std("gnu++17")
            .opt_level(CXX_OPT_LEVEL)
            .debug(false)
            .warnings(false)
            .cargo_metadata(false)
            .out_dir(out_dir)
            .include(&self.include)
            .include(self.include.join("vltstd"))
            .flag("-faligned-new")
            .flag("-pthread")
            .define("VM_COVERAGE", "0")
            .define("VM_SC", "0")
            .define("VM_TRACE", if trace { "1" } else { "0" })
            .define("VM_TRACE_VCD", if trace { "1" } else { "0" })
            .define("VM_TRACE_FST", "0");
        build
    }
}

fn hash_key(parts: &[&str]) -> String {
    let mut h = DefaultHasher::new();
    SOURCES.hash(&mut h);
    parts.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// Reuses `dir` if its stamp says `key`, else empties it and runs `build`, then stamps it.
fn cached(dir: &Path, key: &str, lib: &str, build: impl FnOnce()) {
    let stamp = dir.join("stamp");
    let fresh = fs::read_to_string(&stamp).is_ok_and(|s| s == key)
        && dir.join(format!("lib{lib}.a")).is_file();
    if fresh {
        return;
    }
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap_or_else(|e| panic!("removing {}: {e}", dir.display()));
    }
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    build();
    fs::write(&stamp, key).unwrap_or_else(|e| panic!("writing {}: {e}", stamp.display()));
}

/// A Verilator configuration file (`.vlt`) passed to every model's build:
/// its absolute path, and its text (part of each model's cache key).
pub struct Config {
    pub path: PathBuf,
    pub text: String,
}

impl Config {
    pub fn read(path: &Path) -> Self {
        let path = fs::canonicalize(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = read(&path);
        Self { path, text }
    }
}

/// Verilates and compiles `top` into `$OUT_DIR/v_{name}/` (or reuses it).
pub fn build_top(
    top: &synack_hdl::VerilogTop,
    out_dir: &Path,
    verilator: &Verilator,
    trace: bool,
    env_key: &str,
    config: &Config,
) -> Built {
    let name = top.name;
    let dir = out_dir.join(format!("v_{name}"));
    let prefix = format!("V{name}");
    let source = dir.join(format!("{name}.v"));
    let mut args: Vec<String> = [
        "--cc",
        "-O3",
        "-Wno-fatal",
        "-Wno-lint",
        "-Wno-style",
        "--prefix",
        &prefix,
        "--top-module",
        top.module,
        "-Mdir",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(dir.display().to_string());
    if trace {
        args.push("--trace".into());
    }
    let verilog = top.simulation_verilog();
    let key = hash_key(&[
        &verilator.version,
        &args.join(" "),
        env_key,
        &config.text,
        &verilog,
    ]);
    let lib = format!("synack_v{name}");

    cached(&dir, &key, &lib, || {
        fs::write(&source, &verilog).expect("writing Verilog to OUT_DIR");
        let out = Command::new(&verilator.bin)
            .args(&args)
            .arg(&config.path)
            .arg(&source)
            .output()
            .expect("running verilator");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            panic!(
                "verilator failed on design `{name}` ({}):\n{}",
                out.status, stderr
            );
        }
        // Lint is the HDL crate's business: keep the log; main() reports kinds
        // not waived.
        fs::write(dir.join("verilator.log"), stderr.as_bytes()).expect("writing verilator.log");
        let classes = read(&dir.join(format!("{prefix}_classes.mk")));
        let ports = parse_ports(&read(&dir.join(format!("{prefix}.h"))), name);
        let members = root_members(&read(&dir.join(format!("{prefix}___024root.h"))));
        fs::write(
            dir.join("synack_shim.cpp"),
            c_shim(name, &ports, &members, trace),
        )
        .expect("writing shim");

        let mut build = verilator.cxx(trace, &dir);
        build.include(&dir);
        for var in [
            "VM_CLASSES_FAST",
            "VM_CLASSES_SLOW",
            "VM_SUPPORT_FAST",
            "VM_SUPPORT_SLOW",
        ] {
            for class in mk_list(&classes, var) {
                build.file(dir.join(format!("{class}.cpp")));
            }
        }
        build.file(dir.join("synack_shim.cpp"));
        build.compile(&lib);
    });

    let classes = read(&dir.join(format!("{prefix}_classes.mk")));
    let mut runtime_files = mk_list(&classes, "VM_GLOBAL_FAST");
    runtime_files.extend(mk_list(&classes, "VM_GLOBAL_SLOW"));
    // A cache made before logs were kept has none: treat it as no warnings.
    let log = fs::read_to_string(dir.join("verilator.log")).unwrap_or_default();
    Built {
        model: Model {
            name: name.to_owned(),
            ports: parse_ports(&read(&dir.join(format!("{prefix}.h"))), name),
            warnings: warning_counts(&log),
        },
        dir,
        runtime_files,
    }
}

/// Compiles the Verilator runtime `files` once, for every model, into `$OUT_DIR/verilated/`.
pub fn build_runtime(
    out_dir: &Path,
    verilator: &Verilator,
    trace: bool,
    env_key: &str,
    files: &BTreeSet<String>,
) -> PathBuf {
    let dir = out_dir.join("verilated");
    let list: Vec<&str> = files.iter().map(String::as_str).collect();
    let key = hash_key(&[
        &verilator.version,
        &verilator.include.display().to_string(),
        &format!("trace={trace}"),
        env_key,
        &list.join(" "),
    ]);
    cached(&dir, &key, "synack_verilated", || {
        let mut build = verilator.cxx(trace, &dir);
        for file in files {
            build.file(verilator.include.join(format!("{file}.cpp")));
        }
        build.compile("synack_verilated");
    });
    dir
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
