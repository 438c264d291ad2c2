"""Load test: N concurrent chat sessions against the app's API on loopback.

    .venv/bin/python bench/load.py --home var --sessions 20 --seconds 300

Starts ``app.py --llm none`` on a copy of the data directory (the embedded store is
single-process), drives ``/ask`` through gradio_client from N threads, samples the
server's RSS every second, and prints a Markdown row for bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import AppProcess, copy_home  # noqa: E402

QUESTIONS = ["两项机制是怎么运作的？", "市直机关的单位是怎样分组开展联席会的？", "联席会议多久召开一次？",
             "机关党建工作要把握哪些重点？", "how do the 两项机制 work?", "四个机关是指什么？",
             "2026年中央一号文件的主题是什么？", "主题教育的总要求是什么？"]


def rss_mb(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(home: Path, sessions: int, seconds: float, app_args: tuple[str, ...] = ("--llm", "none")) -> dict:
    from gradio_client import Client

    tmp = Path(tempfile.mkdtemp(prefix="policyqa-load-"))
    app = AppProcess(copy_home(home, tmp / "home"), *app_args, name="app-load").wait()
    lat: list[float] = []
    errors: list[str] = []
    rss: list[float] = []
    lock = threading.Lock()

    # httpx's default 5 s timeout is for the config and queue-join calls, not for the answer: on a loaded 2-core
    # CI machine 20 sessions starting at once can wait longer than that for the event loop, which is queueing,
    # not an error of the app. A request that takes over a minute is still counted as one.
    try:
        clients = [Client(app.url, verbose=False, httpx_kwargs={"timeout": 60}) for _ in range(sessions)]
    except BaseException:
        app.stop()
        raise

    def session(i: int) -> None:
        client = clients[i]
        k = i
        while time.monotonic() < stop:
            q = QUESTIONS[k % len(QUESTIONS)]
            k += 1
            t0 = time.perf_counter()
            try:
                out = client.predict(q, "none", api_name="/ask")
                ok = isinstance(out, dict) and "answer" in out
                with lock:
                    (lat.append((time.perf_counter() - t0) * 1000) if ok else errors.append(f"bad reply: {out!r}"[:200]))
            except Exception as exc:  # counted, reported
                with lock:
                    errors.append(repr(exc)[:200])

    def sampler() -> None:
        while time.monotonic() < stop:
            rss.append(rss_mb(app.proc.pid))
            time.sleep(1.0)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)] + [threading.Thread(target=sampler)]
    t0 = time.monotonic()
    stop = t0 + seconds
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        app.stop()
    wall = time.monotonic() - t0
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0.0  # noqa: E731
    third = max(1, len(rss) // 3)
    return {
        "sessions": sessions, "seconds": round(wall, 1), "requests": len(lat), "errors": len(errors),
        "error_samples": errors[:5], "rps": round(len(lat) / wall, 2),
        "p50_ms": round(q(0.50), 1), "p95_ms": round(q(0.95), 1), "max_ms": round(lat[-1], 1) if lat else 0.0,
        "rss_first_third_mb": round(statistics.mean(rss[:third]), 1) if rss else 0.0,
        "rss_last_third_mb": round(statistics.mean(rss[-third:]), 1) if rss else 0.0,
        "rss_max_mb": round(max(rss), 1) if rss else 0.0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=str(ROOT / "var"), help="an ingested data directory (copied, not modified)")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300)
    args = ap.parse_args()
    r = run(Path(args.home), args.sessions, args.seconds)
    print(json.dumps(r, ensure_ascii=False, indent=2))
    print(f"| {time.strftime('%Y-%m-%d')} | {r['sessions']} | {r['seconds']:.0f} s | {r['requests']} | {r['errors']} | "
          f"{r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | "
          f"{r['rss_first_third_mb']} → {r['rss_last_third_mb']} (max {r['rss_max_mb']}) |")
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
