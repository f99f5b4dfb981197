fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let p = kernel_fuzz::gen::program(seed, kernel_fuzz::gen::Config { generic: true });
    println!("{}", p.source);
}
