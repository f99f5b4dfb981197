use kernel_macros::kernel;

#[kernel]
mod m {
    pub fn sq(x: f64) -> f64 {
        x * x
    }

    pub fn twice(x: f64) -> f64 {
        sq(x, 2.0) * 2.0
    }
}

fn main() {}
