# synack on the Arty A7: Vivado's non-project batch flow, from the emitted
# Verilog to a bitstream.
#
#   vivado -mode batch -nojournal -nolog -source constraints/build.tcl \
#       -tclargs <part> <out> <repo>
#
# <part>: xc7a35ticsg324-1L (Arty A7-35T) or xc7a100tcsg324-1 (A7-100T);
# <out>: the folder holding the emitted Verilog (`synack bitstream` writes
# it there) and receiving the reports and synack_arty.bit; <repo>: this
# repository. Sources come from constraints/arty_files.txt (the list the
# Yosys checks read too). Exits non-zero when any setup or hold slack is
# negative: a bitstream that does not meet timing is not a bitstream.

if {[llength $argv] != 3} {
    puts stderr "usage: vivado -mode batch -source build.tcl -tclargs <part> <out> <repo>"
    exit 2
}
lassign $argv part out repo
set top top

# The file list: `kind root path` per line; Vivado reads verilog and xdc.
set list [file join $repo constraints arty_files.txt]
set fh [open $list r]
set lines [split [read $fh] "\n"]
close $fh
foreach line $lines {
    set line [string trim $line]
    if {$line eq "" || [string index $line 0] eq "#"} { continue }
    lassign $line kind root path
    switch -- $root {
        repo { set file [file join $repo $path] }
        gen { set file [file join $out $path] }
        default { puts stderr "$list: unknown root `$root` in `$line`"; exit 2 }
    }
    if {![file exists $file]} {
        puts stderr "$list names $file, which does not exist (run `synack bitstream`, which emits it)"
        exit 2
    }
    switch -- $kind {
        verilog { read_verilog $file }
        xdc { read_xdc $file }
        standin {}
        default { puts stderr "$list: unknown kind `$kind` in `$line`"; exit 2 }
    }
}

synth_design -top $top -part $part -flatten_hierarchy rebuilt
opt_design
place_design
phys_opt_design
route_design

report_utilization -file [file join $out utilization.rpt]
report_timing_summary -max_paths 10 -file [file join $out timing_summary.rpt]
report_cdc -details -file [file join $out cdc.rpt]
report_clock_interaction -file [file join $out clock_interaction.rpt]

set setup [get_property SLACK [get_timing_paths -delay_type max -max_paths 1 -nworst 1]]
set hold [get_property SLACK [get_timing_paths -delay_type min -max_paths 1 -nworst 1]]
puts "synack: worst setup slack $setup ns, worst hold slack $hold ns"
if {$setup eq "" || $hold eq "" || $setup < 0 || $hold < 0} {
    puts stderr "synack: timing is not met (setup $setup ns, hold $hold ns); see [file join $out timing_summary.rpt]"
    exit 1
}

write_bitstream -force [file join $out synack_arty.bit]
puts "synack: wrote [file join $out synack_arty.bit]"
exit 0
