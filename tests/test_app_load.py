"""A short version of bench/load.py in CI: 20 concurrent API sessions, no errors, bounded memory.

The 5-minute run and its numbers are in bench/README.md (``bench/load.py --seconds 300``).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def test_twenty_concurrent_sessions(ingested):
    import load

    settings, _ = ingested
    r = load.run(settings.home_path, sessions=20, seconds=15)
    assert r["errors"] == 0, r["error_samples"]
    assert r["requests"] >= 40, r
    # Memory after warm-up does not keep climbing across the run.
    assert r["rss_max_mb"] < 1500, r
