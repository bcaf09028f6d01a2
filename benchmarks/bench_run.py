"""Benchmark: `cjm run` on the demo at ~1M events against the floor of the notebook machinery.

The floor is the sum, over the seven steps, of executing (papermill, same kernel) and exporting
(our exporter) a bare notebook that only declares the parameters and imports cjmlib. Both are
measured in the same process run, one after the other, so the ratio is robust to a busy machine.

Usage: .venv/bin/python benchmarks/bench_run.py [--users 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from cjmlib.cli import new_project
from cjmlib.export import export_notebook
from cjmlib.runner import KERNEL_NAME, STEPS, run_playbook

BARE = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell('project_dir: str = ""\nrun_dir: str = ""\nas_of: str = ""\nlanguage: str = "en"\n'
                              'audience: str = "client"', metadata={"tags": ["parameters"]}),
    nbformat.v4.new_code_cell("import cjmlib"),
], metadata={"kernelspec": {"name": "cjm", "display_name": "CJM Workbench", "language": "python"},
             "language_info": {"name": "python"}})


def floor_seconds(project: Path, work: Path) -> float:
    nb_path = work / "bare.ipynb"
    nbformat.write(BARE, nb_path)
    t0 = time.perf_counter()
    for step in STEPS:
        out = work / f"{step.name}.ipynb"
        papermill.execute_notebook(str(nb_path), str(out), kernel_name=KERNEL_NAME, cwd=str(project),
                                   progress_bar=False, parameters={"project_dir": str(project)})
        export_notebook(out, work / f"{step.name}.html", title=step.title)
    return time.perf_counter() - t0


def run_seconds(project: Path, *, workers: int | None) -> float:
    t0 = time.perf_counter()
    run_playbook(project, workers=workers)
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = new_project(Path(tmp) / "shop", users=args.users)
        events = sum(1 for _ in open(project / "data" / "events.csv")) - 1
        print(f"demo: {args.users:,} users, {events:,} events", flush=True)
        floors, parallel, serial = [], [], []
        for i in range(args.repeat):
            work = Path(tmp) / f"floor{i}"
            work.mkdir()
            floors.append(floor_seconds(project, work))
            parallel.append(run_seconds(project, workers=None))
            serial.append(run_seconds(project, workers=1))
            print(f"repeat {i + 1}: floor {floors[-1]:.1f} s, cjm run {parallel[-1]:.1f} s "
                  f"(steps one at a time: {serial[-1]:.1f} s)", flush=True)
            shutil.rmtree(work)
        f, p, s = (statistics.median(x) for x in (floors, parallel, serial))
        print("\n| measure (median of %d) | seconds | ratio to floor |" % args.repeat)
        print("|---|---|---|")
        print(f"| floor: 7 bare notebooks executed and exported | {f:.1f} | 1.00 |")
        print(f"| `cjm run` (steps in parallel waves) | {p:.1f} | {p / f:.2f} |")
        print(f"| `cjm run` with one step at a time | {s:.1f} | {s / f:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
