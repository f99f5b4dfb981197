fn f() {
    let x;
}
