fn f(x: f64, n: i32) {
    println!("{} {}", x);
    eprintln!("{}", x, n);
    print!("{3}", x);
}
