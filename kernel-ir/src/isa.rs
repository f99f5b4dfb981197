//! The instruction-set levels native `#[kernel]` code is compiled for.
//!
//! `#[kernel]` (kernel-native) instantiates every function once per level, each under the
//! level's `#[target_feature]`s ([`IsaLevel::target_features`]); kernel-runtime detects the
//! best level the CPU has once per process and the generated code dispatches on it. Both
//! read the feature list here, so the code a level runs and the check that the CPU has the
//! level name the same features.
//!
//! **Invariant:** every level computes the same bits. The levels differ only in the
//! instructions LLVM may pick: Rust never fuses `a * b + c` into an FMA unless asked, LLVM
//! reassociates no float operation without fast-math flags, and `mul_add` is correctly
//! rounded everywhere (libm's `fma` at the baseline, `vfmadd` with FMA).

use std::fmt;
use std::str::FromStr;

/// One instruction-set level of native code, from the most portable up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IsaLevel {
    /// The target's baseline (x86-64: SSE2); the only level on other architectures.
    Baseline,
    /// x86-64 with AVX2 and FMA (Haswell, Zen and later).
    Avx2,
    /// x86-64 with AVX-512 F, VL, DQ and BW (Skylake-SP, Ice Lake, Zen 4 and later), plus
    /// AVX2 and FMA.
    Avx512,
}

impl IsaLevel {
    /// Every level, the baseline first.
    pub const ALL: [IsaLevel; 3] = [IsaLevel::Baseline, IsaLevel::Avx2, IsaLevel::Avx512];

    /// The name `KERNELC_NATIVE_ISA` and reports use: `baseline`, `avx2`, `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            IsaLevel::Baseline => "baseline",
            IsaLevel::Avx2 => "avx2",
            IsaLevel::Avx512 => "avx512",
        }
    }

    /// The x86-64 target features the level's code is compiled with and the CPU must have
    /// (none for the baseline), as `#[target_feature(enable = …)]` and
    /// `is_x86_feature_detected!` spell them.
    pub fn target_features(self) -> &'static [&'static str] {
        match self {
            IsaLevel::Baseline => &[],
            IsaLevel::Avx2 => &["avx2", "fma"],
            IsaLevel::Avx512 => &["avx512f", "avx512vl", "avx512dq", "avx512bw", "avx2", "fma"],
        }
    }
}

impl fmt::Display for IsaLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A name that is not an [`IsaLevel`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown instruction-set level `{0}`: expected baseline, avx2 or avx512")]
pub struct UnknownIsaLevel(pub String);

impl FromStr for IsaLevel {
    type Err = UnknownIsaLevel;
    fn from_str(name: &str) -> Result<IsaLevel, UnknownIsaLevel> {
        IsaLevel::ALL
            .into_iter()
            .find(|level| level.name() == name)
            .ok_or_else(|| UnknownIsaLevel(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_levels_only_add_features() {
        for level in IsaLevel::ALL {
            assert_eq!(level.name().parse::<IsaLevel>(), Ok(level));
        }
        assert!("sse2".parse::<IsaLevel>().is_err());
        for pair in IsaLevel::ALL.windows(2) {
            let (lower, higher) = (pair[0], pair[1]);
            assert!(lower < higher);
            for feature in lower.target_features() {
                assert!(
                    higher.target_features().contains(feature),
                    "{higher} lacks {lower}'s {feature}"
                );
            }
        }
    }
}
