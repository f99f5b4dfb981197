use kernel_macros::kernel;

// Lifetimes are accepted; the type parameter is what the error points at.
#[kernel]
fn first<'a, T>(x: &'a [T]) -> f64 {
    0.0
}

fn main() {}
