"""Run every benchmark under bench/ (or those named): `make bench`, or
`python -m bench issuing`. Each bench_<name>.py has a main() that prints figures
and ratios; none passes or fails. At the end, issue 17's goals as the benches
judged them, together (bench/goals.py)."""

import importlib
import pkgutil
import sys
from pathlib import Path

from bench import goals


def main() -> None:
    names = sys.argv[1:] or sorted(
        module.name.removeprefix("bench_")
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if module.name.startswith("bench_")
    )
    with goals.gathered() as judged:
        for name in names:
            print(f"== {name} ==")
            importlib.import_module(f"bench.bench_{name}").main()
            print()
        verdicts = judged()
    if verdicts:
        print(
            "== issue 17's goals: figure; reference in the same run; ratio; verdict =="
        )
        for line in verdicts:
            print(f"  {line}")


if __name__ == "__main__":
    main()
