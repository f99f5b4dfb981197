use kernel_macros::kernel;

#[kernel]
fn total(values: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..values.len() {
        sum += valeus[i];
    }
    sum
}

fn main() {}
