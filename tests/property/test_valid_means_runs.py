"""`cjm validate` says valid ⇒ `cjm run` succeeds, on random journeys and random data.

Each generated project (tests/property/strategies.py: a spec unlike the demo, a few hundred events
at most, feedback, surveys and orders or none) is first checked with `cjm validate` in this process:

- exit 2 (not valid) is a fine outcome, as long as it lists problems and shows no traceback;
- exit 0 (valid) must mean every step runs: the seven step notebooks are executed here cell by cell
  (tests/property/notebook_exec.py, the calls the notebooks make) and the journey maps are drawn;
  any exception fails the example and names the notebook, the cell and the spec;
- any other exit code (1: an unexpected error in validation) fails.

Most generated projects must be valid (:data:`VALID_FLOOR`), so that the property is not proved on
invalid input only. A second test sends valid projects through the real `cjm run` (papermill, nbconvert,
publishing) and checks that every page is published.

Environment variables: ``CJM_PROPERTY_EXAMPLES`` (projects run in process, default 60: the default
suite, ``make test``, stays within its time; each project runs seven notebooks, a few seconds),
``CJM_PROPERTY_RUNS`` (projects through `cjm run`, default 10), ``CJM_PROPERTY_SHRINK=1`` to let
Hypothesis shrink a failing project to a smaller one (slow: each try runs every notebook).
The acceptance run, 200 projects in process and 10 through `cjm run`::

    CJM_PROPERTY_EXAMPLES=200 .venv/bin/python -m pytest -q tests/property -m "slow or not slow" -x
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from notebook_exec import run_steps_in_process
from strategies import projects

from cjmlib.cli import main
from cjmlib.run.steps import STEPS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CJM_PROPERTY_EXAMPLES", "60"))
RUNS = int(os.environ.get("CJM_PROPERTY_RUNS", "10"))
VALID_FLOOR = 0.70  # share of generated projects `cjm validate` must accept
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target) + (
    (Phase.shrink,) if os.environ.get("CJM_PROPERTY_SHRINK") == "1" else ())

# - deadline=None: an example runs seven notebooks (about a second or two); the time varies with the data.
# - too_slow: drawing a project takes many draws (ids, rules, funnels, a few hundred rows); it is the
#   running, not the drawing, that costs, and the health check would stop the test on a slow machine.
# - data_too_large: a project with 12 touchpoints, 4 themes and 3 funnels is large for Hypothesis's
#   buffer and is meant to be generated.
SETTINGS = {"deadline": None, "phases": PHASES, "print_blob": True,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def validate(directory: Path) -> tuple[int, str]:
    """Run `cjm validate DIR` in this process; return its exit code and everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["validate", str(directory)])
    return code, out.getvalue()


def check_invalid_output(code: int, output: str) -> None:
    """An invalid project: exit 2, a list of problems, never a traceback or an unexpected error."""
    assert code == 2, f"cjm validate exited {code} (0 valid, 2 invalid expected):\n{output}"
    assert "Traceback" not in output and "unexpected error" not in output, output
    assert "problem" in output, output


# about 10 s a project on a quiet machine: run with `-m slow` (the default suite keeps the regressions)
@pytest.mark.slow
def test_valid_project_runs_every_step_in_process():
    """Every generated project that `cjm validate` accepts runs all seven steps and draws its maps."""
    seen = Counter()

    @settings(max_examples=EXAMPLES, **SETTINGS)
    @given(project=projects())
    def check(project):
        with tempfile.TemporaryDirectory(prefix="cjm-prop-") as tmp:
            directory = project.write(Path(tmp) / "project")
            code, output = validate(directory)
            seen["generated"] += 1
            if code != 0:
                check_invalid_output(code, output)
                seen["invalid"] += 1
                return
            seen["valid"] += 1
            note(f"cjm validate said:\n{output}")
            with contextlib.redirect_stdout(io.StringIO()):
                run_steps_in_process(directory, Path(tmp) / "run")

    started = time.perf_counter()
    check()
    print(f"\n{seen['generated']} projects in process ({seen['valid']} valid, {seen['invalid']} invalid) "
          f"in {time.perf_counter() - started:.0f} s")
    assert seen["generated"] >= EXAMPLES
    assert seen["valid"] >= VALID_FLOOR * seen["generated"], (
        f"only {seen['valid']} of {seen['generated']} generated projects are valid: the property would be "
        "proved on too few; make the strategies draw valid specs more often")


def published_pages() -> list[str]:
    return [*(f"{step.name}.html" for step in STEPS), "index.html", "journey-map.html"]


@pytest.mark.slow
def test_valid_project_publishes_every_page_with_cjm_run():
    """`cjm run` (papermill, nbconvert, publishing) exits 0 and publishes every page for valid projects."""
    seen = Counter()

    @settings(max_examples=max(4 * RUNS, 20), **SETTINGS)
    @given(project=projects())
    def check(project):
        if seen["run"] >= RUNS:
            return
        with tempfile.TemporaryDirectory(prefix="cjm-prop-run-") as tmp:
            directory = project.write(Path(tmp) / "project")
            code, output = validate(directory)
            if code != 0:
                check_invalid_output(code, output)
                return
            seen["run"] += 1
            done = subprocess.run([sys.executable, "-m", "cjmlib.cli", "run", str(directory), "--quiet"],
                                  check=False, cwd=ROOT, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, f"cjm run exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            status = json.loads(done.stdout.strip().splitlines()[-1])
            assert status["status"] == "succeeded", status
            html = directory / "reports" / "latest" / "html"
            missing = [page for page in published_pages() if not (html / page).is_file()]
            assert not missing, f"pages not published: {missing}"
            assert "Traceback" not in "".join((html / p).read_text(encoding="utf-8") for p in published_pages())

    started = time.perf_counter()
    check()
    print(f"\n{seen['run']} projects through cjm run in {time.perf_counter() - started:.0f} s")
    assert seen["run"] >= RUNS, f"only {seen['run']} valid projects were generated for cjm run"
