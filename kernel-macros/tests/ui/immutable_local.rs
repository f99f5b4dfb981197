use kernel_macros::kernel;

#[kernel]
fn count(n: i64) -> i64 {
    let c = 0;
    for _ in 0..n {
        c += 1;
    }
    c
}

fn main() {}
