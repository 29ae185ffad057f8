//! Every design's Verilog passes `verilator --lint-only -Wall`, with only the
//! waivers listed (and explained) in `hdl/verilator/lint_waivers.vlt`, and
//! with the block splitting the simulation uses (`split_blocks.vlt`), so no
//! circular-logic (UNOPTFLAT) warning is waived.
use std::path::Path;
use std::process::Command;

#[test]
fn every_design_passes_verilator_lint_with_only_the_listed_waivers() {
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("verilator");
    let waivers = configs.join("lint_waivers.vlt");
    let split = configs.join("split_blocks.vlt");
    let dir = std::env::temp_dir().join(format!("synack-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for top in synack_hdl::verilog_tops() {
        let file = dir.join(format!("{}.v", top.name));
        std::fs::write(&file, top.simulation_verilog()).unwrap();
        let output = Command::new("verilator")
            .args(["--lint-only", "-Wall", "--top-module", top.module])
            .arg(&waivers)
            .arg(&split)
            .arg(&file)
            .output()
            .expect("verilator is installed (apt-get install verilator)");
        let report = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && !report.contains("%Warning"),
            "{}: verilator lint failed:\n{report}",
            top.name
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
