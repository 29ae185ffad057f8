//! Readers of what Verilator writes: the port declarations of a model's
//! header, the class lists of its `_classes.mk`, the warning codes of its log,
//! and the kinds a lint-waiver file waives. Pure text in, data out, so
//! `tests/build_script.rs` tests them without Verilator.
//!
//! Invariants: `parse_ports` returns every port in declaration order, with a
//! width and direction, or panics naming the design and the line it could not
//! read (a build that silently dropped a port would bind a model without it).

/// One port as declared in the Verilated header (`VL_IN8(&a,7,0);`).
#[derive(Debug)]
pub struct PortDecl {
    pub name: String,
    pub dir: Dir,
    pub width: u32,
    /// 32-bit words for ports wider than 64 bits (`VL_INW`), else 0.
    pub words: u32,
    /// The C++ storage type for ports of up to 64 bits.
    pub ctype: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dir {
    In,
    Out,
    InOut,
}

/// The design's internal variables in a Verilated root header
/// (`V<name>___024root.h`): every member named `top__DOT__…`, in order.
pub fn root_members(header: &str) -> Vec<String> {
    const TYPES: [&str; 6] = ["CData", "SData", "IData", "QData", "VlWide<", "VlUnpacked<"];
    header
        .lines()
        .map(str::trim)
        .filter(|l| TYPES.iter().any(|t| l.starts_with(t)))
        .filter_map(|l| l.strip_suffix(';')?.split_whitespace().last())
        .filter(|name| name.starts_with("top__DOT__"))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// The warning kinds a lint-waiver file waives (its `lint_off -rule KIND` lines).
pub fn waived_kinds(waivers: &str) -> Vec<String> {
    waivers
        .lines()
        .filter_map(|l| l.trim().strip_prefix("lint_off -rule "))
        .map(|kind| kind.trim().to_owned())
        .collect()
}

/// Warning codes and counts in a Verilator log (`%Warning-CODE: ...` lines).
pub fn warning_counts(log: &str) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for code in log
        .lines()
        .filter_map(|l| l.strip_prefix("%Warning-")?.split(':').next())
    {
        *counts.entry(code.to_owned()).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// The names in a `VAR += \ a \ b \` list of a Verilator `_classes.mk`.
pub fn mk_list(mk: &str, var: &str) -> Vec<String> {
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
pub fn parse_ports(header: &str, design: &str) -> Vec<PortDecl> {
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
        assert!(
            !wide || words == width.div_ceil(32),
            "{design}: the word count of `{line}` does not match its width"
        );
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
pub fn mask64(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}
