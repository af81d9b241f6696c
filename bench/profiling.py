"""py-spy around a benchmark's server process, and the top entries of what it sampled.

.venv/bin/python bench/profiling.py FILE [--top 15]   # summarise a raw py-spy file
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LINE = re.compile(r":\d+\)$")
# Frames every stack of a thread passes through: left out of the inclusive ranking.
_WRAPPERS = re.compile(
    r"^(<module>|main|run|_run_code|_run_module_as_main|_serve|asyncio_run|_bootstrap\w*"
    r"|Thread\.\w+|_worker|Runner\.run|Server\.\w+|BaseEventLoop\.\w+|Handle\._run"
    r"|_run_once|run_until_complete|run_forever) "
)


@contextmanager
def profiled(pid: int, output: str | None, rate: int = 200) -> Iterator[None]:
    """py-spy samples the server while the load runs (raw folded stacks, for flame graphs)."""
    if output is None:
        yield
        return
    py_spy = Path(sys.executable).with_name("py-spy")
    command = [
        *(str(py_spy), "record", "-p", str(pid), "-r", str(rate)),
        *("-f", "raw", "-o", output, "--nonblocking"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes what it sampled and exits
        process.wait(timeout=60)


def _function(frame: str) -> str:
    """``name (path/to/module.py:123)`` -> ``name (module.py)``: one entry per function."""
    name, _, where = frame.partition(" (")
    where = _LINE.sub(")", "(" + where) if where else ""
    short = where.rsplit("/", 1)[-1] if "/" in where else where.lstrip("(")
    return f"{name} ({short}" if short else name


Ranked = list[tuple[str, float]]


def top_entries(raw: Path, top: int = 15) -> tuple[int, Ranked, Ranked]:
    """(samples, the top functions by own time, the top by inclusive time), as % of samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_function(f) for f in stack.split(";") if f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for name in set(frames):
            if not _WRAPPERS.match(name):
                inclusive[name] += n
    if total == 0:
        return 0, [], []

    def share(counter: Counter[str]) -> Ranked:
        return [(name, 100.0 * n / total) for name, n in counter.most_common(top)]

    return total, share(own), share(inclusive)


def print_top(raw: Path, top: int = 15) -> None:
    total, own, inclusive = top_entries(raw, top)
    print(f"profile {raw}: {total} samples")
    print("  by own time:")
    for name, percent in own:
        print(f"    {percent:5.1f} %  {name}")
    print("  by inclusive time:")
    for name, percent in inclusive:
        print(f"    {percent:5.1f} %  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print_top(args.raw, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
