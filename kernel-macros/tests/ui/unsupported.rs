use kernel_macros::kernel;

#[kernel]
fn boxed(n: usize) -> usize {
    let v = vec![0; n];
    n
}

fn main() {}
