//! Turns every design in `synack_hdl::verilog_tops()` into a linked Verilator model and
//! writes the Rust bindings for all of them to `$OUT_DIR/models.rs` (see `src/model.rs`).
//!
//! Invariants:
//! - Each top lives in `$OUT_DIR/v_{name}/`: its Verilog, Verilator's output, a generated
//!   `extern "C"` shim and the static library `libsynack_v{name}.a`. The directory is reused
//!   only while its `stamp` equals the hash of everything that produced it (Verilog, flags,
//!   Verilator version, compiler environment, this file); otherwise it is wiped and rebuilt.
//! - The Verilator runtime is compiled once, into `$OUT_DIR/verilated/`, for all tops, with
//!   the same defines as the models (mixing `VM_TRACE` values would break the ODR).
//! - C++ is always compiled at `-O2`, whatever the cargo profile: a debug model is too slow.
//! - Models are single-threaded (no `--threads`); each instance owns its `VerilatedContext`.
//! - Verilator's warnings are kept in each top's `verilator.log` and listed in
//!   `model::VERILATOR_WARNINGS`. Kinds waived in `hdl/verilator/lint_waivers.vlt` (each
//!   with its reason there) are not repeated on every build; any other kind is shown as
//!   a cargo warning, and `sim/tests/verilator_warnings.rs` fails on it.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// Environment that changes what gets built; tracked by cargo and part of every stamp.
const TRACKED_ENV: &[&str] = &["VERILATOR", "VERILATOR_ROOT", "CXX", "CXXFLAGS", "AR"];

/// Optimisation level for all C++, independent of the cargo profile.
const CXX_OPT_LEVEL: u32 = 2;

/// The lint waivers, each with its reason: warning kinds listed there are known.
const WAIVERS: &str = "../hdl/verilator/lint_waivers.vlt";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={WAIVERS}");
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
    let waived = waived_kinds();
    let mut models = Vec::new();
    let mut runtime_files = BTreeSet::new();
    for top in &tops {
        let model = build_top(top, &out_dir, &verilator, trace, &env_key);
        for (code, count) in &model.warnings {
            if !waived.contains(code) {
                println!(
                    "cargo:warning=verilator: {count} {code} warning(s) in design `{}`, a kind not waived in \
                     hdl/verilator/lint_waivers.vlt; see {}",
                    model.name,
                    model.dir.join("verilator.log").display()
                );
            }
        }
        runtime_files.extend(model.runtime_files.iter().cloned());
        models.push(model);
    }
    let runtime_dir = build_runtime(&out_dir, &verilator, trace, &env_key, &runtime_files);

    // Static libraries must precede the libraries they use: models, then runtime, then libc++.
    for model in &models {
        println!("cargo:rustc-link-search=native={}", model.dir.display());
        println!("cargo:rustc-link-lib=static=synack_v{}", model.name);
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

    let rust = rust_bindings(&models, trace);
    write_if_changed(&out_dir.join("models.rs"), &rust);
}

/// The Verilator installation: binary, include directory and version banner.
struct Verilator {
    bin: PathBuf,
    include: PathBuf,
    version: String,
}

impl Verilator {
    fn find() -> Self {
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

/// One port as declared in the Verilated header (`VL_IN8(&a,7,0);`).
struct PortDecl {
    name: String,
    dir: Dir,
    width: u32,
    /// 32-bit words for ports wider than 64 bits (`VL_INW`), else 0.
    words: u32,
    /// The C++ storage type for ports of up to 64 bits.
    ctype: &'static str,
}

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    In,
    Out,
    InOut,
}

struct Model {
    name: String,
    dir: PathBuf,
    ports: Vec<PortDecl>,
    runtime_files: Vec<String>,
    /// Verilator's warnings for this top: (code, count), by code.
    warnings: Vec<(String, usize)>,
}

/// The warning kinds `lint_waivers.vlt` waives (`lint_off -rule KIND`).
fn waived_kinds() -> Vec<String> {
    let text = fs::read_to_string(WAIVERS).unwrap_or_else(|e| panic!("reading {WAIVERS}: {e}"));
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("lint_off -rule "))
        .map(|kind| kind.trim().to_owned())
        .collect()
}

/// Warning codes and counts in a Verilator log (`%Warning-CODE: ...` lines).
fn warning_counts(log: &str) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for code in log
        .lines()
        .filter_map(|l| l.strip_prefix("%Warning-")?.split(':').next())
    {
        *counts.entry(code.to_owned()).or_insert(0) += 1;
    }
    counts.into_iter().collect()
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

fn hash_key(parts: &[&str]) -> String {
    let mut h = DefaultHasher::new();
    // The build script's own text: a change to the generators invalidates every cache.
    include_str!("build.rs").hash(&mut h);
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

fn build_top(
    top: &synack_hdl::VerilogTop,
    out_dir: &Path,
    verilator: &Verilator,
    trace: bool,
    env_key: &str,
) -> Model {
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
    let key = hash_key(&[&verilator.version, &args.join(" "), env_key, &top.verilog]);
    let lib = format!("synack_v{name}");

    cached(&dir, &key, &lib, || {
        fs::write(&source, &top.verilog).expect("writing Verilog to OUT_DIR");
        let out = Command::new(&verilator.bin)
            .args(&args)
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
        // not waived (UNOPTFLAT, waived, costs simulation speed, which is measured).
        fs::write(dir.join("verilator.log"), stderr.as_bytes()).expect("writing verilator.log");
        let classes = read(&dir.join(format!("{prefix}_classes.mk")));
        let ports = parse_ports(&read(&dir.join(format!("{prefix}.h"))), name);
        fs::write(dir.join("synack_shim.cpp"), c_shim(name, &ports, trace)).expect("writing shim");

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
    Model {
        name: name.to_owned(),
        ports: parse_ports(&read(&dir.join(format!("{prefix}.h"))), name),
        dir,
        runtime_files,
        warnings: warning_counts(&log),
    }
}

fn build_runtime(
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

fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// The names in a `VAR += \ a \ b \` list of a Verilator `_classes.mk`.
fn mk_list(mk: &str, var: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = mk.lines();
    while let Some(line) = lines.next() {
        if line.split_whitespace().next() != Some(var) {
            continue;
        }
        let mut cont = line.trim_end().ends_with('\\');
        while cont {
            let Some(next) = lines.next() else { break };
            cont = next.trim_end().ends_with('\\');
            let item = next.trim().trim_end_matches('\\').trim();
            if !item.is_empty() {
                names.push(item.to_owned());
            }
        }
    }
    names
}

/// Port declarations of the model class in `V{name}.h`, in declaration order.
fn parse_ports(header: &str, design: &str) -> Vec<PortDecl> {
    let mut ports = Vec::new();
    for line in header.lines().map(str::trim) {
        let Some((mac, rest)) = line.split_once('(') else {
            continue;
        };
        let (dir, ctype, wide) = match mac {
            "VL_IN8" => (Dir::In, "uint8_t", false),
            "VL_IN16" => (Dir::In, "uint16_t", false),
            "VL_IN" => (Dir::In, "uint32_t", false),
            "VL_IN64" => (Dir::In, "uint64_t", false),
            "VL_INW" => (Dir::In, "", true),
            "VL_OUT8" => (Dir::Out, "uint8_t", false),
            "VL_OUT16" => (Dir::Out, "uint16_t", false),
            "VL_OUT" => (Dir::Out, "uint32_t", false),
            "VL_OUT64" => (Dir::Out, "uint64_t", false),
            "VL_OUTW" => (Dir::Out, "", true),
            "VL_INOUT8" => (Dir::InOut, "uint8_t", false),
            "VL_INOUT16" => (Dir::InOut, "uint16_t", false),
            "VL_INOUT" => (Dir::InOut, "uint32_t", false),
            "VL_INOUT64" => (Dir::InOut, "uint64_t", false),
            "VL_INOUTW" => (Dir::InOut, "", true),
            _ => continue,
        };
        let args = rest
            .trim_end_matches(';')
            .trim_end()
            .strip_suffix(')')
            .unwrap_or_else(|| panic!("{design}: unexpected port line `{line}`"));
        let fields: Vec<&str> = args.split(',').map(str::trim).collect();
        let num = |i: usize| -> u32 {
            fields
                .get(i)
                .and_then(|f| f.parse().ok())
                .unwrap_or_else(|| panic!("{design}: cannot parse port line `{line}`"))
        };
        let name = fields[0].trim_start_matches('&').to_owned();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{design}: odd port name in `{line}`"
        );
        let (msb, lsb) = (num(1), num(2));
        let width = msb.abs_diff(lsb) + 1;
        let words = if wide { num(3) } else { 0 };
        if wide {
            assert_eq!(words, width.div_ceil(32), "{design}: `{line}`");
        }
        ports.push(PortDecl {
            name,
            dir,
            width,
            words,
            ctype,
        });
    }
    assert!(
        !ports.is_empty(),
        "{design}: no ports found in the Verilated header"
    );
    ports
}

/// Mask of the valid bits of a port of `width` <= 64 bits, as a C literal.
fn mask64(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

fn c_shim(name: &str, ports: &[PortDecl], trace: bool) -> String {
    let s = format!("synack_{name}");
    let mut c = String::new();
    let _ = write!(
        c,
        r#"// Generated by synack-sim/build.rs; the C ABI that src/model.rs binds to.
#include <cstdint>
#include "verilated.h"
#include "V{name}.h"
{trace_include}
// One simulation: its own context (time, trace switch), the model, and an optional VCD.
// `_delete` frees the model before the context member it points to.
struct {s} {{
    VerilatedContext ctx;
    V{name}* top = nullptr;
{trace_member}}};

// The runtime finds "the" context through a thread-local (for $finish, fatal errors, trace
// setup). A model may be used from any thread, so every entry point that runs model or
// runtime code first points this thread at the model's own context; the pointer is then
// never stale when read, even after another simulation was deleted.
static inline void {s}_bind({s}* sim) {{
    if (Verilated::threadContextp() != &sim->ctx) Verilated::threadContextp(&sim->ctx);
}}

extern "C" {{
{s}* {s}_new() noexcept {{
    {s}* sim = new {s};
{trace_ever_on}    sim->top = new V{name}{{&sim->ctx, "TOP"}};
    return sim;
}}
void {s}_delete({s}* sim) noexcept {{
    {s}_bind(sim);
    sim->top->final();
{trace_close}    delete sim->top;
    delete sim;
    // Leave no dangling context behind for this thread (other threads rebind on entry).
    Verilated::threadContextp(nullptr);
}}
void {s}_eval({s}* sim) noexcept {{
    {s}_bind(sim);
    sim->top->eval();
}}
uint64_t {s}_time(const {s}* sim) noexcept {{ return sim->ctx.time(); }}
void {s}_set_time({s}* sim, uint64_t t) noexcept {{ sim->ctx.time(t); }}
"#,
        trace_include = if trace {
            "#include \"verilated_vcd_c.h\"\n"
        } else {
            ""
        },
        trace_member = if trace {
            "    VerilatedVcdC* vcd = nullptr;\n"
        } else {
            ""
        },
        trace_ever_on = if trace {
            "    sim->ctx.traceEverOn(true);\n"
        } else {
            ""
        },
        trace_close = if trace {
            "    if (sim->vcd) { sim->vcd->close(); delete sim->vcd; }\n"
        } else {
            ""
        },
    );
    if trace {
        let _ = write!(
            c,
            r#"int {s}_trace_open({s}* sim, const char* path) noexcept {{
    {s}_bind(sim);
    if (sim->vcd) {{ sim->vcd->close(); delete sim->vcd; }}
    sim->vcd = new VerilatedVcdC;
    sim->top->trace(sim->vcd, 99);
    sim->vcd->open(path);
    if (sim->vcd->isOpen()) return 0;
    delete sim->vcd;
    sim->vcd = nullptr;
    return -1;
}}
void {s}_trace_dump({s}* sim) noexcept {{
    {s}_bind(sim);
    if (sim->vcd) sim->vcd->dump(sim->ctx.time());
}}
void {s}_trace_flush({s}* sim) noexcept {{
    {s}_bind(sim);
    if (sim->vcd) sim->vcd->flush();
}}
void {s}_trace_close({s}* sim) noexcept {{
    {s}_bind(sim);
    if (sim->vcd) {{ sim->vcd->close(); delete sim->vcd; sim->vcd = nullptr; }}
}}
"#
        );
    }
    for p in ports {
        let n = &p.name;
        if p.words == 0 {
            if p.dir != Dir::Out {
                let _ = writeln!(
                    c,
                    "void {s}_set_{n}({s}* sim, uint64_t v) noexcept {{ sim->top->{n} = ({ct})(v & {m:#x}ULL); }}",
                    ct = p.ctype,
                    m = mask64(p.width),
                );
            }
            let _ = writeln!(
                c,
                "uint64_t {s}_get_{n}(const {s}* sim) noexcept {{ return sim->top->{n}; }}"
            );
        } else {
            let w = p.words;
            let top_mask = if p.width % 32 == 0 {
                u32::MAX
            } else {
                (1u32 << (p.width % 32)) - 1
            };
            if p.dir != Dir::Out {
                let _ = writeln!(
                    c,
                    "void {s}_set_{n}({s}* sim, const uint32_t* v) noexcept {{\n    \
                     for (int i = 0; i < {w}; ++i) sim->top->{n}[i] = v[i];\n    \
                     sim->top->{n}[{last}] &= {top_mask:#x}U;\n}}",
                    last = w - 1,
                );
            }
            let _ = writeln!(
                c,
                "const uint32_t* {s}_get_{n}(const {s}* sim) noexcept {{ return sim->top->{n}.data(); }}"
            );
        }
    }
    c.push_str("}  // extern \"C\"\n");
    c
}

fn camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `name` as a Rust identifier usable as a method name (raw if it is a keyword).
fn method_ident(name: &str, design: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
        "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    assert!(
        !["self", "Self", "super", "crate", "_"].contains(&name),
        "{design}: port `{name}` cannot be a Rust method name; rename it"
    );
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

fn rust_bindings(models: &[Model], trace: bool) -> String {
    let mut r = String::from(
        "// Generated by synack-sim/build.rs from the Verilated headers. Do not edit.\n\n\
         /// Raw C ABI of the generated shims; only the wrappers below call it.\n\
         mod ffi {\n",
    );
    for m in models {
        let s = format!("synack_{}", m.name);
        let raw = format!("Raw{}", camel(&m.name));
        let _ = write!(
            r,
            "    /// Opaque `struct {s}` (context + model) owned by the C++ shim.\n    \
             #[repr(C)]\n    \
             pub struct {raw} {{\n        \
             _opaque: [u8; 0],\n        \
             _not_send_sync_unpin: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,\n    \
             }}\n\n    \
             unsafe extern \"C\" {{\n        \
             pub fn {s}_new() -> *mut {raw};\n        \
             pub fn {s}_delete(sim: *mut {raw});\n        \
             pub fn {s}_eval(sim: *mut {raw});\n        \
             pub fn {s}_time(sim: *const {raw}) -> u64;\n        \
             pub fn {s}_set_time(sim: *mut {raw}, t: u64);\n"
        );
        if trace {
            let _ = write!(
                r,
                "        pub fn {s}_trace_open(sim: *mut {raw}, path: *const core::ffi::c_char) -> core::ffi::c_int;\n        \
                 pub fn {s}_trace_dump(sim: *mut {raw});\n        \
                 pub fn {s}_trace_flush(sim: *mut {raw});\n        \
                 pub fn {s}_trace_close(sim: *mut {raw});\n"
            );
        }
        for p in &m.ports {
            let n = &p.name;
            if p.words == 0 {
                if p.dir != Dir::Out {
                    let _ = writeln!(r, "        pub fn {s}_set_{n}(sim: *mut {raw}, v: u64);");
                }
                let _ = writeln!(r, "        pub fn {s}_get_{n}(sim: *const {raw}) -> u64;");
            } else {
                if p.dir != Dir::Out {
                    let _ = writeln!(
                        r,
                        "        pub fn {s}_set_{n}(sim: *mut {raw}, v: *const u32);"
                    );
                }
                let _ = writeln!(
                    r,
                    "        pub fn {s}_get_{n}(sim: *const {raw}) -> *const u32;"
                );
            }
        }
        r.push_str("    }\n");
    }
    r.push_str("}\n");

    for m in models {
        rust_model(&mut r, m, trace);
    }
    r.push_str(
        "\n/// Verilator's warnings while building each model: (design, warning code, count).\n\
         /// Each top's full log is `verilator.log` in its build directory.\n\
         pub const VERILATOR_WARNINGS: &[(&str, &str, usize)] = &[\n",
    );
    for m in models {
        for (code, count) in &m.warnings {
            let _ = writeln!(r, "    ({:?}, {code:?}, {count}),", m.name);
        }
    }
    r.push_str("];\n");
    r
}

fn rust_model(r: &mut String, m: &Model, trace: bool) {
    let name = &m.name;
    let ty = camel(name);
    let s = format!("synack_{name}");
    let raw = format!("ffi::Raw{ty}");

    // Every generated method name must be unique, or the impl would not compile (or worse,
    // a port would shadow `eval`).
    let mut methods: Vec<String> = ["new", "eval", "time", "set_time"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if trace {
        methods
            .extend(["trace_open", "trace_dump", "trace_flush", "trace_close"].map(String::from));
    }
    for p in &m.ports {
        methods.push(p.name.clone());
        if p.dir != Dir::Out {
            methods.push(format!("set_{}", p.name));
        }
    }
    let mut seen = HashSet::new();
    for meth in &methods {
        assert!(
            seen.insert(meth.as_str()),
            "design `{name}`: generated method `{meth}` is defined twice (a port name collides \
             with a model method or another port's setter); rename the port"
        );
    }

    let _ = write!(
        r,
        r#"
/// Verilator model of the `{name}` design from `synack_hdl::verilog_tops()`.
///
/// Owns its own `VerilatedContext`, so instances are independent. Inputs take effect and
/// outputs update only on [`{ty}::eval`].
pub struct {ty} {{
    raw: core::ptr::NonNull<{raw}>,
}}

// SAFETY: the C++ object behind `raw` is owned exclusively by this value and shares no
// mutable state with other instances: it has its own VerilatedContext, runs no threads of
// its own, and each shim entry point rebinds the runtime's thread-local context pointer to
// it, so moving it to another thread between calls is sound. It is not `Sync`: all
// mutation goes through `&mut self`.
unsafe impl Send for {ty} {{}}

impl {ty} {{
    /// Design name, as in `synack_hdl::verilog_tops()`.
    pub const NAME: &'static str = "{name}";

    /// Every port of the top, in the Verilated header's order (grouped by storage size).
    pub const PORTS: &'static [Port] = &[
"#
    );
    for p in &m.ports {
        let dir = match p.dir {
            Dir::In => "Input",
            Dir::Out => "Output",
            Dir::InOut => "Inout",
        };
        let _ = writeln!(
            r,
            "        Port {{ name: \"{}\", width: {}, direction: Direction::{dir} }},",
            p.name, p.width
        );
    }
    let _ = write!(
        r,
        r#"    ];

    /// Builds a fresh instance at time 0; initial blocks run on the first [`Self::eval`].
    pub fn new() -> Self {{
        // SAFETY: `{s}_new` has no preconditions; it returns a new heap object or aborts.
        let raw = unsafe {{ ffi::{s}_new() }};
        Self {{
            raw: core::ptr::NonNull::new(raw).expect("{s}_new returned null"),
        }}
    }}

    /// Evaluates the model until it settles: applies inputs, runs triggered processes.
    pub fn eval(&mut self) {{
        // SAFETY: `raw` is live (owned by `self`) and `&mut self` makes this the only access.
        unsafe {{ ffi::{s}_eval(self.raw.as_ptr()) }}
    }}

    /// Simulation time of this instance's context, in the design's time precision.
    pub fn time(&self) -> u64 {{
        // SAFETY: `raw` is live; the call only reads.
        unsafe {{ ffi::{s}_time(self.raw.as_ptr()) }}
    }}

    /// Sets the simulation time used by waveform dumps (the design itself has no delays).
    pub fn set_time(&mut self, time: u64) {{
        // SAFETY: `raw` is live and exclusively borrowed.
        unsafe {{ ffi::{s}_set_time(self.raw.as_ptr(), time) }}
    }}
"#
    );
    if trace {
        let _ = write!(
            r,
            r#"
    /// Starts a VCD dump of every signal to `path`, closing any previous dump.
    ///
    /// Call [`Self::trace_dump`] after each `eval` that should be recorded.
    pub fn trace_open(&mut self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {{
        use std::os::unix::ffi::OsStrExt as _;
        let path = std::ffi::CString::new(path.as_ref().as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        // SAFETY: `raw` is live and exclusively borrowed; `path` is NUL-terminated and
        // outlives the call, which copies it.
        let rc = unsafe {{ ffi::{s}_trace_open(self.raw.as_ptr(), path.as_ptr()) }};
        if rc == 0 {{
            Ok(())
        }} else {{
            Err(std::io::Error::other(format!("cannot open VCD file {{path:?}}")))
        }}
    }}

    /// Records every signal at the current [`Self::time`]; a no-op without an open dump.
    pub fn trace_dump(&mut self) {{
        // SAFETY: `raw` is live and exclusively borrowed.
        unsafe {{ ffi::{s}_trace_dump(self.raw.as_ptr()) }}
    }}

    /// Flushes the open dump to disk.
    pub fn trace_flush(&mut self) {{
        // SAFETY: `raw` is live and exclusively borrowed.
        unsafe {{ ffi::{s}_trace_flush(self.raw.as_ptr()) }}
    }}

    /// Closes the open dump, if any (dropping the model also closes it).
    pub fn trace_close(&mut self) {{
        // SAFETY: `raw` is live and exclusively borrowed.
        unsafe {{ ffi::{s}_trace_close(self.raw.as_ptr()) }}
    }}
"#
        );
    }
    for p in &m.ports {
        let n = &p.name;
        let getter = method_ident(n, name);
        let w = p.width;
        let (dir, dir_cap, since) = match p.dir {
            Dir::In => ("input", "Input", ", as last driven"),
            Dir::Out => ("output", "Output", ", as of the last `eval`"),
            Dir::InOut => ("inout", "Inout", ", as of the last `eval` or `set`"),
        };
        if p.words == 0 {
            if p.dir != Dir::Out {
                // A 64-bit port takes any value; a check there would be a tautology.
                let check = if w < 64 {
                    format!(
                        "        debug_assert!(value <= {:#x}, \"{name}.{n} is {w} bits wide, got {{value:#x}}\");\n",
                        mask64(w)
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    r,
                    r#"
    /// Drives {dir} `{n}` ({w}-bit); bits above bit {top} must be zero.
    pub fn set_{n}(&mut self, value: u64) {{
{check}        // SAFETY: `raw` is live and exclusively borrowed; the shim masks `value` to the port.
        unsafe {{ ffi::{s}_set_{n}(self.raw.as_ptr(), value) }}
    }}
"#,
                    top = w - 1,
                );
            }
            let _ = write!(
                r,
                r#"
    /// {dir_cap} `{n}` ({w}-bit){since}.
    pub fn {getter}(&self) -> u64 {{
        // SAFETY: `raw` is live; the call only reads.
        unsafe {{ ffi::{s}_get_{n}(self.raw.as_ptr()) }}
    }}
"#
            );
        } else {
            let words = p.words;
            if p.dir != Dir::Out {
                let _ = write!(
                    r,
                    r#"
    /// Drives {dir} `{n}` ({w}-bit) from {words} little-endian 32-bit words; excess
    /// bits of the last word are dropped.
    ///
    /// # Panics
    /// If `value` is not exactly {words} words long.
    pub fn set_{n}(&mut self, value: &[u32]) {{
        assert_eq!(value.len(), {words}, "{name}.{n} takes {words} words");
        // SAFETY: `raw` is live and exclusively borrowed; `value` has the {words} words
        // the shim reads.
        unsafe {{ ffi::{s}_set_{n}(self.raw.as_ptr(), value.as_ptr()) }}
    }}
"#
                );
            }
            let _ = write!(
                r,
                r#"
    /// {dir_cap} `{n}` ({w}-bit){since}, as {words} little-endian 32-bit words.
    pub fn {getter}(&self) -> &[u32] {{
        // SAFETY: the shim returns the port's storage inside the model, {words} words long.
        // The model is heap-allocated and outlives `&self`, and it cannot change while the
        // slice borrows `self`, since every mutation needs `&mut self`.
        unsafe {{ core::slice::from_raw_parts(ffi::{s}_get_{n}(self.raw.as_ptr()), {words}) }}
    }}
"#
            );
        }
    }
    let _ = write!(
        r,
        r#"}}

impl Default for {ty} {{
    fn default() -> Self {{
        Self::new()
    }}
}}

impl Drop for {ty} {{
    /// Runs `final` blocks, closes any dump, and frees the model and its context.
    fn drop(&mut self) {{
        // SAFETY: `raw` came from `{s}_new`, is freed only here, and is not used again.
        unsafe {{ ffi::{s}_delete(self.raw.as_ptr()) }}
    }}
}}

impl core::fmt::Debug for {ty} {{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{
        f.debug_struct("{ty}")
            .field("time", &self.time())
"#
    );
    for p in &m.ports {
        let getter = method_ident(&p.name, name);
        if p.words == 0 {
            let _ = writeln!(
                r,
                "            .field(\"{}\", &format_args!(\"{{:#x}}\", self.{getter}()))",
                p.name
            );
        } else {
            let _ = writeln!(r, "            .field(\"{}\", &self.{getter}())", p.name);
        }
    }
    r.push_str("            .finish()\n    }\n}\n");
}
