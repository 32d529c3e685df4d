"""Writes test/io/fixtures/: .npy and .npz files written by NumPy, and values.json, what they hold.

Run with a Python that has NumPy: `python3 test/io/numpy_fixtures.py`. The files are committed, so
the tests need no Python. test/io/npy.test.ts loads each with mx.load and checks that mlx-ts's
writer reproduces NumPy's bytes exactly (so np.load reads what mlx-ts writes).
"""
import json
import os

import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(here, exist_ok=True)

base = [[0, 1, 2], [3, 4, 5]]
signed = [[0, -1, 2], [-3, 4, -5]]
values = {
    "bool": [[True, False, True], [False, False, True]],
    "uint8": [[0, 1, 255], [128, 7, 42]],
    "uint16": [[0, 1, 65535], [32768, 7, 42]],
    "uint32": [[0, 1, 4294967295], [2147483648, 7, 42]],
    "int8": [[0, -128, 127], [-1, 7, -42]],
    "int16": [[0, -32768, 32767], [-1, 7, -42]],
    "int32": [[0, -2147483648, 2147483647], [-1, 7, -42]],
    "int64": [[0, -(2**53), 2**53 - 1], [-1, 7, -42]],
    # float16: its largest value, a subnormal, a value it rounds.
    "float16": [[0.5, -65504.0, 2.0**-24], [0.099975586, -0.0, 3.0]],
    "float32": [[0.5, -1.0e30, 2.0**-149], [0.1, -0.0, 3.0]],
    "float64": [[0.5, -1.0e300, 5e-324], [0.1, -0.0, 3.0]],
}
for name, v in values.items():
    a = np.array(v, dtype=name)
    np.save(os.path.join(here, f"{name}.npy"), a)
    values[name] = a.tolist()  # the values as stored (float16 rounds)

extra = {
    "scalar": np.array(2.5, dtype=np.float64),
    "empty": np.zeros((0, 3), dtype=np.float32),
    "vector": np.arange(5, dtype=np.int32),
    "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    "bigendian": np.arange(6, dtype=">i4").reshape(3, 2),
}
for name, a in extra.items():
    np.save(os.path.join(here, f"{name}.npy"), a)
    values[name] = a.tolist()

# Format 2.0 (a 4-byte header length), as NumPy writes a header too long for 1.0.
with open(os.path.join(here, "version2.npy"), "wb") as f:
    np.lib.format.write_array(f, np.arange(4, dtype=np.int16), version=(2, 0))
values["version2"] = list(range(4))

arrays = {"weight": np.array(base, dtype=np.float32), "bias": np.array([1, 2], dtype=np.int64), "mask": np.array([True, False])}
np.savez(os.path.join(here, "arrays.npz"), **arrays)
np.savez_compressed(os.path.join(here, "arrays_compressed.npz"), **arrays)
np.savez(os.path.join(here, "positional.npz"), np.array(signed, dtype=np.int8), np.array([0.25], dtype=np.float16))
values["arrays"] = {k: a.tolist() for k, a in arrays.items()}

with open(os.path.join(here, "values.json"), "w") as f:
    json.dump(values, f, indent=1)
    f.write("\n")
