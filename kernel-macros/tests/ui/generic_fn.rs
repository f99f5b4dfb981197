use kernel_macros::kernel;

#[kernel]
fn double(x: _) -> f64 {
    x * 2.0
}

fn main() {}
