"""One ingest run per data directory at a time (fcntl lock file)."""
from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("policyqa.ingest")


class IngestBusy(RuntimeError):
    pass


class IngestLock:
    def __init__(self, home: Path, timeout: float = 600.0):
        home.mkdir(parents=True, exist_ok=True)
        self.path = home / "ingest.lock"
        self.timeout = timeout
        self._fh = None

    def __enter__(self) -> "IngestLock":
        self._fh = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout
        warned = False
        while True:
            try:
                fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._fh.close()
                    raise IngestBusy(
                        f"另一个导入任务正在使用 {self.path.parent}，已等待 {self.timeout:.0f} 秒仍未结束。请稍后再试。"
                    )
                if not warned:
                    log.warning("另一个导入任务正在进行，等待其完成……")
                    warned = True
                time.sleep(0.5)
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(str(os.getpid()))
        self._fh.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
