use kernel_runtime::{Backend, Options};
use kernelc::apps::nbody::{Bodies, Engine, RunConfig, Tier};
fn main() {
    let bodies = Bodies::uniform(20, Bodies::SEED);
    let jit = Engine::new(Tier::Jit).unwrap();
    let native = Engine::new(Tier::Native).unwrap();
    let reference = Engine::new(Tier::Reference).unwrap();
    let _ = (Backend::Jit, Options::default());
    let mut best = [f64::MAX; 3];
    for _round in 0..10 {
        for (k, e) in [&jit, &native, &reference].iter().enumerate() {
            let t = std::time::Instant::now();
            e.simulate(&bodies, &RunConfig::CLASSROOM).unwrap();
            best[k] = best[k].min(t.elapsed().as_secs_f64());
            if k < 2 {
                eprint!("{k}:");
                eprint!("{:.2} ", t.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    println!(
        "simulate N=20: jit {:.2} ms native {:.2} ms ref {:.2} ms; jit/ref {:.2} native/ref {:.2}",
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3,
        best[0] / best[2],
        best[1] / best[2]
    );
}
