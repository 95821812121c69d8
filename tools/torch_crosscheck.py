#!/usr/bin/python3
"""Recompute a vgrad run's step-0 layer statistics with PyTorch autograd and compare.

Usage (Debian's /usr/bin/python3 with python3-torch and the safetensors package):
    vgrad run --steps 0 --save-weights init ...            # writes RUN/weights-step0.safetensors
    vgrad export probe-batch RUN --out probe.safetensors   # the run's probe batch
    /usr/bin/python3 tools/torch_crosscheck.py RUN probe.safetensors [--tol 1e-4]

It loads the weights into torch.nn.Linear layers (an nn.ModuleList named `layers`, so the file's
`layers.N.weight` / `layers.N.bias` are its state_dict keys), runs the probe batch forward with the
run's activation, takes the mean cross-entropy's gradients with autograd (retain_grad on every
pre-activation), computes each statistic as vgrad defines it (population moments over every
(sample, unit) pair), in float32 and in float64, and prints vgrad / PyTorch per layer and statistic.

Pass/fail is judged against float32, the precision vgrad computes in: every statistic within --tol
relative (a mean on the scale of its standard deviation, since a mean near 0 has no relative
precision), `saturated` and `dead` exactly. The float64 column shows how far float32 arithmetic
is from the exact value; it is printed, not judged. Exit 0 if all agree, 1 if not, 2 on bad input.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

SATURATION_THRESHOLD = 0.05
SELU_ALPHA = 1.6732632423543772
SELU_LAMBDA = 1.0507009873554805
STATS = ['weightStd', 'preactMean', 'preactVar', 'actMean', 'actVar', 'saturated', 'dead',
         'gradVar', 'weightGradVar', 'weightGradNorm']
MEAN_SCALE = {'preactMean': 'preactVar', 'actMean': 'actVar'}


def activation(name, alpha):
    return {
        'sigmoid': torch.sigmoid,
        'tanh': torch.tanh,
        'relu': F.relu,
        'leaky-relu': lambda z: F.leaky_relu(z, alpha),
        'elu': F.elu,
        'selu': lambda z: SELU_LAMBDA * F.elu(z, SELU_ALPHA),
        'softsign': F.softsign,
        'linear': lambda z: z,
    }[name]


def max_slope(name, alpha):
    if name == 'sigmoid':
        return 0.25
    if name == 'leaky-relu':
        return max(1.0, alpha)
    if name == 'selu':
        return SELU_LAMBDA * SELU_ALPHA
    return 1.0


class Net(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))


def population(x):
    return x.mean().item(), x.var(unbiased=False).item()


def statistics(state, x, labels, act, alpha, dtype):
    sizes = [state['layers.0.weight'].shape[1]] + [state[f'layers.{l}.weight'].shape[0] for l in range(len(state) // 2)]
    net = Net(sizes).to(dtype)
    net.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    phi = activation(act, alpha)
    batch = x.shape[0]
    a = x.to(dtype)
    preacts, acts, slopes = [], [], []
    for l, linear in enumerate(net.layers):
        z = linear(a)
        z.retain_grad()
        preacts.append(z)
        if l < len(net.layers) - 1:
            # φ'(z) by autograd of φ itself, elementwise (φ acts on each entry alone).
            zd = z.detach().requires_grad_(True)
            slopes.append(torch.autograd.grad(phi(zd).sum(), zd)[0])
            a = phi(z)
            acts.append(a)
    logits = preacts[-1]
    loss = F.cross_entropy(logits, labels.long())
    loss.backward()
    acts.append(torch.softmax(logits, dim=1))
    threshold = SATURATION_THRESHOLD * max_slope(act, alpha)
    layers = []
    for l, linear in enumerate(net.layers):
        w, dw, z, dz = linear.weight.detach(), linear.weight.grad, preacts[l].detach(), preacts[l].grad
        s = {}
        s['weightStd'] = math.sqrt(population(w)[1])
        s['preactMean'], s['preactVar'] = population(z)
        s['actMean'], s['actVar'] = population(acts[l].detach())
        if l < len(slopes):
            s['saturated'] = (slopes[l] < threshold).to(torch.float64).mean().item()
            s['dead'] = (slopes[l] == 0).all(dim=0).to(torch.float64).mean().item()
        else:
            s['saturated'] = s['dead'] = None
        # Per-sample gradient: ∂ℓᵢ/∂zᵢ = B · ∂L/∂zᵢ for the batch-mean loss L.
        s['gradVar'] = population(dz * batch)[1]
        s['weightGradVar'] = population(dw)[1]
        s['weightGradNorm'] = dw.to(torch.float64).norm().item()
        layers.append(s)
    accuracy = (logits.argmax(dim=1) == labels.long()).to(torch.float64).mean().item()
    return {'loss': loss.item(), 'acc': accuracy, 'layers': layers}


def decode(value):
    return {'+Inf': math.inf, '-Inf': -math.inf, 'NaN': math.nan}.get(value, value) if isinstance(value, str) else value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('run', help='run folder with summary.json and weights-step0.safetensors')
    parser.add_argument('probe', help='the probe batch from `vgrad export probe-batch RUN --out FILE`')
    parser.add_argument('--tol', type=float, default=1e-4, help='relative tolerance against float32 (default 1e-4)')
    parser.add_argument('--json', action='store_true', help='print the comparison as JSON')
    args = parser.parse_args()
    try:
        with open(os.path.join(args.run, 'summary.json')) as f:
            record = json.load(f)
        state = load_file(os.path.join(args.run, 'weights-step0.safetensors'))
        probe = load_file(args.probe)
    except (OSError, ValueError) as error:
        print(f'torch_crosscheck: {error}', file=sys.stderr)
        return 2
    act, alpha = record['config']['act'], record['config'].get('alpha', 0.01)
    torch.manual_seed(0)
    results = {dtype: statistics(state, probe['inputs'], probe['labels'], act, alpha, dtype) for dtype in (torch.float32, torch.float64)}
    rows, worst, failures = [], 0.0, 0
    for l, layer in enumerate(record['layers']):
        vgrad = {k: decode(v) for k, v in layer['initial'].items()}
        t32, t64 = results[torch.float32]['layers'][l], results[torch.float64]['layers'][l]
        for stat in STATS:
            v, a, b = vgrad.get(stat), t32[stat], t64[stat]
            if v is None or a is None:
                ok = v is None and a is None
                rel = 0.0
            elif stat in ('saturated', 'dead'):
                # vgrad's share is a float32 mean; compare at float32 resolution of the share.
                ok = abs(v - a) <= 1e-6
                rel = abs(v - a)
            else:
                scale = abs(a) if stat not in MEAN_SCALE else max(abs(a), math.sqrt(t32[MEAN_SCALE[stat]]))
                rel = abs(v - a) / scale if scale > 0 else abs(v - a)
                ok = rel <= args.tol or (v == a)
                worst = max(worst, rel)
            failures += 0 if ok else 1
            ratio = lambda x, y: (x / y) if (x is not None and y not in (None, 0)) else None
            rows.append({'layer': layer['index'], 'stat': stat, 'vgrad': v, 'torch32': a, 'torch64': b,
                         'ratio32': ratio(v, a), 'ratio64': ratio(v, b), 'relDiff32': rel, 'ok': ok})
    summary = {'run': record['runId'], 'act': act, 'init': record['config']['init'], 'tolerance': args.tol,
               'maxRelDiff32': worst, 'failures': failures,
               'probeLoss': {'torch32': results[torch.float32]['loss'], 'torch64': results[torch.float64]['loss']},
               'rows': rows}
    if args.json:
        print(json.dumps(summary))
    else:
        fmt = lambda x: '–' if x is None else f'{x:.6g}'
        print(f"{record['runId']}  ({act}, {record['config']['init']}, torch {torch.__version__})")
        print(f"{'layer':>5} {'statistic':<15} {'vgrad':>13} {'torch f32':>13} {'÷ f32':>10} {'torch f64':>13} {'÷ f64':>10}")
        for r in rows:
            print(f"{r['layer']:>5} {r['stat']:<15} {fmt(r['vgrad']):>13} {fmt(r['torch32']):>13} {fmt(r['ratio32']):>10} "
                  f"{fmt(r['torch64']):>13} {fmt(r['ratio64']):>10}{'' if r['ok'] else '  ✗'}")
        print(f'max relative difference to float32: {worst:.3g} (tolerance {args.tol:g}); {failures} disagreeing')
    return 0 if failures == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
