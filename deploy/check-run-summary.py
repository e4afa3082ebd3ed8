"""Checks a cluster run's summary.json (train/coordinator --summary): every planned step applied exactly once,
in order from the first to the last, and at least one worker lost on the way (the smoke kills one).
Usage: check-run-summary.py SUMMARY_JSON PLANNED_STEPS. Prints the step count, or what is wrong (exit 1)."""
import json
import sys


def problems(summary, planned):
    cluster = summary.get("cluster")
    if cluster is None:
        return ["no cluster section: not a cluster run"]
    expected = {
        "steps": (summary.get("steps"), planned),
        "applied_steps": (cluster["applied_steps"], planned),
        "distinct_applied_steps": (cluster["distinct_applied_steps"], planned),
        "first_applied_step": (cluster["first_applied_step"], 1),
        "last_applied_step": (cluster["last_applied_step"], planned),
    }
    found = [f"{name} {actual}, expected {wanted}" for name, (actual, wanted) in expected.items() if actual != wanted]
    if summary.get("failure"):
        found.append(f"failure: {summary['failure']}")
    if not cluster["workers_lost"]:
        found.append("workers_lost is empty, though a worker was killed")
    return found


def main():
    path, planned = sys.argv[1], int(sys.argv[2])
    try:
        with open(path, encoding="utf-8") as file:
            summary = json.load(file)
    except (OSError, ValueError) as error:
        print(f"{path}: {error}")
        return 1
    found = problems(summary, planned)
    print("; ".join(found) if found else planned)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
