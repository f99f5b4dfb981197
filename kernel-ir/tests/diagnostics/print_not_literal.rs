fn f(x: f64) {
    println!(x);
    print!();
    println!("{}", x = 1.0);
}
