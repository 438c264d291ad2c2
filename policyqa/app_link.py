"""The running app as a way into the store for the command line.

The embedded store is single-process: while ``app.py`` serves, it holds the store and the command-line
tools (``python -m assistant …``, ``python -m ingest …``) cannot open it. The app therefore records where
it serves in ``<home>/app.json`` (url, pid, whether it has a login, and a per-run secret; mode 0600) when it
starts and removes the record when it stops. A command that finds the store locked looks for a live app
recorded there and runs through the app's programmatic endpoints (``webui/api.py``) instead, logging in
with the same ``POLICYQA_AUTH`` the app reads. Results travel as plain dataclass dicts
(:func:`to_plain`) and are rebuilt on this side (:func:`from_plain`), so the command prints them with the
very code it uses locally.

Ingesting server-side paths needs the record's secret as well as the login: only someone who can read the
data directory on this machine can make the app read files from its disk.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
import types
import typing
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .settings import Settings

RECORD_NAME = "app.json"
AUTH_ENV = "POLICYQA_AUTH"
CONNECT_TIMEOUT_S = 10.0

T = TypeVar("T")


class AppLinkError(RuntimeError):
    """The recorded app cannot serve a command; the message says why and what to do (Chinese)."""


# -- login settings (shared with app.py) ---------------------------------------------------------

def parse_auth(spec: str) -> list[tuple[str, str]] | None:
    """``user:pass[,user2:pass2]`` or a path to a file with one ``user:pass`` a line."""
    if not spec:
        return None
    with_file = os.path.isfile(spec)
    text = Path(spec).read_text(encoding="utf-8") if with_file else spec.replace(",", "\n")
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, pw = line.partition(":")
        if not sep or not user or not pw:
            raise SystemExit(f"登录设置格式不对：{line!r}。应为 用户名:密码（多个用逗号分隔，或写在文件里每行一个）。")
        pairs.append((user, pw))
    return pairs


def cli_credentials() -> tuple[str, str] | None:
    """The login the command line uses: the first pair of ``POLICYQA_AUTH`` (as the app reads it)."""
    pairs = parse_auth(os.environ.get(AUTH_ENV, ""))
    return pairs[0] if pairs else None


# -- the record ------------------------------------------------------------------------------------

@dataclass
class AppRecord:
    url: str
    """Where a client on this machine reaches the app (a wildcard bind becomes loopback)."""
    pid: int
    auth: bool
    """Whether the app asks for a login."""
    secret: str
    """Per-run token: proves a caller can read the data directory (needed to ingest server paths)."""
    store: str = ""
    """Which store the app holds (:func:`store_key`)."""
    home: str = ""
    """The app's data directory, resolved (a copied directory's record is not its own)."""
    started: str = ""


def store_key(settings: Settings) -> str:
    """The embedded store a process with ``settings`` opens (engine, collection, embedder)."""
    return f"{settings.store}:{settings.collection}:{settings.embedder}"


def record_path(home: Path) -> Path:
    return Path(home) / RECORD_NAME


def connect_host(host: str) -> str:
    """The address a local client uses for an app bound to ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def write_record(settings: Settings, host: str, port: int, auth: bool, secret: str) -> AppRecord:
    """Record the serving app in its data directory (atomically, readable by the owner only)."""
    rec = AppRecord(url=f"http://{connect_host(host)}:{port}/", pid=os.getpid(), auth=auth, secret=secret,
                    store=store_key(settings), home=str(Path(settings.home_path).resolve()),
                    started=time.strftime("%Y-%m-%dT%H:%M:%S"))
    home = settings.home_path
    path = record_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{RECORD_NAME}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dataclasses.asdict(rec), fh, ensure_ascii=False)
    os.replace(tmp, path)
    return rec


def remove_record(home: Path, pid: int | None = None) -> None:
    """Remove the record if it is this process's (a second app never removes the first one's)."""
    rec = read_record(home)
    if rec is not None and rec.pid == (pid if pid is not None else os.getpid()):
        record_path(home).unlink(missing_ok=True)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def read_record(home: Path) -> AppRecord | None:
    try:
        data = json.loads(record_path(home).read_text(encoding="utf-8"))
        return AppRecord(url=str(data["url"]), pid=int(data["pid"]), auth=bool(data.get("auth")),
                         secret=str(data.get("secret", "")), store=str(data.get("store", "")),
                         home=str(data.get("home", "")), started=str(data.get("started", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _responds(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (a login page's 401 counts)."""
    try:
        with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT_S):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


# -- results across the wire -------------------------------------------------------------------------

def to_plain(obj: Any) -> Any:
    """A dataclass as JSON-ready dicts and lists (every field, nested)."""
    return dataclasses.asdict(obj)


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` (dataclasses, lists, tuples, dicts, optionals) from :func:`to_plain`."""
    if data is None:
        return None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kw = {f.name: from_plain(hints.get(f.name, Any), data[f.name])
              for f in dataclasses.fields(tp) if f.init and f.name in data}
        return tp(**kw)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return [from_plain(args[0] if args else Any, x) for x in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], x) for x in data)
        return tuple(from_plain(a, x) for a, x in zip(args, data, strict=False)) if args else tuple(data)
    if origin is dict:
        return {k: from_plain(args[1] if args else Any, v) for k, v in data.items()}
    if origin in (typing.Union, types.UnionType):
        for a in args:
            if a is type(None):
                continue
            if isinstance(a, type) and dataclasses.is_dataclass(a) and isinstance(data, dict):
                return from_plain(a, data)
            if typing.get_origin(a) in (list, tuple) and isinstance(data, list):
                return from_plain(a, data)
        return data
    if tp is float and isinstance(data, int | float):
        return float(data)
    return data


# -- calling the app ---------------------------------------------------------------------------------

class AppLink:
    """A live, logged-in connection to the app recorded in a data directory."""

    def __init__(self, record: AppRecord):
        self.record = record
        self._client: Any = None

    @property
    def where(self) -> str:
        return f"运行中的应用 {self.record.url}（进程 {self.record.pid}）"

    def client(self) -> Any:
        if self._client is None:
            import logging

            import httpx
            from gradio_client import Client

            logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per HTTP request is no news to a CLI user
            creds = cli_credentials()
            if self.record.auth and creds is None:
                raise AppLinkError(
                    f"向量库正由{self.where}使用，命令改由该应用执行；但应用设置了登录，请用环境变量 "
                    f"{AUTH_ENV}=用户名:密码 提供登录（与启动应用时的设置相同）后重试。")
            try:
                # No read timeout: an outline or quiz with the local model can take minutes.
                self._client = Client(self.record.url, auth=creds if self.record.auth else None, verbose=False,
                                      download_files=False, analytics_enabled=False,
                                      httpx_kwargs={"timeout": httpx.Timeout(None, connect=CONNECT_TIMEOUT_S)})
            except Exception as exc:
                if self.record.auth and "login" in str(exc).lower():
                    raise AppLinkError(f"向量库正由{self.where}使用，但登录该应用失败。"
                                       f"请检查环境变量 {AUTH_ENV} 的用户名和密码。") from None
                raise AppLinkError(f"向量库正由{self.where}使用，但无法连接该应用：{exc}") from None
        return self._client

    def call(self, api_name: str, *args: Any) -> Any:
        """One endpoint's final result."""
        client = self.client()
        try:
            return client.predict(*args, api_name=f"/{api_name}")
        except Exception as exc:
            raise AppLinkError(f"{self.where}执行命令时出错：{exc}") from None

    def stream(self, api_name: str, *args: Any) -> Iterator[Any]:
        """Every value a generator endpoint yields, in order."""
        client = self.client()
        try:
            job = client.submit(*args, api_name=f"/{api_name}")
            yield from job
            job.result()  # raises what the endpoint raised
        except AppLinkError:
            raise
        except Exception as exc:
            raise AppLinkError(f"{self.where}执行命令时出错：{exc}") from None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None


def locate(home: Path) -> AppLink | None:
    """The live app recorded in ``home``, or None (no record, its process gone, or nothing answering)."""
    rec = read_record(home)
    if rec is None or rec.home != str(Path(home).resolve()) or not pid_alive(rec.pid) or not _responds(rec.url):
        return None
    return AppLink(rec)


def serving(settings: Settings) -> AppLink | None:
    """The live app holding the embedded store that ``settings`` name, if one is recorded: commands go
    straight to it, without loading an embedding model only to find the store locked."""
    if settings.qdrant_url:  # a Qdrant server is shared by all processes: nothing to route
        return None
    rec = read_record(settings.home_path)
    if rec is None or rec.store != store_key(settings):
        return None
    return locate(settings.home_path)


def route(home: Path, exc: BaseException) -> AppLink:
    """After the store in ``home`` refused to open with ``exc``: the running app to use instead.

    With no live app recorded, ``exc`` is raised again unchanged (an ingest job holds the store, or
    something else is wrong: its message says so)."""
    link = locate(home)
    if link is None:
        raise exc
    return link
