"""PyTorch baseline for the MLP training benchmark (benchmarks/Benchmarks `mlp`).

Trains the same MLPs as the C# benchmark on random data already in memory, at a given batch size,
and prints one JSON line per model: {"model": ..., "samples_per_second": ...}.
Run with the system python and OpenBLAS, torch at 1 thread and OpenBLAS at the thread count under test:
  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 tools/torch_mlp_benchmark.py --batch 128 --steps 400
"""
import argparse
import json
import time

import torch

MODELS = {
    "bn-dropout-adam": lambda: (torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 10)), "adam"),
    "plain-momentum": lambda: (torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10)), "momentum"),
}


def measure(name, batch, steps, warmup):
    torch.manual_seed(0)
    model, optimizer_name = MODELS[name]()
    optimizer = (torch.optim.Adam(model.parameters(), lr=1e-3) if optimizer_name == "adam"
                 else torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    batches = 32
    xs = torch.rand(batches, batch, 784)
    ys = torch.randint(0, 10, (batches, batch))
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % batches]), ys[i % batches])
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i)
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    seconds = time.perf_counter() - start
    return batch * steps / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in MODELS:
        best = max(measure(name, args.batch, args.steps, args.warmup) for _ in range(args.repeats))
        print(json.dumps({"model": name, "samples_per_second": best, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
