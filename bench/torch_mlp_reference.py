#!/usr/bin/env python3
"""The MLP training step vgrad benchmarks, written in PyTorch, so `vgrad bench --reference`
can report vgrad's speed as a ratio to PyTorch measured on the same machine in the same run.

A development tool: vgrad itself never needs Python. Setup on Debian (once):

    apt-get update && apt-get install -y python3-torch libopenblas0-pthread

libopenblas0-pthread matters: without it Debian's torch falls back to the reference BLAS,
which is many times slower and would make the ratio meaningless.

One step is what vgrad times: forward pass, softmax cross-entropy, backward pass and a plain
SGD update, on a fixed minibatch of MNIST-shaped inputs (784 features in [0, 1), 10 classes).
The data are random because speed does not depend on them.

    /usr/bin/python3 bench/torch_mlp_reference.py --layers 300,100 --act relu --batch 64 --steps 300 --json

prints one JSON line: framework, layers (784, the hidden widths, 10), act, batch, threads,
msPerStep, cpuMsPerStep (CPU time) and samplesPerSec. Without --json the same numbers as one sentence.
"""
import argparse
import json
import os
import sys
import time

INPUTS = 784
CLASSES = 10
ACTIVATION_NAMES = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'elu', 'selu', 'softsign', 'linear']


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (got '{text}')")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1 (got '{text}')")
    return value


def widths(text):
    parts = text.split(',')
    try:
        return [positive_int(part.strip()) for part in parts]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a comma list of integers >= 1, e.g. 300,100 (got '{text}')")


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Time one MLP training step (forward, backward, SGD update) in PyTorch on the CPU.')
    parser.add_argument('--layers', type=widths, default=[300, 100], help='hidden layer widths (default 300,100, vgrad\'s default net)')
    parser.add_argument('--act', choices=ACTIVATION_NAMES, default='relu', help='hidden activation (default relu)')
    parser.add_argument('--alpha', type=float, default=0.01, help='negative slope of leaky-relu (default 0.01)')
    parser.add_argument('--batch', type=positive_int, default=64, help='minibatch size (default 64)')
    parser.add_argument('--steps', type=positive_int, default=300, help='timed steps (default 300)')
    parser.add_argument('--warmup', type=int, default=10, help='untimed steps first (default 10)')
    parser.add_argument('--threads', type=positive_int, default=1, help='intra-op CPU threads (default 1, like vgrad on wasm)')
    parser.add_argument('--lr', type=float, default=0.05, help='SGD learning rate (default 0.05, vgrad\'s default)')
    parser.add_argument('--seed', type=int, default=0, help='seed for weights and data (default 0)')
    parser.add_argument('--json', action='store_true', help='print one JSON line instead of a sentence')
    return parser.parse_args(argv)


def activation(torch, name, alpha):
    nn = torch.nn
    return {
        'sigmoid': nn.Sigmoid,
        'tanh': nn.Tanh,
        'relu': nn.ReLU,
        'leaky-relu': lambda: nn.LeakyReLU(alpha),
        'elu': nn.ELU,
        'selu': nn.SELU,
        'softsign': nn.Softsign,
        'linear': nn.Identity,
    }[name]()


def build_mlp(torch, sizes, act, alpha):
    """Dense layers between consecutive sizes, the activation after every hidden one; the
    output layer gives logits (softmax lives in the loss, as in vgrad)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        layers.append(activation(torch, act, alpha))
    return torch.nn.Sequential(*layers[:-1])


def time_steps(train_step, warmup, steps):
    """Wall and CPU seconds per step (CPU time of this process, all threads: steadier than wall
    time on a shared machine)."""
    for _ in range(warmup):
        train_step()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        train_step()
    return (time.perf_counter() - start) / steps, (time.process_time() - cpu_start) / steps


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # torch.set_num_threads bounds PyTorch's own pool, not the BLAS library's: Debian's torch uses
    # OpenBLAS (pthreads), which starts one thread per core unless told before it loads. Measured on
    # 2 idle cores without this: 2.0 ms/step wall for 4.0 ms CPU, i.e. two threads, not one.
    for name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[name] = str(args.threads)
    try:
        import torch
    except ImportError:
        sys.exit('torch_mlp_reference.py: PyTorch is not installed; on Debian: apt-get install -y python3-torch libopenblas0-pthread')
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    sizes = [INPUTS] + args.layers + [CLASSES]
    model = build_mlp(torch, sizes, args.act, args.alpha)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    inputs = torch.rand(args.batch, INPUTS)
    labels = torch.randint(0, CLASSES, (args.batch,))

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(inputs), labels).backward()
        optimizer.step()

    seconds, cpu_seconds = time_steps(train_step, max(0, args.warmup), args.steps)
    result = {
        'framework': f'pytorch {torch.__version__}',
        'layers': sizes,
        'act': args.act,
        'batch': args.batch,
        'threads': args.threads,
        'msPerStep': round(seconds * 1e3, 4),
        'cpuMsPerStep': round(cpu_seconds * 1e3, 4),
        'samplesPerSec': round(args.batch / seconds, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['framework']}, {args.act}, layers {'-'.join(map(str, sizes))}, batch {args.batch}, "
              f"{args.threads} thread(s): {result['msPerStep']:.3f} ms/step, {result['samplesPerSec']:.0f} samples/s")


if __name__ == '__main__':
    main()
