"""One ingest run per data directory at a time (fcntl lock file).

The embedded stores also lock their folder, so a second *process* is refused when it opens the
store (see ``policyqa/store``); this lock serialises runs that share one open store (the app's
uploads on worker threads) and runs against a Qdrant server from the same data directory.
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import TextIO

log = logging.getLogger("policyqa.ingest")


class IngestBusy(RuntimeError):
    """Another run kept the data directory longer than the wait allows; the message says what to do."""


class IngestLock:
    def __init__(self, home: Path, timeout: float = 600.0):
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "ingest.lock"
        self.timeout = timeout
        self._fh: TextIO | None = None

    def _holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            return ""
        return f"（进程 {pid}）" if pid.isdigit() else ""

    def __enter__(self) -> IngestLock:
        fh = self._fh = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        warned = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    self._fh = None
                    raise IngestBusy(
                        f"另一个导入任务{self._holder()}正在使用 {self.path.parent}，已等待 {self.timeout:.0f} 秒仍未结束。"
                        "请稍后再试。"
                    ) from None
                if not warned:
                    log.warning("另一个导入任务正在进行%s，等待其完成……", self._holder())
                    warned = True
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
