use kernel_runtime::Module;
use kernelc::apps::nbody::nbody_kernels;
fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let mut samples = Vec::new();
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let m = Module::compile(nbody_kernels::SOURCE).unwrap();
        let _d = m.function("derivatives").unwrap();
        if std::env::var("BOTH").is_ok() {
            let _s = m.function("simulate").unwrap();
        }
        samples.push(t.elapsed().as_secs_f64() * 1e3);
        drop(m);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "compile N-body module: min {:.3} ms median {:.3} ms",
        samples[0],
        samples[samples.len() / 2]
    );
}
