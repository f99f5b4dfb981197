//! Native code at each instruction-set level, side by side in one run: `#[kernel]` compiles
//! every function for the baseline, AVX2 + FMA and AVX-512, and this forces each level the
//! CPU has in turn (`kernel_runtime::force_isa_level`) on the same calls. Prints the median
//! and best of the timed calls per level and the speedup over the baseline
//! (`cargo bench -p kernel-runtime --bench isa_levels`; `ISA_BENCH_RUNS` calls per level,
//! default 31). Every level's results are checked bit-identical to the baseline's first.

use std::time::{Duration, Instant};

use kernel_runtime::{force_isa_level, isa_level, isa_supported, kernel, IsaLevel, KernelError};

#[kernel]
mod kernels {
    /// `mul_add` elementwise: a libm `fma` call per element at the baseline.
    pub fn fused(a: &[f64], b: &[f64], c: &mut [f64]) {
        for i in 0..c.len() {
            c[i] = a[i].mul_add(b[i], c[i]);
        }
    }

    /// The same arithmetic unfused: a multiply and an add per element at every level.
    pub fn elementwise(a: &[f64], b: &[f64], c: &mut [f64]) {
        for i in 0..c.len() {
            c[i] = a[i] * b[i] + c[i];
        }
    }

    /// A `mul_add` chain through one accumulator: sequential, so no level vectorises it; the
    /// baseline pays a call per step.
    pub fn dot(a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..a.len() {
            s = a[i].mul_add(b[i], s);
        }
        s
    }
}

/// The kernels above.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    Fused,
    Elementwise,
    Dot,
}

impl Kernel {
    const ALL: [Kernel; 3] = [Kernel::Fused, Kernel::Elementwise, Kernel::Dot];

    fn describe(self) -> &'static str {
        match self {
            Kernel::Fused => "fused: c[i] = a[i].mul_add(b[i], c[i])",
            Kernel::Elementwise => "elementwise: c[i] = a[i] * b[i] + c[i]",
            Kernel::Dot => "dot: s = a[i].mul_add(b[i], s)",
        }
    }

    /// One call; `c` accumulates across timed calls (it stays finite over a few hundred).
    fn call(self, inputs: &mut Inputs) -> Result<f64, KernelError> {
        let Inputs { a, b, c, .. } = inputs;
        match self {
            Kernel::Fused => kernels::fused(a, b, c).map(|()| 0.0),
            Kernel::Elementwise => kernels::elementwise(a, b, c).map(|()| 0.0),
            Kernel::Dot => kernels::dot(a, b),
        }
    }

    /// The bits of one call from the initial `c`: the output array and the return value.
    fn result_bits(self, inputs: &mut Inputs) -> Vec<u64> {
        inputs.c.copy_from_slice(&inputs.c0);
        let value = self.call(inputs).expect("the kernel runs");
        let mut bits: Vec<u64> = inputs.c.iter().map(|x| x.to_bits()).collect();
        bits.push(value.to_bits());
        bits
    }
}

struct Inputs {
    a: Vec<f64>,
    b: Vec<f64>,
    c0: Vec<f64>,
    c: Vec<f64>,
}

impl Inputs {
    fn new(len: usize) -> Inputs {
        let c0 = data(len, 3);
        Inputs {
            a: data(len, 1),
            b: data(len, 2),
            c: c0.clone(),
            c0,
        }
    }
}

fn data(len: usize, seed: u64) -> Vec<f64> {
    (0..len)
        .map(|k| ((k as u64 * 7919 + seed * 104_729) % 2003) as f64 / 97.0 - 10.0)
        .collect()
}

/// Median and best of `runs` timed calls, after one untimed call.
fn time(kernel: Kernel, inputs: &mut Inputs, runs: usize) -> (Duration, Duration) {
    let _ = kernel.call(inputs);
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let result = kernel.call(inputs);
            let elapsed = start.elapsed();
            std::hint::black_box(result).expect("the kernel runs");
            elapsed
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn main() {
    let runs = std::env::var("ISA_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(31usize);
    let detected = isa_level();
    let levels: Vec<IsaLevel> = IsaLevel::ALL
        .into_iter()
        .filter(|&level| {
            let supported = isa_supported(level);
            if !supported {
                println!("(skipping {level}: this CPU lacks it)");
            }
            supported
        })
        .collect();
    println!("auto-detected level: {detected}; {runs} calls per level, median (best)");
    for len in [1_000_000, 10_000] {
        let mut inputs = Inputs::new(len);
        for kernel in Kernel::ALL {
            let mut baseline: Option<(Vec<u64>, Duration)> = None;
            println!("{}, n = {len}:", kernel.describe());
            for &level in &levels {
                force_isa_level(Some(level)).expect("a level the CPU has");
                let bits = kernel.result_bits(&mut inputs);
                let (median, best) = time(kernel, &mut inputs, runs);
                let (expected, base) = baseline.get_or_insert_with(|| (bits.clone(), median));
                assert!(
                    *expected == bits,
                    "{kernel:?}: {level} differs from the baseline"
                );
                let speedup = base.as_secs_f64() / median.as_secs_f64();
                println!("  {level:>8}: {median:>10.2?} ({best:.2?})  {speedup:.2}x");
            }
        }
    }
    force_isa_level(None).expect("the default level");
}
