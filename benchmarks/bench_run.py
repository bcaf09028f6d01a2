"""Benchmark: `cjm run` on the demo at ~1M events against the floor of the notebook machinery.

The floor is the sum, over the seven steps, of executing (papermill, same kernel) and exporting
(our exporter) a bare notebook that only declares the parameters and imports cjmlib. Both are
measured in the same process run, one after the other, so the ratio is robust to a busy machine.

Besides the totals, it reports each step's time in the run (execution in its kernel, from the
run's manifest, median over the repeats) and the costliest cells of the last run (the duration
papermill records in each executed notebook), so the remaining costs are named.

Usage: .venv/bin/python benchmarks/bench_run.py [--users 60000] [--repeat 3] [--no-serial]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from cjmlib.demo.templates import new_project
from cjmlib.run.export import export_notebook
from cjmlib.run.runner import KERNEL_NAME, run_playbook
from cjmlib.run.steps import STEPS

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


def run_seconds(project: Path, *, workers: int | None) -> tuple[float, dict[str, float]]:
    """Seconds of one `cjm run`, and the durations its manifest records (load, each step, export)."""
    t0 = time.perf_counter()
    result = run_playbook(project, workers=workers)
    return time.perf_counter() - t0, dict(result.durations)


def costliest_cells(run_dir: Path, n: int = 10) -> list[tuple[float, str, str]]:
    """The ``n`` longest cells of a run: (seconds, step, first line of the cell)."""
    cells = []
    for path in sorted((run_dir / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            seconds = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
            if cell["cell_type"] == "code" and seconds:
                first = "".join(cell["source"]).strip().splitlines()[0][:70] if cell["source"] else ""
                cells.append((seconds, path.stem, first))
    return sorted(cells, reverse=True)[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-serial", action="store_true", help="skip the run with one step at a time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = new_project(Path(tmp) / "shop", users=args.users)
        with open(project / "data" / "events.csv", encoding="utf-8") as fh:
            events = sum(1 for _ in fh) - 1
        print(f"demo: {args.users:,} users, {events:,} events", flush=True)
        floors, parallel, serial, durations = [], [], [], []
        for i in range(args.repeat):
            work = Path(tmp) / f"floor{i}"
            work.mkdir()
            floors.append(floor_seconds(project, work))
            seconds, recorded = run_seconds(project, workers=None)
            parallel.append(seconds)
            durations.append(recorded)
            serial.append(float("nan") if args.no_serial else run_seconds(project, workers=1)[0])
            print(f"repeat {i + 1}: floor {floors[-1]:.1f} s, cjm run {parallel[-1]:.1f} s "
                  f"(steps one at a time: {serial[-1]:.1f} s)", flush=True)
            shutil.rmtree(work)
        cells = costliest_cells((project / "reports" / "latest").resolve())
    f, p, s = (statistics.median(x) for x in (floors, parallel, serial))
    print(f"\n| measure (median of {args.repeat}) | seconds | ratio to floor |")
    print("|---|---|---|")
    print(f"| floor: 7 bare notebooks executed and exported, one after the other | {f:.1f} | 1.00 |")
    print(f"| `cjm run` (steps side by side, kernels started ahead) | {p:.1f} | {p / f:.2f} |")
    print(f"| `cjm run` with one step at a time | {s:.1f} | {s / f:.2f} |")
    print(f"\n| part of `cjm run` (median of {args.repeat}) | seconds |")
    print("|---|---|")
    for key in durations[0]:
        if key != "total":
            print(f"| {key} | {statistics.median(d.get(key, float('nan')) for d in durations):.1f} |")
    print("\n| costliest cells of the last run | step | seconds |")
    print("|---|---|---|")
    for seconds, step, first in cells:
        print(f"| `{first.replace('|', '/')}` | {step} | {seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
