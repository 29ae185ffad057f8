//! Every design's top-level ports are exactly those listed in
//! `tests/top_ports.txt`: name, direction and width. Blocks bundle their
//! ports internally (`synack_hdl::bus`); a top's names are what the Verilator
//! harness, the sim tests and the board constraints see, so they must not
//! drift when a block is restructured.
use std::collections::BTreeMap;

/// `(direction, width, name)` of every port of module `top`, sorted by name.
fn top_ports(verilog: &str) -> Vec<(String, u32, String)> {
    let start = verilog.find("module top(").expect("module top");
    let end = start
        + verilog[start..]
            .find("endmodule // top\n")
            .expect("its end");
    let top = &verilog[start..end];
    let names = &top["module top(".len()..top.find(");").expect("port list")];
    let mut declared = BTreeMap::new();
    for line in top.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(dir @ ("input" | "output" | "inout")) = words.first().copied() else {
            continue;
        };
        let name = words.last().unwrap().trim_end_matches(';');
        let width = words
            .iter()
            .find_map(|w| {
                w.strip_prefix('[')?
                    .strip_suffix(":0]")?
                    .parse::<u32>()
                    .ok()
            })
            .map_or(1, |msb| msb + 1);
        declared.insert(name.to_owned(), (dir.to_owned(), width));
    }
    let mut ports: Vec<_> = names
        .split(',')
        .map(|name| {
            let (dir, width) = declared
                .get(name)
                .unwrap_or_else(|| panic!("port `{name}` is not declared"));
            (dir.clone(), *width, name.to_owned())
        })
        .collect();
    ports.sort_by(|a, b| a.2.cmp(&b.2));
    ports
}

#[test]
fn every_top_level_port_keeps_its_name_direction_and_width() {
    let pinned = include_str!("top_ports.txt");
    let mut expected = String::new();
    let mut actual = String::new();
    for line in pinned.lines().filter(|l| !l.starts_with('#')) {
        expected.push_str(line);
        expected.push('\n');
    }
    let mut tops = synack_hdl::verilog_tops();
    tops.sort_by_key(|t| t.name);
    for top in &tops {
        for (dir, width, name) in top_ports(&top.verilog) {
            actual.push_str(&format!("{} {dir} {width} {name}\n", top.name));
        }
    }
    assert_eq!(
        actual, expected,
        "top-level ports changed; if that is intended, update tests/top_ports.txt and every user"
    );
}
