"""Files uploaded through the app: checked, renamed safely and stored under ``<home>/uploads``.

:func:`accept_upload` runs before the ingest job sees a file. It refuses, with a
one-line Chinese message (:class:`UploadRejected`), files that are too large,
of an unsupported format, or whose content does not match their extension
(magic bytes: a .docx is a zip holding ``word/document.xml``, a .pdf starts
with ``%PDF-``, text decodes as text, HTML has tags). The stored name keeps
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

from .loaders import SUPPORTED_SUFFIXES, LoadError, decode_text, docx_check, sniff_binary

__all__ = ["UploadRejected", "accept_upload", "safe_name", "UPLOAD_DIR"]

UPLOAD_DIR = "uploads"
MAX_NAME_BYTES = 180
"""Stored names stay well under the usual 255-byte limit (room for a '-12' suffix)."""
SNIFF_BYTES = 1 << 20
"""Text and HTML are checked on their first MiB."""
_COPY_CHUNK = 1 << 20

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "clock$", "conin$", "conout$",
                     *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_FORBIDDEN = set('<>:"/\\|?*')
_HTML_TAG_RE = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|title|p|div|span|article|section|table|"
                          r"h[1-6]|br|ul|ol|li|a)\b", re.I)
_FORMATS_ZH = ".txt、.md、.html、.htm、.docx、.pdf"


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


def _reject_unless_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "无扩展名"
        raise UploadRejected(f"不支持的文件格式（{shown}）：请上传 {_FORMATS_ZH} 文件，其他格式请先另存为其中一种。")
    return suffix


def _check_content(src: Path, suffix: str) -> None:
    with open(src, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    kind = sniff_binary(head[:16])
    if suffix == ".docx":
        if kind.startswith("旧版 Office"):
            raise UploadRejected("这是旧版 Word 文档（.doc）改了扩展名：请用 Word 或 WPS 另存为 .docx 后再上传。")
        try:
            docx_check(src)
        except LoadError as exc:
            what = f"内容是{kind}" if kind and not kind.startswith("ZIP") else str(exc)
            raise UploadRejected(f"不是有效的 Word 文档（.docx）：{what}。请用 Word 或 WPS 重新另存为 .docx 后上传。") from None
        return
    if suffix == ".pdf":
        if b"%PDF-" not in head[:1024]:
            what = f"内容是{kind}" if kind else "文件开头没有 PDF 标记"
            raise UploadRejected(f"不是有效的 PDF 文件（{what}）：请确认文件完整后重新上传。")
        return
    # text formats: .txt / .md / .html / .htm
    if kind:
        raise UploadRejected(f"扩展名为 {suffix}，但内容是{kind}：请改用正确的扩展名或先转换为文本后上传。")
    text = _decode_head(head, complete=len(head) < SNIFF_BYTES)
    if not text.strip():
        raise UploadRejected("文件为空（只有空白）：请检查后重新上传。")
    if suffix in (".html", ".htm") and not _HTML_TAG_RE.search(text):
        raise UploadRejected("内容不是网页（没有 HTML 标签）：纯文本请改用 .txt 扩展名上传。")


def _decode_head(head: bytes, complete: bool) -> str:
    """Decode the first MiB; a cut in the middle of a multi-byte character is tolerated."""
    last: LoadError | None = None
    for cut in range(1 if complete else 4):
        try:
            return decode_text(head[:len(head) - cut] if cut else head)[0]
        except LoadError as exc:
            last = exc
            if "二进制" in str(exc):
                break
    msg = str(last) if last else "无法识别的文本编码"
    raise UploadRejected(f"无法作为文本读取（{msg}）：请另存为 UTF-8 编码的文本后上传。")


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
