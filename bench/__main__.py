"""Run every benchmark module (bench/bench_*.py) in turn; each prints one JSON object per
line with at least: name, seconds, peak_rss_mb, the baseline measured in the same run, ratio.

    python -m bench                 # all benchmarks
    python -m bench metrics         # only bench_metrics
"""
import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failed = 0
    package = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        if wanted and info.name[len("bench_"):] not in wanted and info.name not in wanted:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        try:
            result = module.main()
            if isinstance(result, int) and result:  # a benchmark may report a failed check
                failed += 1
        except Exception:  # noqa: BLE001 - report and go on with the other benchmarks
            failed += 1
            print(f"{info.name} failed:", file=sys.stderr)
            traceback.print_exc()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
