//! Verilator's warnings on the models (issue 9, item 10): the known kinds are
//! waived, each with its reason, in `hdl/verilator/lint_waivers.vlt`, and a
//! build does not repeat them; a new kind must not slip in unseen.
use synack_sim::model::VERILATOR_WARNINGS;

fn waived() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hdl/verilator/lint_waivers.vlt"
    );
    std::fs::read_to_string(path)
        .expect("lint waivers")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("lint_off -rule "))
        .map(|k| k.trim().to_string())
        .collect()
}

#[test]
fn every_verilator_warning_is_of_a_waived_kind() {
    let waived = waived();
    assert!(
        !waived.iter().any(|k| k == "UNOPTFLAT"),
        "circular logic is fixed, not waived"
    );
    let new: Vec<_> = VERILATOR_WARNINGS
        .iter()
        .filter(|(_, code, _)| !waived.iter().any(|k| k == code))
        .collect();
    assert!(
        new.is_empty(),
        "Verilator warnings of kinds not waived in hdl/verilator/lint_waivers.vlt \
         (design, kind, count): {new:?}; fix their cause, or waive the kind there with its reason"
    );
}

#[test]
fn no_design_has_circular_combinational_logic() {
    // rust-hdl's one-block-per-module pattern made 20 false loops in the NIC
    // core; `hdl/verilator/split_blocks.vlt` splits the blocks so none is left.
    let flat: Vec<_> = VERILATOR_WARNINGS
        .iter()
        .filter(|(_, code, _)| *code == "UNOPTFLAT")
        .collect();
    assert!(flat.is_empty(), "{flat:?}");
}
