"""A run stopped by SIGTERM (what cron and Airflow send on a timeout) cleans up like Ctrl-C.

The run exits 143, its manifest says it failed, no half-written page or engine file is left,
``latest`` does not move and the lock is free for the next run.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time

from cjmlib.run.publish import project_lock


def test_sigterm_in_the_middle_of_a_run(demo_project, tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(demo_project, project, ignore=shutil.ignore_patterns("reports"))
    proc = subprocess.Popen([sys.executable, "-m", "cjmlib.cli", "run", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:  # the progress lines: wait until the steps' kernels are at work
        lines.append(line)
        if line.startswith("[1/"):
            break
    assert proc.poll() is None, "".join(lines)
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=180)
    err = "".join(lines) + err
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "stopped by SIGTERM" in err and "Traceback" not in err

    reports = project / "reports"
    (run_dir,) = (reports / "runs").iterdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["error"] == "SIGTERM"
    assert not (run_dir / "html").exists() and not (run_dir / "work" / "engine.duckdb").exists()
    assert not (reports / "latest").exists()
    with project_lock(reports):  # released: the next run may start
        pass
