import numpy as np
import kernelc


def test_scale_in_place():
    m = kernelc.compile("fn scale(a: f64, mut x: ArrayViewMut1<f64>) { for i in 0..x.len() { x[i] *= a; } }")
    x = np.arange(4.0)
    assert m.scale(2.0, x) is None
    assert x.tolist() == [0.0, 2.0, 4.0, 6.0]
