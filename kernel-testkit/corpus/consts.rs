// `const` items: literals, arithmetic, casts, other constants in any order, named constants;
// used as values, in patterns and as fixed array lengths.

const N: usize = 4;
pub const EPS: f64 = 1e-9;
const HALF: f64 = 0.5;
const TWO_PI: f64 = 2.0 * f64::consts::PI;
const AREA: f64 = HALF * RADIUS * RADIUS;
const RADIUS: f64 = 3.0;
const LIMIT: i32 = i32::MAX - 7;
const MASK: u32 = (1 << 12) - 1 | 0x8000_0000;
const SHIFTED: i64 = -(1i64 << 40) >> 3;
const COUNT: usize = (N * 3 + 1) as usize;
const RATIO: f32 = 1.0 / 3.0;
const TRUNC: i32 = 7.9 as i32;
const BIG: u64 = u64::MAX / 3;
const ON: bool = N > 2 && !(EPS > 1.0);
const THIRD_BITS: u32 = (RATIO as f64 * 3.0) as u32;

fn scaled(x: f64) -> f64 {
    x * TWO_PI + AREA + EPS
}
// @call scaled x=1.0
// @returns 10.783185308179586

fn integers() -> i64 {
    LIMIT as i64 + MASK as i64 + SHIFTED + COUNT as i64 + TRUNC as i64 + THIRD_BITS as i64
}
// @call integers
// @returns -133143982068

fn unsigned() -> u64 {
    BIG + 1
}
// @call unsigned
// @returns 6148914691236517206

fn single() -> f32 {
    RATIO * 3.0f32
}
// @call single
// @returns 1.0

fn flag() -> bool {
    ON
}
// @call flag
// @returns true

fn fixed_length(a: &[f64]) -> f64 {
    let mut window: [f64; N] = [0.0; N];
    for i in 0..N {
        window[i] = a[i] * HALF;
    }
    window[0] + window[N - 1]
}
// @call fixed_length a=f64[2, 4, 6, 8]
// @returns 5.0

fn in_patterns(x: usize) -> i32 {
    match x {
        0 => 0,
        N => 1,
        COUNT..=100 => 2,
        _ => 3,
    }
}
// @call in_patterns x=4
// @returns 1
// @call in_patterns x=13
// @returns 2
// @call in_patterns x=5
// @returns 3
