//! Every design's Verilog passes `verilator --lint-only -Wall`, with only the
//! waivers listed (and explained) in `hdl/verilator/lint_waivers.vlt`, and
//! with the block splitting the simulation uses (`split_blocks.vlt`), so no
//! circular-logic (UNOPTFLAT) warning is waived.
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn every_design_passes_verilator_lint_with_only_the_listed_waivers() {
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("verilator");
    let waivers = configs.join("lint_waivers.vlt");
    let split = configs.join("split_blocks.vlt");
    let dir = std::env::temp_dir().join(format!("synack-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Every design's lint runs at once (they are independent processes).
    let runs: Vec<_> = synack_hdl::verilog_tops()
        .into_iter()
        .map(|top| {
            let file = dir.join(format!("{}.v", top.name));
            std::fs::write(&file, top.simulation_verilog()).unwrap();
            let child = Command::new("verilator")
                .args(["--lint-only", "-Wall", "--top-module", top.module])
                .arg(&waivers)
                .arg(&split)
                .arg(&file)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("verilator is installed (apt-get install verilator)");
            (top.name, child)
        })
        .collect();
    for (name, child) in runs {
        let output = child.wait_with_output().expect("verilator ran");
        let report = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && !report.contains("%Warning"),
            "{name}: verilator lint failed:\n{report}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
