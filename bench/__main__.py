"""Run every benchmark under bench/ (or those named): `make bench`, or
`python -m bench issuing`. Each bench_<name>.py has a main() that prints figures
and ratios; none passes or fails."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    names = sys.argv[1:] or sorted(
        module.name.removeprefix("bench_")
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if module.name.startswith("bench_")
    )
    for name in names:
        print(f"== {name} ==")
        importlib.import_module(f"bench.bench_{name}").main()
        print()


if __name__ == "__main__":
    main()
