//! Writes every top's Verilog into a folder: `cargo run -p synack-hdl --example emit -- out/`.
fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out/verilog".into());
    std::fs::create_dir_all(&dir)?;
    for top in synack_hdl::verilog_tops() {
        let path = format!("{dir}/{}.v", top.name);
        std::fs::write(&path, &top.verilog)?;
        println!("{path}");
    }
    Ok(())
}
