"""A short version of bench/load.py in CI: 20 concurrent API sessions, no errors, bounded memory.

The 5-minute run and its numbers are in bench/README.md (``bench/load.py --seconds 300``).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

LOAD = Path(__file__).resolve().parents[1] / "bench" / "load.py"


def test_twenty_concurrent_sessions(ingested):
    # Loaded by path: putting bench/ on sys.path would shadow the ingest package with bench/ingest.py.
    spec = importlib.util.spec_from_file_location("bench_load", LOAD)
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    settings, _ = ingested
    r = load.run(settings.home_path, sessions=20, seconds=15)
    assert r["errors"] == 0, r["error_samples"]
    assert r["requests"] >= 40, r
    # Memory after warm-up does not keep climbing across the run.
    assert r["rss_max_mb"] < 1500, r
