#!/usr/bin/python3
"""Reads TensorBoard event files without TensorFlow, TensorBoard or the trainer's own code: the check that
the files `train --tensorboard DIR` writes are what TensorBoard reads.

Usage: /usr/bin/python3 tools/tfevents_read.py DIR|FILE [--summary SUMMARY.json]

Every record's TFRecord framing is checked (the masked CRC-32C of its length and of its bytes, computed
with crcmod), every record is decoded as a tensorflow.Event by hand from the protobuf wire format, and each
tag is printed with its number of values and its last one. With --summary, the per-epoch test accuracy
of the event files (tag epoch/test_accuracy) must equal, step for step, the float32 of each epoch's
test_accuracy in the JSON that `train --summary` wrote. Exit code 0: all good; 1: a CRC, a record or the
comparison is wrong; 2: bad arguments.
"""
import json
import pathlib
import struct
import sys

import crcmod.predefined

CRC32C = crcmod.predefined.mkCrcFun("crc-32c")
TEST_ACCURACY = "epoch/test_accuracy"


class BadFile(Exception):
    pass


def masked_crc(data):
    crc = CRC32C(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(data, name):
    at = 0
    while at < len(data):
        if len(data) - at < 12:
            raise BadFile(f"{name}: a record header is cut short at byte {at}")
        (length,) = struct.unpack_from("<Q", data, at)
        (length_crc,) = struct.unpack_from("<I", data, at + 8)
        if length_crc != masked_crc(data[at:at + 8]):
            raise BadFile(f"{name}: the length CRC of the record at byte {at} does not match")
        if at + 16 + length > len(data):
            raise BadFile(f"{name}: the record at byte {at} runs past the end of the file")
        record = data[at + 12:at + 12 + length]
        (data_crc,) = struct.unpack_from("<I", data, at + 12 + length)
        if data_crc != masked_crc(record):
            raise BadFile(f"{name}: the data CRC of the record at byte {at} does not match")
        yield record
        at += 16 + length


def varint(data, at):
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise BadFile("a varint runs past its message")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def fields(message):
    """Yields (field number, wire type, value): an int for varints, bytes for the other wire types."""
    at = 0
    while at < len(message):
        key, at = varint(message, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(message, at)
        elif wire == 1:
            value, at = message[at:at + 8], at + 8
        elif wire == 2:
            length, at = varint(message, at)
            value, at = message[at:at + length], at + length
        elif wire == 5:
            value, at = message[at:at + 4], at + 4
        else:
            raise BadFile(f"wire type {wire} of field {number}")
        if at > len(message):
            raise BadFile(f"field {number} runs past its message")
        yield number, wire, value


def event(record):
    """An Event as (step, file_version, [(tag, scalar or None, histogram count or None)])."""
    step, version, values = 0, None, []
    for number, _, value in fields(record):
        if number == 2:
            step = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 3:
            version = value.decode("utf-8")
        elif number == 5:
            values += [summary_value(v) for n, _, v in fields(value) if n == 1]
    return step, version, values


def summary_value(message):
    tag, scalar, histogram = "", None, None
    for number, _, value in fields(message):
        if number == 1:
            tag = value.decode("utf-8")
        elif number == 2:
            (scalar,) = struct.unpack("<f", value)
        elif number == 5:
            histo = {n: v for n, _, v in fields(value)}
            (histogram,) = struct.unpack("<d", histo[3])
    return tag, scalar, histogram


def read(path):
    files = sorted(path.glob("events.out.tfevents.*")) if path.is_dir() else [path]
    if not files:
        raise BadFile(f"{path}: no events.out.tfevents.* file")
    events = []
    for file in files:
        decoded = [event(r) for r in records(file.read_bytes(), file.name)]
        if not decoded or decoded[0][1] is None or not decoded[0][1].startswith("brain.Event:"):
            raise BadFile(f"{file.name}: the first event does not give the file version")
        events += decoded
    return files, events


def compare(events, summary_path):
    summary = json.loads(summary_path.read_text())
    expected = [(e["step"], struct.unpack("<f", struct.pack("<f", e["test_accuracy"]))[0])
                for e in summary["epochs"] if e.get("test_accuracy") is not None]
    found = [(step, scalar) for step, _, values in events for tag, scalar, _ in values if tag == TEST_ACCURACY]
    if not expected or found != expected:
        print(f"error: {TEST_ACCURACY} differs from {summary_path}:\n  event files: {found}\n  summary:     {expected}", file=sys.stderr)
        return False
    print(f"{TEST_ACCURACY} of {len(found)} epochs equals {summary_path}'s test_accuracy")
    return True


def main(argv):
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != "--summary"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        files, events = read(pathlib.Path(argv[0]))
    except (BadFile, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    tags = {}
    for step, _, values in events:
        for tag, scalar, histogram in values:
            tags.setdefault(tag, []).append((step, scalar if histogram is None else f"histogram of {histogram:.0f} values"))
    print(f"{len(files)} event file(s), {len(events)} events, every CRC checked")
    for tag in sorted(tags):
        step, last = tags[tag][-1]
        print(f"  {tag}: {len(tags[tag])} values, last at step {step}: {last}")
    return 0 if len(argv) == 1 or compare(events, pathlib.Path(argv[2])) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
