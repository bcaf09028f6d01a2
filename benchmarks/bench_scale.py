"""Benchmark: the behaviour analytics at 100M events on one machine, and on Apache Spark.

Synthetic events (the canonical columns of the ``events`` table, mapped to the ecommerce
template's touchpoints and stages) are generated directly in DuckDB SQL from a seed — every value
is a hash of the seed and a row number, so the data is the same on every machine — and written
as Parquet under benchmarks/data/ (git-ignored). Then, each in its own process:

- DuckDB over the Parquet file with ``memory_limit`` (8GB), 2 threads and a ``temp_directory``
  to spill to;
- Spark local mode (``local[2]``, 4 GB of driver memory, 16 shuffle partitions, spilling to its
  own folder) over the same kind of file at a smaller size, beside DuckDB at that size (the
  results of the two engines are checked equal). Each Spark figure includes the session's first
  queries on a cold JVM, as a scheduled run would pay them.

Analytics timed: the stage funnel (``stage_funnel``, users, ordered, 7-day window), the
touchpoint transitions (``transition_table``, sessions) and cart/checkout abandonment
(``web_metrics``). For each: seconds of the analytic call alone (engine already started, data
not preloaded), peak RSS of the process tree (Python, plus Spark's JVM), peak bytes in the
engine's spill folder (sampled every 0.2 s).

Usage: nice .venv/bin/python benchmarks/bench_scale.py [--events 100000000] [--spark-events 10000000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psutil

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TEMPLATE = HERE.parent / "templates" / "ecommerce" / "journey.yml"
TASKS = ("funnel", "transitions", "abandonment")
# event -> touchpoint, stage, stage order (as the ecommerce template maps them)
CATALOGUE = [
    ("landing_view", "landing", "awareness", 1), ("search", "search", "consideration", 2),
    ("product_view", "product-page", "consideration", 2), ("add_to_cart", "cart", "purchase", 3),
    ("view_cart", "cart", "purchase", 3), ("begin_checkout", "checkout", "purchase", 3),
    ("purchase", "order-confirmation", "purchase", 3), ("order_tracking", "order-tracking", "retention", 4),
    ("email_click", "newsletter", "retention", 4), ("write_review", "review", "advocacy", 5),
    ("share_referral", "referral", "advocacy", 5),
]
FUNNEL = ["landing_view", "product_view", "add_to_cart", "begin_checkout", "purchase"]
BROWSE = ["product_view", "search", "product_view", "view_cart", "order_tracking", "email_click",
          "write_review", "share_referral"]


def _list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def generate(path: Path, n_events: int, *, seed: int, memory_limit: str) -> int:
    """Write about ``n_events`` synthetic events to ``path`` (Parquet); return the exact number.

    Sessions have 1 to 9 events (5 on average), 4 sessions per user on average, over 13 weeks.
    A session walks the purchase funnel (landing, product, cart, checkout, purchase) to a depth
    drawn per session (30 % land only, 40 % stop at a product, then 15, 8 and 7 %), then browses.
    """
    n_sessions = max(n_events // 5, 1)
    n_users = max(n_sessions // 4, 1)
    mapping = ", ".join(f"('{e}', '{t}', '{s}', {o})" for e, t, s, o in CATALOGUE)
    tmp = path.with_suffix(".tmp.parquet")
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False})
    con.execute(f"""
    COPY (
      WITH s AS (
        SELECT i AS sid, hash(i, {seed}, 1) % {n_users} AS uid,
               TIMESTAMP '2026-01-05' + to_seconds((hash(i, {seed}, 2) % (91 * 86400))::BIGINT) AS start,
               1 + (hash(i, {seed}, 3) % 9)::INTEGER AS len, (hash(i, {seed}, 4) % 100)::INTEGER AS r,
               (hash(i, {seed}, 5) % 5)::INTEGER AS ch
        FROM range({n_sessions}) t(i)
      ), e AS (
        SELECT s.*, j, CASE WHEN r < 30 THEN 0 WHEN r < 70 THEN 1 WHEN r < 85 THEN 2 WHEN r < 93 THEN 3
                            ELSE 4 END AS depth
        FROM s, LATERAL range(len) AS q(j)
      ), named AS (
        SELECT sid, uid, ch, j, start + to_seconds(j * 60 + (hash(sid, j, {seed}) % 59)::BIGINT) AS ts,
               CASE WHEN j <= depth THEN {_list(FUNNEL)}[j + 1]
                    ELSE {_list(BROWSE)}[1 + (hash(sid, j, {seed}, 6) % {len(BROWSE)})::INTEGER] END AS event
        FROM e
      )
      SELECT 'u' || lpad(uid::VARCHAR, 9, '0') AS user_id, 'S' || lpad(sid::VARCHAR, 10, '0') AS session_id,
             ts, n.event, '/' || n.event AS page,
             ['direct', 'search', 'social', 'email', 'ads'][ch + 1] AS channel,
             ['mobile', 'desktop', 'tablet'][1 + (hash(uid, {seed}) % 3)::INTEGER] AS device,
             CASE WHEN n.event = 'purchase' THEN 20 + (hash(sid, {seed}, 7) % 200)::DOUBLE END AS revenue,
             m.touchpoint, m.stage, m.stage_order
      FROM named n JOIN (VALUES {mapping}) m(event, touchpoint, stage, stage_order) USING (event)
    ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)""")
    count = con.execute(f"SELECT count(*) FROM read_parquet('{tmp}')").fetchone()[0]
    con.close()
    tmp.rename(path)
    return count


def _dataset(n_events: int, seed: int, memory_limit: str) -> tuple[Path, int]:
    path = DATA / f"events-{n_events}-seed{seed}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        generate(path, n_events, seed=seed, memory_limit=memory_limit)
        print(f"generated {path.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    count = duckdb.connect().execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
    return path, count


def _run_task(project, task: str) -> dict:
    import cjmlib as cjm

    if task == "funnel":
        table = cjm.stage_funnel(project, unit="user", window_days=7)
        return {"entered": int(table.units.iloc[0]), "last_step": int(table.units.iloc[-1]),
                "table": table.drop(columns=["median_seconds", "p90_seconds"]).to_dict("list")}
    if task == "transitions":
        table = cjm.transition_table(project, by="touchpoint", unit="session")
        return {"pairs": len(table), "transitions": int(table.transitions.sum()),
                "table": table[["source", "target", "transitions", "units"]].to_dict("list")}
    table = cjm.web_metrics(project).set_index("metric")
    return {m: [int(table.loc[m, "numerator"]), int(table.loc[m, "denominator"])]
            for m in ("cart_abandonment", "checkout_abandonment")}


def child(engine: str, task: str, parquet: str, spill: str, memory_limit: str) -> None:
    """Run one analytic on one engine and print one JSON line (the parent measures memory and spill)."""
    from cjmlib.data.engine import EngineProject, spark_project, spark_session
    from cjmlib.spec.io import load_spec

    spec = load_spec(TEMPLATE)
    if engine == "duckdb":
        import ibis

        con = duckdb.connect(config={"memory_limit": memory_limit, "threads": 2, "temp_directory": spill,
                                     "preserve_insertion_order": False})
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{parquet}')")
        project = EngineProject(spec, ibis.duckdb.from_connection(con), ("events",))
    else:
        spark = spark_session(master="local[2]", config={
            "spark.driver.memory": memory_limit, "spark.local.dir": spill,
            "spark.sql.shuffle.partitions": "16"})
        project = spark_project(spec, {"events": parquet}, spark=spark)
    t0 = time.perf_counter()
    result = _run_task(project, task)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "result": result}, default=str), flush=True)
    if engine == "pyspark":
        spark.stop()


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _folder_bytes(folder: Path) -> int:
    total = 0
    for f in folder.rglob("*"):
        try:
            total += f.stat().st_size if f.is_file() else 0
        except OSError:
            pass
    return total


def measure(engine: str, task: str, parquet: Path, memory_limit: str, spark_memory: str) -> dict:
    """Run :func:`child` in a new process; sample its tree's RSS and its spill folder's size."""
    spill = DATA / f"spill-{engine}"
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, __file__, "--child", engine, task, str(parquet), str(spill),
                             "--memory-limit", memory_limit, "--spark-memory", spark_memory],
                            stdout=subprocess.PIPE, text=True)
    peak = {"rss": 0, "spill": 0}
    watched = psutil.Process(proc.pid)

    def sample():
        while proc.poll() is None:
            peak["rss"] = max(peak["rss"], _tree_rss(watched))
            peak["spill"] = max(peak["spill"], _folder_bytes(spill))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    shutil.rmtree(spill, ignore_errors=True)
    if proc.returncode != 0:
        return {"engine": engine, "task": task, "error": f"exit {proc.returncode}"}
    line = json.loads(out.strip().splitlines()[-1])
    return {"engine": engine, "task": task, "seconds": line["seconds"], "peak_rss_gb": peak["rss"] / 2 ** 30,
            "peak_spill_gb": peak["spill"] / 2 ** 30, "result": line["result"]}


def _row(events: int, r: dict) -> str:
    if "error" in r:
        return f"| {events:,} | {r['engine']} | {r['task']} | failed ({r['error']}) | | | |"
    res = r["result"]
    if r["task"] == "funnel":
        what = f"{res['last_step']:,} of {res['entered']:,} users reached advocacy"
    elif r["task"] == "transitions":
        what = f"{res['pairs']} pairs, {res['transitions']:,} transitions"
    else:
        num, den = res["cart_abandonment"]
        what = f"cart abandonment {num:,} / {den:,} = {num / den:.1%}"
    return (f"| {events:,} | {r['engine']} | {r['task']} | {r['seconds']:.1f} | {r['peak_rss_gb']:.2f} | "
            f"{r['peak_spill_gb']:.2f} | {what} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--spark-events", type=int, default=10_000_000, help="0 to skip Spark")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB's memory_limit")
    parser.add_argument("--spark-memory", default="4g", help="Spark's driver memory (local mode: all of Spark)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "TASK", "PARQUET", "SPILL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        engine = args.child[0]
        child(*args.child, args.memory_limit if engine == "duckdb" else args.spark_memory)
        return 0
    runs = []
    if args.spark_events:
        parquet, count = _dataset(args.spark_events, args.seed, args.memory_limit)
        for task in TASKS:
            pair = [measure("duckdb", task, parquet, args.memory_limit, args.spark_memory),
                    measure("pyspark", task, parquet, args.memory_limit, args.spark_memory)]
            same = all("result" in r for r in pair) and pair[0]["result"] == pair[1]["result"]
            for r in pair:
                r["same_as_duckdb"] = same
                runs.append((count, r))
                print(_row(count, r), "| results equal:", same, flush=True)
    parquet, count = _dataset(args.events, args.seed, args.memory_limit)
    for task in TASKS:
        r = measure("duckdb", task, parquet, args.memory_limit, args.spark_memory)
        runs.append((count, r))
        print(_row(count, r), flush=True)
    print("\n| events | engine | analytic | seconds | peak RSS (GB) | peak spill (GB) | result |")
    print("|---:|---|---|---:|---:|---:|---|")
    for count, r in runs:
        print(_row(count, r))
    out = DATA / "scale-results.json"
    out.write_text(json.dumps([{"events": c, **r} for c, r in runs], indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
