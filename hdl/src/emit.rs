//! Emitting a design as a top for Verilator, Yosys and Vivado.
//!
//! rust-hdl names a port inside a bundle (`crate::bus`) `bundle$field`: fine
//! between blocks, but a top's ports are what the Verilator harness, the
//! XDC constraints and Vivado see, and those use the flat names of the
//! standards (`m_axi_araddr`, `s_axis_tdata`, `mii_txd`). [`top_verilog`]
//! renames the top module's bundled ports after rust-hdl has written it:
//! `bundle$field` becomes `bundle_field`, or, for a bundle given in
//! `renames` as `("bundle$", "prefix")`, `prefixfield`. `tests/top_ports.txt`
//! pins every top's resulting ports.
//!
//! Invariants: only the module `top` is touched, and in it only whole
//! identifiers that are its own ports, so every other name (submodules,
//! their stubs `child$port`) is left alone; every new name is a plain
//! Verilog identifier that no other identifier in the module uses, so the
//! renaming is one-to-one and the design is unchanged but for port names.
use rust_hdl::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The renames that give a top's AXI4 master (`m_axi_rd`, `m_axi_id` and
/// `m_axi_wr` bundles) the one flat `m_axi_*` port set of the standard.
pub const AXI_MASTER_PORTS: &[(&str, &str)] = &[
    ("m_axi_rd$", "m_axi_"),
    ("m_axi_id$", "m_axi_"),
    ("m_axi_wr$", "m_axi_"),
];

/// The Verilog of `block` (connected here), with module `top` whose bundled
/// ports are flattened as the module notes say.
///
/// # Panics
/// If a renamed port would collide with another identifier of `top`.
pub fn top_verilog<B: Block>(mut block: B, renames: &[(&str, &str)]) -> String {
    block.connect_all();
    flatten_top_ports(&generate_verilog(&block), renames)
}

/// What `top_verilog` does to text rust-hdl already emitted.
pub fn flatten_top_ports(verilog: &str, renames: &[(&str, &str)]) -> String {
    let start = verilog
        .find("module top(")
        .expect("rust-hdl emits the top module as `top`");
    let end_marker = "endmodule // top\n";
    let end = start
        + verilog[start..]
            .find(end_marker)
            .expect("the top module ends")
        + end_marker.len();
    let top = &verilog[start..end];
    let header = &top["module top(".len()..top.find(");").expect("port list")];
    let mut map = BTreeMap::new();
    for port in header.split(',').map(str::trim).filter(|p| p.contains('$')) {
        let flat = renames
            .iter()
            .find_map(|(bundle, prefix)| port.strip_prefix(bundle).map(|f| format!("{prefix}{f}")))
            .unwrap_or_else(|| port.replace('$', "_"));
        assert!(
            is_plain_identifier(&flat),
            "top port `{port}` flattens to `{flat}`, not a plain identifier"
        );
        map.insert(port.to_owned(), flat);
    }
    if map.is_empty() {
        return verilog.to_owned();
    }
    let existing: BTreeSet<&str> = identifiers(top).map(|(_, id)| id).collect();
    let mut taken = BTreeSet::new();
    for (port, flat) in &map {
        assert!(
            !existing.contains(flat.as_str()) && taken.insert(flat.as_str()),
            "top port `{port}` cannot become `{flat}`: the name is already used"
        );
    }
    let mut out = String::with_capacity(verilog.len());
    out.push_str(&verilog[..start]);
    let mut last = 0;
    for (at, id) in identifiers(top) {
        if let Some(flat) = map.get(id) {
            out.push_str(&top[last..at]);
            out.push_str(flat);
            last = at + id.len();
        }
    }
    out.push_str(&top[last..]);
    out.push_str(&verilog[end..]);
    out
}

/// `[A-Za-z_][A-Za-z0-9_]*`: a name that needs no escaping anywhere.
fn is_plain_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every identifier of the module's own namespace in `text`, with its byte
/// offset: a run of `[A-Za-z0-9_$]` that starts with a letter or `_` and does
/// not follow a `.` (`.port(` names a submodule's port, in the submodule's
/// namespace). A run that starts with a digit (a number) is skipped whole;
/// the base and digits of a sized literal such as `8'hff` come out as `hff`,
/// which is no port's name.
fn identifiers(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            if word(bytes[i]) {
                while i < bytes.len() && word(bytes[i]) {
                    i += 1;
                }
                let after_dot = start > 0 && bytes[start - 1] == b'.';
                if !bytes[start].is_ascii_digit() && bytes[start] != b'$' && !after_dot {
                    return Some((start, &text[start..i]));
                }
            } else {
                i += 1;
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMITTED: &str = "\n\nmodule top(clock,s_axis$tdata,axi$araddr,m_axis_csum);\n\
        input wire clock;\n    input wire [7:0] s_axis$tdata;\n    output wire [31:0] axi$araddr;\n\
        output reg m_axis_csum;\n    wire [7:0] fifo$s_axis$tdata;\n\
        top$fifo fifo(\n        .s_axis$tdata(s_axis$tdata),\n        .araddr(axi$araddr)\n    );\n\
        always @(*) begin\n        m_axis_csum = s_axis$tdata == 8'h41;\n    end\n\
        endmodule // top\n\n\nmodule top$fifo(s_axis$tdata,araddr);\n\
        input wire [7:0] s_axis$tdata;\nendmodule // top$fifo\n";

    #[test]
    fn flattens_only_the_top_modules_own_ports() {
        let flat = flatten_top_ports(EMITTED, &[("axi$", "")]);
        assert!(flat.contains("module top(clock,s_axis_tdata,araddr,m_axis_csum);"));
        assert!(flat.contains("input wire [7:0] s_axis_tdata;"));
        assert!(flat.contains("output wire [31:0] araddr;"));
        // A child's stub and a child's port keep their names; the argument is renamed.
        assert!(flat.contains("wire [7:0] fifo$s_axis$tdata;"));
        assert!(flat.contains(".s_axis$tdata(s_axis_tdata)"));
        assert!(flat.contains(".araddr(araddr)"));
        assert!(flat.contains("m_axis_csum = s_axis_tdata == 8'h41;"));
        // Other modules are untouched.
        assert!(flat.contains("module top$fifo(s_axis$tdata,araddr);"));
        assert!(flat.contains("endmodule // top$fifo\n"));
    }

    #[test]
    fn a_design_without_bundles_is_unchanged() {
        let plain = "module top(a,y);\ninput wire a;\nendmodule // top\n";
        assert_eq!(flatten_top_ports(plain, &[]), plain);
    }

    #[test]
    #[should_panic(expected = "already used")]
    fn a_collision_is_refused() {
        let clash = "module top(s_axis$tdata,s_axis_tdata);\nendmodule // top\n";
        flatten_top_ports(clash, &[]);
    }

    #[test]
    fn numbers_and_literals_are_not_identifiers() {
        let ids: Vec<_> = identifiers("a$b = 8'h41 + 32'd7 + c_1; .p(q)")
            .map(|(_, id)| id)
            .collect();
        assert_eq!(ids, ["a$b", "h41", "d7", "c_1", "q"]);
    }
}
