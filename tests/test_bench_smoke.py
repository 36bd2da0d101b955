"""Keeps the benchmark script (bench/run.py) working: a tiny newsroom, one short pass over every
operation through gunicorn, and the cross-process check. The figures themselves are not asserted."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def _gunicorn() -> str | None:
    return shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")


@pytest.mark.skipif(_gunicorn() is None, reason="gunicorn is not installed (pip install gunicorn)")
def test_benchmark_runs_at_a_tiny_size(tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    args = ["--articles", "200", "--revisions", "1500", "--events", "5000", "--users", "30", "--write-pool", "40",
            "--requests", "8", "--seconds", "2", "--write-ops", "1", "--clients", "2", "--contended-saves", "12",
            "--workdir", str(tmp_path), "--json", str(tmp_path / "result.json")]
    if database_url.startswith("postgres"):
        server = make_url(database_url.replace("postgres://", "postgresql+psycopg://", 1)
                          .replace("postgresql://", "postgresql+psycopg://", 1))
        server_url = server.set(database=None).render_as_string(hide_password=False)
        args += ["--db", "postgres", "--pg-url", server_url]
    else:
        args += ["--db", "sqlite", "--cross-process-sqlite"]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EDITORIAL_INSTANCE_PATH")}
    run = subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    output = json.loads((tmp_path / "result.json").read_text())
    (result,) = output["results"]
    assert result["generation"]["events"] == 5000
    assert result["audit_verify"]["exit"] == 0
    for passes in (result["reads"], result["writes"]):
        assert set(passes) == {"1", "2"}
        for operations in passes.values():
            for name, measured in operations.items():
                assert measured["requests"] > 0 and not measured["errors"], (name, measured)
    assert all(isinstance(n, int) for n in result["queries_per_request"].values()), result["queries_per_request"]
    assert result["csv_export"]["status"] == 200 and result["csv_export"]["lines"] > 5000
    assert result["cross_process"]["ok"], result["cross_process"]
    assert "| " in run.stdout and "targets:" in run.stdout  # the table was printed
