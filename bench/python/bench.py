"""PyTorch and NumPy side of the mlx-ts benchmark (bench/run.mjs starts it).

Usage: python3 bench/python/bench.py '<config json>'   (or `--probe` to print what is importable)

Runs the workloads of bench/workloads/defs.mjs with the same inputs (gen() below mirrors
bench/lib/common.mjs bit for bit) and the same timing rule as measure() there, printing one
'@@bench ' + JSON line per event. Config keys: workloads, measure {warmup, minReps, maxReps,
budgetMs}, maxRunMs, suffix (appended to library names, e.g. ' tuned'), threads (torch intra-op
threads; null keeps torch's default). OPENBLAS_CORETYPE, when wanted, is set by the parent in
the environment before this process (and so OpenBLAS) starts.
"""

import gc
import json
import math
import os
import statistics
import sys
import time

TAG = "@@bench "


def emit(obj):
    sys.stdout.write(TAG + json.dumps(obj) + "\n")
    sys.stdout.flush()


def probe():
    out = {"python": sys.version.split()[0], "executable": sys.executable}
    for mod in ("torch", "numpy", "threadpoolctl"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except Exception as e:  # noqa: BLE001
            out[mod] = None
            out[mod + "_error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
    print(json.dumps(out))


def gen(np, n, seed, scale=1.0, offset=0.0):
    i = np.arange(n, dtype=np.uint64) + np.uint64((seed * 7919) & 0xFFFFFFFF)
    u = (i * np.uint64(0x9E3779B1)) & np.uint64(0xFFFFFFFF)
    return ((u.astype(np.float64) / 4294967296.0 - 0.5) * scale + offset).astype(np.float32)


def mkn(p):
    """A matmul workload's [m, k] x [k, n] (square: only n given)."""
    return p.get("m", p["n"]), p.get("k", p["n"]), p["n"]


def one_hot(np, n, k):
    a = np.zeros((n, k), dtype=np.float32)
    a[np.arange(n), (7 * np.arange(n)) % k] = 1
    return a


def char_lm_tokens(np, batch, context, vocab):
    # bench/lib/common.mjs charLmTokens
    i = np.arange(batch * (context + 1), dtype=np.int64).reshape(batch, context + 1)
    s = (7 * i + (i * i) % 13) % vocab
    return s[:, :-1].copy(), s[:, 1:].copy()


def char_lm_weights(np, vocab, dims, layers, mlpDims):
    # bench/lib/common.mjs charLmWeights: (path, data, shape) in examples/char-lm's parameter order
    specs = [("embedding.weight", (vocab, dims), 2 * (3 / dims) ** 0.5, 0.0)]
    linear = lambda path, out, inp: specs.append((path, (out, inp), 2 / inp ** 0.5, 0.0))  # noqa: E731
    norm = lambda path: specs.append((path, (dims,), 0.2, 1.0))  # noqa: E731
    for l in range(layers):
        norm(f"layers.{l}.attentionNorm.weight")
        for proj in ("queryProj", "keyProj", "valueProj", "outProj"):
            linear(f"layers.{l}.attention.{proj}.weight", dims, dims)
        norm(f"layers.{l}.mlpNorm.weight")
        linear(f"layers.{l}.up.weight", mlpDims, dims)
        linear(f"layers.{l}.down.weight", dims, mlpDims)
    norm("norm.weight")
    linear("head.weight", vocab, dims)
    return [(path, gen(np, int(np.prod(shape)), 40 + k, scale, offset).reshape(shape), shape) for k, (path, shape, scale, offset) in enumerate(specs)]


def summarize(np, x):
    if isinstance(x, (int, float)):
        return {"s": float(x), "scale": abs(float(x)), "n": 1}
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    w = 1.0 + (np.arange(x.size) % 7) / 7.0
    return {"s": float((x * w).sum()), "scale": float((np.abs(x) * w).sum()), "n": int(x.size)}


def measure(np, run, warmup=2, minReps=5, maxReps=50, budgetMs=2000, maxRunMs=20000):
    now = lambda: time.perf_counter() * 1000.0  # noqa: E731
    gc.collect()
    t0 = now()
    host = run(True)
    first = now() - t0
    check = None if host is None else summarize(np, host)
    if first >= budgetMs:
        if first * 2 > maxRunMs:
            return {"median": first, "min": first, "reps": 1, "first": first, "check": check,
                    "note": "only the first (warm-up) run: too slow to repeat"}
        t = now()
        run(False)
        second = now() - t
        return {"median": second, "min": second, "reps": 1, "first": first, "check": check,
                "note": "one timed run after one warm-up (slower than the budget)"}
    warm_end = now() + budgetMs / 2
    i = 1
    while i < warmup and now() < warm_end:
        run(False)
        i += 1
    times = []
    start = now()
    while True:
        t = now()
        run(False)
        times.append(now() - t)
        el = now() - start
        if len(times) >= maxReps:
            break
        if len(times) >= minReps and el >= budgetMs:
            break
        if el >= 2 * budgetMs:
            break
    return {"median": statistics.median(times), "min": min(times), "reps": len(times), "first": first, "check": check}


# ---------------------------------------------------------------- BLAS introspection

def blas_info():
    """Which BLAS (and which OpenBLAS kernel) this process loaded: threadpoolctl, else ctypes."""
    info = []
    try:
        import threadpoolctl

        for d in threadpoolctl.threadpool_info():
            if d.get("user_api") == "blas":
                info.append({k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer", "filepath")})
        if info:
            return {"via": "threadpoolctl", "libs": info}
    except Exception:  # noqa: BLE001
        pass
    try:
        import ctypes

        seen = set()
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if "/" in line else ""
                if ("openblas" in path.lower() or "libblas" in path) and path not in seen:
                    seen.add(path)
                    rec = {"filepath": path}
                    try:
                        lib = ctypes.CDLL(path)
                    except OSError as e:
                        rec["error"] = str(e)
                        info.append(rec)
                        continue
                    # plain OpenBLAS, then the scipy-openblas builds that NumPy 2 wheels ship
                    for pre, suf in (("openblas_", ""), ("scipy_openblas_", "64_"), ("scipy_openblas_", "")):
                        try:
                            fn = getattr(lib, f"{pre}get_corename{suf}")
                        except AttributeError:
                            continue
                        fn.restype = ctypes.c_char_p
                        rec["internal_api"] = "openblas"
                        rec["architecture"] = fn().decode()
                        try:
                            rec["num_threads"] = getattr(lib, f"{pre}get_num_threads{suf}")()
                        except AttributeError:
                            pass
                        break
                    else:
                        rec["internal_api"] = "not openblas (no *get_corename)"
                    info.append(rec)
        return {"via": "ctypes", "libs": info}
    except Exception as e:  # noqa: BLE001
        return {"via": "none", "error": str(e)}


# ---------------------------------------------------------------- torch

def torch_variants(torch, np, w):
    p = w["params"]
    k = w["kind"]
    T = lambda a, shape=None: torch.from_numpy(a if shape is None else a.reshape(shape))  # noqa: E731

    def fin(y, check):
        if check:
            return y.item() if y.dim() == 0 else y.detach().numpy().copy()
        return None

    if k == "matmul":
        def make():
            m, kk, n = mkn(p)
            a, b = T(gen(np, m * kk, 1), (m, kk)), T(gen(np, kk * n, 2), (kk, n))
            return lambda check: fin(torch.mm(a, b), check)
        return [("torch", make)]
    if k == "matvec":
        def make():
            n = p["n"]
            x, w = T(gen(np, n, 1), (1, n)), T(gen(np, n * n, 2), (n, n))
            return lambda check: fin(torch.mm(x, w), check)
        return [("torch", make)]
    if k == "expmul":
        def make():
            x = T(gen(np, p["n"], 3))
            return lambda check: fin(torch.exp(x) * x + 1, check)
        return [("torch", make)]
    if k == "sum":
        def make():
            x = T(gen(np, p["n"], 4, 1.0, 0.5))
            return lambda check: fin(x.sum(), check)
        return [("torch", make)]
    if k == "fft":
        def make():
            n = int(np.prod(p["shape"]))
            z = torch.complex(T(gen(np, n, 40), tuple(p["shape"])), T(gen(np, n, 41), tuple(p["shape"])))
            f = torch.fft.fft if len(p["shape"]) == 1 else torch.fft.fft2
            return lambda check: fin(f(z).abs(), check)
        return [("torch", make)]
    if k == "softmax":
        def make():
            x = T(gen(np, p["rows"] * p["cols"], 5, 8.0), (p["rows"], p["cols"]))
            return lambda check: fin(torch.softmax(x, -1), check)
        return [("torch", make)]
    if k in ("rmsnorm", "layernorm"):
        def make():
            R, C, eps = p["rows"], p["cols"], p["eps"]
            x, wt, b = T(gen(np, R * C, 30, 4.0), (R, C)), T(gen(np, C, 31, 1.0, 1.0)), T(gen(np, C, 32))
            if k == "layernorm":
                return lambda check: fin(torch.nn.functional.layer_norm(x, (C,), wt, b, eps), check)
            if hasattr(torch.nn.functional, "rms_norm"):
                return lambda check: fin(torch.nn.functional.rms_norm(x, (C,), wt, eps), check)
            return lambda check: fin(x * torch.rsqrt(x.square().mean(-1, keepdim=True) + eps) * wt, check)
        return [("torch", make)]
    if k == "rope":
        def make():
            B, H, L, D = p["b"], p["h"], p["t"], p["d"]
            x = T(gen(np, B * H * L * D, 33), (B, H, L, D))
            inv = p["base"] ** (-torch.arange(0, D // 2, dtype=torch.float64) / (D // 2))
            theta = (torch.arange(L, dtype=torch.float64) + p["offset"])[:, None] * inv[None, :]
            cos = torch.cat([theta.cos(), theta.cos()], -1).float()
            sin = torch.cat([theta.sin(), theta.sin()], -1).float()

            def run(check):
                rotated = torch.cat([-x[..., D // 2:], x[..., : D // 2]], -1)
                return fin(x * cos + rotated * sin, check)
            return run
        return [("torch", make)]
    if k in ("mlp", "mlp-adam"):
        def make():
            B, D, H, O, lr = p["batch"], p["din"], p["hidden"], p["dout"], p["lr"]
            x = T(gen(np, B * D, 6), (B, D))
            y = T(one_hot(np, B, O))
            params = [T(gen(np, D * H, 7, 0.1), (D, H)), torch.zeros(H), T(gen(np, H * O, 8, 0.3), (H, O)), torch.zeros(O)]
            params = [t.clone().requires_grad_(True) for t in params]

            adam = k == "mlp-adam"
            moments = [(torch.zeros_like(t), torch.zeros_like(t)) for t in params]

            def run(check):
                w1, b1, w2, b2 = params
                z = torch.relu(x @ w1 + b1) @ w2 + b2
                loss = -(torch.log_softmax(z, -1) * y).sum(-1).mean()
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    for t, g, (m, v) in zip(params, grads, moments):
                        if adam:  # mlx-ts's hand-written Adam: no bias correction, in place
                            m.mul_(0.9).add_(g, alpha=0.1)
                            v.mul_(0.999).addcmul_(g, g, value=0.001)
                            t.addcdiv_(m, v.sqrt().add_(1e-8), value=-lr)
                        else:
                            t.sub_(g, alpha=lr)
                return loss.item() if check else None
            return run
        return [("torch", make)]
    if k in ("nn-mlp", "cnn"):
        import torch.nn as tnn
        import torch.nn.functional as F

        def adam_step(model, x, y, lr):
            opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)

            def run(check):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                return loss.item() if check else None
            return run

        def set_params(layer, weight):
            with torch.no_grad():
                layer.weight.copy_(weight)
                layer.bias.zero_()

        if k == "nn-mlp":
            def make():
                B, D, H, O = p["batch"], p["din"], p["hidden"], p["dout"]
                x = T(gen(np, B * D, 6), (B, D))
                y = T(one_hot(np, B, O))  # probabilities: cross_entropy takes them since torch 1.10
                model = tnn.Sequential(tnn.Linear(D, H), tnn.ReLU(), tnn.Linear(H, O))
                set_params(model[0], T(gen(np, D * H, 7, 0.1), (D, H)).t())
                set_params(model[2], T(gen(np, H * O, 8, 0.3), (H, O)).t())
                return adam_step(model, x, y, p["lr"])
            return [("torch", make)]

        class CNN(tnn.Module):
            # examples/digits' CNN in NCHW; the pooled activations are flattened in (h, w, c) order
            # so the head's weight means what it means in mlx-ts.
            def __init__(self, c1, c2, classes):
                super().__init__()
                self.conv1 = tnn.Conv2d(1, c1, 3, padding=1)
                self.conv2 = tnn.Conv2d(c1, c2, 3, padding=1)
                self.head = tnn.Linear(16 * c2, classes)

            def forward(self, x):
                h = torch.relu(self.conv1(x))
                h = F.max_pool2d(torch.relu(self.conv2(h)), 2)
                return self.head(h.permute(0, 2, 3, 1).reshape(h.shape[0], -1))

        def make_cnn():
            B, c1, c2, C = p["batch"], p["c1"], p["c2"], p["classes"]
            x = T(gen(np, B * 64, 15), (B, 8, 8, 1)).permute(0, 3, 1, 2).contiguous()
            y = torch.from_numpy((7 * np.arange(B)) % C)
            model = CNN(c1, c2, C)
            # mlx-ts filters are [out, kh, kw, in], torch's [out, in, kh, kw].
            set_params(model.conv1, T(gen(np, c1 * 9, 16, 0.6), (c1, 3, 3, 1)).permute(0, 3, 1, 2))
            set_params(model.conv2, T(gen(np, c2 * 9 * c1, 17, 0.2), (c2, 3, 3, c1)).permute(0, 3, 1, 2))
            set_params(model.head, T(gen(np, C * 16 * c2, 18, 0.1), (C, 16 * c2)))
            return adam_step(model, x, y, p["lr"])
        return [("torch", make_cnn)]
    if k in ("charlm", "charlmgen"):
        import torch.nn as tnn
        import torch.nn.functional as F

        class RMSNorm(tnn.Module):
            # torch 1.13 has no RMSNorm: MLX's, x * rsqrt(mean(x^2) + eps) * weight
            def __init__(self, dims):
                super().__init__()
                self.weight = tnn.Parameter(torch.ones(dims))

            def forward(self, x):
                return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.weight

        def rope(x, offset=0):
            # MLX's non-traditional RoPE, base 10000 (examples/char-lm/layers.mjs)
            T, D = x.shape[-2:]
            half = D // 2
            inv = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
            ang = (torch.arange(T, dtype=torch.float32) + offset)[:, None] * inv[None, :]
            cos, sin = torch.cos(ang), torch.sin(ang)
            x1, x2 = x[..., :half], x[..., half:]
            return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)

        class Attention(tnn.Module):
            def __init__(self, dims, heads):
                super().__init__()
                self.heads = heads
                self.queryProj, self.keyProj, self.valueProj, self.outProj = (tnn.Linear(dims, dims, bias=False) for _ in range(4))

            def forward(self, x, cache=None):
                # cache: {"k", "v", "offset"}, examples/char-lm's KVCache (keeps the last context - 1)
                B, T, D = x.shape
                split = lambda y: y.reshape(B, T, self.heads, -1).transpose(1, 2)  # noqa: E731
                off = cache["offset"] if cache is not None else 0
                q, k, v = rope(split(self.queryProj(x)), off), rope(split(self.keyProj(x)), off), split(self.valueProj(x))
                if cache is not None:
                    if cache["k"] is not None:
                        k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
                    cache["offset"] += T
                    keep = p["context"] - 1
                    cache["k"], cache["v"] = k[:, :, -keep:], v[:, :, -keep:]
                S = k.shape[2]
                scores = (q * (1 / math.sqrt(q.shape[-1]))) @ k.transpose(-1, -2)
                if T > 1:
                    # the T queries are the last T positions of the S keys
                    scores = scores.masked_fill(torch.ones(T, S, dtype=torch.bool).triu(S - T + 1), float("-inf"))
                o = torch.softmax(scores, -1) @ v
                return self.outProj(o.transpose(1, 2).reshape(B, T, D))

        class Block(tnn.Module):
            def __init__(self, dims, heads, mlpDims):
                super().__init__()
                self.attentionNorm, self.attention, self.mlpNorm = RMSNorm(dims), Attention(dims, heads), RMSNorm(dims)
                self.up, self.down = tnn.Linear(dims, mlpDims, bias=False), tnn.Linear(mlpDims, dims, bias=False)

            def forward(self, x, cache=None):
                x = x + self.attention(self.attentionNorm(x), cache)
                return x + self.down(F.gelu(self.up(self.mlpNorm(x))))

        class CharLM(tnn.Module):
            # examples/char-lm's model, the same parameter names and [out, in] layouts
            def __init__(self):
                super().__init__()
                self.embedding = tnn.Embedding(p["vocab"], p["dims"])
                self.layers = tnn.ModuleList(Block(p["dims"], p["heads"], p["mlpDims"]) for _ in range(p["layers"]))
                self.norm = RMSNorm(p["dims"])
                self.head = tnn.Linear(p["dims"], p["vocab"], bias=False)

            def forward(self, x, caches=None):
                h = self.embedding(x)
                for i, layer in enumerate(self.layers):
                    h = layer(h, caches[i] if caches is not None else None)
                return self.head(self.norm(h))

        def load(model):
            params = dict(model.named_parameters())
            with torch.no_grad():
                for path, data, shape in char_lm_weights(np, p["vocab"], p["dims"], p["layers"], p["mlpDims"]):
                    params[path].copy_(T(data))

        if k == "charlmgen":
            def make_gen():
                model = CharLM()
                load(model)
                model.eval()
                prompt = torch.from_numpy(char_lm_tokens(np, 1, p["context"], p["vocab"])[0][:, : p["prompt"]])

                def run(check):
                    with torch.no_grad():
                        caches = [{"k": None, "v": None, "offset": 0} for _ in model.layers]
                        x = prompt
                        for _ in range(p["tokens"]):
                            tok = model(x, caches)[0, -1].argmax()
                            x = torch.tensor([[tok.item()]])
                        return model(prompt)[0, -1].tolist() if check else None
                return run
            return [("torch", make_gen)]

        def make():
            x, y = (torch.from_numpy(t) for t in char_lm_tokens(np, p["batch"], p["context"], p["vocab"]))
            model = CharLM()
            load(model)
            opt = torch.optim.AdamW(model.parameters(), lr=p["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=p["weightDecay"])

            def run(check):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x).reshape(-1, p["vocab"]), y.reshape(-1))
                loss.backward()
                opt.step()
                return loss.item() if check else None
            return run
        return [("torch", make)]
    if k == "pergrad":
        B, F = p["batch"], p["features"]

        def inputs():
            return T(gen(np, F, 9)), T(gen(np, B * F, 10), (B, F)), T(gen(np, B, 11))

        def loss(w, x, y):
            return 0.5 * ((x * w).sum() - y) ** 2

        out = []
        vg = None
        try:
            from torch.func import grad as fgrad, vmap as fvmap  # torch >= 2.0
            vg = ("torch.func", fvmap, fgrad)
        except Exception:  # noqa: BLE001
            try:
                from functorch import grad as fgrad, vmap as fvmap  # torch 1.13 with functorch
                vg = ("functorch", fvmap, fgrad)
            except Exception:  # noqa: BLE001
                vg = None
        if vg is not None:
            name, fvmap, fgrad = vg

            def make_v():
                w, X, Y = inputs()
                f = fvmap(fgrad(loss), in_dims=(None, 0, 0))
                return lambda check: fin(f(w, X, Y), check)
            out.append((f"torch vmap ({name})", make_v))
        else:
            out.append(("torch vmap", "neither torch.func nor functorch is importable"))

        def make_loop():
            w, X, Y = inputs()
            w = w.clone().requires_grad_(True)

            def run(check):
                gs = [torch.autograd.grad(loss(w, X[i], Y[i]), w)[0] for i in range(B)]
                return fin(torch.stack(gs), check)
            return run
        out.append(("torch loop", make_loop))
        return out
    if k == "conv2d":
        def make():
            n, h, w_, cin, cout, kk, pad = (p[key] for key in ("n", "h", "w", "cin", "cout", "k", "pad"))
            # The NHWC arrays of the definition in torch's own layouts (NCHW, [cout, cin, k, k]), contiguous.
            x = T(gen(np, n * h * w_ * cin, 12), (n, h, w_, cin)).permute(0, 3, 1, 2).contiguous()
            wt = T(gen(np, cout * kk * kk * cin, 13, 0.1), (cout, kk, kk, cin)).permute(0, 3, 1, 2).contiguous()
            g = T(gen(np, n * h * w_ * cout, 14), (n, h, w_, cout)).permute(0, 3, 1, 2).contiguous()
            nhwc = lambda t: t.permute(0, 2, 3, 1).reshape(-1)  # noqa: E731
            if not p["backward"]:
                def run(check):
                    with torch.no_grad():
                        y = torch.nn.functional.conv2d(x, wt, padding=pad)
                    return fin(nhwc(y), check)
                return run
            xg, wg = x.clone().requires_grad_(True), wt.clone().requires_grad_(True)

            def run_bwd(check):
                y = torch.nn.functional.conv2d(xg, wg, padding=pad)
                gx, gw = torch.autograd.grad(y, (xg, wg), g)
                return fin(torch.cat([nhwc(gx), nhwc(gw)]), check)
            return run_bwd
        return [("torch", make)]
    if k == "attention":
        def make_attn():
            shape = (p["b"], p["h"], p["t"], p["d"])
            size = p["b"] * p["h"] * p["t"] * p["d"]
            q, kk, v = (T(gen(np, size, seed, 0.5), shape).requires_grad_(True) for seed in (20, 21, 22))
            g = T(gen(np, size, 23), shape)

            scale = 1 / math.sqrt(p["d"])
            fused = getattr(torch.nn.functional, "scaled_dot_product_attention", None)
            hidden = torch.triu(torch.ones(p["t"], p["t"], dtype=torch.bool), 1)

            def attend(q, kk, v):
                if fused is not None:
                    return fused(q, kk, v, is_causal=True, scale=scale)
                # torch before 2.0 has no fused attention: its math path, written out.
                s = torch.matmul(q * scale, kk.transpose(-1, -2)).masked_fill(hidden, -math.inf)
                return torch.matmul(torch.softmax(s, -1), v)

            def run(check):
                o = attend(q, kk, v)
                gs = torch.autograd.grad(o, (q, kk, v), g)
                return fin(torch.cat([t.reshape(-1) for t in (o, *gs)]), check)
            return run
        name = "torch" if hasattr(torch.nn.functional, "scaled_dot_product_attention") else "torch (math path: no fused sdpa before 2.0)"
        return [(name, make_attn)]
    if k == "dispatch":
        def make():
            n = p["ops"] // 2

            def run(check):
                x = torch.tensor(1.5, dtype=torch.float32)
                for _ in range(n):
                    x = x * 0.999
                    x = x + 0.001
                return x.item() if check else None
            return run
        return [("torch", make)]
    return None


# ---------------------------------------------------------------- numpy

def numpy_variants(np, w):
    p = w["params"]
    k = w["kind"]

    def fin(y, check):
        if check:
            return float(y) if np.ndim(y) == 0 else np.array(y, copy=True)
        return None

    if k == "matmul":
        def make():
            m, kk, n = mkn(p)
            a, b = gen(np, m * kk, 1).reshape(m, kk), gen(np, kk * n, 2).reshape(kk, n)
            return lambda check: fin(a @ b, check)
        return [("numpy", make)]
    if k == "matvec":
        def make():
            n = p["n"]
            x, w = gen(np, n, 1).reshape(1, n), gen(np, n * n, 2).reshape(n, n)
            return lambda check: fin(x @ w, check)
        return [("numpy", make)]
    if k == "expmul":
        def make():
            x = gen(np, p["n"], 3)
            return lambda check: fin(np.exp(x) * x + 1, check)
        return [("numpy", make)]
    if k == "sum":
        def make():
            x = gen(np, p["n"], 4, 1.0, 0.5)
            return lambda check: fin(x.sum(), check)
        return [("numpy", make)]
    if k == "fft":
        def make():
            n = int(np.prod(p["shape"]))
            z = (gen(np, n, 40) + 1j * gen(np, n, 41)).astype(np.complex64).reshape(p["shape"])
            f = np.fft.fft if len(p["shape"]) == 1 else np.fft.fft2
            return lambda check: fin(np.abs(f(z)).astype(np.float32), check)
        return [("numpy", make)]
    if k == "softmax":
        def make():
            x = gen(np, p["rows"] * p["cols"], 5, 8.0).reshape(p["rows"], p["cols"])

            def run(check):
                e = np.exp(x - x.max(-1, keepdims=True))
                return fin(e / e.sum(-1, keepdims=True), check)
            return run
        return [("numpy", make)]
    if k == "mlp":
        def make():
            B, D, H, O, lr = p["batch"], p["din"], p["hidden"], p["dout"], p["lr"]
            x = gen(np, B * D, 6).reshape(B, D)
            y = one_hot(np, B, O)
            P = {"w1": gen(np, D * H, 7, 0.1).reshape(D, H), "b1": np.zeros(H, np.float32),
                 "w2": gen(np, H * O, 8, 0.3).reshape(H, O), "b2": np.zeros(O, np.float32)}

            def run(check):
                hp = x @ P["w1"] + P["b1"]
                h = np.maximum(hp, 0)
                z = h @ P["w2"] + P["b2"]
                m = z.max(-1, keepdims=True)
                e = np.exp(z - m)
                s = e.sum(-1, keepdims=True)
                logp = z - m - np.log(s)
                loss = -(logp * y).sum(-1).mean()
                dz = (e / s - y) / B
                g = {"w2": h.T @ dz, "b2": dz.sum(0)}
                dh = dz @ P["w2"].T
                dh[hp <= 0] = 0
                g["w1"] = x.T @ dh
                g["b1"] = dh.sum(0)
                for key in P:
                    P[key] -= lr * g[key]
                return float(loss) if check else None
            return run
        return [("numpy manual-grad", make)]
    if k in ("nn-mlp", "cnn", "charlm", "charlmgen"):
        return [("numpy", "NumPy has no layers, autograd or optimizers (mlp-step's numpy manual-grad row is the hand-written floor)")]
    if k == "conv2d":
        return [("numpy", "NumPy has no convolution")]
    if k == "attention":
        return [("numpy", "NumPy has no autograd")]
    if k == "pergrad":
        def make():
            B, F = p["batch"], p["features"]
            w, X, Y = gen(np, F, 9), gen(np, B * F, 10).reshape(B, F), gen(np, B, 11)
            return lambda check: fin((X @ w - Y)[:, None] * X, check)
        return [("numpy closed-form", make)]
    if k == "dispatch":
        def make():
            n = p["ops"] // 2

            def run(check):
                x = np.array(1.5, dtype=np.float32)
                for _ in range(n):
                    x = x * np.float32(0.999)
                    x = x + np.float32(0.001)
                return float(x) if check else None
            return run
        return [("numpy", make)]
    return None


# ---------------------------------------------------------------- main

def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe()
        return
    cfg = json.loads(sys.argv[1])
    suffix = cfg.get("suffix", "")
    runner = "python" + suffix
    libs = []
    meta = {"type": "meta", "runner": runner, "python": sys.version.split()[0], "executable": sys.executable,
            "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if os.environ.get(k)},
            "notes": []}
    try:
        import numpy as np
        meta["numpy"] = np.__version__
    except Exception as e:  # noqa: BLE001
        emit({"type": "unavailable", "runner": runner, "reason": f"numpy is not importable: {e}"})
        return
    try:
        import torch
        meta["torch"] = torch.__version__
        meta["torch_default_threads"] = torch.get_num_threads()
        if cfg.get("threads"):
            torch.set_num_threads(int(cfg["threads"]))
        meta["torch_threads"] = torch.get_num_threads()
        libs.append(("torch", lambda w: torch_variants(torch, np, w)))
    except Exception as e:  # noqa: BLE001
        meta["torch"] = None
        meta["notes"].append(f"torch is not importable ({str(e).splitlines()[0] if str(e) else type(e).__name__}): PyTorch rows skipped")
    libs.append(("numpy", lambda w: numpy_variants(np, w)))
    meta["blas"] = blas_info()
    emit(meta)

    mopts = cfg.get("measure", {})
    max_run = cfg.get("maxRunMs", 20000)
    only = cfg.get("only")
    last = {}
    for w in cfg["workloads"]:
        for lib, variants_of in libs:
            try:
                variants = variants_of(w)
            except Exception as e:  # noqa: BLE001
                emit({"type": "error", "runner": runner, "workload": w["id"], "library": lib + suffix, "error": repr(e)})
                continue
            if not variants:
                emit({"type": "skip", "runner": runner, "workload": w["id"], "library": lib + suffix, "reason": "not implemented"})
                continue
            for name, make in variants:
                label = name + suffix
                if only and not any(o in label for o in only):
                    continue
                if isinstance(make, str):
                    emit({"type": "skip", "runner": runner, "workload": w["id"], "library": label, "reason": make})
                    continue
                key = (label, w.get("group"))
                if w.get("group") and w.get("scale") and key in last and last[key] * w["scale"] > max_run:
                    emit({"type": "skip", "runner": runner, "workload": w["id"], "library": label,
                          "reason": f"predicted {last[key] * w['scale'] / 1000:.0f} s per run > --max-run-ms"})
                    last[key] = last[key] * w["scale"]
                    continue
                try:
                    run = make()
                    r = measure(np, run, maxRunMs=max_run, **{k: v for k, v in mopts.items() if k in ("warmup", "minReps", "maxReps", "budgetMs")})
                    if w.get("group"):
                        last[key] = r["median"]
                    emit({"type": "result", "runner": runner, "workload": w["id"], "library": label, **r})
                except Exception as e:  # noqa: BLE001
                    emit({"type": "error", "runner": runner, "workload": w["id"], "library": label, "error": repr(e)[:300]})
                gc.collect()
    emit({"type": "done", "runner": runner})


if __name__ == "__main__":
    main()
