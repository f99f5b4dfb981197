use kernel_macros::kernel;

#[kernel]
fn zero(x: &[f64]) {
    for i in 0..x.len() {
        x[i] = 0.0;
    }
}

fn main() {}
