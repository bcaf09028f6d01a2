"""Time the behaviour analytics beside hand-written DuckDB SQL and retentioneering, in fresh processes.

For each size (demo users), the demo shop is generated once under benchmarks/data/ and loaded once
into an engine file (as a run does). Then every (analytic, tool, mode) is timed ``--repeats`` times,
each time in a new Python process, and the median is kept:

- ``warm``: the data are already loaded (the engine file for the workbench and the hand SQL, a
  pandas frame turned into an Eventstream for retentioneering); only the analytic is timed;
- ``e2e``: from the CSV file: loading plus the analytic.

The peak memory is the child process's high-water resident set size (VmHWM).

Usage::

    nice python benchmarks/run.py --users 60000 600000 --repeats 3 --out benchmarks/results.csv
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FUNNEL = ["landing_view", "product_view", "add_to_cart", "begin_checkout", "purchase"]
SANKEY_STEPS = 5

SQL = {
    "funnel": """
        WITH e AS (SELECT session_id AS u, event, ts FROM events WHERE event IN ({steps})),
        s1 AS (SELECT u, min(ts) t FROM e WHERE event = '{s0}' GROUP BY u),
        s2 AS (SELECT e.u, min(e.ts) t FROM e JOIN s1 USING (u) WHERE e.event = '{s1}' AND e.ts >= s1.t GROUP BY e.u),
        s3 AS (SELECT e.u, min(e.ts) t FROM e JOIN s2 USING (u) WHERE e.event = '{s2}' AND e.ts >= s2.t GROUP BY e.u),
        s4 AS (SELECT e.u, min(e.ts) t FROM e JOIN s3 USING (u) WHERE e.event = '{s3}' AND e.ts >= s3.t GROUP BY e.u),
        s5 AS (SELECT e.u, min(e.ts) t FROM e JOIN s4 USING (u) WHERE e.event = '{s4}' AND e.ts >= s4.t GROUP BY e.u)
        SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3),
               (SELECT count(*) FROM s4), (SELECT count(*) FROM s5)""",
    "transitions": """
        WITH t AS (SELECT session_id s, event a, lead(event) OVER (PARTITION BY session_id ORDER BY ts, event) b
                   FROM events)
        SELECT a, b, count(*) n, count(DISTINCT s) sessions FROM t WHERE b IS NOT NULL GROUP BY a, b""",
    "sankey": f"""
        WITH t AS (SELECT session_id s, event a,
                          row_number() OVER w AS rn, coalesce(lead(event) OVER w, '(end)') b
                   FROM events WINDOW w AS (PARTITION BY session_id ORDER BY ts, event))
        SELECT rn, a, b, count(*) FROM t WHERE rn < {SANKEY_STEPS} GROUP BY rn, a, b""",
    "top_paths": """
        WITH t AS (SELECT session_id s, event, ts, row_number() OVER (PARTITION BY session_id ORDER BY ts, event) rn
                   FROM events),
        p AS (SELECT s, string_agg(event, ' → ' ORDER BY rn) path FROM t WHERE rn <= 10 GROUP BY s)
        SELECT path, count(*) n FROM p GROUP BY path ORDER BY n DESC, path LIMIT 10""",
    "cohorts": """
        WITH o AS (SELECT user_id, ts FROM orders WHERE status IS NULL OR lower(status) <> 'cancelled'),
        f AS (SELECT user_id, date_trunc('week', min(ts)) c FROM o GROUP BY user_id),
        a AS (SELECT DISTINCT o.user_id, f.c, date_diff('week', f.c, date_trunc('week', o.ts)) p
              FROM o JOIN f USING (user_id))
        SELECT c, p, count(*) FROM a GROUP BY c, p""",
    "repeat_purchase": """
        SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (
            SELECT user_id, count(DISTINCT order_id) n FROM orders
            WHERE status IS NULL OR lower(status) <> 'cancelled' GROUP BY user_id)""",
}
LOAD_SQL = """
    CREATE TABLE events AS SELECT user_id, session_id, CAST(ts AS TIMESTAMP) ts, event
        FROM read_csv('{dir}/data/events.csv', timestampformat='%Y-%m-%dT%H:%M:%SZ');
    CREATE TABLE orders AS SELECT order_id, user_id, CAST(ts AS TIMESTAMP) ts, status
        FROM read_csv('{dir}/data/orders.csv', timestampformat='%Y-%m-%dT%H:%M:%SZ');
"""
RETE = ("funnel", "transitions", "sankey")  # analytics retentioneering has an equivalent of


def cjm_call(name: str, project):
    import cjmlib as cjm

    calls = {
        "funnel": lambda: cjm.funnel_table(project, FUNNEL, by="event", unit="session"),
        "transitions": lambda: cjm.transition_table(project, by="event", unit="session"),
        "sankey": lambda: cjm.step_sankey_table(project, steps=SANKEY_STEPS, by="event", unit="session"),
        "top_paths": lambda: cjm.top_paths(project, by="event", unit="session", max_steps=10),
        "cohorts": lambda: cjm.cohort_table(project, period="week"),
        "repeat_purchase": lambda: cjm.repeat_purchase_rate(project),
    }
    return calls[name]()


def sql_text(name: str) -> str:
    steps = ", ".join(f"'{s}'" for s in FUNNEL)
    return SQL[name].format(steps=steps, **{f"s{i}": s for i, s in enumerate(FUNNEL)})


def rete_call(name: str, stream):
    if name == "funnel":
        return stream.funnel_data(steps=FUNNEL)
    if name == "transitions":
        return stream.transition_graph_data(edge_weight="count")
    return stream.step_sankey_data(max_steps=SANKEY_STEPS)


def rete_stream(csv: Path):
    from retentioneering import Eventstream

    df = pd.read_csv(csv, usecols=["user_id", "session_id", "ts", "event"])
    return Eventstream(df, schema={"path_cols": ["session_id"], "event_col": "event", "timestamp_col": "ts",
                                   "custom_cols": []})


def child(tool: str, name: str, mode: str, directory: Path) -> dict:
    """Run one measurement in this (fresh) process."""
    engine = directory / "engine" / "work" / "engine.duckdb"
    if tool == "cjm":
        import cjmlib as cjm

        if mode == "warm":
            project = cjm.open_project(directory, directory / "engine")
            start = time.perf_counter()
        else:
            start = time.perf_counter()
            project = cjm.load_project(directory)
        cjm_call(name, project)
    elif tool == "sql":
        import duckdb

        if mode == "warm":
            con = duckdb.connect(str(engine), read_only=True)
            start = time.perf_counter()
        else:
            start = time.perf_counter()
            con = duckdb.connect()
            con.execute(LOAD_SQL.format(dir=directory))
        con.execute(sql_text(name)).fetchall()
    else:
        if mode == "warm":
            stream = rete_stream(directory / "data" / "events.csv")
            start = time.perf_counter()
        else:
            start = time.perf_counter()
            stream = rete_stream(directory / "data" / "events.csv")
        rete_call(name, stream)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_memory_mb()}


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(users: int) -> Path:
    """Generate the demo shop and its engine file once per size."""
    import cjmlib as cjm
    from cjmlib.demo import generate

    directory = HERE / "data" / f"users-{users}"
    if not (directory / "demo-truth.json").exists():
        generate(directory, n_users=users)
        shutil.copy2(ROOT / "templates" / "ecommerce" / "journey.yml", directory / "journey.yml")
    engine = directory / "engine" / "work" / "engine.duckdb"
    if not engine.exists():
        engine.parent.mkdir(parents=True, exist_ok=True)
        cjm.load_project(directory, database=engine).con.close()
    return directory


def measure(tool: str, name: str, mode: str, directory: Path, repeats: int, timeout: int) -> dict:
    env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1"}
    runs = []
    for _ in range(repeats):
        try:
            out = subprocess.run([sys.executable, __file__, "--child", tool, name, mode, str(directory)],
                                 capture_output=True, text=True, env=env, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return {"seconds": float("inf"), "peak_mb": float("nan"), "note": f"over {timeout} s"}
        except subprocess.CalledProcessError as exc:
            return {"seconds": float("nan"), "peak_mb": float("nan"),
                    "note": exc.stderr.strip().splitlines()[-1][:120]}
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "note": ""}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[60000, 600000], help="demo users per size")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement (median)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds allowed to one process")
    parser.add_argument("--out", type=Path, default=HERE / "results.csv", help="where the table is written")
    parser.add_argument("--child", nargs=4, metavar=("TOOL", "ANALYTIC", "MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        tool, name, mode, directory = args.child
        print(json.dumps(child(tool, name, mode, Path(directory))))
        return
    rows = []
    for users in args.users:
        directory = prepare(users)
        events = json.loads((directory / "demo-truth.json").read_text())["n_events"]
        for name in SQL:
            for mode in ("warm", "e2e"):
                for tool in ("cjm", "sql", "retentioneering") if name in RETE else ("cjm", "sql"):
                    result = measure(tool, name, mode, directory, args.repeats, args.timeout)
                    rows.append({"events": events, "analytic": name, "mode": mode, "tool": tool, **result})
                    print(json.dumps(rows[-1]), flush=True)
                    pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
