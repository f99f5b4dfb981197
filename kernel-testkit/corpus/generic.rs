// Lazy specialisation: `_` parameters take the types of the arguments of each call.

fn total(x: _) -> _ {
    let mut s = x[0];
    for i in 1..x.len() {
        s += x[i];
    }
    s
}
// @call total x=f64[1.5, 2.5]
// @returns 4.0
// @call total x=i32[1, 2, 3]
// @returns 6
// @call total x=u64[18446744073709551615, 2]
// @returns 1

fn twice(v: _) -> _ {
    v + v
}
// @call twice v=2.25
// @returns 4.5
// @call twice v=21
// @returns 42
// @call twice v=7u32
// @returns 14

fn fill(out: _, value: f64) {
    for i in 0..out.nrows() {
        for j in 0..out.ncols() {
            out[[i, j]] = value * (i + j) as f64;
        }
    }
}
// @call fill out=f64[[0, 0], [0, 0]] value=1.5
// @expect out=f64[[0, 1.5], [1.5, 3]]

fn uses_generic(x: &[f32]) -> f32 {
    total(x) * 2.0
}
// @call uses_generic x=f32[1, 2]
// @returns 6.0

fn generic_mismatch(x: _) -> _ {
    x.sqrt()
}
// @call generic_mismatch x=4.0
// @returns 2.0
// @call generic_mismatch x=4
// @error compile no method named `sqrt` for type `i64`
