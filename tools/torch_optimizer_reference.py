"""Writes the PyTorch parity fixtures of the optimizers in Shared/Optimizers.

For every case: a seeded parameter vector, a seeded sequence of gradients, and the parameters
torch.optim holds after each step. The C# tests replay the gradients and compare, so CI needs no torch.

Run from the repository root:  /usr/bin/python3 tools/torch_optimizer_reference.py
"""
import json
import os

import numpy as np
import torch

PARAMETER_COUNT = 37
STEP_COUNT = 12
OUTPUT_DIR = os.path.join("tests", "Shared.Tests", "Fixtures", "Optimizers")

# (case, optimizer name, options as OptimizerSettings takes them; absent means torch's default)
CASES = [
    ("sgd", "sgd", {}),
    ("sgd_weight_decay", "sgd", {"lr": 0.1, "weight_decay": 0.05}),
    ("momentum", "momentum", {}),
    ("momentum_weight_decay", "momentum", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.001}),
    ("nag", "nag", {}),
    ("nag_weight_decay", "nag", {"lr": 0.02, "momentum": 0.7, "weight_decay": 0.01}),
    ("adagrad", "adagrad", {}),
    ("adagrad_weight_decay", "adagrad", {"lr": 0.1, "eps": 1e-8, "weight_decay": 0.01}),
    ("rmsprop", "rmsprop", {}),
    ("rmsprop_momentum", "rmsprop", {"lr": 0.001, "alpha": 0.9, "momentum": 0.9}),
    ("rmsprop_weight_decay", "rmsprop", {"lr": 0.005, "eps": 1e-6, "momentum": 0.5, "weight_decay": 0.02}),
    ("adadelta", "adadelta", {}),
    ("adadelta_weight_decay", "adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.01}),
    ("adam", "adam", {}),
    ("adam_weight_decay", "adam", {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.01}),
    ("adamw", "adamw", {}),
    ("adamw_custom", "adamw", {"lr": 0.01, "beta1": 0.85, "beta2": 0.995, "eps": 1e-7, "weight_decay": 0.1}),
]

# torch's SGD has no default learning rate; DistTrainer uses 0.01 for sgd, momentum and nag.
SGD_DEFAULT_LR = 0.01


def torch_optimizer(name, options, params):
    lr = options.get("lr")
    common = {"weight_decay": options.get("weight_decay", 0.0), "foreach": False}
    if lr is not None:
        common["lr"] = lr
    if name in ("sgd", "momentum", "nag"):
        common.setdefault("lr", SGD_DEFAULT_LR)
        momentum = 0.0 if name == "sgd" else options.get("momentum", 0.9)
        return torch.optim.SGD(params, momentum=momentum, nesterov=name == "nag", **common)
    if name == "adagrad":
        return torch.optim.Adagrad(params, eps=options.get("eps", 1e-10), **common)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, alpha=options.get("alpha", 0.99), eps=options.get("eps", 1e-8),
                                   momentum=options.get("momentum", 0.0), **common)
    if name == "adadelta":
        return torch.optim.Adadelta(params, rho=options.get("rho", 0.9), eps=options.get("eps", 1e-6), **common)
    betas = (options.get("beta1", 0.9), options.get("beta2", 0.999))
    eps = options.get("eps", 1e-8)
    if name == "adam":
        return torch.optim.Adam(params, betas=betas, eps=eps, **common)
    if name == "adamw":
        common["weight_decay"] = options.get("weight_decay", 1e-2)
        return torch.optim.AdamW(params, betas=betas, eps=eps, **common)
    raise ValueError(name)


def seeded_vector(generator, scale):
    return torch.randn(PARAMETER_COUNT, generator=generator, dtype=torch.float32) * scale


def run_case(index, name, options):
    generator = torch.Generator().manual_seed(1000 + index)
    initial = seeded_vector(generator, 1.0)
    gradients = []
    for step in range(STEP_COUNT):
        gradient = seeded_vector(generator, 0.5 + 0.1 * step)
        # One coordinate never gets a gradient: the eps of the adaptive rules must keep it finite.
        gradient[0] = 0.0
        gradients.append(gradient)
    param = torch.nn.Parameter(initial.clone())
    optimizer = torch_optimizer(name, options, [param])
    expected = []
    for gradient in gradients:
        param.grad = gradient.clone()
        optimizer.step()
        expected.append(param.detach().clone())
    return initial, gradients, expected


def float32_text(value):
    # The shortest decimal that reads back as the same float32.
    return np.format_float_positional(np.float32(value), unique=True, trim="0")


def vector_text(vector):
    return "[" + ", ".join(float32_text(v) for v in vector.tolist()) + "]"


def matrix_text(vectors):
    return "[\n    " + ",\n    ".join(vector_text(v) for v in vectors) + "\n  ]"


def fixture_text(case, name, options, initial, gradients, expected):
    settings = {"name": name, **options}
    return (
        "{\n"
        f'  "case": {json.dumps(case)},\n'
        f'  "torch_version": {json.dumps(torch.__version__)},\n'
        f'  "settings": {json.dumps(settings)},\n'
        f'  "initial": {vector_text(initial)},\n'
        f'  "gradients": {matrix_text(gradients)},\n'
        f'  "expected": {matrix_text(expected)}\n'
        "}\n"
    )


def main():
    torch.set_num_threads(1)
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    for index, (case, name, options) in enumerate(CASES):
        text = fixture_text(case, name, options, *run_case(index, name, options))
        json.loads(text)
        with open(os.path.join(OUTPUT_DIR, case + ".json"), "w", encoding="utf-8") as file:
            file.write(text)
        print("wrote", case)


if __name__ == "__main__":
    main()
