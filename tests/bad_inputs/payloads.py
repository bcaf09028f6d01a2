"""The demo with script payloads in every user-text field, run once with the network cut off.

:func:`payload_run` builds the demo project, puts a payload in every name and description of the
spec, every touchpoint label, the codebook labels, and in feedback, survey comments and event
values of the data, then runs ``cjm run`` in a child process whose Python processes (the runner
and every kernel) import ``offline/sitecustomize.py``. The run is made once per test session
and shared by the script-safety, no-network and privacy tests.

Each payload, if it ever ran, would add its number to ``window.__cjm_pwned``.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

__all__ = ["MARKER", "OFFLINE", "PAYLOADS", "PayloadRun", "build_payload_project", "payload_run", "personal"]

MARKER = "__cjm_pwned"
OFFLINE = Path(__file__).resolve().parent / "offline"


def _set(n: int) -> str:
    return f"(window.{MARKER}=window.{MARKER}||[]).push({n})"


PAYLOADS = (
    f"<script>{_set(1)}</script>",
    f'<img src=x onerror="{_set(2)}">',
    f"javascript:{_set(3)}",
    f"</style><script>{_set(4)}</script>",
    f'<svg onload="{_set(5)}"><circle r=5 /></svg>',
    f'"><img src=x onerror={_set(6)}>',
    f"</textarea></title><script>{_set(7)}</script>",
    f"<a href=\"javascript:{_set(8)}\">click</a>",
    f"<iframe srcdoc=\"<script>parent.{_set(9)}</script>\"></iframe>",
)


def _p(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def _spec_with_payloads(path: Path) -> None:
    yaml = YAML(typ="rt")
    data = yaml.load(path.read_text(encoding="utf-8"))
    n = iter(range(1000))
    project = data["project"]
    for key in ("name", "client", "description"):
        project[key] = f"Shop {_p(next(n))}"
    for goal in data["goals"]:
        goal["statement"] += " " + _p(next(n))
        goal["questions"] = [q + " " + _p(next(n)) for q in goal["questions"]]
        for kpi in goal["kpis"]:
            kpi["name"] = f"{kpi['name']} {_p(next(n))}"
    for persona in data["personas"]:
        for key in ("name", "quote", "occupation", "geography"):
            persona[key] = f"{persona.get(key, '')} {_p(next(n))}"
        for key in ("needs", "frustrations", "behaviours"):
            persona[key] = [v + " " + _p(next(n)) for v in persona.get(key, [])]
    for stage in data["stages"]:
        stage["name"] = f"{stage['name']} {_p(next(n))}"
        stage["description"] = f"{stage.get('description', '')} {_p(next(n))}"
    for tp in data["touchpoints"]:
        for key in ("name", "owner", "frontstage", "backstage", "channel"):
            tp[key] = f"{tp.get(key, '')} {_p(next(n))}"
    for lane in data["lanes"]:
        lane["actions"] = [a + " " + _p(next(n)) for a in lane["actions"]]
        lane["thoughts"] = [t + " " + _p(next(n)) for t in lane["thoughts"]]
    for item in data["pain_points"] + data["opportunities"]:
        item["name"] = f"{item['name']} {_p(next(n))}"
        item["description"] = f"{item.get('description', '')} {_p(next(n))}"
    for theme in data["codebook"]["themes"]:
        theme["label"] = f"{theme.get('label', theme['id'])} {_p(next(n))}"
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


def _data_with_payloads(project: Path) -> None:
    data = project / "data"
    feedback = pd.read_csv(data / "feedback.csv", dtype=str, keep_default_na=False)
    extra = [{"id": f"PAY{i}{lang}", "ts": feedback.ts.iloc[-1], "user_id": "", "source": "app",
              "text": f"late {p}", "rating": "1", "language": lang}
             for i, p in enumerate(PAYLOADS) for lang in ("en", "fr")]
    pd.concat([feedback, pd.DataFrame(extra)]).to_csv(data / "feedback.csv", index=False)
    surveys = pd.read_csv(data / "surveys.csv", dtype=str, keep_default_na=False)
    surveys.loc[surveys.index[:len(PAYLOADS)], "comment"] = list(PAYLOADS)
    surveys.to_csv(data / "surveys.csv", index=False)
    events = pd.read_csv(data / "events.csv", dtype=str, keep_default_na=False)
    odd = events.iloc[:len(PAYLOADS)].copy()  # events no touchpoint matches: their names are listed as warnings
    odd["event"] = list(PAYLOADS)
    odd["page"] = list(PAYLOADS)
    pd.concat([events, odd]).to_csv(data / "events.csv", index=False)


def personal(k: int) -> str:
    """The k-th planted piece of personal data: an e-mail address and a phone number."""
    return f"jane.roe.{k}@client-mail.test +33 6 12 {k // 100 % 100:02d} {k % 100:02d} 78"


def _plant_personal(project: Path) -> None:
    """Add, per column of every source and of the A/B results, a row whose value there carries personal data.

    Ids and texts are kept apart from the value ("u1 jane.roe.0@…"), so the row still loads where the
    column is text; in a date or number column the row is set aside and the value quoted back in the
    data-quality issues (masked).
    """
    k = 0
    for path in sorted((project / "data").glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        rows = []
        for column in table.columns:
            row = table.iloc[-1].copy()
            for key in {"id", "order_id"} & set(table.columns):  # a row of its own, not a repeated one
                row[key] = f"{row[key]}-{k}"
            row[column] = f"{row[column]} {personal(k)}".strip()
            rows.append(row)
            k += 1
        pd.concat([table, pd.DataFrame(rows)]).to_csv(path, index=False)
    results = project / "experiments" / "results.csv"
    table = pd.read_csv(results, dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{"experiment": f"banner {personal(k)}", "variant": "control", "users": "50",
                           "conversions": "5"},
                          {"experiment": f"banner {personal(k)}", "variant": f"big {personal(k + 1)}", "users": "50",
                           "conversions": "7"}])
    pd.concat([table, extra]).to_csv(results, index=False)


def build_payload_project(target: Path, *, users: int = 600) -> Path:
    """Create the demo project in ``target``; put the payloads in its spec and data, personal data in every column."""
    from cjmlib.demo.templates import new_project

    new_project(target, template="ecommerce", users=users)
    _spec_with_payloads(target / "journey.yml")
    _data_with_payloads(target)
    _plant_personal(target)
    return target


@dataclass(frozen=True)
class PayloadRun:
    project: Path
    returncode: int
    stdout: str
    stderr: str
    net_log: list[tuple[str, str, str]]  # (pid, kind, what) lines written by offline/sitecustomize.py


@functools.cache
def payload_run() -> PayloadRun:
    """Build the payload project and run the playbook on it offline (once per test session)."""
    root = Path(tempfile.mkdtemp(prefix="cjm-payloads-"))
    project = build_payload_project(root / "shop")
    log = root / "net.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(OFFLINE), os.environ.get("PYTHONPATH")])),
           "CJM_NET_LOG": str(log)}
    env.pop("CJM_SECRET", None)
    proc = subprocess.run([sys.executable, "-m", "cjmlib.cli", "run", str(project), "--quiet"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    lines = [tuple(line.split("\t", 2)) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    return PayloadRun(project, proc.returncode, proc.stdout, proc.stderr, lines)
