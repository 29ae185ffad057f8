# A dry run of build.tcl for tclsh, without Vivado: every Vivado command is
# a stub that records what it was given, the XDC files are sourced so their
# own commands are recorded too, and the record is printed for the caller
# (tests/vivado_flow.rs) to check: the part, the files read, every port
# named in a constraint (`port NAME`) and every port given a pin
# (`pin NAME PACKAGE_PIN IOSTANDARD`).
#
#   tclsh constraints/dry_run.tcl <part> <out> <repo>

set record {}
proc note {args} { lappend ::record $args }

proc read_verilog {file} { note read_verilog $file }
proc read_xdc {file} {
    note read_xdc $file
    source $file
}
proc synth_design {args} {
    set i [lsearch $args -part]
    note synth_design part [lindex $args [expr {$i + 1}]] top [lindex $args [expr {[lsearch $args -top] + 1}]]
}
foreach cmd {opt_design place_design phys_opt_design route_design report_utilization
             report_timing_summary report_cdc report_clock_interaction write_bitstream} {
    proc $cmd {args} "note $cmd"
}
proc get_timing_paths {args} { return path }
proc get_property {name object} { return 0.5 }

# The XDC's commands.
proc current_design {} { return design }
proc get_ports {names} {
    foreach n $names { note port $n }
    return $names
}
proc get_clocks {args} { return clocks }
proc get_cells {args} { note cells [lindex $args end]; return cells }
proc get_pins {args} { note pins [lindex $args end]; return pins }
proc set_property {args} {
    if {[lindex $args 0] eq "-dict"} {
        set props [lindex $args 1]
        foreach object [lindex $args 2] {
            note pin $object [dict get $props PACKAGE_PIN] [dict get $props IOSTANDARD]
        }
    } else {
        note set_property [lindex $args 0]
    }
}
foreach cmd {create_clock create_generated_clock set_clock_groups set_max_delay
             set_false_path set_input_delay set_output_delay} {
    proc $cmd {args} "note $cmd"
}
rename exit real_exit
proc exit {{code 0}} {
    foreach r $::record { puts $r }
    puts "exit $code"
    real_exit $code
}

source [file join [lindex $argv 2] constraints build.tcl]
