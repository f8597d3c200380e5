"""Issue 17's goals as the benchmarks judge them. Each bench prints a goal's
verdict with `goal(...)` where it measures it; `make bench` (bench/__main__.py)
repeats every verdict together at its end, those printed by the benches'
subprocesses included: they append to the file CAIRN_BENCH_GOALS names."""

import os
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

ENV = "CAIRN_BENCH_GOALS"


def goal(name: str, figure: str, reference: str, ratio: str, met: bool) -> None:
    """Print one goal's figure, the reference measured in the same run, their
    ratio and whether the goal is met; keep it for the summary."""
    _say(f"{name}: {figure}; {reference}; {ratio}; {'met' if met else 'NOT MET'}")


def not_shown(name: str, why: str) -> None:
    """A goal this run could not measure (a bench skipped), and why."""
    _say(f"{name}: not shown ({why})")


def _say(line: str) -> None:
    print(f"  goal · {line}", flush=True)
    if path := os.environ.get(ENV):
        with open(path, "a", encoding="utf-8") as kept:
            kept.write(line + "\n")


@contextmanager
def gathered():
    """Collect the goals printed inside (subprocesses too); yields a function
    returning them in the order they were printed."""
    with TemporaryDirectory(prefix="cairn-bench-goals-") as directory:
        path = Path(directory) / "goals.txt"
        path.touch()
        before = os.environ.get(ENV)
        os.environ[ENV] = str(path)
        try:
            yield lambda: path.read_text(encoding="utf-8").splitlines()
        finally:
            if before is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = before
