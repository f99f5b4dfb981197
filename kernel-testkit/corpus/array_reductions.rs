// `prange` loops that update shared elements of an outer array (`hist[bin] += 1`): each
// chunk updates its own copy, combined into the array in chunk order.

fn histogram(x: &[u64], bins: usize) -> Array1<i64> {
    let mut hist = Array1::zeros(bins);
    for i in prange(0..x.len()) {
        let bin = (x[i] as usize) % bins;
        hist[bin] += 1;
    }
    hist
}
// @call histogram x=u64[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 3] bins=4
// @returns i64[3, 3, 3, 5]
// @call histogram x=u64[] bins=3
// @returns i64[0, 0, 0]

// Into an argument, with integer products and float sums of exactly representable values.
fn tally(x: &[i64], counts: &mut [i64], prods: &mut [i64], sums: &mut Array2<f64>) {
    for i in prange(0..x.len()) {
        let b = (x[i] % 3) as usize;
        counts[b] += 1;
        prods[b] *= x[i];
        sums[[b, 1]] += 0.5;
    }
}
// @call tally x=i64[1, 2, 3, 4, 5, 6, 7] counts=i64[10, 0, 0] prods=i64[1, 1, 1] sums=f64[[0, 0], [0, 0], [0, 0]]
// @expect counts=i64[12, 3, 2]
// @expect prods=i64[18, 28, 10]
// @expect sums=f64[[0, 1], [0, 1.5], [0, 1]]
// @call tally x=i64[1, 2, 3, 4, 5, 6, 7] counts=i64[10, 0, 0].rev prods=i64[1, 1, 1].step2 sums=f64[[0, 0], [0, 0], [0, 0]].f
// @expect counts=i64[12, 3, 2]
// @expect prods=i64[18, 28, 10]
// @expect sums=f64[[0, 1], [0, 1.5], [0, 1]]

// An array the iterations index by the loop variable is theirs: ordinary writes, not a
// reduction. An out-of-range bin stops the loop at the lowest failing iteration, and an
// array reduction of a loop that fails leaves its array unchanged.
fn own_and_shared(x: &[u64], out: &mut [u64], hist: &mut [u64]) {
    for i in prange(0..x.len()) {
        out[i] += x[i];
        hist[x[i] as usize] += 1;
    }
}

fn shared_only(x: &[u64], hist: &mut [u64]) {
    for i in prange(0..x.len()) {
        hist[x[i] as usize] += 1;
    }
}
// @call own_and_shared x=u64[0, 1, 1, 2] out=u64[1, 1, 1, 1] hist=u64[0, 0, 0]
// @expect out=u64[1, 2, 2, 3]
// @expect hist=u64[1, 2, 1]
// @call shared_only x=u64[0, 1, 5, 2] hist=u64[0, 0, 0]
// @error IndexOutOfBounds 47:9 array=hist axis=0 index=5 extent=3 in shared_only
// @expect hist=u64[0, 0, 0]
