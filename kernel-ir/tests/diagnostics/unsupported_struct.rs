struct Point { x: f64 }
fn f() {}
