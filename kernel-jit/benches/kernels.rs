//! Criterion benchmarks of JIT-compiled kernels against the same loops hand-written in Rust
//! (compiled with the bench profile, i.e. `rustc -O`), side by side, plus the compile latency
//! of the classroom N-body module. Run with `cargo bench -p kernel-jit --bench kernels`; the
//! last lines printed are the JIT/Rust ratios of the medians (see `docs/PERFORMANCE.md`).
//!
//! Both sides perform the same IEEE operations in the same order, so every benchmark also
//! checks that they produce bit-identical results before timing them.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion};
use kernel_ir::abi::{RawArray, RawScalar};
use kernel_ir::ir::FuncId;
use kernel_jit::{Jit, JitOptions, RawArg};

#[path = "../tests/support/nbody.rs"]
#[macro_use]
#[allow(dead_code)]
mod nbody_source;

/// The kernels, in the language of SPEC §2, written the way the Rust references below are.
const SOURCE: &str = concat!(
    classroom_derivatives!(),
    "
fn pairwise(x: ArrayView2<f64>, d: &mut Array2<f64>) {
    let (n, m) = x.dim();
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..m {
                let t = x[[i, k]] - x[[j, k]];
                s += t * t;
            }
            d[[i, j]] = s.sqrt();
        }
    }
}

fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

fn matmul(a: ArrayView2<f64>, b: ArrayView2<f64>, c: &mut Array2<f64>) {
    let (n, m) = a.dim();
    let p = b.ncols();
    for i in 0..n {
        for j in 0..p {
            let mut s = 0.0;
            for k in 0..m {
                s += a[[i, k]] * b[[k, j]];
            }
            c[[i, j]] = s;
        }
    }
}
",
);

/// The hand-written Rust references: row-major slices, the natural indexing.
mod rust {
    pub fn derivatives(pos: &[f64], vel: &[f64], mass: &[f64], dpos: &mut [f64], dvel: &mut [f64]) {
        let n = mass.len();
        for i in 0..n {
            let (mut ax, mut ay, mut az) = (0.0, 0.0, 0.0);
            for j in 0..n {
                if j != i {
                    let rx = pos[3 * j] - pos[3 * i];
                    let ry = pos[3 * j + 1] - pos[3 * i + 1];
                    let rz = pos[3 * j + 2] - pos[3 * i + 2];
                    let rnorm = (rx * rx + ry * ry + rz * rz).sqrt();
                    let scale = mass[j] / (rnorm * rnorm);
                    ax += scale * (rx / rnorm);
                    ay += scale * (ry / rnorm);
                    az += scale * (rz / rnorm);
                }
            }
            dpos[3 * i..3 * i + 3].copy_from_slice(&vel[3 * i..3 * i + 3]);
            dvel[3 * i] = ax;
            dvel[3 * i + 1] = ay;
            dvel[3 * i + 2] = az;
        }
    }

    pub fn pairwise(x: &[f64], d: &mut [f64], n: usize, m: usize) {
        for i in 0..n {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..m {
                    let t = x[i * m + k] - x[j * m + k];
                    s += t * t;
                }
                d[i * n + j] = s.sqrt();
            }
        }
    }

    pub fn dot(x: &[f64], y: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() {
            s += x[i] * y[i];
        }
        s
    }

    pub fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
        for i in 0..y.len() {
            y[i] += a * x[i];
        }
    }

    pub fn matmul(a: &[f64], b: &[f64], c: &mut [f64], n: usize, m: usize, p: usize) {
        for i in 0..n {
            for j in 0..p {
                let mut s = 0.0;
                for k in 0..m {
                    s += a[i * m + k] * b[k * p + j];
                }
                c[i * p + j] = s;
            }
        }
    }
}

/// The JIT with every kernel of [`SOURCE`] compiled.
struct Kernels {
    program: kernel_ir::Program,
    jit: Jit,
}

impl Kernels {
    fn new() -> Kernels {
        let program = kernel_ir::compile(SOURCE).expect("the bench kernels compile");
        let mut jit = Jit::new(JitOptions::default()).expect("Jit::new");
        for name in ["derivatives", "pairwise", "dot", "axpy", "matmul"] {
            let id = program.concrete(name).expect("kernel exists");
            jit.compile(&program, id)
                .expect("the JIT compiles the kernel");
        }
        Kernels { program, jit }
    }

    fn id(&self, name: &str) -> FuncId {
        self.program.concrete(name).expect("kernel exists")
    }

    /// Calls `name`; the caller keeps every buffer behind `args` alive and unaliased.
    fn call(&self, id: FuncId, args: &[RawArg]) -> RawScalar {
        self.jit.check_args(id, args).expect("arguments fit");
        // SAFETY: checked above; every array argument of this bench points at a live `Vec`
        // that outlives the call, and the writable ones are distinct buffers.
        unsafe { self.jit.call(id, args) }.expect("the kernel runs")
    }
}

/// A row-major `rows × cols` view of `data`.
fn view2(data: &mut [f64], rows: usize, cols: usize) -> RawArg {
    assert_eq!(data.len(), rows * cols);
    RawArg::Array(RawArray {
        data: data.as_mut_ptr() as *mut u8,
        dims: [rows as u64, cols as u64, 1],
        strides: [cols as i64, 1, 0],
    })
}

fn view1(data: &mut [f64]) -> RawArg {
    RawArg::Array(RawArray {
        data: data.as_mut_ptr() as *mut u8,
        dims: [data.len() as u64, 1, 1],
        strides: [1, 0, 0],
    })
}

fn scalar(x: f64) -> RawArg {
    RawArg::Scalar(RawScalar::from_f64(x))
}

/// Deterministic data in [-1, 1).
fn data(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, heavy: bool) {
    if heavy {
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
    } else {
        group
            .sample_size(40)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    }
}

fn bench_nbody(c: &mut Criterion, k: &Kernels, n: usize) {
    let id = k.id("derivatives");
    let mut pos = data(n * 3, 1);
    let mut vel = data(n * 3, 2);
    let mut mass: Vec<f64> = data(n, 3).iter().map(|m| m.abs() + 0.1).collect();
    let (mut dpos, mut dvel) = (vec![0.0; n * 3], vec![0.0; n * 3]);
    let (mut rpos, mut rvel) = (vec![0.0; n * 3], vec![0.0; n * 3]);
    let args = [
        view2(&mut pos, n, 3),
        view2(&mut vel, n, 3),
        view1(&mut mass),
        view2(&mut dpos, n, 3),
        view2(&mut dvel, n, 3),
    ];
    k.call(id, &args);
    rust::derivatives(&pos, &vel, &mass, &mut rpos, &mut rvel);
    assert_same(&dvel, &rvel, "derivatives");
    let mut group = c.benchmark_group(format!("nbody_derivatives/N={n}"));
    configure(&mut group, n >= 1000);
    group.bench_function("jit", |b| b.iter(|| k.call(id, black_box(&args))));
    group.bench_function("rust", |b| {
        b.iter(|| rust::derivatives(black_box(&pos), &vel, &mass, &mut rpos, &mut rvel))
    });
    group.finish();
}

fn bench_pairwise(c: &mut Criterion, k: &Kernels, n: usize, m: usize) {
    let id = k.id("pairwise");
    let mut x = data(n * m, 4);
    let (mut d, mut rd) = (vec![0.0; n * n], vec![0.0; n * n]);
    let args = [view2(&mut x, n, m), view2(&mut d, n, n)];
    k.call(id, &args);
    rust::pairwise(&x, &mut rd, n, m);
    assert_same(&d, &rd, "pairwise");
    let mut group = c.benchmark_group(format!("pairwise/{n}x{m}"));
    configure(&mut group, n * n * m > 10_000_000);
    group.bench_function("jit", |b| b.iter(|| k.call(id, black_box(&args))));
    group.bench_function("rust", |b| {
        b.iter(|| rust::pairwise(black_box(&x), &mut rd, n, m))
    });
    group.finish();
}

fn bench_vectors(c: &mut Criterion, k: &Kernels, len: usize) {
    let (dot, axpy) = (k.id("dot"), k.id("axpy"));
    let mut x = data(len, 5);
    let mut y = data(len, 6);
    let args = [view1(&mut x), view1(&mut y)];
    let jit_dot = k.call(dot, &args).as_f64();
    assert_same(&[jit_dot], &[rust::dot(&x, &y)], "dot");
    let mut group = c.benchmark_group("dot/1e6");
    configure(&mut group, false);
    group.bench_function("jit", |b| b.iter(|| k.call(dot, black_box(&args))));
    group.bench_function("rust", |b| b.iter(|| rust::dot(black_box(&x), &y)));
    group.finish();

    let mut ry = y.clone();
    let args = [scalar(0.5), view1(&mut x), view1(&mut y)];
    k.call(axpy, &args);
    rust::axpy(0.5, &x, &mut ry);
    assert_same(&y, &ry, "axpy");
    // Tiny `a`: thousands of iterations keep `y` far from overflow.
    let args = [scalar(1e-9), args[1], args[2]];
    let mut group = c.benchmark_group("axpy/1e6");
    configure(&mut group, false);
    group.bench_function("jit", |b| b.iter(|| k.call(axpy, black_box(&args))));
    group.bench_function("rust", |b| {
        b.iter(|| rust::axpy(black_box(1e-9), &x, &mut ry))
    });
    group.finish();
}

fn bench_matmul(c: &mut Criterion, k: &Kernels, n: usize) {
    let id = k.id("matmul");
    let mut a = data(n * n, 7);
    let mut b = data(n * n, 8);
    let (mut out, mut rout) = (vec![0.0; n * n], vec![0.0; n * n]);
    let args = [
        view2(&mut a, n, n),
        view2(&mut b, n, n),
        view2(&mut out, n, n),
    ];
    k.call(id, &args);
    rust::matmul(&a, &b, &mut rout, n, n, n);
    assert_same(&out, &rout, "matmul");
    let mut group = c.benchmark_group(format!("matmul/{n}x{n}"));
    configure(&mut group, false);
    group.bench_function("jit", |bench| bench.iter(|| k.call(id, black_box(&args))));
    group.bench_function("rust", |bench| {
        bench.iter(|| rust::matmul(black_box(&a), &b, &mut rout, n, n, n))
    });
    group.finish();
}

/// Source string → callable function, for the module holding the N-body kernel.
fn bench_compile(c: &mut Criterion) {
    let source = nbody_module();
    let mut group = c.benchmark_group("compile_latency/nbody_module");
    configure(&mut group, false);
    group.bench_function("jit", |b| {
        b.iter(|| {
            let program = kernel_ir::compile(black_box(source)).expect("compiles");
            let mut jit = Jit::new(JitOptions::default()).expect("Jit::new");
            let id = program.concrete("derivatives").expect("kernel exists");
            jit.compile(&program, id).expect("the JIT compiles it");
            jit
        })
    });
    group.finish();
}

/// The N-body module: the `derivatives` kernel alone.
fn nbody_module() -> &'static str {
    &SOURCE[..SOURCE.find("fn pairwise").unwrap_or(SOURCE.len())]
}

/// CPU time this thread has used (user + system), from `/proc/thread-self/stat` in clock
/// ticks of 10 ms: unlike wall time, it does not grow when other processes take the cores.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let mut fields = stat[stat.rfind(')')? + 2..].split_whitespace();
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Mean CPU time of one compile of the N-body module (source → callable), over enough runs
/// for the 10 ms tick to matter little.
fn compile_cpu_time() -> Option<Duration> {
    let runs = 1000;
    let before = thread_cpu_time()?;
    for _ in 0..runs {
        let program = kernel_ir::compile(black_box(nbody_module())).ok()?;
        let mut jit = Jit::new(JitOptions::default()).ok()?;
        let id = program.concrete("derivatives")?;
        jit.compile(&program, id).ok()?;
        black_box(jit);
    }
    Some((thread_cpu_time()? - before) / runs)
}

fn assert_same(jit: &[f64], rust: &[f64], what: &str) {
    let same = jit.len() == rust.len()
        && jit
            .iter()
            .zip(rust)
            .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same, "{what}: JIT and Rust results differ");
}

/// Where criterion writes its estimates (`$CRITERION_HOME`, else `<target>/criterion`).
fn criterion_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return Some(PathBuf::from(home));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(target).join("criterion"));
    }
    // The bench runs as `<target>/release/deps/kernels-HASH`.
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.parent()?.join("criterion"))
}

/// The median estimate (ns) criterion stored for `group/function`.
fn median_ns(dir: &std::path::Path, group: &str, function: &str) -> Option<f64> {
    let path = dir.join(group).join(function).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let median = &text[text.find("\"median\"")?..];
    let estimate = &median[median.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = estimate.find([',', '}'])?;
    estimate[..end].trim().parse().ok()
}

fn print_ratios() {
    let Some(dir) = criterion_dir() else {
        return;
    };
    let groups = [
        ("nbody_derivatives/N=20", "nbody_derivatives_N=20", 1.3),
        ("nbody_derivatives/N=1000", "nbody_derivatives_N=1000", 1.3),
        ("pairwise/100x100", "pairwise_100x100", 1.3),
        ("pairwise/2000x64", "pairwise_2000x64", 1.3),
        ("dot/1e6", "dot_1e6", 2.0),
        ("axpy/1e6", "axpy_1e6", 2.0),
        ("matmul/256x256", "matmul_256x256", 2.0),
    ];
    println!("\n| benchmark | JIT | Rust -O | JIT / Rust | target |");
    println!("|---|---|---|---|---|");
    for (name, dir_name, target) in groups {
        let (Some(jit), Some(rust)) = (
            median_ns(&dir, dir_name, "jit"),
            median_ns(&dir, dir_name, "rust"),
        ) else {
            continue;
        };
        println!(
            "| {name} | {} | {} | {:.2} | ≤ {target} |",
            human(jit),
            human(rust),
            jit / rust
        );
    }
    if let Some(compile) = median_ns(&dir, "compile_latency_nbody_module", "jit") {
        println!(
            "| compile latency, N-body module (wall, median) | {} | | | < 1 ms |",
            human(compile)
        );
    }
    if let Some(cpu) = compile_cpu_time() {
        println!(
            "| compile latency, N-body module (CPU time, mean of 1000) | {} | | | < 1 ms |",
            human(cpu.as_nanos() as f64)
        );
    }
}

fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let k = Kernels::new();
    bench_nbody(&mut c, &k, 20);
    bench_nbody(&mut c, &k, 1000);
    bench_pairwise(&mut c, &k, 100, 100);
    bench_pairwise(&mut c, &k, 2000, 64);
    bench_vectors(&mut c, &k, 1_000_000);
    bench_matmul(&mut c, &k, 256);
    bench_compile(&mut c);
    c.final_summary();
    print_ratios();
}
