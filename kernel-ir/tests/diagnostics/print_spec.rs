fn f(x: f64, n: i32) {
    println!("{:-}", x);
    println!("{:x?}", n);
    println!("{:>1$}", x, n);
    println!("{:.*}", x);
    println!("unclosed {", x);
}

fn g(x: f64) {
    println!("stray }", x);
    println!("{x.y}");
}
