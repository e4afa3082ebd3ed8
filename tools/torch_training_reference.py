"""Writes the end-to-end PyTorch parity fixtures of `train`.

A tiny IDX dataset, the initial weights of two nn.Sequential models (one with BatchNorm1d) as
safetensors, and, for every optimizer, the state_dict after 12 steps of batch 8 in file order
(what `train --no-shuffle --batch-size 8 --steps 12 --init-from init.safetensors` must reproduce).
The C# test runs the real CLI path and compares, so CI needs no torch.

Run from the repository root:  /usr/bin/python3 tools/torch_training_reference.py
"""
import gzip
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join("tests", "Coordinator.Tests", "Fixtures", "Parity")
SAMPLES, ROWS, COLS, CLASSES = 48, 3, 4, 3
BATCH, STEPS = 8, 12

MODELS = {
    "plain": "linear:12:8,tanh,linear:8:6,leaky_relu:0.1,linear:6:3",
    "bn": "batchnorm:12,linear:12:8,relu,batchnorm:8,linear:8:6,sigmoid,linear:6:3",
    # The bias of a linear layer right before batch norm has a gradient that is zero in exact
    # arithmetic: what float32 leaves of it is rounding noise, which adaptive optimizers (Adam,
    # RMSProp, Adagrad, Adadelta) scale up to full-size steps, so no two implementations (nor torch in
    # float32 against float64) agree on that tensor. Plain SGD-type steps keep the noise negligible.
    "bn_pre": "linear:12:8,batchnorm:8,relu,linear:8:6,sigmoid,linear:6:3",
    "softmax": "linear:12:6,tanh,linear:6:3,softmax",
    "probabilities": "linear:12:6,relu,linear:6:3,sigmoid",
    "step": "linear:12:6,step,linear:6:3",
}

# (case, model, loss, optimizer, CLI options); every hyper-parameter is spelled out on both sides.
CASES = [
    ("sgd", "plain", "cross-entropy", "sgd", {"lr": 0.1}),
    ("momentum", "plain", "cross-entropy", "momentum", {"lr": 0.05, "momentum": 0.9}),
    ("nag", "plain", "cross-entropy", "nag", {"lr": 0.05, "momentum": 0.9}),
    ("adagrad", "plain", "cross-entropy", "adagrad", {"lr": 0.05}),
    ("rmsprop", "plain", "cross-entropy", "rmsprop", {"lr": 0.01}),
    ("adadelta", "plain", "cross-entropy", "adadelta", {"lr": 1.0}),
    ("adam", "plain", "cross-entropy", "adam", {"lr": 0.01}),
    ("adamw", "plain", "cross-entropy", "adamw", {"lr": 0.01, "weight-decay": 0.05}),
    ("sgd_wd", "plain", "cross-entropy", "sgd", {"lr": 0.1, "weight-decay": 0.01}),
    ("mse", "plain", "mse", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("mae", "plain", "mae", "adam", {"lr": 0.01}),
    ("bce_logits", "plain", "bce-with-logits", "rmsprop", {"lr": 0.01}),
]
CASES += [(f"{name}_bn", "bn", loss, optimizer, options) for (name, _, loss, optimizer, options) in CASES[:9]]
CASES += [(f"{name}_bn_pre", "bn_pre", loss, optimizer, options) for (name, _, loss, optimizer, options) in CASES[:3]]
CASES += [
    ("softmax_mse", "softmax", "mse", "adam", {"lr": 0.01}),
    ("sigmoid_bce", "probabilities", "bce", "momentum", {"lr": 0.1, "momentum": 0.9}),
    ("step_cross_entropy", "step", "cross-entropy", "sgd", {"lr": 0.5}),
]


def write_idx(path, magic, dims, data):
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(header + bytes(data))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Step(torch.nn.Module):
    """Heaviside as a layer: 1 where x > 0, else 0; no gradient flows through it (as autograd sees a comparison)."""

    def forward(self, x):
        return (x > 0).to(x.dtype)


def build(spec):
    layers = []
    for entry in spec.split(","):
        parts = entry.split(":")
        kind = parts[0]
        if kind == "linear":
            layers.append(torch.nn.Linear(int(parts[1]), int(parts[2])))
        elif kind == "batchnorm":
            layers.append(torch.nn.BatchNorm1d(int(parts[1])))
        elif kind == "tanh":
            layers.append(torch.nn.Tanh())
        elif kind == "relu":
            layers.append(torch.nn.ReLU())
        elif kind == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        elif kind == "softmax":
            layers.append(torch.nn.Softmax(dim=1))
        elif kind == "step":
            layers.append(Step())
        elif kind == "leaky_relu":
            layers.append(torch.nn.LeakyReLU(float(parts[1])))
        else:
            raise ValueError(entry)
    return torch.nn.Sequential(*layers)


def optimizer_for(name, options, params):
    lr = options["lr"]
    wd = options.get("weight-decay", 0.0)
    if name in ("sgd", "momentum", "nag"):
        return torch.optim.SGD(params, lr=lr, momentum=options.get("momentum", 0.0), nesterov=name == "nag", weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    raise ValueError(name)


def loss_of(name, output, labels):
    if name == "cross-entropy":
        return torch.nn.functional.cross_entropy(output, labels)
    onehot = torch.nn.functional.one_hot(labels, CLASSES).float()
    if name == "mse":
        return torch.nn.functional.mse_loss(output, onehot)
    if name == "mae":
        return torch.nn.functional.l1_loss(output, onehot)
    if name == "bce-with-logits":
        return torch.nn.functional.binary_cross_entropy_with_logits(output, onehot)
    if name == "bce":
        return torch.nn.functional.binary_cross_entropy(output, onehot)
    raise ValueError(name)


def main():
    torch.set_num_threads(1)
    os.makedirs(os.path.join(OUT, "data"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    rng = np.random.default_rng(20261123)
    pixels = rng.integers(0, 256, size=(SAMPLES, ROWS * COLS), dtype=np.uint8)
    labels = rng.integers(0, CLASSES, size=SAMPLES, dtype=np.uint8)
    write_idx(os.path.join(OUT, "data", "train-images-idx3-ubyte.gz"), 0x803, (SAMPLES, ROWS, COLS), pixels.tobytes())
    write_idx(os.path.join(OUT, "data", "train-labels-idx1-ubyte.gz"), 0x801, (SAMPLES,), labels.tobytes())
    x_all = torch.tensor(pixels, dtype=torch.float32) / 255.0
    y_all = torch.tensor(labels, dtype=torch.int64)

    initial = {}
    for model_name, spec in MODELS.items():
        torch.manual_seed(7)
        initial[model_name] = build(spec).state_dict()
        write_safetensors(os.path.join(OUT, f"init-{model_name}.safetensors"), initial[model_name])

    cases = []
    for case, model_name, loss, optimizer_name, options in CASES:
        model = build(MODELS[model_name])
        model.load_state_dict(initial[model_name])
        model.train()
        optimizer = optimizer_for(optimizer_name, options, model.parameters())
        for step in range(STEPS):
            start = (step * BATCH) % SAMPLES
            x, y = x_all[start:start + BATCH], y_all[start:start + BATCH]
            optimizer.zero_grad()
            loss_of(loss, model(x), y).backward()
            optimizer.step()
        write_safetensors(os.path.join(OUT, "expected", f"{case}.safetensors"), model.state_dict())
        cases.append({"case": case, "model": model_name, "layers": MODELS[model_name], "loss": loss,
                      "optimizer": optimizer_name, "options": options})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"batch_size": BATCH, "steps": STEPS, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
