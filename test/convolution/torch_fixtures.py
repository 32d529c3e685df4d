"""Writes torch_fixtures.json: convolutions computed by PyTorch (float64), in mlx-ts's layouts.

Run with a Python that has torch (here /usr/bin/python3): `/usr/bin/python3 test/convolution/torch_fixtures.py`.
CI has no torch, so the JSON is committed. mlx-ts is channels-last: input [N, ...spatial, C],
conv weight [C_out, ...k, C_in/groups]; torch is [N, C, ...spatial] and [C_out, C_in/groups, ...k]
(transposed convolutions: [C_in, C_out/groups, ...k]).
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def rnd(*shape):
    # Values with few digits, so the JSON holds them exactly.
    return torch.round(torch.randn(*shape, dtype=torch.float64) * 1000) / 1000


def to_last(t):
    return t.permute(0, *range(2, t.dim()), 1)


def conv_weight_to_mx(w):
    return w.permute(0, *range(2, w.dim()), 1)


def transpose_weight_to_mx(w, groups):
    cin, cout_g = w.shape[0], w.shape[1]
    k = list(w.shape[2:])
    wg = w.reshape(groups, cin // groups, cout_g, *k)
    nsp = len(k)
    wg = wg.permute(0, 2, *range(3, 3 + nsp), 1)  # [g, cout_g, ...k, cin_g]
    return wg.reshape(groups * cout_g, *k, cin // groups)


def flat(t):
    return [float(v) for v in t.detach().contiguous().reshape(-1).tolist()]


conv_fns = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
tconv_fns = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def general_torch(x, w, stride, low, high, kd, idil, groups, flip):
    """conv_general by hand: dilate the input with zeros, pad (low, high), correlate."""
    nsp = x.dim() - 2
    for d in range(nsp):
        ax = 2 + d
        n = x.shape[ax]
        if idil[d] > 1 and n > 1:
            shape = list(x.shape)
            shape[ax] = (n - 1) * idil[d] + 1
            y = torch.zeros(shape, dtype=x.dtype)
            idx = [slice(None)] * x.dim()
            idx[ax] = slice(None, None, idil[d])
            y[tuple(idx)] = x
            x = y
    pads = []
    for d in reversed(range(nsp)):
        pads += [low[d], high[d]]
    x = F.pad(x, pads)
    if flip:
        w = torch.flip(w, dims=list(range(2, w.dim())))
    return conv_fns[nsp](x, w, stride=stride, dilation=kd, groups=groups)


cases = []


def add(op, args, x_t, w_t, out_t, w_mx):
    cot = rnd(*out_t.shape)
    (out_t * cot).sum().backward()
    cases.append({
        'op': op,
        'args': args,
        'x': flat(to_last(x_t)), 'xShape': list(to_last(x_t).shape),
        'w': flat(w_mx), 'wShape': list(w_mx.shape),
        'out': flat(to_last(out_t)), 'outShape': list(to_last(out_t).shape),
        'cot': flat(to_last(cot)),
        'gx': flat(to_last(x_t.grad)),
        'gw': flat(w_mx_grad(op, w_t, args)),
    })


def w_mx_grad(op, w_t, args):
    if op.startswith('convTranspose'):
        return transpose_weight_to_mx(w_t.grad, args.get('groups', 1))
    return conv_weight_to_mx(w_t.grad)


def conv_case(nsp, n, cin, cout, spatial, k, stride, padding, dilation, groups):
    x = rnd(n, cin, *spatial).requires_grad_()
    w = rnd(cout, cin // groups, *k).requires_grad_()
    out = conv_fns[nsp](x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    args = {'stride': stride, 'padding': padding, 'dilation': dilation, 'groups': groups}
    add(f'conv{nsp}d', args, x, w, out, conv_weight_to_mx(w))


def tconv_case(nsp, n, cin, cout, spatial, k, stride, padding, dilation, output_padding, groups):
    x = rnd(n, cin, *spatial).requires_grad_()
    w = rnd(cin, cout // groups, *k).requires_grad_()
    out = tconv_fns[nsp](x, w, stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    args = {'stride': stride, 'padding': padding, 'dilation': dilation, 'outputPadding': output_padding, 'groups': groups}
    add(f'convTranspose{nsp}d', args, x, w, out, transpose_weight_to_mx(w, groups))


def general_case(n, cin, cout, spatial, k, stride, low, high, kd, idil, groups, flip):
    nsp = len(spatial)
    x = rnd(n, cin, *spatial).requires_grad_()
    w = rnd(cout, cin // groups, *k).requires_grad_()
    out = general_torch(x, w, stride, low, high, kd, idil, groups, flip)
    args = {'stride': stride, 'padding': [low, high], 'kernelDilation': kd, 'inputDilation': idil, 'groups': groups, 'flip': flip}
    add('convGeneral', args, x, w, out, conv_weight_to_mx(w))


conv_case(1, 2, 3, 4, [9], [3], 1, 0, 1, 1)
conv_case(1, 2, 4, 6, [11], [3], 2, 1, 2, 2)
conv_case(2, 2, 3, 5, [7, 6], [3, 3], 1, 1, 1, 1)
conv_case(2, 1, 4, 4, [8, 9], [3, 2], [2, 1], [1, 0], [1, 2], 2)
conv_case(2, 2, 6, 6, [6, 6], [3, 3], 1, 1, 1, 6)
conv_case(3, 1, 2, 3, [4, 5, 4], [2, 3, 2], [1, 2, 1], [1, 0, 1], 1, 1)
conv_case(3, 2, 4, 2, [5, 4, 4], [3, 2, 2], 1, 1, [2, 1, 1], 2)
tconv_case(1, 2, 3, 4, [5], [3], 2, 1, 1, 1, 1)
tconv_case(2, 1, 4, 6, [4, 5], [3, 3], [2, 1], [1, 0], 1, [1, 0], 2)
tconv_case(2, 2, 3, 2, [3, 3], [2, 3], 1, 0, [2, 1], 0, 1)
tconv_case(3, 1, 2, 3, [3, 3, 2], [2, 2, 3], [2, 1, 2], [0, 1, 1], 1, [1, 0, 0], 1)
general_case(1, 2, 3, [6], [3], [2], [2], [1], [1], [2], 1, True)
general_case(2, 4, 4, [5, 4], [2, 3], [1, 2], [0, 2], [1, 0], [2, 1], [1, 2], 2, False)
general_case(2, 2, 2, [4, 3], [3, 2], [2, 1], [1, 1], [2, 0], [1, 1], [2, 2], 1, True)

out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'torch_fixtures.json')
with open(out_path, 'w') as f:
    json.dump({'generator': 'test/convolution/torch_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(cases)} cases to {out_path}')
