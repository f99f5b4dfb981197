use kernel_macros::kernel;

#[kernel]
fn boxed(n: usize) -> usize {
    let v = format!("{n}");
    n
}

fn main() {}
