#!/usr/bin/env python3
"""A PyTorch prototype of the default config, for trying item (e) levers on the boundary quickly.

Not the project's trainer and not its data: numpy draws the 10,000 series, and the figures are
one run each, to decide what is worth a paired arm in the runner (`deno task runs --plan boundary`).
It trains LSTM(200) -> Linear(1) on the last step with binary cross-entropy and Adam(1e-3, 0.9,
0.999, 1e-8), 60 epochs of batches of 50 in a new order every epoch, with the default's item (e)
choices: centred digits (d - 4.5) / divisor, forget-gate bias 5 (gate order i, f, c, o, as
tf.layers), Glorot-uniform input and output kernels, orthogonal recurrent blocks, each training
series' digits in a fresh order every epoch, and the weights averaged over epochs 31..60.
Levers: --gate hard-sigmoid (clip(0.2 z + 0.5, 0, 1), Keras 2's recurrent default and the
exercise's Keras solution's), --divisor, --order sorted (every series fed in ascending order) or
drawn (no reordering), --cell (the cell's activation: linear as Keras's activation=None, or linear on
the candidate alone), --transfer K (K tries per series and epoch to move one unit between two of its
digits: the sum and the label stay, the digits change), --input one-hot or one-hot-ordered (its
kernel starts as the centred network's) or centred-square (x and x^2 per digit), --also-average-from
(more weight averages to score), --near-weight (a loss weight peaked at the boundary's sums), --focal
(a loss weight (1 - p_right)^gamma), --l2 (a penalty on the kernels), --digit-shift (digit v enters as
v + shift[v] before centring, as the input scaling centered-shift in src/core/spec.ts).

Scores the last and the averaged weights, and the averaged weights by their mean logit over 16
fixed orders of each series' digits, on the validation split and on 300 series per sum 90..110
(rejection-sampled): accuracy at 99 and 100, over 95..105, the sum where the logit's line crosses
0, the blur (the logit's scatter about its line against the sum, in sums) and the scatter (about
its mean at each sum, in sums: the blur less the curve's bend) and each digit value's count beyond
its face value (digitExtra, in sums, relative to the line through digits 0 and 9, as logitFit's
digitExtraSums in src/core/diagnosis.ts).
Install and run as bench/torch_lstm.py says; about 6 min a run on this machine:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_boundary.py --seed 1
Prints progress every 10 epochs, then one JSON line of results.
"""
import argparse
import json
import time

import numpy as np
import torch

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--gate", choices=["sigmoid", "hard-sigmoid"], default="sigmoid")
parser.add_argument("--divisor", type=float, default=4.5, help="digits enter as (d - 4.5) / divisor")
parser.add_argument("--order", choices=["permute", "sorted", "drawn"], default="permute")
parser.add_argument("--cell", choices=["tanh", "linear", "linear-g", "softsign"], default="tanh",
                    help="the cell's activation: tanh on the candidate and the output (Keras's default), linear on both "
                    "(Keras's activation=None), linear on the candidate alone, or softsign on both")
parser.add_argument("--transfer", type=int, default=0,
                    help="each epoch, this many tries per training series to move one unit from one digit to another "
                    "(both staying in 0..9): the sum and the label stay, the digits change")
parser.add_argument("--also-average-from", default="",
                    help="comma-separated first epochs of further weight averages to score (the default's is 31)")
parser.add_argument("--input", choices=["centred", "one-hot", "one-hot-ordered", "centred-square"], default="centred",
                    help="centred digits, one-hot over the 10 values (Glorot-uniform kernel), or one-hot whose kernel "
                    "starts as the centred network's: row v = the centred kernel times (v - 4.5) / divisor; or centred-square: "
                    "two inputs per digit, x = (d - 4.5) / divisor and x^2 less its mean over the ten digits, whose kernel "
                    "row starts at zero")
parser.add_argument("--near-weight", type=float, default=0,
                    help="each training series' loss is weighted 1 + K exp(-(sum - 99.5)^2 / (2 width^2)): K (0: none)")
parser.add_argument("--near-width", type=float, default=3, help="the width of --near-weight's bump, in sums")
parser.add_argument("--focal", type=float, default=0,
                    help="weight each series' loss by (1 - p_right)^gamma, gamma this (0: none; no gradient through it)")
parser.add_argument("--l2", type=float, default=0,
                    help="add this times the sum of the squared kernels (W, U, V; Keras's kernel_regularizer l2) to the loss")
parser.add_argument("--digit-shift", default="",
                    help="ten comma-separated shifts, in units of digit: digit v enters as v + shift[v] before centring")
args = parser.parse_args()
shift = np.array([float(v) for v in args.digit_shift.split(",")] if args.digit_shift else [0.0] * 10, np.float32)
starts = [31] + [int(e) for e in args.also_average_from.split(",") if e]

torch.set_num_threads(1)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
d = rng.integers(0, 10, size=(10000, 30)).astype(np.float32)  # 0..9 inclusive
y = (d.sum(1) >= 100).astype(np.float32)
xtr, ytr = d[:8000], y[:8000]
xva, yva = d[8000:], y[8000:]
H = 200


def gate(z):
    return torch.clamp(0.2 * z + 0.5, 0, 1) if args.gate == "hard-sigmoid" else torch.sigmoid(z)


ACT = {"tanh": torch.tanh, "linear": lambda v: v, "softsign": torch.nn.functional.softsign}
cand = ACT["linear" if args.cell == "linear-g" else args.cell]
out = ACT["tanh" if args.cell == "linear-g" else args.cell]


W = torch.empty(1, 4 * H)
torch.nn.init.xavier_uniform_(W)
if args.input == "one-hot":
    W = torch.empty(10, 4 * H)
    torch.nn.init.xavier_uniform_(W)
elif args.input == "centred-square":
    W = torch.cat([W, torch.zeros(1, 4 * H)])
elif args.input == "one-hot-ordered":
    W = W * ((torch.arange(10, dtype=torch.float32) - 4.5) / args.divisor)[:, None]
U = torch.empty(H, 4 * H)
for k in range(4):
    q = torch.empty(H, H)
    torch.nn.init.orthogonal_(q)
    U[:, k * H:(k + 1) * H] = q
b = torch.zeros(4 * H)
b[H:2 * H] = 5.0
V = torch.empty(H, 1)
torch.nn.init.xavier_uniform_(V)
c0 = torch.zeros(1)
params = [W, U, b, V, c0]
for p in params:
    p.requires_grad_(True)
opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)


def logits(x, ps=None):
    W, U, b, V, c0 = ps or params
    x = np.sort(x, axis=1) if args.order == "sorted" else x
    if args.input.startswith("centred"):
        x = (torch.as_tensor(x + shift[x.astype(np.int64)]) - 4.5) / args.divisor
        if args.input == "centred-square":
            levels = (torch.arange(10, dtype=torch.float32) - 4.5) / args.divisor
            x = torch.stack([x, x ** 2 - (levels ** 2).mean()], -1)
    else:
        x = torch.nn.functional.one_hot(torch.as_tensor(x).long(), 10).float()
    h = torch.zeros(x.shape[0], H)
    c = torch.zeros(x.shape[0], H)
    for t in range(30):
        z = (x[:, t:t + 1] if x.dim() == 2 else x[:, t]) @ W + h @ U + b
        i, f, g, o = gate(z[:, :H]), gate(z[:, H:2 * H]), cand(z[:, 2 * H:3 * H]), gate(z[:, 3 * H:])
        c = f * c + i * g
        h = o * out(c)
    return (h @ V).squeeze(-1) + c0


avgs = {e: (None, 0) for e in starts}
loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
wtr = 1 + args.near_weight * np.exp(-((xtr.sum(1) - 99.5) ** 2) / (2 * args.near_width ** 2)).astype(np.float32)
t0 = time.time()
for epoch in range(1, 61):
    order = rng.permutation(8000)
    xs = xtr.copy()
    if args.order == "permute":
        for r in range(8000):
            xs[r] = xs[r, rng.permutation(30)]
    rows = np.arange(8000)
    for _ in range(args.transfer):
        a, b = rng.integers(0, 30, 8000), rng.integers(0, 30, 8000)
        ok = (a != b) & (xs[rows, a] < 9) & (xs[rows, b] > 0)
        xs[rows[ok], a[ok]] += 1
        xs[rows[ok], b[ok]] -= 1
    for s in range(0, 8000, 50):
        idx = order[s:s + 50]
        z, t = logits(xs[idx]), torch.as_tensor(ytr[idx])
        w = torch.as_tensor(wtr[idx])
        if args.focal:
            w = w * (1 - torch.sigmoid(torch.where(t == 1, z, -z)).detach()) ** args.focal
        loss = (w * loss_fn(z, t)).mean()
        if args.l2:
            loss = loss + args.l2 * sum((p ** 2).sum() for p in (W, U, V))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        cur = [p.detach().clone() for p in params]
        for e, (avg, n_avg) in avgs.items():
            if epoch >= e:
                avgs[e] = (cur if avg is None else [a + (c - a) / (n_avg + 1) for a, c in zip(avg, cur)], n_avg + 1)
    if epoch % 10 == 0:
        print(json.dumps({"epoch": epoch, "seconds": round(time.time() - t0)}), flush=True)

avg = avgs[31][0]
pool = np.random.default_rng(1000 + args.seed).integers(0, 10, size=(3_000_000, 30)).astype(np.float32)
pool_sums = pool.sum(1)
results = {}
with torch.no_grad():
    trng = np.random.default_rng(7)
    orders = [trng.permutation(30) for _ in range(16)]
    rules = {
        "last": lambda x: logits(x),
        "averaged": lambda x: logits(x, avg),
        **{f"averaged from {e}": (lambda x, e=e: logits(x, avgs[e][0])) for e in starts[1:]},
        "averaged, mean of 16 orders": lambda x: sum(logits(x[:, q], avg) for q in orders) / len(orders),
    }
    for name, rule in rules.items():
        val = float(((rule(xva).numpy() >= 0) == (yva == 1)).mean())
        right, zs, ss, cs = {}, [], [], []
        for s in range(90, 111):
            xs_s = pool[pool_sums == s][:300]
            z = rule(xs_s).numpy()
            cs += list(np.stack([(xs_s == v).sum(1) for v in range(10)], 1))
            right[s] = float(((z >= 0) == (s >= 100)).mean())
            zs += list(z)
            ss += [s] * len(z)
        zs, ss = np.array(zs), np.array(ss)
        slope, icept = np.polyfit(ss, zs, 1)
        # each digit value's extra count, in sums, beyond its face value: the same-sum residual on the counts
        within = zs - np.array([zs[ss == s].mean() for s in ss])
        cs = np.array(cs, dtype=np.float64)
        cw = cs - np.array([cs[ss == s].mean(0) for s in range(90, 111)])[ss - 90]
        extra = np.linalg.lstsq(cw, within, rcond=None)[0] / slope
        extra -= extra[0] + (extra[9] - extra[0]) * np.arange(10) / 9  # only the bend is defined at one sum
        results[name] = {
            "validation": val,
            "at99": right[99],
            "at100": right[100],
            "band": float(np.mean([right[s] for s in range(95, 106)])),
            "crossing": float(-icept / slope),
            "blur": float(np.std(zs - (slope * ss + icept)) / slope),
            "scatter": float(np.sqrt(np.mean([np.var(zs[ss == s]) for s in range(90, 111)])) / slope),
            "digitExtra": [round(float(e), 3) for e in extra],
        }
print(json.dumps({**vars(args), **results}), flush=True)
