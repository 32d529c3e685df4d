/**
 * The transform rules of the mx.linalg primitives, in one place for the three tables. MLX defines
 * no derivatives for them; these are JAX's (its JVPs, and VJPs that are their exact transposes),
 * stated for what the kernels compute: cholesky and eigh read one triangle of their input, so an
 * input tangent first becomes the symmetric matrix that triangle stands for, and a cotangent goes
 * back through that map's adjoint (the reflection added onto the triangle read). Every node built
 * here is a primitive with rules, so the derivatives nest.
 *
 * vmap: the kernels batch over leading axes, so a batch axis among them stays and one in the
 * matrix axes moves to the front.
 */
import type { Array } from '../../array.js';
import { moveAxisNode, multiNode, node, reshapeNode as reshape } from '../../graph.js';
import type { Params } from '../primitives.js';
import type { JvpRule, MultiJvpRule, MultiVjpRule, MultiVmapRule, VjpRule, VmapRule } from '../rules.js';
import { ad, zerosLike } from './ad.js';

type Single = 'inv' | 'triInv' | 'cholesky' | 'eigvals';
type Multi = 'qr' | 'svd' | 'eigh' | 'luFactor' | 'eig';

const mm = ad.matmul;
const mT = ad.mT;

/** The identity [n, n] in `like`'s dtype (it broadcasts against [..., n, n] in `ad`'s binaries). */
function eye(n: number, like: Array): Array {
  const shape = [n, n];
  return ad.astype(ad.equal(ad.iotaAlong(shape, 0), ad.iotaAlong(shape, 1)), like.dtype);
}
/** x with the elements above diagonal k (lower) or below it (upper) zeroed, on the last two axes. */
function tri(x: Array, lower: boolean, k = 0): Array {
  const shape = x.shape.slice(-2);
  const i = ad.iotaAlong(shape, 0);
  const j = ad.iotaAlong(shape, 1);
  // tril keeps j <= i + k, triu keeps j >= i + k.
  const keep = lower ? ad.greaterEqual(ad.add(i, k), j) : ad.greaterEqual(j, ad.add(i, k));
  return ad.where(keep, x, 0);
}
/** [..., n, n] -> [..., n]. */
function diagPart(x: Array): Array {
  const n = x.shape[x.ndim - 1]!;
  return reshape(ad.sum(ad.multiply(x, eye(n, x)), [x.ndim - 1]), x.shape.slice(0, -1));
}
/** [..., n] -> [..., n, n] with v on the diagonal. */
function diagEmbed(v: Array): Array {
  const n = v.shape[v.ndim - 1]!;
  return ad.multiply(reshape(v, [...v.shape.slice(0, -1), 1, n]), eye(n, v));
}
const addOpt = (a: Array | null, b: Array): Array => (a ? ad.add(a, b) : b);

/** The symmetric matrix the read triangle stands for: tril(t) + tril(t, -1)ᵀ (or the upper form). */
function symFromTriangle(t: Array, lower: boolean): Array {
  return ad.add(tri(t, lower), mT(tri(t, lower, lower ? -1 : 1)));
}
/** The adjoint of symFromTriangle: tril(g) + tril(gᵀ, -1) (or the upper form). */
function symFromTriangleT(g: Array, lower: boolean): Array {
  return ad.add(tri(g, lower), tri(mT(g), lower, lower ? -1 : 1));
}

const triInvNode = (x: Array, upper: boolean): Array => node('triInv', [x], { upper });

/** The lower Cholesky factor of what the rule sees (L = Uᵀ for upper). */
const lowerFactor = (y: Array, upper: boolean): Array => (upper ? mT(y) : y);
/** Φ(X): the lower triangle with the diagonal halved. */
function phi(x: Array): Array {
  return ad.subtract(tri(x, true), ad.multiply(diagEmbed(diagPart(x)), 0.5));
}

/** 1 / (w_j - w_i) off the diagonal, 0 on it (eigh), for a [..., n] vector w. */
function gapInverse(w: Array, f: (x: Array) => Array = (x) => x): Array {
  const n = w.shape[w.ndim - 1]!;
  const lead = w.shape.slice(0, -1);
  const row = f(reshape(w, [...lead, 1, n]));
  const col = f(reshape(w, [...lead, n, 1]));
  const I = eye(n, w);
  const diff = ad.add(ad.subtract(row, col), I);
  return ad.divide(ad.subtract(ad.onesLike(diff), I), diff);
}

function noDerivative(prim: string, mode: string): never {
  throw new Error(`linalg.${prim}: has no ${mode} rule (MLX defines none); wrap its input in stopGradient(...)`);
}
/** R⁻¹ for QR's rules, which need M >= N (R square and invertible). */
function qrRInverse(a: Array, r: Array): Array {
  const [m, n] = a.shape.slice(-2) as [number, number];
  if (m < n) {
    throw new Error(`linalg.qr: the derivative is defined for M >= N only (as JAX's), got ${m}x${n}; differentiate qr of the transpose instead`);
  }
  return triInvNode(r, true);
}

/**
 * The SVD's derivatives, for a = U S Vᵀ with M >= N (a wide matrix goes through its transpose,
 * aᵀ = V S Uᵀ). With Uₖ U's first N columns, U_r the rest, dP = Uₖᵀ dA V and F_ij = 1/(s_j² - s_i²):
 * dS = diag(dP), dV = V (F ∘ (S dP + (S dP)ᵀ)), dUₖ = Uₖ (F ∘ (dP S + (dP S)ᵀ)) + (dA V - Uₖ dP) S⁻¹
 * (JAX's reduced-SVD rule), and U_r, which only has to stay orthogonal to Uₖ, moves least:
 * dU_r = -Uₖ dUₖᵀ U_r. The VJP is this map's transpose, step by step.
 */
interface SvdParts {
  uk: Array;
  ur: Array | null;
  s: Array;
  v: Array;
  f: Array;
  sRow: Array;
  sCol: Array;
}
function svdParts(u: Array, s: Array, v: Array): SvdParts {
  const n = s.shape[s.ndim - 1]!;
  const m = u.shape[u.ndim - 1]!;
  const lead = s.shape.slice(0, -1);
  return {
    uk: m === n ? u : ad.sliceAxis(u, u.ndim - 1, 0, n),
    ur: m === n ? null : ad.sliceAxis(u, u.ndim - 1, n, m),
    s,
    v,
    f: gapInverse(s, (x) => ad.square(x)),
    sRow: reshape(s, [...lead, 1, n]),
    sCol: reshape(s, [...lead, n, 1]),
  };
}
/** The tall form's tangents [dU, dS, dV] from the input tangent t (M x N, M >= N). */
function svdTallJvp(t: Array, q: SvdParts): [Array, Array, Array] {
  const dp = mm(mm(mT(q.uk), t), q.v);
  const dss = ad.multiply(dp, q.sRow);
  const sds = ad.multiply(q.sCol, dp);
  const dv = mm(q.v, ad.multiply(q.f, ad.add(sds, mT(sds))));
  let duk = mm(q.uk, ad.multiply(q.f, ad.add(dss, mT(dss))));
  if (!q.ur) return [duk, diagPart(dp), dv];
  duk = ad.add(duk, ad.divide(ad.subtract(mm(t, q.v), mm(q.uk, dp)), q.sRow));
  const dur = ad.negative(mm(q.uk, mm(mT(duk), q.ur)));
  return [ad.concatenate([duk, dur], duk.ndim - 1), diagPart(dp), dv];
}
/** The input cotangent from the tall form's output cotangents (gU full, gS, gV = gVtᵀ). */
function svdTallVjp(gu: Array | null, gs: Array | null, gv: Array | null, q: SvdParts): Array {
  const n = q.s.shape[q.s.ndim - 1]!;
  let gp: Array | null = gs ? diagEmbed(gs) : null;
  let direct: Array | null = null;
  if (gu) {
    let gk = q.ur ? ad.sliceAxis(gu, gu.ndim - 1, 0, n) : gu;
    if (q.ur) gk = ad.subtract(gk, mm(mm(q.ur, mT(ad.sliceAxis(gu, gu.ndim - 1, n, gu.shape[gu.ndim - 1]!))), q.uk));
    const w = ad.multiply(q.f, mm(mT(q.uk), gk));
    gp = addOpt(gp, ad.multiply(ad.add(w, mT(w)), q.sRow));
    if (q.ur) {
      const h = ad.divide(gk, q.sRow);
      direct = mm(h, mT(q.v));
      const back = mm(mT(q.uk), h);
      gp = gp ? ad.subtract(gp, back) : ad.negative(back);
    }
  }
  if (gv) {
    const w = ad.multiply(q.f, mm(mT(q.v), gv));
    gp = addOpt(gp, ad.multiply(q.sCol, ad.add(w, mT(w))));
  }
  const g = mm(mm(q.uk, gp!), mT(q.v));
  return direct ? ad.add(g, direct) : g;
}
const isWide = (a: Array): boolean => a.shape[a.ndim - 2]! < a.shape[a.ndim - 1]!;

export const linalgJvp: { [P in Single]: JvpRule<Params<P>> } & { [P in Multi]: MultiJvpRule<Params<P>> } = {
  inv: (_xs, [t], _p, y) => (t ? ad.negative(mm(mm(y, t), y)) : zerosLike(y)),
  triInv: (_xs, [t], p, y) => (t ? ad.negative(mm(mm(y, tri(t, !p.upper)), y)) : zerosLike(y)),
  // dL = L Φ(L⁻¹ dA L⁻ᵀ), dA the symmetric matrix of the triangle read.
  cholesky: (_xs, [t], p, y) => {
    if (!t) return zerosLike(y);
    const l = lowerFactor(y, p.upper);
    const li = triInvNode(l, false);
    const dl = mm(l, phi(mm(mm(li, symFromTriangle(t, !p.upper)), mT(li))));
    return p.upper ? mT(dl) : dl;
  },
  // X = dA R⁻¹, Y = Qᵀ X, Ω = tril(Y, -1) - tril(Y, -1)ᵀ: dQ = Q (Ω - Y) + X, dR = (Y - Ω) R.
  qr: ([a], [t], _p, [q, r]) => {
    if (!t) return [zerosLike(q!), zerosLike(r!)];
    const rInv = qrRInverse(a!, r!);
    const x = mm(t, rInv);
    const yy = mm(mT(q!), x);
    const low = tri(yy, true, -1);
    const omega = ad.subtract(low, mT(low));
    return [ad.add(mm(q!, ad.subtract(omega, yy)), x), mm(ad.subtract(yy, omega), r!)];
  },
  svd: ([a], [t], _p, [u, s, vt]) => {
    if (!t) return [zerosLike(u!), zerosLike(s!), zerosLike(vt!)];
    if (isWide(a!)) {
      const [dv, ds, du] = svdTallJvp(mT(t), svdParts(mT(vt!), s!, u!));
      return [du, ds, mT(dv)];
    }
    const [du, ds, dv] = svdTallJvp(t, svdParts(u!, s!, mT(vt!)));
    return [du, ds, mT(dv)];
  },
  // A' = Vᵀ dA V: dw = diag(A'), dV = V (F ∘ A'), F_ij = 1/(w_j - w_i).
  eigh: (_xs, [t], p, [w, v]) => {
    if (!t) return [zerosLike(w!), zerosLike(v!)];
    const ap = mm(mm(mT(v!), symFromTriangle(t, p.uplo === 'L')), v!);
    return [diagPart(ap), mm(v!, ad.multiply(gapInverse(w!), ap))];
  },
  luFactor: () => noDerivative('luFactor', 'JVP'),
  eig: () => noDerivative('eig', 'JVP'),
  eigvals: () => noDerivative('eigvals', 'JVP'),
};

export const linalgVjp: { [P in Single]: VjpRule<Params<P>> } & { [P in Multi]: MultiVjpRule<Params<P>> } = {
  inv: (_xs, g, argnums, _p, y) => argnums.map(() => ad.negative(mm(mm(mT(y), g), mT(y)))),
  triInv: (_xs, g, argnums, p, y) => argnums.map(() => tri(ad.negative(mm(mm(mT(y), g), mT(y))), !p.upper)),
  // gA' = L⁻ᵀ Φ(Lᵀ gL) L⁻¹, then the adjoint of reading one triangle.
  cholesky: (_xs, g, argnums, p, y) => {
    const l = lowerFactor(y, p.upper);
    const gl = p.upper ? mT(g) : g;
    const li = triInvNode(l, false);
    const s = mm(mm(mT(li), phi(mm(mT(l), gl))), li);
    return argnums.map(() => symFromTriangleT(s, !p.upper));
  },
  // The transpose of the JVP above, step by step.
  qr: ([a], [gq, gr], argnums, _p, [q, r]) => {
    const rInv = qrRInverse(a!, r!);
    let gy: Array | null = null;
    let gomega: Array | null = null;
    let gx: Array | null = null;
    if (gr) {
      const rg = mm(gr, mT(r!));
      gy = rg;
      gomega = ad.negative(rg);
    }
    if (gq) {
      const qg = mm(mT(q!), gq);
      gomega = addOpt(gomega, qg);
      gy = gy ? ad.subtract(gy, qg) : ad.negative(qg);
      gx = gq;
    }
    const gl = ad.subtract(gomega!, mT(gomega!));
    gy = ad.add(gy!, tri(gl, true, -1));
    gx = addOpt(gx, mm(q!, gy));
    return argnums.map(() => mm(gx!, mT(rInv)));
  },
  svd: ([a], [gu, gs, gvt], argnums, _p, [u, s, vt]) => {
    const gv = gvt ? mT(gvt) : null;
    const g = isWide(a!)
      ? mT(svdTallVjp(gv, gs ?? null, gu ?? null, svdParts(mT(vt!), s!, u!)))
      : svdTallVjp(gu ?? null, gs ?? null, gv, svdParts(u!, s!, mT(vt!)));
    return argnums.map(() => g);
  },
  // gA' = V (diag(gw) + F ∘ (Vᵀ gV)) Vᵀ, then the adjoint of reading one triangle.
  eigh: (_xs, [gw, gv], argnums, p, [w, v]) => {
    let c: Array | null = gw ? diagEmbed(gw) : null;
    if (gv) c = addOpt(c, ad.multiply(gapInverse(w!), mm(mT(v!), gv)));
    const g = mm(mm(v!, c!), mT(v!));
    return argnums.map(() => symFromTriangleT(g, p.uplo === 'L'));
  },
  luFactor: () => noDerivative('luFactor', 'VJP'),
  eig: () => noDerivative('eig', 'VJP'),
  eigvals: () => noDerivative('eigvals', 'VJP'),
};

/** Where a batch axis may stay: among the leading axes; in the matrix axes it moves to the front. */
const batchAt = (x: Array, ax: number): number => (ax < x.ndim - 2 ? ax : 0);
function single<P extends Single>(prim: P): VmapRule<Params<P>> {
  return ([x], [ax], p) => {
    const at = batchAt(x!, ax!);
    return [node(prim, [moveAxisNode(x!, ax!, at)], p as never), at];
  };
}
function multi<P extends Multi>(prim: P, outputs: number): MultiVmapRule<Params<P>> {
  return ([x], [ax], p) => {
    const at = batchAt(x!, ax!);
    return [multiNode(prim, [moveAxisNode(x!, ax!, at)], p as never), new globalThis.Array<number>(outputs).fill(at)];
  };
}

export const linalgVmap: { [P in Single]: VmapRule<Params<P>> } & { [P in Multi]: MultiVmapRule<Params<P>> } = {
  inv: single('inv'),
  triInv: single('triInv'),
  cholesky: single('cholesky'),
  qr: multi('qr', 2),
  svd: multi('svd', 3),
  eigh: multi('eigh', 2),
  luFactor: multi('luFactor', 3),
  eig: multi('eig', 2),
  eigvals: single('eigvals'),
};
