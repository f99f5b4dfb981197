fn f(x: f64, b: bool) {
    println!("{:x}", x);
    println!("{:e}", b);
    println!("{:b}", 1.5f32);
}
