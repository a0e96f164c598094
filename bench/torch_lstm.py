#!/usr/bin/env python3
"""The PyTorch anchor of `deno task bench`: the exercise's LSTM trained on the CPU.

Same task and settings as the project's trainer: 10,000 series of 30 digits 0..9, label
sum >= 100, 8,000 to train; LSTM(200) -> Linear(1) on the last step, binary cross-entropy
(on the logit), Adam(1e-3, 0.9, 0.999, 1e-8), batches of 50 in a new order every epoch.
Digits enter centred, (d - 4.5) / 4.5, as in the project's default config.

Install (Debian's packages; the project's own tests do not need it):
    apt-get install -y python3-torch libopenblas0-pthread
(without OpenBLAS, torch runs on Debian's reference BLAS, about 20x slower).
Run as the benchmark does (one thread; OpenBLAS's core pin unset for a fair figure):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        /usr/bin/python3 bench/torch_lstm.py --threads 1 --batches 40
Prints one JSON line: msPerBatch (median over the timed batches, after --warmup untimed
ones), msPerBatchAll (every timed batch), threads, torch.
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
parser.add_argument("--batches", type=int, default=40, help="timed batches")
parser.add_argument("--warmup", type=int, default=5, help="untimed batches first")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
digits = rng.integers(0, 10, size=(10_000, 30, 1)).astype(np.float32)  # 0..9 inclusive
labels = (digits.sum(axis=(1, 2)) >= 100).astype(np.float32)
x_train = torch.from_numpy((digits[:8000] - 4.5) / 4.5)
y_train = torch.from_numpy(labels[:8000])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, 200, batch_first=True)
        self.out = torch.nn.Linear(200, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1]).squeeze(-1)


net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
loss_fn = torch.nn.BCEWithLogitsLoss()
times = []
batch = 0
while len(times) < args.batches:
    order = torch.randperm(8000)
    for start in range(0, 8000, 50):
        if len(times) >= args.batches:
            break
        began = time.perf_counter()
        rows = order[start:start + 50]
        optimizer.zero_grad()
        loss = loss_fn(net(x_train[rows]), y_train[rows])
        loss.backward()
        optimizer.step()
        if batch >= args.warmup:
            times.append((time.perf_counter() - began) * 1e3)
        batch += 1
print(json.dumps({
    "anchor": "pytorch-cpu",
    "torch": torch.__version__,
    "threads": args.threads,
    "msPerBatch": round(statistics.median(times), 3),
    "msPerBatchAll": [round(t, 3) for t in times],
}))
