//! Which instruction-set level native `#[kernel]` code runs at ([`IsaLevel`]).
//!
//! `#[kernel]` compiles every function once per level (the baseline; AVX2 + FMA; AVX-512) and
//! its entry points call the copy [`isa_level`] names. The level is decided once per process,
//! at the first native call: the best level the CPU has, or the level the environment variable
//! `KERNELC_NATIVE_ISA` (`baseline`, `avx2`, `avx512`) names when the CPU has it. Every level
//! gives the same bits (see [`kernel_ir::isa`]); [`force_isa_level`] switches levels to check
//! that and to measure the difference.
//!
//! **Invariant:** [`isa_level`] never returns a level the CPU lacks: the generated code runs
//! the copy it names, and code compiled for features the CPU lacks is undefined behaviour.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use kernel_ir::IsaLevel;

/// The environment variable read once, at the first native call, to pick a lower level.
pub const ISA_ENV: &str = "KERNELC_NATIVE_ISA";

/// The level in use (an `IsaLevel` as `u8`), or `UNDECIDED` before the first native call.
static CURRENT: AtomicU8 = AtomicU8::new(UNDECIDED);
const UNDECIDED: u8 = u8::MAX;

/// The level the process starts at: the CPU's best, or `KERNELC_NATIVE_ISA`'s.
static DEFAULT: OnceLock<IsaLevel> = OnceLock::new();

/// The level native kernels run at in this process (see the module docs).
#[inline]
pub fn isa_level() -> IsaLevel {
    match decode(CURRENT.load(Ordering::Relaxed)) {
        Some(level) => level,
        None => decide(),
    }
}

/// The first call: settle on the default unless [`force_isa_level`] got there first.
#[cold]
fn decide() -> IsaLevel {
    let level = default_level();
    match CURRENT.compare_exchange(UNDECIDED, level as u8, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => level,
        Err(current) => decode(current).unwrap_or(level),
    }
}

/// Whether this CPU (and its operating system, which must save the wider registers) has
/// every feature of `level`.
pub fn isa_supported(level: IsaLevel) -> bool {
    level.target_features().iter().all(|f| feature_detected(f))
}

/// The best level this CPU has.
pub fn best_isa_level() -> IsaLevel {
    IsaLevel::ALL
        .into_iter()
        .rev()
        .find(|level| isa_supported(*level))
        .unwrap_or(IsaLevel::Baseline)
}

/// A level [`force_isa_level`] cannot run on this CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("this CPU cannot run native code at level {level}: its best level is {best}")]
pub struct IsaUnsupported {
    pub level: IsaLevel,
    pub best: IsaLevel,
}

/// Makes every native kernel of the process run at `level` from the next call on (`None`:
/// back to the default, see the module docs), for tests and benchmarks. A level the CPU lacks
/// is refused and nothing changes. Calls already running finish at their level.
pub fn force_isa_level(level: Option<IsaLevel>) -> Result<(), IsaUnsupported> {
    let level = match level {
        Some(level) if !isa_supported(level) => {
            return Err(IsaUnsupported {
                level,
                best: best_isa_level(),
            })
        }
        Some(level) => level,
        None => default_level(),
    };
    CURRENT.store(level as u8, Ordering::Relaxed);
    Ok(())
}

fn default_level() -> IsaLevel {
    *DEFAULT.get_or_init(|| {
        let best = best_isa_level();
        let Ok(name) = std::env::var(ISA_ENV) else {
            return best;
        };
        // A typo must not silently measure the wrong code: say which level runs instead.
        match name.parse::<IsaLevel>() {
            Ok(level) if isa_supported(level) => level,
            Ok(level) => {
                eprintln!("kernel-runtime: {ISA_ENV}={name}: this CPU lacks {level}; native code runs at {best}");
                best
            }
            Err(error) => {
                eprintln!("kernel-runtime: {ISA_ENV}: {error}; native code runs at {best}");
                best
            }
        }
    })
}

fn decode(value: u8) -> Option<IsaLevel> {
    IsaLevel::ALL
        .into_iter()
        .find(|level| *level as u8 == value)
}

/// One of the feature names [`IsaLevel::target_features`] lists; a name this function does
/// not know counts as missing, so a level can only be refused by mistake, never run.
#[cfg(target_arch = "x86_64")]
fn feature_detected(feature: &str) -> bool {
    match feature {
        "avx2" => std::arch::is_x86_feature_detected!("avx2"),
        "fma" => std::arch::is_x86_feature_detected!("fma"),
        "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
        "avx512vl" => std::arch::is_x86_feature_detected!("avx512vl"),
        "avx512dq" => std::arch::is_x86_feature_detected!("avx512dq"),
        "avx512bw" => std::arch::is_x86_feature_detected!("avx512bw"),
        _ => false,
    }
}

/// Other architectures only have the baseline code.
#[cfg(not(target_arch = "x86_64"))]
fn feature_detected(_feature: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test, as the level is process-wide state.
    #[test]
    fn forcing_switches_levels_the_cpu_has_and_refuses_the_others() {
        assert!(isa_supported(IsaLevel::Baseline));
        let best = best_isa_level();
        for level in IsaLevel::ALL {
            match force_isa_level(Some(level)) {
                Ok(()) => {
                    assert!(level <= best, "{level} above the best level {best}");
                    assert_eq!(isa_level(), level);
                }
                Err(refused) => {
                    assert!(level > best, "{level} refused but the CPU has {best}");
                    assert_eq!(refused, IsaUnsupported { level, best });
                    assert_ne!(isa_level(), level);
                }
            }
        }
        force_isa_level(None).expect("the default is always supported");
        assert_eq!(isa_level(), default_level());
        assert!(isa_supported(isa_level()));
    }
}
