use kernel_runtime::{Arg, Module};
use ndarray::{Array1, Array2};
fn main() {
    let module = Module::compile("fn empty(pos: ArrayView2<f64>, vel: ArrayView2<f64>, mass: &[f64], dpos: &mut Array2<f64>, dvel: &mut Array2<f64>) {}").unwrap();
    let function = module.function("empty").unwrap();
    let n = 20;
    let pos = Array2::<f64>::zeros((n, 3));
    let vel = Array2::<f64>::zeros((n, 3));
    let mass = Array1::<f64>::ones(n);
    let mut dpos = Array2::<f64>::zeros((n, 3));
    let mut dvel = Array2::<f64>::zeros((n, 3));
    let mut prepared = function
        .prepare(&[
            Arg::from(pos.view()),
            Arg::from(vel.view()),
            Arg::from(mass.view()),
            Arg::from(dpos.view_mut()),
            Arg::from(dvel.view_mut()),
        ])
        .unwrap();
    let reps = 200_000;
    let t = std::time::Instant::now();
    for _ in 0..reps {
        prepared
            .call(&mut [
                Arg::from(pos.view()),
                Arg::from(vel.view()),
                Arg::from(mass.view()),
                Arg::from(dpos.view_mut()),
                Arg::from(dvel.view_mut()),
            ])
            .unwrap();
    }
    println!(
        "{:.1} ns per prepared call",
        t.elapsed().as_nanos() as f64 / reps as f64
    );
}
