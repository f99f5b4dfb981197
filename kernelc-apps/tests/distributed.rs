//! The randomized SVD over ranks (issue 19), with ranks as threads ([`ThreadComm`]): the
//! same bits for any number of ranks and as the single-process CholeskyQR2 run, in every
//! tier; accuracy against a dense SVD; the communication volume per product; a failing
//! rank stopping every rank.

use kernel_runtime::Backend;
use kernelc_apps::distributed::{
    gather_rows, randomized_svd, Comm, DistError, DistMatrix, DistSvd, Group, ThreadComm,
    BLOCK_ROWS,
};
use kernelc_apps::progress::Silent;
use kernelc_apps::svd::{
    random_graph, randomized_svd_with, Csr, GraphSpec, Normalizer, Ops, Svd, SvdError, SvdParams,
};
use ndarray::{Array1, Array2, ArrayView2};

fn native() -> Ops {
    Ops::new(Backend::Native).expect("the native tier is always available")
}

/// A random sparse `rows × cols` matrix with about `per_row` entries a row (some rows
/// empty, duplicates allowed, columns unsorted), values in [-1, 1).
fn random_sparse(rows: usize, cols: usize, per_row: usize, seed: u64) -> Csr {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
    for _ in 0..rows {
        let count = (next() % (2 * per_row as u64 + 1)) as usize;
        for _ in 0..count {
            indices.push((next() % cols as u64) as usize);
            data.push((next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0);
        }
        indptr.push(indices.len());
    }
    Csr::new((rows, cols), indptr, indices, data).unwrap()
}

fn params(k: usize, n_iter: usize) -> SvdParams {
    SvdParams {
        k,
        n_oversamples: 6,
        n_iter: Some(n_iter),
        normalizer: Normalizer::CholeskyQr2,
        seed: 42,
    }
}

/// The SVD of `a` on `ranks` threads, gathered: `(U, s, V)` from rank 0, plus each rank's
/// traffic.
fn on_ranks(
    tier: Backend,
    a: &Csr,
    block: usize,
    ranks: usize,
    params: &SvdParams,
) -> (Svd, Vec<kernelc_apps::distributed::Traffic>) {
    let results = ThreadComm::run(ranks, |comm| {
        let ops = Ops::new(tier).unwrap();
        let group = Group::new(&comm, &ops);
        let matrix = DistMatrix::from_whole(&group, a, block).unwrap();
        let svd = randomized_svd(&group, &matrix, params, &mut Silent).unwrap();
        let traffic = group.traffic();
        (gather(&group, &svd), traffic)
    });
    let traffic = results.iter().map(|(_, t)| *t).collect();
    let svd = results.into_iter().next().unwrap().0.unwrap();
    (svd, traffic)
}

fn gather(group: &Group, svd: &DistSvd) -> Option<Svd> {
    let u = gather_rows(group, svd.u.view(), &svd.u_layout, 0).unwrap();
    let v = gather_rows(group, svd.v.view(), &svd.v_layout, 0).unwrap();
    Some(Svd {
        u: u?,
        s: svd.s.clone(),
        vt: v?.t().to_owned(),
    })
}

fn assert_same_bits(a: &Svd, b: &Svd, what: &str) {
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(a.s.as_slice().unwrap()),
        bits(b.s.as_slice().unwrap()),
        "{what}: s"
    );
    assert_eq!(
        bits(a.u.as_slice().unwrap()),
        bits(b.u.as_slice().unwrap()),
        "{what}: U"
    );
    let (avt, bvt) = (a.vt.as_standard_layout(), b.vt.as_standard_layout());
    assert_eq!(
        bits(avt.as_slice().unwrap()),
        bits(bvt.as_slice().unwrap()),
        "{what}: Vt"
    );
}

#[test]
fn one_to_four_ranks_give_the_same_bits_tall_and_wide() {
    for (rows, cols) in [(300, 170), (150, 260)] {
        let a = random_sparse(rows, cols, 4, rows as u64);
        let p = params(8, 3);
        let (reference, _) = on_ranks(Backend::Native, &a, 16, 1, &p);
        for ranks in 2..=4 {
            let (svd, _) = on_ranks(Backend::Native, &a, 16, ranks, &p);
            assert_same_bits(&reference, &svd, &format!("{rows}×{cols} on {ranks} ranks"));
        }
    }
}

#[test]
fn ranks_give_the_single_process_cholqr2_bits_and_tolerate_empty_ranks() {
    let ops = native();
    // Three blocks of BLOCK_ROWS rows: four ranks leave one without rows.
    let spec = GraphSpec {
        nodes: 2 * BLOCK_ROWS + 300,
        edges: 12_000,
        seed: 5,
    };
    let a = random_graph(&ops, spec).unwrap();
    let p = params(10, 4);
    let single =
        randomized_svd_with(&ops, &a, 10, 6, Some(4), Normalizer::CholeskyQr2, 42).unwrap();
    for ranks in [1, 2, 4] {
        let (svd, _) = on_ranks(Backend::Native, &a, BLOCK_ROWS, ranks, &p);
        assert_same_bits(&single, &svd, &format!("graph on {ranks} ranks"));
    }
}

#[test]
fn every_tier_gives_the_same_bits_on_ranks() {
    let a = random_sparse(60, 45, 3, 9);
    let p = params(4, 2);
    let (native, _) = on_ranks(Backend::Native, &a, 8, 3, &p);
    for tier in [Backend::Jit, Backend::Interpreter] {
        let (svd, _) = on_ranks(tier, &a, 8, 3, &p);
        assert_same_bits(&native, &svd, &format!("{tier}"));
    }
}

fn dense(a: &Csr) -> Array2<f64> {
    let mut out = Array2::zeros(a.shape());
    for i in 0..a.rows() {
        for p in a.indptr()[i]..a.indptr()[i + 1] {
            out[[i, a.indices()[p]]] += a.data()[p];
        }
    }
    out
}

fn orthogonality(q: ArrayView2<'_, f64>) -> f64 {
    let g = q.t().dot(&q);
    let eye = Array2::<f64>::eye(g.nrows());
    (&g - &eye).iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// CholeskyQR2 is as accurate as the LU normaliser scikit-learn uses by default: the
/// relative σ error against a dense SVD is within 1.2× of LU's (plus rounding), and `U`,
/// `V` are orthonormal to machine precision.
#[test]
fn cholqr2_is_as_accurate_as_the_lu_normaliser() {
    let ops = native();
    let a = random_sparse(400, 300, 6, 77);
    let exact = ops.thin_svd(dense(&a).view()).unwrap().s;
    let k = 12;
    let error = |s: &Array1<f64>| {
        (0..k)
            .map(|i| (s[i] - exact[i]).abs() / exact[i])
            .fold(0.0f64, f64::max)
    };
    let lu = randomized_svd_with(&ops, &a, k, 10, Some(4), Normalizer::Lu, 42).unwrap();
    let mut p = params(k, 4);
    p.n_oversamples = 10;
    let (svd, _) = on_ranks(Backend::Native, &a, 32, 3, &p);
    assert!(
        error(&svd.s) <= 1.2 * error(&lu.s) + 1e-13,
        "cholqr2 {:e} vs lu {:e}",
        error(&svd.s),
        error(&lu.s)
    );
    assert!(orthogonality(svd.u.view()) < 1e-13);
    assert!(orthogonality(svd.vt.t()) < 1e-13);
}

/// A matrix of rank 3 with `k + p = 10`: the Gram matrices are singular and the shifted
/// pass takes over; the three singular values are exact, the rest vanish.
#[test]
fn rank_deficient_input_takes_the_shifted_path() {
    let ops = native();
    let u = ops.gaussian(1, 90, 3).unwrap();
    let v = ops.gaussian(2, 70, 3).unwrap();
    let m = u.dot(&v.t());
    let (rows, cols) = m.dim();
    let indptr = (0..=rows).map(|i| i * cols).collect();
    let indices = (0..rows * cols).map(|p| p % cols).collect();
    let a = Csr::new((rows, cols), indptr, indices, m.iter().copied().collect()).unwrap();
    let exact = ops.thin_svd(m.view()).unwrap().s;
    let (svd, _) = on_ranks(Backend::Native, &a, 16, 2, &params(4, 3));
    for i in 0..3 {
        assert!((svd.s[i] - exact[i]).abs() <= 1e-10 * exact[0], "σ{i}");
    }
    assert!(svd.s[3] <= 1e-10 * exact[0]);
}

/// Per sparse product a rank sends only its halo rows (`rows_sent × l × 8` bytes); per
/// reduction it sends O(l²) values, whatever the matrix size.
#[test]
fn communication_per_iteration_is_halo_plus_gram_sized() {
    let ops = native();
    let a = random_graph(
        &ops,
        GraphSpec {
            nodes: 4000,
            edges: 8000,
            seed: 3,
        },
    )
    .unwrap();
    let p = params(6, 2);
    let l = 12.0;
    let (_, traffic) = on_ranks(Backend::Native, &a, 256, 3, &p);
    for t in &traffic {
        assert!(t.products > 0 && t.reduction_count > 0);
        let per_product = t.halo as f64 / t.products as f64;
        // At most every row of a 4000 × l factor.
        assert!(per_product <= 4000.0 * l * 8.0, "{per_product}");
        let per_reduction = t.reductions as f64 / t.reduction_count as f64;
        // The running sum and the broadcast of one l × l Gram: 2 · (ranks − 1) · l² · 8
        // bytes at most, independent of the 4000 rows.
        assert!(
            per_reduction <= 2.0 * 2.0 * l * l * 8.0 + 1.0,
            "{per_reduction}"
        );
    }
}

#[test]
fn a_failing_rank_makes_every_rank_report_it() {
    let results = ThreadComm::run(3, |comm| {
        let ops = native();
        let group = Group::new(&comm, &ops);
        let local: Result<(), SvdError> = if comm.rank() == 1 {
            Err(SvdError::BadRank { k: 9, max: 3 })
        } else {
            Ok(())
        };
        group.agree(local).map_err(|e| e.to_string())
    });
    assert_eq!(
        results[1],
        Err("k = 9 is out of range: it must be between 1 and min(rows, cols) = 3".into())
    );
    for rank in [0, 2] {
        assert_eq!(
            results[rank],
            Err("rank 1 failed: k = 9 is out of range: it must be between 1 and min(rows, cols) = 3".into())
        );
    }
}

#[test]
fn lu_and_qr_normalisers_are_refused_on_ranks() {
    let a = random_sparse(40, 30, 3, 1);
    for (normalizer, name) in [(Normalizer::Lu, "lu"), (Normalizer::Qr, "qr")] {
        let results = ThreadComm::run(2, |comm| {
            let ops = native();
            let group = Group::new(&comm, &ops);
            let matrix = DistMatrix::from_whole(&group, &a, 8).unwrap();
            let p = SvdParams {
                normalizer,
                ..params(3, 2)
            };
            randomized_svd(&group, &matrix, &p, &mut Silent).map(|_| ())
        });
        for result in results {
            assert!(
                matches!(&result, Err(DistError::Local(SvdError::NotDistributed { normalizer })) if *normalizer == name),
                "{result:?}"
            );
        }
    }
}

#[test]
fn gaussian_rows_are_slices_of_the_whole_gaussian_matrix() {
    let ops = native();
    for cols in [1, 4, 7] {
        let whole = ops.gaussian(9, 23, cols).unwrap();
        for (first, rows) in [(0, 23), (3, 5), (7, 16), (22, 1), (10, 0)] {
            let part = ops.gaussian_rows(9, first, rows, cols).unwrap();
            assert_eq!(
                part,
                whole.slice(ndarray::s![first..first + rows, ..]),
                "{cols} {first}"
            );
        }
    }
}

/// Guards the bit-identity tests: the block size is part of the result's definition (it
/// decides how the Gram sums round), so another block size must show up in the bits.
#[test]
fn the_block_size_changes_the_bits_so_the_identity_tests_can_fail() {
    let a = random_sparse(300, 170, 4, 300);
    let p = params(8, 3);
    let (b16, _) = on_ranks(Backend::Native, &a, 16, 2, &p);
    let (b32, _) = on_ranks(Backend::Native, &a, 32, 2, &p);
    assert_ne!(b16.u, b32.u);
    for (x, y) in b16.s.iter().zip(&b32.s) {
        assert!((x - y).abs() <= 1e-12 * b16.s[0]);
    }
}
