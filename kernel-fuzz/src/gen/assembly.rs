//! Program assembly: the arrays a program shares, the signatures of its functions, and the
//! functions generated from them in call order ([`program`]).

use super::function::FnGen;
use super::{shapes, ArraySpec, Config, Form, Param, Program, Rng, Sig, Ty};

/// Generates program `seed`.
pub fn program(seed: u64, config: Config) -> Program {
    let mut rng = Rng::new(seed);
    let arrays = program_arrays(&mut rng);
    let n_callees = rng.below(4) as usize;
    let mut sigs: Vec<Sig> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut tags: Vec<&'static str> = Vec::new();
    // Callees first (highest index first), so each function knows the signatures it may call.
    for index in (1..=n_callees).rev() {
        let sig = callee_sig(&mut rng, index, &arrays, config);
        let (text, depth) = FnGen::new(&mut rng, &sig, &sigs).generate(&mut tags);
        sigs.push(Sig {
            loop_depth: depth,
            ..sig
        });
        texts.push(text);
    }
    // Each entry scalar's input type, and whether the parameter is written `_` (then the
    // entry function is specialised for the argument's type on its first call).
    let mut entry_types: Vec<(Ty, bool)> = (0..1 + rng.below(3))
        .map(|_| (*rng.pick(&Ty::ALL), config.generic && rng.chance(15)))
        .collect();
    let mut scalars: Vec<(String, Option<Ty>)> = entry_types
        .iter()
        .enumerate()
        .map(|(i, (ty, generic))| (format!("s{i}"), (!generic).then_some(*ty)))
        .collect();
    let sizes = shapes::size_params(&mut rng, &arrays, 60);
    for size in &sizes {
        scalars.push((size.name.clone(), Some(Ty::Usize)));
        entry_types.push((Ty::Usize, false));
    }
    let entry = Sig {
        name: "k0".into(),
        scalars,
        generic_arrays: false,
        arrays: arrays.clone(),
        ret: *rng.pick(&Ty::ALL),
        loop_depth: 0,
        recursive: false,
        deep: false,
        sizes,
    };
    let (text, _) = FnGen::new(&mut rng, &entry, &sigs).generate(&mut tags);
    texts.push(text);
    texts.reverse();
    let mut source = format!("// generated kernel program, seed {seed}\n");
    for text in texts {
        source.push_str(&text);
        source.push('\n');
    }
    let mut params: Vec<Param> = entry
        .scalars
        .iter()
        .zip(&entry_types)
        .map(|((name, _), (ty, generic))| Param::Scalar {
            name: name.clone(),
            ty: *ty,
            generic: *generic,
        })
        .collect();
    params.extend(arrays.into_iter().map(Param::Array));
    Program {
        seed,
        parallel: source.contains("prange("),
        source,
        entry: entry.name,
        params,
        ret: entry.ret,
        sizes: entry.sizes,
        tags,
    }
}

fn program_arrays(rng: &mut Rng) -> Vec<ArraySpec> {
    // Loop shapes over several arrays want a few arrays, often of one element type (then the
    // JIT's `f64` vector loops and mixed-free arithmetic come up too).
    let count = if rng.chance(35) {
        2 + rng.below(3)
    } else {
        rng.below(4)
    };
    let family = rng.chance(50).then(|| {
        if rng.chance(60) {
            Ty::F64
        } else {
            *rng.pick(&Ty::NUMERIC)
        }
    });
    (0..count)
        .map(|i| {
            let rank = match rng.below(10) {
                0..=4 => 1,
                5..=8 => 2,
                _ => 3,
            };
            let form = match (rank, rng.below(3)) {
                (1, 0) => Form::Slice,
                (_, 1) => Form::Owned,
                _ => Form::View,
            };
            ArraySpec {
                name: format!("a{i}"),
                elem: if rng.chance(8) {
                    Ty::Bool
                } else {
                    family.unwrap_or_else(|| *rng.pick(&Ty::NUMERIC))
                },
                rank,
                mutable: rng.chance(60),
                form,
            }
        })
        .collect()
}

fn callee_sig(rng: &mut Rng, index: usize, arrays: &[ArraySpec], config: Config) -> Sig {
    let recursive = rng.chance(15);
    let deep = recursive && rng.chance(20);
    let mut scalars: Vec<(String, Option<Ty>)> = Vec::new();
    if recursive {
        scalars.push(("depth".into(), Some(Ty::U32)));
    }
    for i in 0..rng.below(3) + usize::from(!recursive) as u64 {
        let ty = if config.generic && !recursive && rng.chance(20) {
            None
        } else {
            Some(*rng.pick(&Ty::ALL))
        };
        scalars.push((format!("p{i}"), ty));
    }
    let arrays: Vec<ArraySpec> = arrays.iter().filter(|_| rng.chance(40)).cloned().collect();
    let sizes = shapes::size_params(rng, &arrays, 30);
    for size in &sizes {
        scalars.push((size.name.clone(), Some(Ty::Usize)));
    }
    Sig {
        generic_arrays: config.generic && rng.chance(25),
        name: format!("k{index}"),
        scalars,
        arrays,
        ret: *rng.pick(&Ty::ALL),
        loop_depth: 0,
        recursive,
        deep,
        sizes,
    }
}
