fn f(x: f64) {
    println!("x = {x}, y = {y}");
}
