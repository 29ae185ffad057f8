//! Turns every design in `synack_hdl::verilog_tops()` into a linked Verilator model and
//! writes the Rust bindings for all of them to `$OUT_DIR/models.rs` (see `src/model.rs`).
//!
//! By concern: `build/verilator.rs` runs Verilator and the C++ compiler and caches their
//! output; `build/parse.rs` reads what Verilator writes (ports, class lists, warnings);
//! `build/shim.rs` writes each model's C ABI; `build/bindings.rs` the Rust types over it.
//! `tests/build_script.rs` unit-tests the last three, which need no Verilator.
//!
//! Invariants:
//! - Each top lives in `$OUT_DIR/v_{name}/`: its Verilog, Verilator's output, a generated
//!   `extern "C"` shim and the static library `libsynack_v{name}.a`. The directory is reused
//!   only while its `stamp` equals the hash of everything that produced it (Verilog, flags,
//!   Verilator version, compiler environment, the build script's sources); otherwise it is
//!   wiped and rebuilt.
//! - The Verilator runtime is compiled once, into `$OUT_DIR/verilated/`, for all tops, with
//!   the same defines as the models (mixing `VM_TRACE` values would break the ODR).
//! - C++ is always compiled at `-O2`, whatever the cargo profile: a debug model is too slow.
//! - Models are single-threaded (no `--threads`); each instance owns its `VerilatedContext`.
//! - Verilator's warnings are kept in each top's `verilator.log` and listed in
//!   `model::VERILATOR_WARNINGS`. Kinds waived in `hdl/verilator/lint_waivers.vlt` (each
//!   with its reason there) are not repeated on every build; any other kind is shown as
//!   a cargo warning, and `sim/tests/verilator_warnings.rs` fails on it.

#[path = "build/bindings.rs"]
mod bindings;
#[path = "build/parse.rs"]
mod parse;
#[path = "build/shim.rs"]
mod shim;
#[path = "build/verilator.rs"]
mod verilator;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::{env, fs};
use verilator::{Verilator, build_runtime, build_top};

/// Environment that changes what gets built; tracked by cargo and part of every stamp.
const TRACKED_ENV: &[&str] = &["VERILATOR", "VERILATOR_ROOT", "CXX", "CXXFLAGS", "AR"];

/// The lint waivers, each with its reason: warning kinds listed there are known.
const WAIVERS: &str = "../hdl/verilator/lint_waivers.vlt";
/// Verilator configuration every model is built with (block splitting).
const SPLIT: &str = "../hdl/verilator/split_blocks.vlt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-changed={WAIVERS}");
    println!("cargo:rerun-if-changed={SPLIT}");
    for var in TRACKED_ENV {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let trace = env::var_os("CARGO_FEATURE_TRACE").is_some();
    let verilator = Verilator::find();

    let tops = synack_hdl::verilog_tops();
    check_names(&tops);

    let env_key: String = TRACKED_ENV
        .iter()
        .chain(&["TARGET", "HOST"])
        .map(|v| format!("{v}={:?}\n", env::var(v).ok()))
        .collect();
    let waivers = fs::read_to_string(WAIVERS).unwrap_or_else(|e| panic!("reading {WAIVERS}: {e}"));
    let waived = parse::waived_kinds(&waivers);
    let split = verilator::Config::read(Path::new(SPLIT));
    let mut models = Vec::new();
    let mut runtime_files = BTreeSet::new();
    for top in tops.iter().filter(|t| t.simulate) {
        let built = build_top(top, &out_dir, &verilator, trace, &env_key, &split);
        for (code, count) in &built.model.warnings {
            if !waived.contains(code) {
                println!(
                    "cargo:warning=verilator: {count} {code} warning(s) in design `{}`, a kind not waived in \
                     hdl/verilator/lint_waivers.vlt; see {}",
                    built.model.name,
                    built.dir.join("verilator.log").display()
                );
            }
        }
        runtime_files.extend(built.runtime_files.iter().cloned());
        models.push(built);
    }
    let runtime_dir = build_runtime(&out_dir, &verilator, trace, &env_key, &runtime_files);

    // Static libraries must precede the libraries they use: models, then runtime, then libc++.
    for built in &models {
        println!("cargo:rustc-link-search=native={}", built.dir.display());
        println!("cargo:rustc-link-lib=static=synack_v{}", built.model.name);
    }
    println!("cargo:rustc-link-search=native={}", runtime_dir.display());
    println!("cargo:rustc-link-lib=static=synack_verilated");
    let target = env::var("TARGET").unwrap_or_default();
    let cxx_lib = if target.contains("apple") {
        "c++"
    } else {
        "stdc++"
    };
    println!("cargo:rustc-link-lib=dylib={cxx_lib}");
    if !target.contains("apple") {
        println!("cargo:rustc-link-lib=dylib=pthread");
    }

    let models: Vec<_> = models.into_iter().map(|built| built.model).collect();
    let rust = bindings::rust_bindings(&models, trace);
    write_if_changed(&out_dir.join("models.rs"), &rust);
}

fn check_names(tops: &[synack_hdl::VerilogTop]) {
    let mut seen = HashSet::new();
    for top in tops {
        let ok = top.name.starts_with(|c: char| c.is_ascii_lowercase())
            && top
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(
            ok,
            "verilog_tops(): name `{}` must be snake_case ([a-z][a-z0-9_]*)",
            top.name
        );
        assert!(
            seen.insert(top.name),
            "verilog_tops(): name `{}` is listed twice",
            top.name
        );
    }
}

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
