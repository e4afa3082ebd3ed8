"""Checks a cluster run's summary.json (train/coordinator --summary): every planned step applied exactly once, in
order up to the last, and at least one worker lost on the way (the smoke kills one).
With --resumed-every N the run is one a standby took over: it resumed from a periodic checkpoint (one written every
N steps), so it applied every step from the one after that checkpoint to the last exactly once; the worker killed
before the takeover is not in it.
Usage: check-run-summary.py SUMMARY_JSON PLANNED_STEPS [--resumed-every N]. Prints the applied step count (and, for
a resumed run, the checkpoint's step after it), or what is wrong (exit 1)."""
import json
import sys


def problems(summary, planned, resumed_every):
    cluster = summary.get("cluster")
    if cluster is None:
        return ["no cluster section: not a cluster run"]
    first = cluster["first_applied_step"] or 0
    found = []
    if resumed_every:
        if first <= resumed_every or (first - 1) % resumed_every != 0:
            found.append(f"first_applied_step {first}, expected one after a checkpoint every {resumed_every} steps")
    else:
        first = 1
        if summary.get("steps") != planned:
            found.append(f"steps {summary.get('steps')}, expected {planned}")
        if not cluster["workers_lost"]:
            found.append("workers_lost is empty, though a worker was killed")
    expected = {
        "applied_steps": (cluster["applied_steps"], planned - first + 1),
        "distinct_applied_steps": (cluster["distinct_applied_steps"], planned - first + 1),
        "first_applied_step": (cluster["first_applied_step"], first),
        "last_applied_step": (cluster["last_applied_step"], planned),
    }
    found += [f"{name} {actual}, expected {wanted}" for name, (actual, wanted) in expected.items() if actual != wanted]
    if summary.get("failure"):
        found.append(f"failure: {summary['failure']}")
    return found


def main():
    if len(sys.argv) not in (3, 5) or (len(sys.argv) == 5 and sys.argv[3] != "--resumed-every"):
        print("usage: check-run-summary.py SUMMARY_JSON PLANNED_STEPS [--resumed-every N]")
        return 2
    path, planned = sys.argv[1], int(sys.argv[2])
    resumed_every = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    try:
        with open(path, encoding="utf-8") as file:
            summary = json.load(file)
    except (OSError, ValueError) as error:
        print(f"{path}: {error}")
        return 1
    found = problems(summary, planned, resumed_every)
    if found:
        print("; ".join(found))
        return 1
    cluster = summary["cluster"]
    print(cluster["applied_steps"], *([cluster["first_applied_step"] - 1] if resumed_every else []))
    return 0


if __name__ == "__main__":
    sys.exit(main())
