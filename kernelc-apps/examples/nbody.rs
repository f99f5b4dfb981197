//! The N-body comparison in full, and pictures of the classroom run.
//!
//! `cargo run --release -p kernelc-apps --example nbody` prints, per tier, the median and
//! min–max of several runs for both structures (a Rust RK2 loop calling the derivatives
//! kernel; the whole simulation in one kernel) and both sizes (N=20 for 2000 evaluations,
//! N=1000 for 20), with the speedup over the interpreter and the ratio to the hand-written
//! Rust. Then it draws the classroom run: `target/nbody/trajectories.png` (the x–y paths of
//! the 20 bodies) and the animated `target/nbody/frames.gif`.
//!
//! The pictures have no text, so no font (and no fontconfig) is needed to draw them.

use std::error::Error;
use std::path::{Path, PathBuf};

use kernelc_apps::nbody::{self, Bodies, CompareOptions, Engine, RunConfig, Tier};
use kernelc_apps::report::Progress;
use ndarray::{Array3, Axis};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
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
    // Left panel: (nearly) everything, ejected bodies included; right: the core.
    let views = [View::of(&frames, 0.02), View::of(&frames, 0.3)];
    let png = dir.join("trajectories.png");
    draw_trajectories(&png, &frames, &views)?;
    let gif = dir.join("frames.gif");
    draw_animation(&gif, &frames, &views)?;
    println!("\nwrote {} and {}", png.display(), gif.display());
    Ok(())
}

/// `target/nbody` under the workspace (or `CARGO_TARGET_DIR`).
fn output_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("nbody")
}

/// The workspace root: this crate sits one level below it.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("kernelc-apps lies inside the workspace")
}

/// A square x–y window: it holds the positions between the `q` and `1 - q` quantiles (of all
/// frames, per axis) with a margin, so a body ejected far away leaves the picture instead
/// of shrinking everyone else to a dot.
struct View {
    x: (f64, f64),
    y: (f64, f64),
}

impl View {
    fn of(frames: &Array3<f64>, q: f64) -> View {
        let axis = |k: usize| {
            let mut values: Vec<f64> = frames.index_axis(Axis(2), k).iter().copied().collect();
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
            (at(q), at(1.0 - q))
        };
        let ((x0, x1), (y0, y1)) = (axis(0), axis(1));
        let half = 0.55 * (x1 - x0).max(y1 - y0).max(1e-9);
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        View {
            x: (cx - half, cx + half),
            y: (cy - half, cy + half),
        }
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        (self.x.0..=self.x.1).contains(&x) && (self.y.0..=self.y.1).contains(&y)
    }

    /// The part of segment `a`–`b` inside the view (Liang–Barsky), if any.
    fn clip(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let edges = [
            (-dx, a.0 - self.x.0),
            (dx, self.x.1 - a.0),
            (-dy, a.1 - self.y.0),
            (dy, self.y.1 - a.1),
        ];
        for (p, q) in edges {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
        if t0 > t1 {
            return None;
        }
        let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
        // Keep the endpoints exact when they are inside, so pieces join up.
        let start = if t0 == 0.0 { a } else { at(t0) };
        let end = if t1 == 1.0 { b } else { at(t1) };
        Some((start, end))
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

/// The x–y path of `body` over frames `from..=upto`, cut to the view: pieces inside it,
/// each a polyline (plotters would otherwise pin outside points to the border).
fn path_of(
    frames: &Array3<f64>,
    body: usize,
    from: usize,
    upto: usize,
    view: &View,
) -> Vec<Vec<(f64, f64)>> {
    let point = |f: usize| (frames[[f, body, 0]], frames[[f, body, 1]]);
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    for f in from..upto {
        let Some((a, b)) = view.clip(point(f), point(f + 1)) else {
            continue;
        };
        match pieces.last_mut() {
            Some(piece) if piece.last() == Some(&a) => piece.push(b),
            _ => pieces.push(vec![a, b]),
        }
    }
    pieces
}

/// One panel per view, side by side, each `side` pixels square with a thin gap.
fn panels<'a>(
    root: &DrawingArea<BitMapBackend<'a>, Shift>,
    side: u32,
) -> Vec<DrawingArea<BitMapBackend<'a>, Shift>> {
    root.fill(&RGBColor(200, 200, 200)).ok();
    let (left, right) = root.split_horizontally(side);
    vec![left, right.margin(0, 0, 4, 0)]
}

fn draw_trajectories(
    path: &Path,
    frames: &Array3<f64>,
    views: &[View; 2],
) -> Result<(), Box<dyn Error>> {
    const SIDE: u32 = 700;
    let root = BitMapBackend::new(path, (2 * SIDE + 4, SIDE)).into_drawing_area();
    let last = frames.len_of(Axis(0)) - 1;
    for (area, view) in panels(&root, SIDE).iter().zip(views) {
        let mut chart = chart(area, view)?;
        for body in 0..frames.len_of(Axis(1)) {
            for piece in path_of(frames, body, 0, last, view) {
                let color = Palette99::pick(body).stroke_width(2);
                chart.draw_series(LineSeries::new(piece, color))?;
            }
            let start = (frames[[0, body, 0]], frames[[0, body, 1]]);
            if view.contains(start) {
                chart.draw_series([Circle::new(start, 4, Palette99::pick(body).filled())])?;
            }
        }
    }
    root.present()?;
    Ok(())
}

fn draw_animation(
    path: &Path,
    frames: &Array3<f64>,
    views: &[View; 2],
) -> Result<(), Box<dyn Error>> {
    const TRAIL: usize = 15;
    const SIDE: u32 = 450;
    let root = BitMapBackend::gif(path, (2 * SIDE + 4, SIDE), 60)?.into_drawing_area();
    let n_frames = frames.len_of(Axis(0));
    let mut progress = Progress::new(n_frames, true);
    for frame in 0..n_frames {
        progress.step(&format!("drawing frame {frame} of {}", n_frames - 1));
        for (area, view) in panels(&root, SIDE).iter().zip(views) {
            let mut chart = chart(area, view)?;
            for body in 0..frames.len_of(Axis(1)) {
                let from = frame.saturating_sub(TRAIL);
                for piece in path_of(frames, body, from, frame, view) {
                    let color = Palette99::pick(body).mix(0.5);
                    chart.draw_series(LineSeries::new(piece, color))?;
                }
                let here = (frames[[frame, body, 0]], frames[[frame, body, 1]]);
                if view.contains(here) {
                    chart.draw_series([Circle::new(here, 5, Palette99::pick(body).filled())])?;
                }
            }
        }
        root.present()?;
    }
    progress.finish();
    Ok(())
}
