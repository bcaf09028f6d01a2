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
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FUNNEL = ["landing_view", "product_view", "add_to_cart", "begin_checkout", "purchase"]
SANKEY_STEPS = 5

SQL = {
    # the funnel's result: sessions per step, and the median and p90 seconds from the previous step;
    # events at one instant count in the order of their names, as the workbench orders them ({ge}: >= or >)
    "funnel": """
        WITH e AS (SELECT session_id AS u, event, ts FROM events WHERE event IN ({steps})),
        s1 AS (SELECT u, min(ts) t FROM e WHERE event = '{s0}' GROUP BY u),
        s2 AS (SELECT e.u, min(e.ts) t, epoch(min(e.ts) - any_value(s1.t)) d FROM e JOIN s1 USING (u)
               WHERE e.event = '{s1}' AND e.ts {ge1} s1.t GROUP BY e.u),
        s3 AS (SELECT e.u, min(e.ts) t, epoch(min(e.ts) - any_value(s2.t)) d FROM e JOIN s2 USING (u)
               WHERE e.event = '{s2}' AND e.ts {ge2} s2.t GROUP BY e.u),
        s4 AS (SELECT e.u, min(e.ts) t, epoch(min(e.ts) - any_value(s3.t)) d FROM e JOIN s3 USING (u)
               WHERE e.event = '{s3}' AND e.ts {ge3} s3.t GROUP BY e.u),
        s5 AS (SELECT e.u, min(e.ts) t, epoch(min(e.ts) - any_value(s4.t)) d FROM e JOIN s4 USING (u)
               WHERE e.event = '{s4}' AND e.ts {ge4} s4.t GROUP BY e.u),
        r AS (SELECT 1 k, NULL::DOUBLE d FROM s1 UNION ALL SELECT 2, d FROM s2 UNION ALL SELECT 3, d FROM s3
              UNION ALL SELECT 4, d FROM s4 UNION ALL SELECT 5, d FROM s5)
        SELECT k, count(*) n, quantile_cont(d, 0.5) median, quantile_cont(d, 0.9) p90 FROM r GROUP BY k""",
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
    # returning users per cohort and week, the cohorts' sizes (p = -1) and the data's last week (p = -2)
    "cohorts": """
        WITH o AS (SELECT user_id, ts FROM orders WHERE status IS NULL OR lower(status) <> 'cancelled'),
        f AS (SELECT user_id, date_trunc('week', min(ts)) c FROM o GROUP BY user_id),
        a AS (SELECT DISTINCT o.user_id, f.c, date_diff('week', f.c, date_trunc('week', o.ts)) p
              FROM o JOIN f USING (user_id))
        SELECT c, p, count(*) FROM a GROUP BY c, p
        UNION ALL SELECT c, -1, count(*) FROM f GROUP BY c
        UNION ALL SELECT date_trunc('week', max(ts)), -2, 0 FROM o""",
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
    ge = {f"ge{i}": ">=" if FUNNEL[i] > FUNNEL[i - 1] else ">" for i in range(1, len(FUNNEL))}
    return SQL[name].format(steps=steps, **{f"s{i}": s for i, s in enumerate(FUNNEL)}, **ge)


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

        if mode == "warm":  # opened, with its engine connection (as the SQL side is connected)
            project = cjm.open_project(directory, directory / "engine")
            project.backend  # noqa: B018 (the Ibis connection over the open engine)
            start = clock()
        else:
            start = clock()
            project = cjm.load_project(directory)
        cjm_call(name, project)
    elif tool == "sql":
        import duckdb

        if mode == "warm":
            con = duckdb.connect(str(engine), read_only=True)
            start = clock()
        else:
            start = clock()
            con = duckdb.connect()
            con.execute(LOAD_SQL.format(dir=directory))
        con.execute(sql_text(name)).fetchall()
    else:
        import retentioneering  # noqa: F401 (imported before the clock, as cjmlib and duckdb are)

        if mode == "warm":
            stream = rete_stream(directory / "data" / "events.csv")
            start = clock()
        else:
            start = clock()
            stream = rete_stream(directory / "data" / "events.csv")
        rete_call(name, stream)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_memory_mb()}


def check(directory: Path) -> dict[str, bool]:
    """Tell, per analytic, whether the workbench and the hand SQL give the same figures on this data."""
    import cjmlib as cjm

    project = cjm.open_project(directory, directory / "engine")
    sql = {name: project.con.execute(sql_text(name)).df() for name in SQL}
    got = {name: cjm_call(name, project) for name in SQL}
    f, q = got["funnel"], sql["funnel"].sort_values("k", ignore_index=True)
    ok = {"funnel": f.units.tolist() == q.n.tolist()
          and np.allclose(f[["median_seconds", "p90_seconds"]].iloc[1:], q[["median", "p90"]].iloc[1:])}
    t = got["transitions"].set_index(["source", "target"])[["transitions", "units"]]
    q = sql["transitions"].set_index(["a", "b"])[["n", "sessions"]]
    ok["transitions"] = len(t) == len(q) and (t.to_numpy() == q.loc[t.index].to_numpy()).all()
    k = got["sankey"].set_index(["step", "source", "target"]).units
    q = sql["sankey"].set_axis(["rn", "a", "b", "n"], axis=1).set_index(["rn", "a", "b"]).n
    ok["sankey"] = len(k) == len(q) and (k.to_numpy() == q.loc[k.index].to_numpy()).all()
    ok["top_paths"] = got["top_paths"][["path", "units"]].values.tolist() == sql["top_paths"].values.tolist()
    c, q = got["cohorts"], sql["cohorts"].set_axis(["c", "p", "n"], axis=1)
    q["c"] = pd.to_datetime(q.c).dt.date
    counts = q[q.p >= 0].set_index(["c", "p"]).n.sort_index()
    seen = c[c.users > 0].set_index(["cohort", "period"]).users.sort_index()
    sizes = c.drop_duplicates("cohort").set_index("cohort").cohort_size.sort_index()
    ok["cohorts"] = (counts.tolist() == seen.tolist() and list(counts.index) == list(seen.index)
                     and q[q.p == -1].set_index("c").n.sort_index().tolist() == sizes.tolist())
    r, q = got["repeat_purchase"].iloc[0], sql["repeat_purchase"].iloc[0]
    ok["repeat_purchase"] = [int(r.customers), int(r.repeaters)] == [int(q.iloc[0]), int(q.iloc[1])]
    return {name: bool(value) for name, value in ok.items()}


def clock() -> float:
    """Collect garbage (the imports leave a full collection due), then start the clock."""
    gc.collect()
    return time.perf_counter()


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(users: int) -> Path:
    """Generate the demo shop and its engine file once per size."""
    import cjmlib as cjm
    from cjmlib.demo.shop import generate

    directory = HERE / "data" / f"users-{users}"
    if not (directory / "demo-truth.json").exists():
        generate(directory, n_users=users)
        shutil.copy2(ROOT / "templates" / "ecommerce" / "journey.yml", directory / "journey.yml")
    engine = directory / "engine" / "work" / "engine.duckdb"
    if not engine.exists():
        engine.parent.mkdir(parents=True, exist_ok=True)
        cjm.load_project(directory, database=engine).con.close()
    return directory


def run_child(tool: str, name: str, mode: str, directory: Path, timeout: int) -> dict:
    """One measurement in a fresh process; a failure or a time-out is kept as a note."""
    env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1"}  # retentioneering reports usage unless told not to
    try:
        out = subprocess.run([sys.executable, __file__, "--child", tool, name, mode, str(directory)],
                             capture_output=True, text=True, env=env, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "peak_mb": float("nan"), "note": f"over {timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "note": exc.stderr.strip().splitlines()[-1][:120]}
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "note": ""}


def measure(tools: tuple[str, ...], name: str, mode: str, directory: Path, repeats: int,
            timeout: int) -> dict[str, dict]:
    """Median seconds and highest peak per tool; the tools take turns, so a busy spell hits them all."""
    runs = {tool: [] for tool in tools}
    for _ in range(repeats):
        for tool in tools:
            runs[tool].append(run_child(tool, name, mode, directory, timeout))
    results = {}
    for tool, done in runs.items():
        notes = [r["note"] for r in done if r["note"]]
        results[tool] = ({"seconds": statistics.median(r["seconds"] for r in done),
                          "peak_mb": max(r["peak_mb"] for r in done), "note": ""} if not notes
                         else {"seconds": float("nan"), "peak_mb": float("nan"), "note": notes[0]})
    return results


def table(results: pd.DataFrame) -> str:
    """The README's table: per size, analytic and mode, each tool's time and peak, and the ratios."""
    lines = ["| events | analytic | mode | tool | seconds | peak MB | ÷ hand SQL | ÷ retentioneering | target met |",
             "|---:|---|---|---|---:|---:|---:|---:|---|"]
    order = {key: i for i, key in enumerate([*SQL, "warm", "e2e", "cjm", "sql", "retentioneering"])}
    results = results.sort_values(["events", "analytic", "mode", "tool"], key=lambda c: c.map(order).fillna(c)
                                  if c.name != "events" else c, kind="stable")
    for (events, name, mode), group in results.groupby(["events", "analytic", "mode"], sort=False):
        by = group.set_index("tool")
        sql = by.seconds.get("sql", np.nan)
        rete = by.seconds.get("retentioneering", np.nan)
        for tool, row in by.iterrows():
            to_sql, to_rete = row.seconds / sql, row.seconds / rete
            met = ""
            if tool == "cjm":  # the targets: ≤ 1.2 × hand SQL, ≤ retentioneering, ≤ 1.5 GB at 10M events
                missed = [what for what, ok in [("SQL", to_sql <= 1.2), ("rete", not to_rete > 1.0),
                                                 ("memory", events < 5_000_000 or row.peak_mb <= 1500)] if not ok]
                met = "yes" if not missed else "no: " + ", ".join(missed)
            lines.append(f"| {events:,} | {name} | {mode} | {tool} | {row.seconds:.3g} | {row.peak_mb:,.0f} | "
                         f"{to_sql:.2f} | {'' if np.isnan(to_rete) else f'{to_rete:.2f}'} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[60000, 600000], help="demo users per size")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement (median)")
    parser.add_argument("--analytics", nargs="+", choices=list(SQL), default=list(SQL), help="analytics to time")
    parser.add_argument("--modes", nargs="+", choices=["warm", "e2e"], default=["warm", "e2e"], help="modes to time")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds allowed to one process")
    parser.add_argument("--out", type=Path, default=HERE / "results.csv", help="where the table is written")
    parser.add_argument("--append", action="store_true",
                        help="keep the rows of --out this run does not measure again")
    parser.add_argument("--check", action="store_true",
                        help="only compare the workbench's figures with the hand SQL's, per size")
    parser.add_argument("--table", action="store_true", help="only print --out as the README's table")
    parser.add_argument("--child", nargs=4, metavar=("TOOL", "ANALYTIC", "MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        tool, name, mode, directory = args.child
        print(json.dumps(child(tool, name, mode, Path(directory))))
        return
    if args.table:
        print(table(pd.read_csv(args.out)))
        return
    if args.check:
        for users in args.users:
            print(json.dumps({"users": users, **check(prepare(users))}), flush=True)
        return
    keys = ["events", "analytic", "mode", "tool"]
    before = pd.read_csv(args.out) if args.append and args.out.exists() else pd.DataFrame(columns=keys)
    rows = []
    for users in args.users:
        directory = prepare(users)
        events = json.loads((directory / "demo-truth.json").read_text())["n_events"]
        for name in args.analytics:
            for mode in args.modes:
                tools = ("cjm", "sql", "retentioneering") if name in RETE else ("cjm", "sql")
                for tool, result in measure(tools, name, mode, directory, args.repeats, args.timeout).items():
                    rows.append({"events": events, "analytic": name, "mode": mode, "tool": tool, **result})
                    print(json.dumps(rows[-1]), flush=True)
                new = pd.DataFrame(rows)
                kept = before[~before.set_index(keys).index.isin(new.set_index(keys).index)]
                pd.concat([kept, new] if len(kept) else [new], ignore_index=True).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
