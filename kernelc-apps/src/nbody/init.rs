//! Initial conditions and run lengths: the seeded generator, the bodies, and the two
//! configurations the comparison uses (the classroom N=20 run and the large case).

use ndarray::Array2;

/// SplitMix64 (Steele, Lea and Flood, 2014; the seeding generator of `java.util.SplittableRandom`
/// and of the xoshiro family): a 64-bit state advanced by the golden-ratio increment and
/// scrambled by two xor-shift-multiply rounds. Small, fast, and the same stream on every
/// platform, so initial conditions are reproducible from the seed alone.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`: the top 53 bits scaled by 2⁻⁵³, so every value is exact.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The state of an N-body system: positions and velocities (N×3, C order) and masses.
#[derive(Clone, Debug, PartialEq)]
pub struct Bodies {
    pub pos: Array2<f64>,
    pub vel: Array2<f64>,
    pub mass: Vec<f64>,
}

impl Bodies {
    /// The seed used by the comparison, the tests and the pictures.
    pub const SEED: u64 = 2024;

    /// `n` bodies of unit mass; positions, then velocities, drawn row by row from
    /// [`SplitMix64`] seeded with `seed`, uniform in `[0, 1)` (the classroom's
    /// `np.random.random((N, 3))`, with a generator we can reproduce in Rust).
    pub fn uniform(n: usize, seed: u64) -> Bodies {
        let mut rng = SplitMix64::new(seed);
        let pos = Array2::from_shape_simple_fn((n, 3), || rng.next_f64());
        let vel = Array2::from_shape_simple_fn((n, 3), || rng.next_f64());
        Bodies {
            pos,
            vel,
            mass: vec![1.0; n],
        }
    }

    pub fn len(&self) -> usize {
        self.mass.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mass.is_empty()
    }
}

/// How long to integrate: `frames` frames of `steps_per_frame` RK2 steps of `dt` each.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    pub dt: f64,
    pub steps_per_frame: usize,
    pub frames: usize,
}

impl RunConfig {
    /// The classroom run: frames of 0.01 time units (10 steps of 0.001), 100 frames =
    /// 1000 RK2 steps = 2000 derivative evaluations.
    pub const CLASSROOM: RunConfig = RunConfig {
        dt: 0.001,
        steps_per_frame: 10,
        frames: 100,
    };

    /// The large case's run: one frame of 10 RK2 steps = 20 derivative evaluations.
    pub const LARGE: RunConfig = RunConfig {
        dt: 0.001,
        steps_per_frame: 10,
        frames: 1,
    };

    /// The number of bodies of the classroom run and of the large case.
    pub const CLASSROOM_BODIES: usize = 20;
    pub const LARGE_BODIES: usize = 1000;

    pub fn steps(&self) -> usize {
        self.steps_per_frame * self.frames
    }

    /// Derivative evaluations per run: two per midpoint step.
    pub fn evaluations(&self) -> usize {
        2 * self.steps()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_published_stream() {
        // First outputs for seed 0 from the reference C implementation (Vigna, splitmix64.c).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn uniform_bodies_are_in_the_unit_cube_with_unit_masses() {
        let bodies = Bodies::uniform(50, 7);
        assert_eq!(bodies.pos.dim(), (50, 3));
        assert!(bodies
            .pos
            .iter()
            .chain(bodies.vel.iter())
            .all(|v| (0.0..1.0).contains(v)));
        assert!(bodies.mass.iter().all(|&m| m == 1.0));
        assert_eq!(bodies, Bodies::uniform(50, 7));
        assert_ne!(bodies, Bodies::uniform(50, 8));
    }
}
