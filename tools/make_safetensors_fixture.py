#!/usr/bin/python3
"""Writes the checkpoint fixtures of tests/Shared.Tests: a PyTorch model's state_dict as a
safetensors file, and the same tensors as plain JSON for the tests to compare against.

Usage: /usr/bin/python3 tools/make_safetensors_fixture.py [OUTPUT_DIR]

Debian does not package the Python safetensors library, so the file is laid out here from the
format's specification and the reference writer's conventions: an 8-byte little-endian header
length, compact JSON with __metadata__ first, tensors by descending dtype order then by name,
the header padded with spaces to a multiple of 8 bytes, then the tensors' bytes in that order.
"""
import json
import pathlib
import struct
import sys

import torch

DTYPE_NAMES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}
# The reference implementation's dtype enumeration; its writer sorts by descending position.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]


def safetensors_bytes(state, metadata):
    def write_order(item):
        name, tensor = item
        return (-DTYPE_ORDER.index(DTYPE_NAMES[tensor.dtype]), name.encode("utf-8"))

    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, tensor in sorted(state.items(), key=write_order):
        array = tensor.detach().contiguous().numpy()
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "tests/Shared.Tests/Fixtures/Checkpoints")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model.train()
    with torch.no_grad():
        # Three batches move the running statistics and num_batches_tracked off their initial values.
        for _ in range(3):
            model(torch.randn(5, 3))
    state = model.state_dict()

    (out / "sequential.safetensors").write_bytes(safetensors_bytes(state, {"format": "pt"}))
    expected = {name: {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "values": t.flatten().tolist()}
                for name, t in state.items()}
    (out / "sequential.expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
