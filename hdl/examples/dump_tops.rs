// Temporary: writes every top's Verilog to the directory given.
fn main() {
    let dir = std::env::args().nth(1).expect("dir");
    std::fs::create_dir_all(&dir).unwrap();
    for t in synack_hdl::verilog_tops() {
        std::fs::write(format!("{dir}/{}.v", t.name), &t.verilog).unwrap();
    }
}
