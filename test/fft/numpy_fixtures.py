"""Writes numpy_fixtures.json: mx.fft's transforms as NumPy's np.fft computes them (float64).

Run with a Python that has NumPy: `/usr/bin/python3 test/fft/numpy_fixtures.py`. The JSON is
committed (CI has no NumPy). Inputs have few digits so the JSON holds them exactly; complex
arrays are stored as [re, im] pairs, row-major.
"""
import json
import os

import numpy as np

rng = np.random.default_rng(0)


def rnd(shape, complex_=False):
    x = np.round(rng.standard_normal(shape) * 1000) / 1000
    if complex_:
        x = x + 1j * (np.round(rng.standard_normal(shape) * 1000) / 1000)
    return x


def enc(a, digits=None):
    a = np.asarray(a)
    if digits:
        # Outputs to 9 significant digits: twice float32's precision, a third of the file.
        a = np.vectorize(lambda v: float(f"%.{digits}g" % v))(a.real) + (1j * np.vectorize(lambda v: float(f"%.{digits}g" % v))(a.imag) if np.iscomplexobj(a) else 0)
    if np.iscomplexobj(a):
        return {"shape": list(a.shape), "complex": True, "data": np.stack([a.real, a.imag], -1).reshape(-1).tolist()}
    return {"shape": list(a.shape), "complex": False, "data": a.reshape(-1).tolist()}


cases = []


def case(op, x, args, np_fn):
    cases.append({"op": op, "args": args, "x": enc(x), "out": enc(np_fn(x), 9)})


for n in [1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 16, 17, 30, 49, 64, 97]:
    x = rnd([n], True)
    case("fft", x, {}, np.fft.fft)
    if n < 1000:
        case("ifft", x, {}, np.fft.ifft)
    r = rnd([n])
    case("rfft", r, {}, np.fft.rfft)
    if 1 < n < 1000:
        h = rnd([n // 2 + 1], True)
        case("irfft", h, {"n": n}, lambda a, n=n: np.fft.irfft(a, n))
# n and axis, cutting and padding
x = rnd([3, 10], True)
case("fft", x, {"n": 7}, lambda a: np.fft.fft(a, 7))
case("fft", x, {"n": 13, "axis": 1}, lambda a: np.fft.fft(a, 13, 1))
case("fft", x, {"axis": 0}, lambda a: np.fft.fft(a, axis=0))
case("ifft", x, {"n": 4, "axis": 0}, lambda a: np.fft.ifft(a, 4, 0))
case("fft", x, {"norm": "ortho"}, lambda a: np.fft.fft(a, norm="ortho"))
case("ifft", x, {"norm": "forward"}, lambda a: np.fft.ifft(a, norm="forward"))
r = rnd([4, 9])
case("rfft", r, {"n": 12}, lambda a: np.fft.rfft(a, 12))
case("rfft", r, {"axis": 0}, lambda a: np.fft.rfft(a, axis=0))
h = rnd([4, 6], True)
case("irfft", h, {}, np.fft.irfft)
case("irfft", h, {"n": 7}, lambda a: np.fft.irfft(a, 7))
case("irfft", h, {"n": 15}, lambda a: np.fft.irfft(a, 15))
# 2-D and n-D, non-powers of two
x = rnd([6, 10], True)
case("fft2", x, {}, np.fft.fft2)
case("ifft2", x, {}, np.fft.ifft2)
case("fft2", x, {"s": [5, 12]}, lambda a: np.fft.fft2(a, s=[5, 12]))
x3 = rnd([3, 5, 7], True)
case("fftn", x3, {}, np.fft.fftn)
case("ifftn", x3, {}, np.fft.ifftn)
case("fftn", x3, {"axes": [0, 2]}, lambda a: np.fft.fftn(a, axes=[0, 2]))
case("fftn", x3, {"s": [4, 6], "axes": [2, 0]}, lambda a: np.fft.fftn(a, s=[4, 6], axes=[2, 0]))
r2 = rnd([6, 9])
case("rfft2", r2, {}, np.fft.rfft2)
case("rfftn", rnd([3, 4, 5]), {}, np.fft.rfftn)
case("irfft2", rnd([6, 5], True), {}, np.fft.irfft2)
case("irfft2", rnd([6, 5], True), {"s": [6, 9]}, lambda a: np.fft.irfft2(a, s=[6, 9]))
case("irfftn", rnd([3, 4, 5], True), {}, np.fft.irfftn)
# a prime 2-D transform
case("fft2", rnd([17, 19], True), {}, np.fft.fft2)
# shifts
for shape in [[5], [6], [4, 7]]:
    a = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    case("fftshift", a, {}, np.fft.fftshift)
    case("ifftshift", a, {}, np.fft.ifftshift)
case("fftshift", np.arange(12.0).reshape(3, 4), {"axes": 1}, lambda a: np.fft.fftshift(a, axes=1))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_fixtures.json"), "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f)
