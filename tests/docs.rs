//! The docs in `docs/` cannot drift from the code:
//! - every behaviour the code cites (`SPEC Xn`) has its section in
//!   docs/behaviour.md, and every test that page names exists where it says;
//! - the register, descriptor and completion tables in docs/registers.md are
//!   generated from `synack-abi`'s source and checked against its values
//!   (`SYNACK_BLESS=1 cargo test --test docs` rewrites them after an ABI change);
//! - nothing in the repository links outside it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file git tracks (or would track) with this extension.
fn files(ext: &str) -> Vec<PathBuf> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.ends_with(ext) && !l.starts_with("vendor/"))
        .map(|l| root().join(l))
        .filter(|p| p.exists())
        .collect()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Items cited as `SPEC H4`, `SPEC T1, T11`, `SPEC F3/F4` or `SPEC R5, R6`.
fn cited_items(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("SPEC ") {
        let rest = &text[i + 5..];
        let mut s = rest;
        loop {
            let id: String = s
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let ok = id.len() >= 2
                && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && id[1..].chars().all(|c| c.is_ascii_digit());
            if !ok {
                break;
            }
            out.insert(id.clone());
            s = &s[id.len()..];
            let sep = [", ", "/", " and ", "–", "-"]
                .iter()
                .find(|p| s.starts_with(**p));
            match sep {
                Some(p) => s = &s[p.len()..],
                None => break,
            }
        }
    }
    out
}

#[test]
fn every_behaviour_the_code_cites_is_documented() {
    let doc = read(&root().join("docs/behaviour.md"));
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|s| s.trim().to_string())
        .collect();
    let mut missing = BTreeSet::new();
    for f in files(".rs") {
        for item in cited_items(&read(&f)) {
            if !documented.contains(&item) {
                missing.insert(format!("{item} (cited in {})", f.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/behaviour.md has no section for: {missing:?}"
    );
}

#[test]
fn every_test_the_behaviour_doc_names_exists_where_it_says() {
    let doc = read(&root().join("docs/behaviour.md")).replace('\n', " ");
    let mut checked = 0;
    let mut missing = Vec::new();
    // "`name` (path)"
    for part in doc.split('`').collect::<Vec<_>>().windows(2).step_by(1) {
        let (name, after) = (part[0], part[1]);
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || name.len() < 8
        {
            continue;
        }
        let after = after.trim_start();
        let Some(path) = after.strip_prefix('(').and_then(|r| r.split(')').next()) else {
            continue;
        };
        if !path.ends_with(".rs") {
            continue;
        }
        checked += 1;
        let file = root().join(path);
        let ok = file.exists() && read(&file).contains(&format!("fn {name}()"));
        if !ok {
            missing.push(format!("{name} ({path})"));
        }
    }
    assert!(checked > 150, "only {checked} test references found");
    assert!(
        missing.is_empty(),
        "named in docs/behaviour.md but not found: {missing:?}"
    );
}

#[test]
fn nothing_links_outside_the_repository() {
    let needle = ["..", "/shared"].concat();
    let mut bad = Vec::new();
    for ext in [".rs", ".md", ".toml", ".sh"] {
        for f in files(ext) {
            if read(&f).contains(&needle) {
                bad.push(f.display().to_string());
            }
        }
    }
    assert!(bad.is_empty(), "links out of the repository in {bad:?}");
}

// ---------------------------------------------------------------- registers

/// `pub const NAME: TYPE = VALUE;` with its `///` lines, at the top level
/// of `src` (depth 0) or inside `pub mod module` (depth 1).
struct Const {
    module: Option<String>,
    name: String,
    value: String,
    doc: String,
}

fn consts(src: &str) -> Vec<Const> {
    let mut out = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    let mut module: Option<String> = None;
    let mut depth = 0i32;
    for line in src.lines() {
        let t = line.trim();
        if let Some(d) = t.strip_prefix("///") {
            doc.push(d.trim().to_string());
            continue;
        }
        if let Some(m) = t
            .strip_prefix("pub mod ")
            .and_then(|r| r.strip_suffix(" {"))
        {
            if depth == 0 {
                module = Some(m.to_string());
            }
        }
        if let Some(rest) = t.strip_prefix("pub const ") {
            if let (Some((name, ty_val)), true) = (rest.split_once(':'), depth <= 1) {
                let number = |v: &str| {
                    let v = v.trim().trim_end_matches(';');
                    v.starts_with(|c: char| c.is_ascii_digit()) && !v.contains(' ')
                        || v.contains("<<")
                };
                if let Some((_, v)) = ty_val.split_once('=').filter(|(_, v)| number(v)) {
                    out.push(Const {
                        module: if depth == 1 { module.clone() } else { None },
                        name: name.trim().to_string(),
                        value: v.trim().trim_end_matches(';').to_string(),
                        doc: doc.join(" "),
                    });
                }
            }
        }
        depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
        if depth == 0 {
            module = None;
        }
        doc.clear();
    }
    out
}

fn eval(v: &str) -> u64 {
    let v = v.replace('_', "");
    if let Some((a, b)) = v.split_once("<<") {
        return eval(a.trim()) << eval(b.trim());
    }
    if let Some(h) = v.strip_prefix("0x") {
        return u64::from_str_radix(h, 16).unwrap_or_else(|_| panic!("hex {v}"));
    }
    v.parse().unwrap_or_else(|_| panic!("number {v}"))
}

/// A doc comment as plain Markdown: rustdoc's intra-doc links lose their brackets.
fn plain(doc: &str) -> String {
    doc.replace("[`", "`").replace("`]", "`")
}

fn bits_table(out: &mut String, title: &str, all: &[Const], module: &str) {
    out.push_str(&format!(
        "\n{title}\n\n| bit | name | meaning |\n|---|---|---|\n"
    ));
    for c in all.iter().filter(|c| c.module.as_deref() == Some(module)) {
        let v = eval(&c.value);
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            v.trailing_zeros(),
            c.name,
            plain(&c.doc)
        ));
    }
}

/// The generated part of docs/registers.md.
fn generated_registers() -> String {
    let regs_src = read(&root().join("hdl/abi/src/regs.rs"));
    let ring_src = read(&root().join("hdl/abi/src/ring.rs"));
    let regs = consts(&regs_src);
    let ring = consts(&ring_src);
    let mut out = String::from("| offset | register | access | meaning |\n|---|---|---|---|\n");
    for c in regs
        .iter()
        .filter(|c| c.module.is_none() && c.value.starts_with("0x"))
    {
        if c.name == "WINDOW_SIZE" {
            continue;
        }
        let value = eval(&c.value);
        let (off, rest) = c.doc.split_once(' ').unwrap_or((&c.doc, ""));
        assert_eq!(
            eval(off.trim_end_matches("..")),
            value,
            "regs.rs: the doc of {} says {off}",
            c.name
        );
        let (access, meaning) = rest.split_once(" — ").unwrap_or(("", rest));
        out.push_str(&format!(
            "| `{:#05x}` | `{}` | {} | {} |\n",
            value,
            c.name,
            access,
            plain(meaning)
        ));
    }
    bits_table(&mut out, "`CONTROL` bits:", &regs, "control");
    bits_table(&mut out, "`STATUS` bits:", &regs, "status");
    out.push_str("\nStatistics counters, 32-bit and wrapping, at `STATS_BASE + 4 × index`:\n\n| index | counter | name tools print |\n|---|---|---|\n");
    for c in regs.iter().filter(|c| c.module.as_deref() == Some("stat")) {
        if c.name == "COUNT" {
            continue;
        }
        let i = eval(&c.value);
        let name = synack_abi::regs::stat::NAMES[i as usize];
        out.push_str(&format!("| {i} | `{}` | `{name}` |\n", c.name));
    }
    bits_table(&mut out, "`TxDesc::flags` bits:", &ring, "tx_flags");
    out.push_str("\n`TxCompletion::status` values:\n\n| value | name | meaning |\n|---|---|---|\n");
    for c in ring
        .iter()
        .filter(|c| c.module.as_deref() == Some("tx_status"))
    {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            eval(&c.value),
            c.name,
            plain(&c.doc)
        ));
    }
    bits_table(&mut out, "`RxCompletion::csum` bits:", &ring, "rx_csum");
    bits_table(
        &mut out,
        "`RxCompletion::flags` bits (besides `PHASE`, bit 7):",
        &ring,
        "rx_flags",
    );
    out
}

/// One `#[repr(C)]` layout as a table: field, byte offset, size, meaning.
fn layout_table(src: &str, name: &str, offsets: &[(&str, usize, usize)]) -> String {
    let start = src
        .find(&format!("pub struct {name} in "))
        .unwrap_or_else(|| panic!("no struct {name} in ring.rs"));
    let body = &src[start..src[start..].find("\n}").map_or(src.len(), |e| start + e)];
    let mut out = format!(
        "\n`{name}` ({} bytes, little-endian):\n\n| field | offset | size | meaning |\n|---|---|---|---|\n",
        offsets.iter().map(|o| o.1 + o.2).max().unwrap_or(0)
    );
    let mut doc = Vec::new();
    let mut seen = 0;
    for line in body.lines().skip(1) {
        let t = line.trim();
        if let Some(d) = t.strip_prefix("///") {
            doc.push(d.trim().to_string());
            continue;
        }
        if let Some((field, _)) = t.strip_prefix("pub ").and_then(|r| r.split_once(':')) {
            let (_, off, size) = offsets
                .iter()
                .find(|o| o.0 == field)
                .unwrap_or_else(|| panic!("{name}.{field} has no offset in the test"));
            out.push_str(&format!(
                "| `{field}` | {off} | {size} | {} |\n",
                plain(&doc.join(" "))
            ));
            seen += 1;
        }
        doc.clear();
    }
    assert_eq!(
        seen,
        offsets.len(),
        "{name}: fields differ from the test's list"
    );
    out
}

fn generated_layouts() -> String {
    use core::mem::{offset_of, size_of};
    use synack_abi::ring::{RxCompletion, RxDesc, TxCompletion, TxDesc};
    let src = read(&root().join("hdl/abi/src/ring.rs"));
    macro_rules! f {
        ($t:ty, $f:ident, $ft:ty) => {
            (stringify!($f), offset_of!($t, $f), size_of::<$ft>())
        };
    }
    let mut out = String::new();
    out += &layout_table(
        &src,
        "TxDesc",
        &[
            f!(TxDesc, addr, u64),
            f!(TxDesc, len, u32),
            f!(TxDesc, mss, u16),
            f!(TxDesc, hdr_len, u8),
            f!(TxDesc, flags, u8),
        ],
    );
    out += &layout_table(
        &src,
        "TxCompletion",
        &[
            f!(TxCompletion, frames, u16),
            f!(TxCompletion, status, u8),
            f!(TxCompletion, flags, u8),
            f!(TxCompletion, reserved, u32),
        ],
    );
    out += &layout_table(
        &src,
        "RxDesc",
        &[
            f!(RxDesc, addr, u64),
            f!(RxDesc, len, u32),
            f!(RxDesc, reserved, u32),
        ],
    );
    out += &layout_table(
        &src,
        "RxCompletion",
        &[
            f!(RxCompletion, len, u16),
            f!(RxCompletion, csum, u8),
            f!(RxCompletion, flags, u8),
            f!(RxCompletion, reserved, u32),
        ],
    );
    out
}

fn check_generated(doc_path: &Path, marker: &str, generated: &str) -> Option<String> {
    let doc = read(doc_path);
    let begin = format!("<!-- begin generated: {marker} -->\n");
    let end = format!("<!-- end generated: {marker} -->");
    let (Some(b), Some(e)) = (doc.find(&begin), doc.find(&end)) else {
        panic!("{} lacks the markers for {marker}", doc_path.display());
    };
    let current = &doc[b + begin.len()..e];
    if current == generated {
        return None;
    }
    if std::env::var("SYNACK_BLESS").is_ok_and(|v| v == "1") {
        let new = format!("{}{generated}{}", &doc[..b + begin.len()], &doc[e..]);
        std::fs::write(doc_path, new).unwrap();
        return None;
    }
    Some(marker.to_string())
}

#[test]
fn the_register_and_ring_tables_are_those_of_the_abi() {
    let path = root().join("docs/registers.md");
    let stale: Vec<String> = [
        check_generated(&path, "registers", &generated_registers()),
        check_generated(&path, "layouts", &generated_layouts()),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        stale.is_empty(),
        "docs/registers.md is stale ({stale:?}) after a change to synack-abi: \
         run `SYNACK_BLESS=1 cargo test --test docs` and review the diff"
    );
    // The generated offsets are those the host and fabric compile against.
    let doc = read(&path);
    assert!(doc.contains(&format!(
        "`{:#05x}` | `TX_PRODUCER`",
        synack_abi::regs::TX_PRODUCER
    )));
    assert!(doc.contains(&format!("`{:#05x}` | `CONTROL`", synack_abi::regs::CONTROL)));
}

#[test]
fn cited_items_are_read_from_lists_and_ranges() {
    let s = cited_items("x // SPEC T1, T11; SPEC F3/F4 and SPEC R5 and R6. SPEC is");
    let want: BTreeSet<String> = ["T1", "T11", "F3", "F4", "R5", "R6"]
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert_eq!(s, want);
}
