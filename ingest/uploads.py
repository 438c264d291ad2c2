"""Files uploaded through the app: checked, renamed safely and stored under ``<home>/uploads``.

:func:`accept_upload` runs before the ingest job sees a file. It refuses, with a
one-line Chinese message (:class:`UploadRejected`), files that are too large,
of an unsupported format, or whose content does not match their extension.
Formats and their content checks come from the format table in
:mod:`ingest.loaders` (magic bytes: a .docx is a zip holding ``word/document.xml``,
a .pdf starts with ``%PDF-``, text decodes as text, HTML has tags). The stored name keeps
Chinese but never a path part, control character or reserved device name, so
``../../x.txt`` lands in the uploads folder as ``x.txt``.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
import uuid
from pathlib import Path

from policyqa.settings import Settings

from .loaders import SNIFF_BYTES, LoadError, format_for, formats_text

__all__ = ["UPLOAD_DIR", "UploadRejected", "accept_upload", "safe_name"]

UPLOAD_DIR = "uploads"
MAX_NAME_BYTES = 180
"""Stored names stay well under the usual 255-byte limit (room for a '-12' suffix)."""
_COPY_CHUNK = 1 << 20

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "clock$", "conin$", "conout$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_FORBIDDEN = set('<>:"/\\|?*')


class UploadRejected(Exception):
    """An uploaded file that is not stored; ``str(exc)`` tells the user (in Chinese, one line) what to do."""


def safe_name(original_name: str) -> str:
    """A file name safe to create in the uploads folder, keeping Chinese and the extension.

    Drops directory parts (POSIX and Windows separators), control/format characters and
    characters Windows forbids; leading dots and trailing dots/spaces; prefixes reserved
    device names (``CON.txt`` → ``_CON.txt``); shortens to :data:`MAX_NAME_BYTES` UTF-8 bytes.
    """
    name = unicodedata.normalize("NFC", original_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ch in _FORBIDDEN or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch
                   for ch in name)
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    suffix = f".{ext.lower()}" if ext else ""
    stem = stem.rstrip(". ") or "上传文件"
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix


def _unsupported(suffix: str) -> UploadRejected:
    return UploadRejected(f"不支持的文件格式（{suffix or '无扩展名'}）：请上传 {formats_text()} 文件，"
                          "其他格式请先另存为其中一种。")


def _reject_unless_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if not suffix or format_for(suffix) is None:
        raise _unsupported(suffix)
    return suffix


def _check_content(src: Path, suffix: str) -> None:
    """The format's own content check (first :data:`SNIFF_BYTES` bytes); its reason is shown as is."""
    fmt = format_for(suffix)
    if fmt is None:  # unregistered since the name was checked
        raise _unsupported(suffix)
    if fmt.check is None:
        return
    with open(src, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        fmt.check(src, head, suffix)
    except LoadError as exc:
        raise UploadRejected(re.sub(r"\s*[\r\n]+\s*", " ", str(exc)).strip()) from None
    except Exception as exc:
        raise UploadRejected(f"无法检查文件内容（{fmt.label}：{type(exc).__name__}）："
                             "请确认文件完整后重新上传。") from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_COPY_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _candidates(name: str):
    stem, suffix = name[: -len(Path(name).suffix) or None], Path(name).suffix
    yield name
    for i in range(2, 10_000):
        tail = f"-{i}"
        s = stem
        while len((s + tail + suffix).encode("utf-8")) > MAX_NAME_BYTES + 8:
            s = s[:-1]
        yield f"{s}{tail}{suffix}"


def accept_upload(src: Path, original_name: str, settings: Settings) -> Path:
    """Check an uploaded file and copy it into ``settings.home_path / "uploads"``; returns the stored path.

    The same content uploaded again under the same name returns the existing file (no
    duplicate document); a different file with a taken name gets ``-2``, ``-3`` … appended.
    Raises :class:`UploadRejected`.
    """
    src = Path(src)
    try:
        st = os.stat(src)
    except OSError:
        raise UploadRejected("上传的文件无法读取（可能已过期）：请重新上传。") from None
    if not stat.S_ISREG(st.st_mode):
        raise UploadRejected("上传的不是普通文件：请重新选择文件上传。")
    name = safe_name(original_name)
    suffix = _reject_unless_format(name)
    limit = int(settings.max_upload_mb) * 1024 * 1024
    if st.st_size == 0:
        raise UploadRejected("文件为空：请检查后重新上传。")
    if st.st_size > limit:
        raise UploadRejected(f"文件过大（{st.st_size / 1048576:.1f} MB，上限 {settings.max_upload_mb} MB）："
                             "请拆分成较小的文件后再上传。")
    _check_content(src, suffix)

    updir = settings.home_path / UPLOAD_DIR
    updir.mkdir(parents=True, exist_ok=True)
    real_dir = updir.resolve()
    tmp = real_dir / f".upload-{uuid.uuid4().hex}.part"  # hidden: the ingest job ignores dot-files
    h = hashlib.sha256()
    try:
        copied = 0
        with open(src, "rb") as fin, open(tmp, "xb") as fout:
            for block in iter(lambda: fin.read(_COPY_CHUNK), b""):
                copied += len(block)
                if copied > limit:  # the file grew after the check
                    raise UploadRejected(f"文件过大（超过上限 {settings.max_upload_mb} MB）：请拆分成较小的文件后再上传。")
                h.update(block)
                fout.write(block)
            fout.flush()
            os.fsync(fout.fileno())
        digest = h.hexdigest()
        for cand in _candidates(name):
            target = real_dir / cand
            if target.parent != real_dir:  # cannot happen after safe_name; never write elsewhere
                raise UploadRejected("文件名无效：请改名后重新上传。")
            if target.exists():
                if target.is_file() and target.stat().st_size == copied and _sha256(target) == digest:
                    return target
                continue
            try:
                os.link(tmp, target)  # atomic: fails if the name was taken meanwhile
            except FileExistsError:
                continue
            except OSError:  # no hard links on this filesystem: reserve the name, then replace
                try:
                    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
                except FileExistsError:
                    continue
                os.replace(tmp, target)
            return target
        raise UploadRejected("同名文件过多：请改名后重新上传。")
    finally:
        tmp.unlink(missing_ok=True)
