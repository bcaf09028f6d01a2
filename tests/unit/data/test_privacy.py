"""Privacy: customer ids pseudonymized at load, personal data absent from every published file.

The scanner reads every file of the published demo run (pages, SVG, notebooks, sidecar tables,
manifest, logs; PNG images and embedded base64 images are left out) and fails on any raw customer
id, order id, e-mail address or phone number found in the demo's data, on the project's secret,
and on any pseudonym in an HTML page (which would mean a row-level customer table).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from bad_inputs.cases import SECRET, build_base, expected_pseudonym
from bad_inputs.payloads import payload_run

from cjmlib.data.privacy import (
    PSEUDONYM_PATTERN,
    SECRET_ENV,
    SECRET_FILE,
    ensure_secret,
    pseudonym,
    pseudonym_sql,
    read_secret,
)
from cjmlib.data.project import load_project

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\w)\+?\d[\d .()-]{7,}\d(?!\w)")  # phone and card-like numbers

IDS = ["U000001", "u1", "1234567890123456789", "élodie@example.com", "", " padded ", "ü" * 100, "0"]


@pytest.fixture(autouse=True)
def _no_secret_from_the_environment(monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)


@pytest.mark.parametrize("key", [bytes(range(32)), b"short", os.urandom(100)], ids=["32 bytes", "5 bytes", "100 bytes"])
def test_the_engine_computes_the_same_hmac_as_python(key):
    frame = pd.DataFrame({"id": IDS})
    con = duckdb.connect()
    con.register("ids", frame)
    engine = con.execute(f"SELECT {pseudonym_sql('id', key)} FROM ids").fetchdf().iloc[:, 0].tolist()
    python = ["c_" + hmac.new(key, i.encode(), hashlib.sha256).hexdigest()[:12] for i in IDS]
    assert engine == python == [pseudonym(key, i) for i in IDS]
    assert con.execute(f"SELECT {pseudonym_sql('NULL::VARCHAR', key)}").fetchone()[0] is None


def test_the_secret_comes_from_the_environment_first_then_the_file(tmp_path, monkeypatch):
    assert read_secret(tmp_path) is None
    (tmp_path / SECRET_FILE).write_text("ab" * 32 + "\n")
    assert read_secret(tmp_path) == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(SECRET_ENV, "a passphrase")
    assert read_secret(tmp_path) == b"a passphrase"


def test_ensure_secret_creates_a_private_git_ignored_file(tmp_path):
    (tmp_path / ".gitignore").write_text("reports/")
    assert ensure_secret(tmp_path) is True
    secret = tmp_path / SECRET_FILE
    assert oct(secret.stat().st_mode & 0o777) == "0o600" and len(read_secret(tmp_path)) == 32
    assert (tmp_path / ".gitignore").read_text().splitlines() == ["reports/", SECRET_FILE]
    assert ensure_secret(tmp_path) is False


def test_ids_are_pseudonymized_the_same_way_in_every_table(tmp_path):
    project = load_project(build_base(tmp_path / "p"))
    users = {f"u{i:02d}" for i in range(10)}
    assert set(project.sql("SELECT DISTINCT user_id FROM events").user_id) == {expected_pseudonym(u) for u in users}
    for table in ("orders", "feedback", "surveys"):
        ids = set(project.sql(f"SELECT DISTINCT user_id FROM {table}").user_id)
        assert ids and ids <= {expected_pseudonym(u) for u in users}, table
    joined = project.sql("SELECT count(*) n FROM orders o JOIN (SELECT DISTINCT user_id FROM events) e USING (user_id)")
    assert joined.n[0] == 25  # every order still joins its customer's events
    text = project.sql("SELECT * FROM events").to_csv() + project.sql("SELECT * FROM orders").to_csv()
    assert not re.search(r"\bu\d\d\b", text)  # no raw id left in the engine


def test_without_a_secret_ids_are_kept_and_a_warning_says_so(tmp_path):
    path = build_base(tmp_path / "p")
    (path / SECRET_FILE).unlink()
    project = load_project(path)
    assert "no_secret" in {i.code for i in project.issues if i.severity == "warning"}
    assert "u01" in set(project.sql("SELECT DISTINCT user_id FROM events").user_id)


# ------------------------------------------------------------------ the scanner

def _personal_data(project: Path) -> dict[str, set[str]]:
    """What must never be published: raw ids, order ids, e-mails and phones found in the data, the secret."""
    data = project / "data"
    frames = {name: pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("events", "orders", "feedback", "surveys")}
    ids = set().union(*(set(f["user_id"]) for f in frames.values())) | set(frames["orders"]["order_id"])
    results = project / "experiments" / "results.csv"
    if results.exists():
        frames["experiments"] = pd.read_csv(results, dtype=str, keep_default_na=False)
    texts = " | ".join(" | ".join(frame[c]) for frame in frames.values() for c in frame.columns)  # every cell
    phones = {m.group(0) for m in PHONE.finditer(EMAIL.sub(" ", texts)) if sum(c.isdigit() for c in m.group(0)) >= 9}
    return {"id": {i for i in ids if i}, "email": set(EMAIL.findall(texts)), "phone": phones,
            "secret": {(project / SECRET_FILE).read_text().strip()}}


def _published_text(path: Path) -> str:
    """The text a published file carries, images left out."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                for mime in [m for m in output.get("data", {}) if m.startswith("image/") and m != "image/svg+xml"]:
                    del output["data"][mime]
        return json.dumps(notebook, ensure_ascii=False)
    text = path.read_text(encoding="utf-8", errors="replace")
    return re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)


def _compact(text: str) -> str:
    return re.sub(r"[ .()-]", "", text)


def scan(project: Path) -> list[str]:
    """Return every piece of personal data found in the files of the latest published run."""
    personal = _personal_data(project)
    tokens = {kind: {v for v in values if len(v) >= 2} for kind, values in personal.items()}
    run = (project / "reports" / "latest").resolve()
    found = []
    files = [p for p in sorted(run.rglob("*")) if p.is_file() and p.suffix.lower() not in (".png", ".jpg", ".jpeg")]
    assert len(files) >= 20
    for path in files:
        text = _published_text(path)
        words = set(re.findall(r"[\w.@+-]+", text))
        for kind in ("id", "email", "secret"):
            found += [f"{path.name}: {kind} {v}" for v in tokens[kind] if v in words or (kind != "id" and v in text)]
        compact = _compact(text)
        found += [f"{path.name}: phone {p}" for p in tokens["phone"] if p in text or _compact(p) in compact]
        if path.suffix == ".html":
            found += [f"{path.name}: pseudonym {m}" for m in PSEUDONYM_PATTERN.findall(text)[:3]]
            found += [f"{path.name}: a user_id column" for _ in re.findall(r"<th[^>]*>\s*user_id\s*</th>", text)[:1]]
    return found


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    project = build_base(tmp_path / "p")
    leak = project / "reports" / "runs" / "r1"
    (leak / "html").mkdir(parents=True)
    for n in range(20):
        (leak / f"part{n}.txt").write_text("nothing here")
    (leak / "html" / "page.html").write_text(f"<td>u03</td><td>{expected_pseudonym('u03')}</td><p>{SECRET}</p>")
    (leak / "manifest.json").write_text(json.dumps({"quote": "write to jo.doe@example.com or +33 6 12 34 56 78"}))
    (project / "reports" / "latest").symlink_to(Path("runs") / "r1")
    feedback = project / "data" / "feedback.csv"
    feedback.write_text(feedback.read_text() + "f99,2026-01-06,u01,mail jo.doe@example.com or +33 6 12 34 56 78,1,app,en\n")
    found = "\n".join(scan(project))
    for needle in ("id u03", "pseudonym c_", "secret", "email jo.doe@example.com", "phone +33 6 12 34 56 78"):
        assert needle in found


def test_the_published_demo_holds_no_personal_data(published_demo):
    personal = _personal_data(published_demo)
    assert len(personal["id"]) > 1000 and personal["email"] and personal["phone"]  # the demo plants them
    assert scan(published_demo) == []


def test_the_payload_run_holds_no_personal_data():
    """Personal data planted in every column of every source (and of the A/B results) is published nowhere."""
    run = payload_run()
    assert run.returncode == 0, run.stdout + run.stderr
    personal = _personal_data(run.project)
    planted = {f"jane.roe.{k}@client-mail.test" for k in range(40)}
    assert len(personal["email"] & planted) >= 30 and len(personal["phone"]) >= 30  # the scanner looks for them
    assert scan(run.project) == []
    masked = pd.read_parquet(run.project / "reports" / "latest" / "results" / "data_quality.parquet")
    assert masked.set_index("table").masked_values.gt(0).all()  # counted in every table
