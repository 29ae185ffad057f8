//! Unit tests of the build script's pure parts, compiled here from the same
//! files (`build/*.rs`): the readers of Verilator's output and the code
//! generators. Running Verilator itself is covered by every other test in
//! this crate, which uses the models it built.
#![allow(dead_code)]

#[path = "../build/bindings.rs"]
mod bindings;
#[path = "../build/parse.rs"]
mod parse;
#[path = "../build/shim.rs"]
mod shim;

use bindings::{Model, camel, method_ident, rust_bindings};
use parse::{Dir, PortDecl, mask64, mk_list, parse_ports, waived_kinds, warning_counts};

/// The port section of a Verilated header, as Verilator 5 writes it.
const HEADER: &str = "\
class Vdemo VL_NOT_FINAL : public VerilatedModel {
  public:
    // PORTS
    // The application code writes and reads these signals to
    // propagate new values into/out from the Verilated model.
    VL_IN8(&clock,0,0);
    VL_OUT8(&ready,0,0);
    VL_IN16(&len,16,0);
    VL_IN(&addr,31,0);
    VL_OUT64(&stamp,47,0);
    VL_INOUT8(&pad,3,0);
    VL_INW(&desc,127,0,4);
    VL_OUTW(&record,64,0,3);
    // CELLS
";

fn port<'a>(ports: &'a [PortDecl], name: &str) -> &'a PortDecl {
    ports
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no port {name}"))
}

#[test]
fn every_port_is_read_with_its_direction_width_and_storage() {
    let ports = parse_ports(HEADER, "demo");
    let names: Vec<_> = ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "clock", "ready", "len", "addr", "stamp", "pad", "desc", "record"
        ]
    );
    let clock = port(&ports, "clock");
    assert_eq!(
        (clock.dir, clock.width, clock.words, clock.ctype),
        (Dir::In, 1, 0, "uint8_t")
    );
    let ready = port(&ports, "ready");
    assert_eq!((ready.dir, ready.width), (Dir::Out, 1));
    let len = port(&ports, "len");
    assert_eq!((len.width, len.ctype), (17, "uint16_t"));
    assert_eq!(port(&ports, "addr").ctype, "uint32_t");
    let stamp = port(&ports, "stamp");
    assert_eq!(
        (stamp.dir, stamp.width, stamp.ctype),
        (Dir::Out, 48, "uint64_t")
    );
    assert_eq!(port(&ports, "pad").dir, Dir::InOut);
    let desc = port(&ports, "desc");
    assert_eq!((desc.dir, desc.width, desc.words), (Dir::In, 128, 4));
    let record = port(&ports, "record");
    assert_eq!((record.dir, record.width, record.words), (Dir::Out, 65, 3));
}

#[test]
#[should_panic(expected = "no ports found")]
fn a_header_without_ports_is_refused() {
    parse_ports("class Vempty {\n};\n", "empty");
}

#[test]
#[should_panic(expected = "odd port name")]
fn a_port_name_rust_cannot_use_is_refused() {
    // A bundled port that reached a top without being flattened (see synack_hdl::emit).
    parse_ports("    VL_IN8(&s_axis$tdata,7,0);\n", "demo");
}

#[test]
#[should_panic(expected = "does not match")]
fn a_wide_port_with_the_wrong_word_count_is_refused() {
    parse_ports("    VL_INW(&desc,127,0,3);\n", "demo");
}

#[test]
fn masks_cover_exactly_the_port_width() {
    assert_eq!(mask64(1), 1);
    assert_eq!(mask64(17), 0x1_FFFF);
    assert_eq!(mask64(64), u64::MAX);
}

#[test]
fn class_lists_are_read_across_continuation_lines() {
    let mk = "VM_CLASSES_FAST += \\\n\tVdemo \\\n\tVdemo___024root__0 \\\n\nVM_CLASSES_SLOW += \\\n\tVdemo__Slow \\\n\nVM_GLOBAL_FAST += \\\n\tverilated \\\n";
    assert_eq!(
        mk_list(mk, "VM_CLASSES_FAST"),
        ["Vdemo", "Vdemo___024root__0"]
    );
    assert_eq!(mk_list(mk, "VM_CLASSES_SLOW"), ["Vdemo__Slow"]);
    assert_eq!(mk_list(mk, "VM_GLOBAL_FAST"), ["verilated"]);
    assert!(mk_list(mk, "VM_SUPPORT_FAST").is_empty());
}

#[test]
fn warnings_are_counted_by_code_and_waivers_read_by_kind() {
    let log = "%Warning-UNOPTFLAT: a.v:1:1: x\n  detail\n%Warning-WIDTH: a.v:2:1: y\n%Warning-UNOPTFLAT: a.v:3:1: z\n";
    assert_eq!(
        warning_counts(log),
        [("UNOPTFLAT".to_owned(), 2), ("WIDTH".to_owned(), 1)]
    );
    let waivers = "`verilator_config\n// why\nlint_off -rule WIDTH\n  lint_off -rule UNOPTFLAT \n";
    assert_eq!(waived_kinds(waivers), ["WIDTH", "UNOPTFLAT"]);
}

#[test]
fn names_become_rust_types_and_methods() {
    assert_eq!(camel("eth_mac_mii"), "EthMacMii");
    assert_eq!(method_ident("ready", "demo"), "ready");
    assert_eq!(method_ident("type", "demo"), "r#type");
}

/// `models.rs` for the demo header, with or without tracing.
fn generated(trace: bool) -> String {
    let model = Model {
        name: "demo".into(),
        ports: parse_ports(HEADER, "demo"),
        warnings: vec![("UNOPTFLAT".into(), 2)],
    };
    rust_bindings(&[model], trace)
}

#[test]
fn every_unsafe_block_in_the_bindings_has_a_safety_comment() {
    for trace in [false, true] {
        let rust = generated(trace);
        let lines: Vec<&str> = rust.lines().collect();
        let mut blocks = 0;
        for (i, line) in lines.iter().enumerate() {
            if !(line.contains("unsafe {") || line.contains("unsafe impl")) {
                continue;
            }
            blocks += 1;
            // The comment is the run of comment lines just above.
            let above = lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.trim_start().starts_with("//"))
                .any(|l| l.contains("// SAFETY:"));
            assert!(
                above,
                "unsafe without a SAFETY comment at line {i}:\n{line}"
            );
        }
        // new, eval, time, set_time, drop, Send, and a getter or setter per port.
        assert!(blocks > 6 + 8, "{blocks} unsafe blocks");
    }
}

#[test]
fn bindings_have_a_setter_per_input_and_a_getter_per_port() {
    let rust = generated(false);
    for setter in ["set_clock", "set_len", "set_addr", "set_pad", "set_desc"] {
        assert!(rust.contains(&format!("pub fn {setter}(")), "{setter}");
    }
    for output in ["ready", "stamp", "record"] {
        assert!(
            !rust.contains(&format!("pub fn set_{output}(")),
            "{output} is an output"
        );
        assert!(
            rust.contains(&format!("pub fn {output}(&self)")),
            "{output}"
        );
    }
    assert!(rust.contains("pub fn set_desc(&mut self, value: &[u32])"));
    assert!(rust.contains("(\"demo\", \"UNOPTFLAT\", 2),"));
    assert!(!rust.contains("trace_open"));
    assert!(generated(true).contains("pub fn trace_open("));
}

#[test]
#[should_panic(expected = "defined twice")]
fn a_port_that_shadows_a_method_is_refused() {
    let model = Model {
        name: "demo".into(),
        ports: parse_ports("    VL_IN8(&clock,0,0);\n    VL_OUT8(&eval,0,0);\n", "demo"),
        warnings: vec![],
    };
    rust_bindings(&[model], false);
}

#[test]
fn the_shim_binds_the_context_and_masks_inputs() {
    let ports = parse_ports(HEADER, "demo");
    let c = shim::c_shim("demo", &ports, &[], false);
    assert!(c.contains("#include \"Vdemo.h\""));
    assert!(c.contains(
        "void synack_demo_set_len(synack_demo* sim, uint64_t v) noexcept { sim->top->len = (uint16_t)(v & 0x1ffffULL); }"
    ));
    assert!(c.contains("sim->top->desc[3] &= 0xffffffffU;"));
    assert!(
        !c.contains("synack_demo_set_record"),
        "an output has no setter"
    );
    assert!(c.contains("const uint32_t* synack_demo_get_record(const synack_demo* sim)"));
    // Every entry point that runs the model first binds this thread to its context.
    for entry in ["_eval(", "_delete("] {
        let at = c.find(&format!("synack_demo{entry}")).unwrap();
        assert!(
            c[at..]
                .lines()
                .nth(1)
                .unwrap()
                .contains("synack_demo_bind(sim);")
        );
    }
    assert!(!c.contains("VerilatedVcdC"));
    assert!(shim::c_shim("demo", &ports, &[], true).contains("VerilatedVcdC"));
}

#[test]
fn eval_io_sets_every_narrow_input_and_reads_every_narrow_output_in_index_order() {
    let ports = parse_ports(HEADER, "demo");
    let c = shim::c_shim("demo", &ports, &[], false);
    let at = c.find("void synack_demo_eval_io(").expect("eval_io entry");
    let body: Vec<&str> = c[at..].lines().take_while(|l| *l != "}").collect();
    assert!(body[1].contains("synack_demo_bind(sim);"));
    let io: Vec<&str> = body.iter().skip(3).map(|l| l.trim()).collect();
    assert_eq!(
        io,
        [
            "top->clock = (uint8_t)(in[0] & 0x1ULL);",
            "top->len = (uint16_t)(in[1] & 0x1ffffULL);",
            "top->addr = (uint32_t)(in[2] & 0xffffffffULL);",
            "top->pad = (uint8_t)(in[3] & 0xfULL);",
            "top->eval();",
            "out[0] = top->ready;",
            "out[1] = top->stamp;",
        ],
        "wide ports (desc, record) keep their own accessors"
    );
    let model = Model {
        name: "demo".into(),
        ports,
        warnings: vec![],
    };
    let rust = rust_bindings(&[model], false);
    for constant in [
        "pub const INPUTS: usize = 4;",
        "pub const OUTPUTS: usize = 2;",
        "pub const IN_CLOCK: usize = 0;",
        "pub const IN_PAD: usize = 3;",
        "pub const OUT_STAMP: usize = 1;",
    ] {
        assert!(rust.contains(constant), "{constant}");
    }
}

#[test]
fn root_members_are_the_designs_variables_and_nothing_else() {
    let root = "\
class alignas(VL_CACHE_LINE_BYTES) Vdemo___024root final : public VerilatedModule {
  public:
    // DESIGN SPECIFIC STATE
    VL_IN8(clock,0,0);
    CData/*6:0*/ top__DOT__irq__DOT__prescale__024q;
    SData/*15:0*/ top__DOT__irq__DOT__waited__024q;
    VlWide<3>/*64:0*/ top__DOT__wide;
    VlUnpacked<CData/*7:0*/, 32> top__DOT__ram__DOT__mem;
    CData/*0:0*/ __Vtrigprevexpr___TOP__clock__0;
    IData/*31:0*/ __VactIterCount;
    Vdemo__Syms* const vlSymsp;
";
    assert_eq!(
        parse::root_members(root),
        [
            "top__DOT__irq__DOT__prescale__024q",
            "top__DOT__irq__DOT__waited__024q",
            "top__DOT__wide",
            "top__DOT__ram__DOT__mem",
        ]
    );
}

#[test]
fn the_state_leaves_inputs_out_and_members_are_found_by_name() {
    let ports = parse_ports(HEADER, "demo");
    let members = ["top__DOT__count".to_string()];
    let c = shim::c_shim("demo", &ports, &members, false);
    // Inputs (and inouts) are holes in the state; outputs are state.
    for input in ["clock", "len", "addr", "pad", "desc"] {
        assert!(c.contains(&format!("&r->{input}) - base), sizeof(r->{input})")));
    }
    for output in ["ready", "stamp", "record"] {
        assert!(!c.contains(&format!("&r->{output}) - base")));
    }
    assert!(c.contains(
        "if (!std::strcmp(name, \"top__DOT__count\")) { *size = sizeof(r->top__DOT__count);"
    ));
    // Peek and poke check their range against the state's size.
    for f in ["_peek(", "_poke("] {
        let at = c.find(&format!("synack_demo{f}")).unwrap();
        assert!(c[at..].lines().nth(1).unwrap().contains("return -1;"));
    }
}
