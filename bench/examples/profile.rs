//! One run of a `synack bench` figure, for a profiler:
//! `cargo build --release -p synack-bench --example profile`, then
//! `valgrind --tool=callgrind target/release/examples/profile bulk 1500 16`
//! (`smoltcp-bulk MTU MIB`: the same transfer between two smoltcp hosts;
//! `churn N [RECORDS]`: N connections opened and closed, with RECORDS
//! TIME-WAIT records made first, as the bench's full-table churn).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("bulk");
    match what {
        "bulk" | "smoltcp-bulk" => {
            let mtu = args.get(2).and_then(|x| x.parse().ok()).unwrap_or(1500);
            let mib: u64 = args.get(3).and_then(|x| x.parse().ok()).unwrap_or(16);
            let run = if what == "bulk" {
                synack_bench::stack::bulk
            } else {
                synack_bench::smol::bulk
            };
            let m = run(synack_bench::Bulk {
                mtu,
                bytes: mib << 20,
                offload: false,
            });
            println!("{:.2} Gbit/s per CPU-s", m.gbit_per_cpu_s());
        }
        "churn" => {
            let n = args.get(2).and_then(|x| x.parse().ok()).unwrap_or(5000);
            let prefill = args.get(3).and_then(|x| x.parse().ok()).unwrap_or(0);
            let c = synack_bench::stack::churn(n, prefill);
            println!("{:.0} connections per CPU-s", c.measurement.per_cpu_s());
        }
        other => eprintln!(
            "profile bulk MTU MIB | smoltcp-bulk MTU MIB | churn N [RECORDS], not {other}"
        ),
    }
}
