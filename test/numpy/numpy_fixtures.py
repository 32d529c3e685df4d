"""Fixed cases from NumPy for the ops of issue 17 (view, asStrided, logcumsumexp, gatherMm,
blockMaskedMm, slice, sliceUpdate, einsum and einsumPath, kron, meshgrid, roll, the bitwise ops
and shifts, hadamardTransform, the constants). Writes numpy_fixtures.json next to this file.

Run with `/usr/bin/python3 test/numpy/numpy_fixtures.py` (NumPy 1.24). Every expected value is
computed by NumPy itself (or, for MLX's own semantics NumPy lacks, from NumPy pieces written
independently of mlx-ts: the block masks by np.kron, the dynamic slices by plain slicing).
Non-finite numbers are written as the strings "inf", "-inf" and "nan".
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(17)
cases = []


def enc(a, digits=12):
    a = np.asarray(a)
    # Integers exactly, floats to 12 significant digits (the tests compare to 1e-9 at best) unless
    # `digits` asks for all 17 (a bit cast is compared exactly).
    exact = a.dtype.kind in "iub"
    flat = [
        int(v) if exact or (math.isfinite(v) and v.is_integer() and abs(v) < 2**53) else (float(f"{v:.{digits}g}") if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")))
        for v in (a.ravel().tolist() if exact else a.astype(np.float64).ravel().tolist())
    ]
    return {"shape": list(a.shape), "dtype": str(a.dtype) if a.dtype != np.bool_ else "bool", "data": flat}


def add(op, args, out, **extra):
    cases.append({"op": op, "args": args, "out": out, **extra})


def rnd(*shape, scale=1.0):
    return np.round(rng.standard_normal(shape) * scale, 4)


def small(*shape):
    """Small integers as float64: the products stay exact and short in JSON."""
    return rng.integers(-4, 5, size=shape).astype(np.float64)


# logcumsumexp: a wide range of values, every direction and inclusiveness.
x = np.array([[-50.0, 0.5, 3.0, 40.0, -1.0], [1e-3, -700.0, 2.0, 2.0, 90.0], [5.0, 4.0, 3.0, 2.0, 1.0]])
for axis in (0, 1):
    for reverse in (False, True):
        for inclusive in (True, False):
            y = np.flip(x, axis) if reverse else x
            acc = np.logaddexp.accumulate(y, axis=axis)
            if not inclusive:
                pad = np.full_like(np.take(acc, [0], axis=axis), -np.inf)
                acc = np.concatenate([pad, np.take(acc, range(acc.shape[axis] - 1), axis=axis)], axis=axis)
            if reverse:
                acc = np.flip(acc, axis)
            add("logcumsumexp", {"a": enc(x), "axis": axis, "reverse": reverse, "inclusive": inclusive}, enc(acc))
add("logcumsumexp", {"a": enc(x), "axis": None, "reverse": False, "inclusive": True}, enc(np.logaddexp.accumulate(x.ravel())))
# Infinities and NaN: -inf terms add nothing, +inf wins, NaN propagates.
sp = np.array([-np.inf, -np.inf, 1.0, -np.inf, np.inf, 2.0, np.nan, 0.0])
with np.errstate(invalid="ignore"):
    add("logcumsumexp", {"a": enc(sp), "axis": 0, "reverse": False, "inclusive": True}, enc(np.logaddexp.accumulate(sp)))

# view: NumPy's .view on C-contiguous arrays rescales the last axis as MLX does.
f = np.array([[1.0, -2.5, 3.25, 0.0], [1e-3, 7.0, -0.125, 65504.0]], dtype=np.float32)
for to in ("uint32", "int16", "uint8", "float64"):
    add("view", {"a": enc(f), "dtype": to}, enc(f.view(to), 17))
i8 = np.array([[0, 0, 128, 63, 0, 0, 0, 192]], dtype=np.uint8)
add("view", {"a": enc(i8), "dtype": "float32"}, enc(i8.view(np.float32), 17))
add("view", {"a": enc(i8), "dtype": "int64"}, enc(i8.view(np.int64)))
h = np.array([1.0, -2.0, 0.5, 1024.0], dtype=np.float16)
add("view", {"a": enc(h), "dtype": "int16"}, enc(h.view(np.int16)))
add("view", {"a": enc(np.array(3.5, dtype=np.float32)), "dtype": "int32"}, enc(np.array(3.5, dtype=np.float32).view(np.int32)))

# asStrided: element strides over the row-major data, through NumPy's own as_strided.
base = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
for shape, strides, offset in (((3, 2), (1, 1), 0), ((4, 6), (6, 1), 0), ((2, 2, 3), (12, 1, 4), 1), ((5,), (0,), 7), ((3, 3), (5, 1), 2)):
    view = np.lib.stride_tricks.as_strided(base.ravel()[offset:], shape=shape, strides=[s * 8 for s in strides])
    add("asStrided", {"a": enc(base), "shape": list(shape), "strides": list(strides), "offset": offset}, enc(view.copy()))
# A negative stride, from a read through fancy indexing (as_strided would need a pointer before the slice).
idx = 11 + np.arange(3)[:, None] * -4 + np.arange(2)[None, :] * 1
add("asStrided", {"a": enc(base), "shape": [3, 2], "strides": [-4, 1], "offset": 11}, enc(base.ravel()[idx]))

# gatherMm: products of the matrices picked by flat batch indices, with the gradients (np.add.at).
a = rnd(3, 2, 4)
b = rnd(2, 2, 4, 5)
for li, ri in (([2, 0, 2], [1, 3, 0]), ([[0], [1]], [[2, 3, 1]])):
    li_, ri_ = np.broadcast_arrays(np.array(li), np.array(ri))
    af, bf = a.reshape(-1, 2, 4), b.reshape(-1, 4, 5)
    out = af[li_] @ bf[ri_]
    cot = np.round(rng.standard_normal(out.shape), 4)
    ga, gb = np.zeros_like(af), np.zeros_like(bf)
    np.add.at(ga, li_, cot @ np.swapaxes(bf[ri_], -1, -2))
    np.add.at(gb, ri_, np.swapaxes(af[li_], -1, -2) @ cot)
    add("gatherMm", {"a": enc(a), "b": enc(b), "lhsIndices": li, "rhsIndices": ri}, enc(out), cot=enc(cot), grads=[enc(ga.reshape(a.shape)), enc(gb.reshape(b.shape))])
# Only rhsIndices (the lhs takes every matrix of its batch in order).
out = np.broadcast_to(a, (3, 2, 4)) @ b.reshape(-1, 4, 5)[[3, 1, 0]]
add("gatherMm", {"a": enc(a), "b": enc(b), "lhsIndices": None, "rhsIndices": [3, 1, 0]}, enc(out))


# blockMaskedMm: each mask entry covers a block x block tile (the last one cut), by np.kron.
def blocks(mask, rows, cols, bs):
    m = np.kron(mask.astype(np.float64), np.ones((bs, bs)))
    return m[..., :rows, :cols]


for bs, (M, K, N) in ((32, (36, 40, 33)), (64, (66, 65, 6))):
    A, B = small(M, K), small(K, N)
    tm, tk, tn = (-(-M // bs)), (-(-K // bs)), (-(-N // bs))
    mo = rng.random((tm, tn)) > 0.4
    ml = rng.integers(0, 5, size=(tm, tk)) / 2
    mr = rng.integers(0, 5, size=(tk, tn)) / 2
    Al, Br, Mo = A * blocks(ml, M, K, bs), B * blocks(mr, K, N, bs), blocks(mo, M, N, bs)
    out = (Al @ Br) * Mo
    cot = small(M, N)
    gA = ((cot * Mo) @ Br.T) * blocks(ml, M, K, bs)
    gB = (Al.T @ (cot * Mo)) * blocks(mr, K, N, bs)
    add("blockMaskedMm", {"a": enc(A), "b": enc(B), "blockSize": bs, "maskOut": enc(mo), "maskLhs": enc(ml), "maskRhs": enc(mr)}, enc(out), cot=enc(cot), grads=[enc(gA), enc(gB)])
    lb = rng.random((tm, tk)) > 0.5
    out = (A * blocks(lb, M, K, bs)) @ B
    add("blockMaskedMm", {"a": enc(A), "b": enc(B), "blockSize": bs, "maskOut": None, "maskLhs": enc(lb), "maskRhs": None}, enc(out))
# Batched, with masks broadcast over the batch.
A, B = small(2, 34, 33), small(33, 40)
mo = np.array([[True, False], [True, True]])
add("blockMaskedMm", {"a": enc(A), "b": enc(B), "blockSize": 32, "maskOut": enc(mo), "maskLhs": None, "maskRhs": None}, enc((A @ B) * blocks(mo, 34, 40, 32)))

# slice / sliceUpdate with array starts (clamped so the window fits, JAX's dynamic_slice rule).
src = np.arange(30, dtype=np.float64).reshape(5, 6)


def clamp(s, dim, size):
    return min(max(s, 0), dim - size)


for start, axes, size in (([1], [0], [2, 6]), ([2, 3], [0, 1], [2, 2]), ([4], [1], [5, 3]), ([9, -2], [1, 0], [3, 4])):
    st = [0] * src.ndim
    for s, ax in zip(start, axes):
        st[ax] = clamp(s, src.shape[ax], size[ax])
    want = src[tuple(slice(st[d], st[d] + size[d]) for d in range(src.ndim))]
    add("slice", {"a": enc(src), "startIndices": start, "axes": axes, "sliceSize": size}, enc(want))
for start, axes, ushape in (([1, 2], [0, 1], [2, 3]), ([3], [1], [5, 2]), ([7, 9], [0, 1], [2, 2]), ([2], [0], [6])):
    upd = -np.arange(1, int(np.prod(ushape)) + 1, dtype=np.float64).reshape(ushape)
    out = src.copy()
    lead = src.ndim - upd.ndim
    win = [1 if (d < lead and d in axes) else (src.shape[d] if d < lead else min(upd.shape[d - lead], src.shape[d])) for d in range(src.ndim)]
    st = [0] * src.ndim
    for s, ax in zip(start, axes):
        st[ax] = clamp(s, src.shape[ax], win[ax])
    out[tuple(slice(st[d], st[d] + win[d]) for d in range(src.ndim))] = upd
    add("sliceUpdate", {"src": enc(src), "update": enc(upd), "startIndices": start, "axes": axes}, enc(out))

# einsum (and NumPy's greedy contraction order for einsumPath).
ops3 = [rnd(2, 3), rnd(3, 4), rnd(4, 5)]
for spec, ops in (
    ("ij,jk,kl->il", ops3),
    ("ii->i", [rnd(3, 3)]),
    ("ii", [rnd(4, 4)]),
    ("ij->ji", [rnd(2, 3)]),
    ("bij,bjk->bik", [rnd(2, 3, 4), rnd(2, 4, 2)]),
    ("...ij,...jk", [rnd(2, 2, 3), rnd(3, 4)]),
    ("i,j->ij", [rnd(3), rnd(4)]),
    ("ijk,jil->kl", [rnd(3, 2, 4), rnd(2, 3, 5)]),
    ("i,i", [rnd(5), rnd(5)]),
    ("abc,cd,de->abe", [rnd(2, 3, 4), rnd(4, 5), rnd(5, 2)]),
):
    path = np.einsum_path(spec, *ops, optimize="greedy")[0][1:]
    add("einsum", {"subscripts": spec, "operands": [enc(o) for o in ops]}, enc(np.einsum(spec, *ops)), path=[list(p) for p in path])

# kron, meshgrid, roll.
for p, q in ((rnd(2, 3), rnd(3, 2)), (rnd(3), rnd(2, 2)), (rnd(2, 1, 2), rnd(2, 3))):
    add("kron", {"a": enc(p), "b": enc(q)}, enc(np.kron(p, q)))
xs, ys, zs = np.arange(3.0), np.arange(4.0) * 10, np.arange(2.0) * 100
for indexing in ("xy", "ij"):
    for sparse in (False, True):
        add("meshgrid", {"arrays": [enc(xs), enc(ys), enc(zs)], "indexing": indexing, "sparse": sparse}, None, outs=[enc(g) for g in np.meshgrid(xs, ys, zs, indexing=indexing, sparse=sparse)])
r = np.arange(24.0).reshape(2, 3, 4)
for shift, axis in ((5, None), (-7, None), (1, 0), (-2, 2), ([1, -1], [0, 2]), ([2, 5], [1, 1])):
    add("roll", {"a": enc(r), "shift": shift, "axis": axis}, enc(np.roll(r, shift, axis)))

# Bitwise ops and shifts for every integer dtype, with counts past the width (NumPy gives 0, or -1 for negatives shifted right).
for dt in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"):
    info = np.iinfo(dt)
    bits = info.bits
    lo, hi = max(info.min, -(2**40)), min(info.max, 2**40)
    p = rng.integers(lo, hi, size=8, endpoint=True).astype(dt)
    q = rng.integers(lo, hi, size=8, endpoint=True).astype(dt)
    counts = np.array([0, 1, 3, bits - 1, bits, bits + 3, 2, 5], dtype=dt)
    for name, fn in (("bitwiseAnd", np.bitwise_and), ("bitwiseOr", np.bitwise_or), ("bitwiseXor", np.bitwise_xor)):
        add(name, {"a": enc(p), "b": enc(q)}, enc(fn(p, q)))
    add("bitwiseInvert", {"a": enc(p)}, enc(np.invert(p)))
    add("leftShift", {"a": enc(p), "b": enc(counts)}, enc(np.left_shift(p, counts)))
    add("rightShift", {"a": enc(p), "b": enc(counts)}, enc(np.right_shift(p, counts)))


# hadamardTransform for powers of two: Sylvester's matrix, scaled by 1/sqrt(n) unless a scale is given.
def sylvester(n):
    H = np.ones((1, 1))
    while H.shape[0] < n:
        H = np.block([[H, H], [H, -H]])
    return H


for n, scale in ((8, None), (16, 0.5), (2, None)):
    v = rnd(3, n)
    s = 1 / math.sqrt(n) if scale is None else scale
    add("hadamardTransform", {"a": enc(v), "scale": scale}, enc(v @ sylvester(n).T * s))

constants = {"pi": np.pi, "e": np.e, "inf": "inf", "nan": "nan", "eulerGamma": np.euler_gamma}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_fixtures.json"), "w") as out:
    json.dump({"numpy": np.__version__, "constants": constants, "cases": cases}, out, separators=(",", ":"))
print(len(cases), "cases")
