//! The hand-written Rust reference: the kernels' arithmetic over flat slices (`a[3 * i + k]`),
//! in the same order, so it is the "what you would write by hand" bar for the comparison and
//! agrees with every tier bit for bit.

/// `dpos = vel`; `dvel[i] = Σ_{j≠i} mass[j] / |r|² · r/|r|` with `r = pos[j] - pos[i]`,
/// accumulated over `j` in order. All slices are N×3 row-major except `mass` (N).
///
/// # Panics
/// If a slice is shorter than `mass` implies (like any slice indexing).
pub fn derivatives(pos: &[f64], vel: &[f64], mass: &[f64], dpos: &mut [f64], dvel: &mut [f64]) {
    let n = mass.len();
    for i in 0..n {
        let (mut ax, mut ay, mut az) = (0.0, 0.0, 0.0);
        let (xi, yi, zi) = (pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
        for j in 0..n {
            if j != i {
                let rx = pos[3 * j] - xi;
                let ry = pos[3 * j + 1] - yi;
                let rz = pos[3 * j + 2] - zi;
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

/// Scratch space of one midpoint step: the half-step state and the derivatives.
#[derive(Clone, Debug)]
pub struct Workspace {
    pos_half: Vec<f64>,
    vel_half: Vec<f64>,
    dpos: Vec<f64>,
    dvel: Vec<f64>,
}

impl Workspace {
    pub fn new(n_bodies: usize) -> Workspace {
        let zeros = vec![0.0; 3 * n_bodies];
        Workspace {
            pos_half: zeros.clone(),
            vel_half: zeros.clone(),
            dpos: zeros.clone(),
            dvel: zeros,
        }
    }
}

/// One midpoint step of `dt` on `pos`/`vel` in place: `k1 = f(y)`, `y½ = y + dt/2·k1`,
/// `k2 = f(y½)`, `y += dt·k2`.
pub fn rk2_step(pos: &mut [f64], vel: &mut [f64], mass: &[f64], dt: f64, work: &mut Workspace) {
    let half = dt / 2.0;
    derivatives(pos, vel, mass, &mut work.dpos, &mut work.dvel);
    for (h, (y, k)) in work.pos_half.iter_mut().zip(pos.iter().zip(&work.dpos)) {
        *h = y + half * k;
    }
    for (h, (y, k)) in work.vel_half.iter_mut().zip(vel.iter().zip(&work.dvel)) {
        *h = y + half * k;
    }
    derivatives(
        &work.pos_half,
        &work.vel_half,
        mass,
        &mut work.dpos,
        &mut work.dvel,
    );
    for (y, k) in pos.iter_mut().zip(&work.dpos) {
        *y += dt * k;
    }
    for (y, k) in vel.iter_mut().zip(&work.dvel) {
        *y += dt * k;
    }
}

/// The whole run: `frames + 1` frames of N×3 positions, flattened (frame 0 = `pos0`), each
/// after `steps_per_frame` more midpoint steps.
pub fn simulate(
    pos0: &[f64],
    vel0: &[f64],
    mass: &[f64],
    dt: f64,
    steps_per_frame: usize,
    frames: usize,
) -> Vec<f64> {
    let (mut pos, mut vel) = (pos0.to_vec(), vel0.to_vec());
    let mut work = Workspace::new(mass.len());
    let mut out = Vec::with_capacity(pos.len() * (frames + 1));
    out.extend_from_slice(&pos);
    for _ in 0..frames {
        for _ in 0..steps_per_frame {
            rk2_step(&mut pos, &mut vel, mass, dt, &mut work);
        }
        out.extend_from_slice(&pos);
    }
    out
}
