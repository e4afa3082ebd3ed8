"""PyTorch DDP baseline for the cluster benchmark (benchmarks/Benchmarks `cluster`).

Trains the default `train` MLP (784-256-256-10 with batch norm and dropout, Adam lr 1e-3, cross-entropy) with
DistributedDataParallel over the gloo backend on this machine: one process per worker, 1 torch thread each, each
process on its own batch of random data already in memory. Prints one JSON line per process count:
{"model": "ddp-N", "processes": N, "samples_per_second": ...}, samples/s over all processes (N x batch x steps
/ the slowest process's time for the measured steps).
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch_ddp_benchmark.py --processes 1 2 4 --batch 128 --steps 200
"""
import argparse
import json
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def model():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 256), torch.nn.BatchNorm1d(256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 10))


def worker(rank, size, port, batch, steps, warmup, results):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=size)
    torch.manual_seed(0)
    net = torch.nn.parallel.DistributedDataParallel(model())
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(rank)
    batches = 16
    xs = torch.rand(batches, batch, 784, generator=generator)
    ys = torch.randint(0, 10, (batches, batch), generator=generator)
    net.train()

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(net(xs[i % batches]), ys[i % batches]).backward()
        optimizer.step()

    for i in range(warmup):
        step(i)
    dist.barrier()
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    dist.barrier()
    results[rank] = time.perf_counter() - start
    dist.destroy_process_group()


def measure(size, batch, steps, warmup):
    results = mp.Manager().dict()
    mp.spawn(worker, args=(size, free_port(), batch, steps, warmup, results), nprocs=size, join=True)
    return size * batch * steps / max(results.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    for size in args.processes:
        best = max(measure(size, args.batch, args.steps, args.warmup) for _ in range(args.repeats))
        print(json.dumps({"model": f"ddp-{size}", "processes": size, "samples_per_second": best,
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
