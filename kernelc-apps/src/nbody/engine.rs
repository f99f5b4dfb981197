//! Running the N-body kernels in one tier: [`Tier`] names the tiers, [`Engine`] holds what a
//! tier needs (its checked kernels), [`Derivatives`] is a checked
//! handle to the derivatives kernel, and the two run structures live here: the Rust RK2
//! driver ([`Engine::rk2`]) and the whole-simulation kernel ([`Engine::simulate`]).
//!
//! The Rust driver is the same code for every tier: only the derivative evaluation changes,
//! so differences in its timings are the tiers' (kernel speed plus per-call overhead).

use kernel_runtime::{Backend, Options, TypedFunc};
use ndarray::{Array2, Array3, ArrayView2, ArrayViewMut2, ArrayViewMut3, Zip};

use super::init::{Bodies, RunConfig};
use super::{nbody_kernels, reference};

/// One way of running the kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tier {
    /// The kernel source run by kernel-runtime's interpreter.
    Interpreter,
    /// The kernel source compiled at run time by Cranelift (kernel-runtime's JIT backend).
    Jit,
    /// The `#[kernel]` expansion: native Rust specialised from the same IR.
    Native,
    /// The hand-written Rust of [`reference`], the bar to measure against.
    Reference,
}

impl Tier {
    /// Every tier, the interpreter first (the speedup baseline) and the reference last.
    pub const ALL: &'static [Tier] = &[Tier::Interpreter, Tier::Jit, Tier::Native, Tier::Reference];

    /// The tiers that run the kernel language (all but the hand-written reference).
    pub const KERNEL_TIERS: &'static [Tier] = &[Tier::Interpreter, Tier::Jit, Tier::Native];

    /// The compiled kernel tiers, which must be far faster than the interpreter.
    pub const COMPILED: &'static [Tier] = &[Tier::Jit, Tier::Native];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Interpreter => "interpreter",
            Tier::Jit => "JIT",
            Tier::Native => "native",
            Tier::Reference => "Rust reference",
        }
    }

    /// The backend that runs this tier's kernels (`None` for the hand-written reference).
    pub fn backend(self) -> Option<Backend> {
        match self {
            Tier::Interpreter => Some(Backend::Interpreter),
            Tier::Jit => Some(Backend::Jit),
            Tier::Native => Some(Backend::Native),
            Tier::Reference => None,
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What can go wrong running the N-body application.
#[derive(Debug, thiserror::Error)]
pub enum NbodyError {
    /// The kernels could not be prepared for a tier (a bug: they compile natively).
    #[error("the N-body kernels do not compile for the {tier}: {source}")]
    Compile {
        tier: Tier,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    /// A kernel call failed (bad arguments or a runtime error), in any kernel tier.
    #[error("the {tier} failed: {source}")]
    Runtime {
        tier: Tier,
        #[source]
        source: Box<kernel_runtime::Error>,
    },
    /// The reference works on flat row-major slices.
    #[error("the Rust reference needs C-contiguous arrays; `{0}` is not")]
    NotContiguous(&'static str),
    /// The bodies' arrays do not have the N×3 / N shapes.
    #[error(
        "bodies need N×3 positions and velocities and N masses; got {pos:?}, {vel:?} and {mass}"
    )]
    BadBodies {
        pos: (usize, usize),
        vel: (usize, usize),
        mass: usize,
    },
}

/// The derivatives kernel: `(pos, vel, mass, dpos, dvel)`.
type DerivativesFn = TypedFunc<
    (
        ArrayView2<'static, f64>,
        ArrayView2<'static, f64>,
        &'static [f64],
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
    ),
    (),
>;

/// The whole-simulation kernel: initial state, mass, `dt`, steps per frame, frames, the
/// output frames and six scratch arrays.
type SimulateFn = TypedFunc<
    (
        ArrayView2<'static, f64>,
        ArrayView2<'static, f64>,
        &'static [f64],
        f64,
        usize,
        usize,
        ArrayViewMut3<'static, f64>,
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
        ArrayViewMut2<'static, f64>,
    ),
    (),
>;

/// The two kernels of a kernel tier, checked once.
#[derive(Clone, Debug)]
struct Kernels {
    derivatives: DerivativesFn,
    simulate: SimulateFn,
}

impl Kernels {
    /// The kernels in `backend`; the JIT compiles both now, so an engine is ready to run and
    /// its construction time is the full compile.
    fn new(tier: Tier, backend: Backend) -> Result<Kernels, NbodyError> {
        let options = Options {
            backend,
            ..Options::default()
        };
        let module = nbody_kernels::module(options).map_err(|source| NbodyError::Compile {
            tier,
            source: Box::new(source),
        })?;
        let typed = |e| runtime_error(tier, e);
        Ok(Kernels {
            derivatives: module.typed("derivatives").map_err(typed)?,
            simulate: module.typed("simulate").map_err(typed)?,
        })
    }
}

/// A tier ready to run: the checked kernels of a kernel tier (none for the reference).
#[derive(Debug)]
pub struct Engine {
    tier: Tier,
    kernels: Option<Kernels>,
}

impl Engine {
    /// Prepares `tier`: the kernels in its backend.
    pub fn new(tier: Tier) -> Result<Engine, NbodyError> {
        let kernels = match tier.backend() {
            Some(backend) => Some(Kernels::new(tier, backend)?),
            None => None,
        };
        Ok(Engine { tier, kernels })
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// A handle to the derivatives kernel, checked once, for calling it in a loop.
    pub fn derivatives(&self) -> Result<Derivatives, NbodyError> {
        Ok(Derivatives {
            tier: self.tier,
            kernel: self.kernels.as_ref().map(|k| k.derivatives.clone()),
        })
    }

    /// The classroom structure: a Rust RK2 loop calling the derivatives kernel twice per
    /// step. Returns the `frames + 1` position frames (frame 0 = initial), F×N×3.
    pub fn rk2(&self, bodies: &Bodies, config: &RunConfig) -> Result<Array3<f64>, NbodyError> {
        check_bodies(bodies)?;
        let derivatives = self.derivatives()?;
        let n = bodies.len();
        let mut state = State::new(bodies);
        let mut out = Array3::zeros((config.frames + 1, n, 3));
        out.index_axis_mut(ndarray::Axis(0), 0).assign(&state.pos);
        for frame in 1..=config.frames {
            for _ in 0..config.steps_per_frame {
                state.step(&derivatives, &bodies.mass, config.dt)?;
            }
            out.index_axis_mut(ndarray::Axis(0), frame)
                .assign(&state.pos);
        }
        Ok(out)
    }

    /// The whole RK2 loop in one kernel call (for the reference, [`reference::simulate`]).
    /// Returns the same frames as [`Engine::rk2`].
    pub fn simulate(&self, bodies: &Bodies, config: &RunConfig) -> Result<Array3<f64>, NbodyError> {
        check_bodies(bodies)?;
        let n = bodies.len();
        let mut out = Array3::zeros((config.frames + 1, n, 3));
        match &self.kernels {
            Some(kernels) => self.simulate_kernel(&kernels.simulate, bodies, config, &mut out)?,
            None => simulate_reference(bodies, config, &mut out)?,
        }
        Ok(out)
    }

    fn simulate_kernel(
        &self,
        simulate: &SimulateFn,
        bodies: &Bodies,
        config: &RunConfig,
        out: &mut Array3<f64>,
    ) -> Result<(), NbodyError> {
        let mut scratch = Scratch::new(bodies.len());
        let [pos, vel, pos_half, vel_half, dpos, dvel] = &mut scratch.arrays;
        simulate
            .call((
                bodies.pos.view(),
                bodies.vel.view(),
                &bodies.mass[..],
                config.dt,
                config.steps_per_frame,
                config.frames,
                out.view_mut(),
                pos.view_mut(),
                vel.view_mut(),
                pos_half.view_mut(),
                vel_half.view_mut(),
                dpos.view_mut(),
                dvel.view_mut(),
            ))
            .map_err(|e| runtime_error(self.tier, e))
    }
}

fn runtime_error(tier: Tier, source: kernel_runtime::Error) -> NbodyError {
    NbodyError::Runtime {
        tier,
        source: Box::new(source),
    }
}

fn check_bodies(bodies: &Bodies) -> Result<(), NbodyError> {
    let n = bodies.mass.len();
    if bodies.pos.dim() != (n, 3) || bodies.vel.dim() != (n, 3) {
        return Err(NbodyError::BadBodies {
            pos: bodies.pos.dim(),
            vel: bodies.vel.dim(),
            mass: n,
        });
    }
    Ok(())
}

fn simulate_reference(
    bodies: &Bodies,
    config: &RunConfig,
    out: &mut Array3<f64>,
) -> Result<(), NbodyError> {
    let frames = reference::simulate(
        contiguous(&bodies.pos.view(), "pos")?,
        contiguous(&bodies.vel.view(), "vel")?,
        &bodies.mass,
        config.dt,
        config.steps_per_frame,
        config.frames,
    );
    let target = out.as_slice_mut().ok_or(NbodyError::NotContiguous("out"))?;
    target.copy_from_slice(&frames);
    Ok(())
}

fn contiguous<'a>(
    array: &ArrayView2<'a, f64>,
    name: &'static str,
) -> Result<&'a [f64], NbodyError> {
    array.to_slice().ok_or(NbodyError::NotContiguous(name))
}

/// The six N×3 scratch arrays of the whole-simulation kernel: state and half-step state,
/// and the derivatives.
struct Scratch {
    arrays: [Array2<f64>; 6],
}

impl Scratch {
    fn new(n_bodies: usize) -> Scratch {
        Scratch {
            arrays: std::array::from_fn(|_| Array2::zeros((n_bodies, 3))),
        }
    }
}

/// The Rust driver's state: positions and velocities, the half-step state and the
/// derivatives (all N×3).
struct State {
    pos: Array2<f64>,
    vel: Array2<f64>,
    pos_half: Array2<f64>,
    vel_half: Array2<f64>,
    dpos: Array2<f64>,
    dvel: Array2<f64>,
}

impl State {
    fn new(bodies: &Bodies) -> State {
        let zeros = Array2::zeros((bodies.len(), 3));
        State {
            pos: bodies.pos.to_owned(),
            vel: bodies.vel.to_owned(),
            pos_half: zeros.clone(),
            vel_half: zeros.clone(),
            dpos: zeros.clone(),
            dvel: zeros,
        }
    }

    /// One midpoint step with the same arithmetic as the kernel and the reference.
    fn step(&mut self, derivatives: &Derivatives, mass: &[f64], dt: f64) -> Result<(), NbodyError> {
        let half = dt / 2.0;
        derivatives.eval(
            self.pos.view(),
            self.vel.view(),
            mass,
            self.dpos.view_mut(),
            self.dvel.view_mut(),
        )?;
        Zip::from(&mut self.pos_half)
            .and(&self.pos)
            .and(&self.dpos)
            .for_each(|h, &y, &k| *h = y + half * k);
        Zip::from(&mut self.vel_half)
            .and(&self.vel)
            .and(&self.dvel)
            .for_each(|h, &y, &k| *h = y + half * k);
        derivatives.eval(
            self.pos_half.view(),
            self.vel_half.view(),
            mass,
            self.dpos.view_mut(),
            self.dvel.view_mut(),
        )?;
        Zip::from(&mut self.pos)
            .and(&self.dpos)
            .for_each(|y, &k| *y += dt * k);
        Zip::from(&mut self.vel)
            .and(&self.dvel)
            .for_each(|y, &k| *y += dt * k);
        Ok(())
    }
}

/// A checked handle to the derivatives kernel of one tier.
#[derive(Debug)]
pub struct Derivatives {
    tier: Tier,
    /// `None` for the hand-written reference.
    kernel: Option<DerivativesFn>,
}

impl Derivatives {
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// One evaluation: `dpos = vel`, `dvel` = the accelerations.
    pub fn eval(
        &self,
        pos: ArrayView2<'_, f64>,
        vel: ArrayView2<'_, f64>,
        mass: &[f64],
        dpos: ArrayViewMut2<'_, f64>,
        dvel: ArrayViewMut2<'_, f64>,
    ) -> Result<(), NbodyError> {
        match &self.kernel {
            Some(kernel) => kernel
                .call((pos, vel, mass, dpos, dvel))
                .map_err(|e| runtime_error(self.tier, e)),
            None => eval_reference(pos, vel, mass, dpos, dvel),
        }
    }
}

fn eval_reference(
    pos: ArrayView2<'_, f64>,
    vel: ArrayView2<'_, f64>,
    mass: &[f64],
    mut dpos: ArrayViewMut2<'_, f64>,
    mut dvel: ArrayViewMut2<'_, f64>,
) -> Result<(), NbodyError> {
    let n = mass.len();
    let shapes_fit = [pos.dim(), vel.dim(), dpos.dim(), dvel.dim()]
        .iter()
        .all(|&d| d == (n, 3));
    if !shapes_fit {
        return Err(NbodyError::BadBodies {
            pos: pos.dim(),
            vel: vel.dim(),
            mass: n,
        });
    }
    reference::derivatives(
        contiguous(&pos, "pos")?,
        contiguous(&vel, "vel")?,
        mass,
        dpos.as_slice_mut()
            .ok_or(NbodyError::NotContiguous("dpos"))?,
        dvel.as_slice_mut()
            .ok_or(NbodyError::NotContiguous("dvel"))?,
    );
    Ok(())
}

/// Runs the classroom structure (a Rust RK2 driver calling `derivatives` for every
/// evaluation) in `tier`, compiling the kernels first when the tier needs it.
pub fn rk2_with(
    tier: Tier,
    bodies: &Bodies,
    config: &RunConfig,
) -> Result<Array3<f64>, NbodyError> {
    Engine::new(tier)?.rk2(bodies, config)
}
