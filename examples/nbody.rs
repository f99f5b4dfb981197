//! The N-body comparison in full, and pictures of the classroom run.
//!
//! `cargo run --release --example nbody` prints, per tier, the median and min–max of several
//! runs for both structures (a Rust RK2 loop calling the derivatives kernel; the whole
//! simulation in one kernel) and both sizes (N=20 for 2000 evaluations, N=1000 for 20), with
//! the speedup over the interpreter and the ratio to the hand-written Rust. Then it draws the
//! classroom run: `target/nbody/trajectories.png` (the x–y paths of the 20 bodies) and the
//! animated `target/nbody/frames.gif`.
//!
//! The pictures have no text, so no font (and no fontconfig) is needed to draw them.

use std::error::Error;
use std::path::{Path, PathBuf};

use kernelc::apps::nbody::{self, Bodies, CompareOptions, Engine, RunConfig, Tier};
use kernelc::apps::report::Progress;
use ndarray::{Array3, Axis};
use plotters::prelude::*;

fn main() -> Result<(), Box<dyn Error>> {
    let options = CompareOptions {
        runs: 11,
        large_runs: 5,
        interpreter_large_full: true,
        ..CompareOptions::default()
    };
    println!("N-body RK2: every tier, both structures, both sizes (compilation not timed)\n");
    let comparison = nbody::compare(&options)?;
    print!("{}", comparison.table());
    for note in comparison.notes() {
        println!("\n{note}");
    }

    let bodies = Bodies::uniform(RunConfig::CLASSROOM_BODIES, options.seed);
    let frames = Engine::new(Tier::Native)?.simulate(&bodies, &RunConfig::CLASSROOM)?;
    let dir = output_dir();
    std::fs::create_dir_all(&dir)?;
    let view = View::of(&frames);
    let png = dir.join("trajectories.png");
    draw_trajectories(&png, &frames, &view)?;
    let gif = dir.join("frames.gif");
    draw_animation(&gif, &frames, &view)?;
    println!("\nwrote {} and {}", png.display(), gif.display());
    Ok(())
}

/// `target/nbody` under the workspace (or `CARGO_TARGET_DIR`).
fn output_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("nbody")
}

/// The square x–y window shown: it holds the central 96% of all positions, so a body
/// ejected far away leaves the picture instead of shrinking everyone else to a dot.
struct View {
    x: (f64, f64),
    y: (f64, f64),
}

impl View {
    fn of(frames: &Array3<f64>) -> View {
        let axis = |k: usize| {
            let mut values: Vec<f64> = frames.index_axis(Axis(2), k).iter().copied().collect();
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
            (at(0.02), at(0.98))
        };
        let ((x0, x1), (y0, y1)) = (axis(0), axis(1));
        let half = 0.55 * (x1 - x0).max(y1 - y0).max(1e-9);
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        View {
            x: (cx - half, cx + half),
            y: (cy - half, cy + half),
        }
    }
}

type Chart<'a> = ChartContext<'a, BitMapBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn chart<'a>(
    root: &DrawingArea<BitMapBackend<'a>, Shift>,
    view: &View,
) -> Result<Chart<'a>, Box<dyn Error>> {
    root.fill(&WHITE)?;
    let chart = ChartBuilder::on(root)
        .margin(10)
        .build_cartesian_2d(view.x.0..view.x.1, view.y.0..view.y.1)?;
    Ok(chart)
}

fn path_of(frames: &Array3<f64>, body: usize, upto: usize) -> Vec<(f64, f64)> {
    (0..=upto)
        .map(|f| (frames[[f, body, 0]], frames[[f, body, 1]]))
        .collect()
}

fn draw_trajectories(path: &Path, frames: &Array3<f64>, view: &View) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(path, (800, 800)).into_drawing_area();
    let mut chart = chart(&root, view)?;
    let last = frames.len_of(Axis(0)) - 1;
    for body in 0..frames.len_of(Axis(1)) {
        let color = Palette99::pick(body).stroke_width(2);
        chart.draw_series(LineSeries::new(path_of(frames, body, last), color))?;
        let start = (frames[[0, body, 0]], frames[[0, body, 1]]);
        chart.draw_series([Circle::new(start, 4, Palette99::pick(body).filled())])?;
    }
    root.present()?;
    Ok(())
}

fn draw_animation(path: &Path, frames: &Array3<f64>, view: &View) -> Result<(), Box<dyn Error>> {
    const TRAIL: usize = 15;
    let root = BitMapBackend::gif(path, (600, 600), 60)?.into_drawing_area();
    let n_frames = frames.len_of(Axis(0));
    let mut progress = Progress::new(n_frames, true);
    for frame in 0..n_frames {
        progress.step(&format!("drawing frame {frame} of {}", n_frames - 1));
        let mut chart = chart(&root, view)?;
        for body in 0..frames.len_of(Axis(1)) {
            let trail: Vec<(f64, f64)> = path_of(frames, body, frame)
                .into_iter()
                .skip(frame.saturating_sub(TRAIL))
                .collect();
            chart.draw_series(LineSeries::new(trail, Palette99::pick(body).mix(0.5)))?;
            let here = (frames[[frame, body, 0]], frames[[frame, body, 1]]);
            chart.draw_series([Circle::new(here, 5, Palette99::pick(body).filled())])?;
        }
        root.present()?;
    }
    progress.finish();
    Ok(())
}
