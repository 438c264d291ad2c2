"""Load files of each supported format into plain text; the one table of document formats.

``load_file`` is the only entry point; every failure surfaces as :class:`LoadError`
whose message is a one-line reason in Chinese, shown to the user as is.

Every format — suffixes, loader, upload content check, Chinese display name, MIME-ish kind —
is one :class:`FileFormat` record in a registry. Built-ins register through :func:`register_format`
like anyone else; third-party packages add formats through entry points in the
``policyqa.formats`` group (see :func:`discover_formats`). Uploads (``ingest.uploads``), the
ingest job and the web UI's upload component all read this table; nothing else lists suffixes.
"""
from __future__ import annotations

import codecs
import logging
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

__all__ = [
    "ENTRY_POINT_GROUP",
    "SNIFF_BYTES",
    "SUPPORTED_SUFFIXES",
    "FileFormat",
    "LoadError",
    "RawText",
    "decode_text",
    "discover_formats",
    "docx_check",
    "format_for",
    "formats",
    "formats_text",
    "load_file",
    "register_format",
    "sniff_binary",
    "text_check",
    "unregister_format",
]

log = logging.getLogger("policyqa.ingest.loaders")

# Uncompressed size above which a .docx part is refused (a "zip bomb" must not exhaust memory).
DOCX_MAX_XML_BYTES = 256 * 1024 * 1024


class LoadError(Exception):
    """A file that cannot be ingested; ``str(exc)`` is a one-line reason in Chinese,
    e.g. '文件为空', 'PDF 没有文字层（可能是扫描件），需要先做 OCR', '无法识别的文本编码'."""


@dataclass
class RawText:
    path: Path
    text: str
    """Whole text; ``\\r\\n`` / ``\\r`` normalised to ``\\n``."""
    fmt: str
    """:attr:`FileFormat.name` of the format read: 'txt' | 'md' | 'html' | 'docx' | 'pdf' | a plugin's."""
    encoding: str = ""
    """Detected encoding (text formats only)."""
    title_hint: str = ""
    """HTML <h1>/<title>, docx title property or first Title/Heading paragraph, PDF metadata title."""


# --------------------------------------------------------------------------------------
# the format table

ENTRY_POINT_GROUP = "policyqa.formats"
SNIFF_BYTES = 1 << 20
"""Upload content checks see the file's first MiB (all of it when shorter)."""

Loader = Callable[[Path], "RawText | str"]
"""``loader(path)`` → :class:`RawText` (or just the text). Raises :class:`LoadError` with a Chinese reason.
Called only for an existing, non-empty regular file within the size limit."""
ContentCheck = Callable[[Path, bytes, str], None]
"""``check(path, head, suffix)`` for an upload: ``head`` is the first :data:`SNIFF_BYTES` bytes, ``suffix``
the lower-case extension of the uploaded name (``path`` is a temporary file whose own name means nothing).
Raises :class:`LoadError` whose message (one line, Chinese, saying what to do) is shown to the uploader."""

_SUFFIX_RE = re.compile(r"\.[a-z0-9_+\-]+")


@dataclass(frozen=True)
class FileFormat:
    """One document format: everything the loader, the upload check and the UI need to know."""

    name: str
    """Short id, stored as :attr:`RawText.fmt` (e.g. 'md')."""
    suffixes: tuple[str, ...]
    """Extensions with the dot, e.g. ('.md', '.markdown'); matched case-insensitively."""
    loader: Loader
    label: str
    """Chinese display name, e.g. 'Markdown 文本'."""
    kind: str = "application/octet-stream"
    """MIME-ish type, e.g. 'text/markdown'."""
    check: ContentCheck | None = None
    """Upload content check (magic bytes / text sniff); ``None`` accepts any content."""
    empty_reason: str = "文件为空：没有可提取的文字"
    """The :class:`LoadError` reason when the loaded text is blank."""
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    """Free-form extras for plugins."""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ValueError("文档格式必须有名称（name）")
        sfx = (self.suffixes,) if isinstance(self.suffixes, str) else tuple(self.suffixes)
        norm = []
        for s in sfx:
            s = str(s).strip().lower()
            s = s if s.startswith(".") else "." + s
            if not _SUFFIX_RE.fullmatch(s):
                raise ValueError(f"无效的扩展名：{s!r}（应形如 .txt，只含一个点）")
            if s not in norm:
                norm.append(s)
        if not norm:
            raise ValueError(f"文档格式 {self.name} 至少需要一个扩展名")
        object.__setattr__(self, "suffixes", tuple(norm))
        if not callable(self.loader):
            raise TypeError(f"文档格式 {self.name} 的 loader 必须可调用")
        if self.check is not None and not callable(self.check):
            raise TypeError(f"文档格式 {self.name} 的 check 必须可调用或为 None")


_lock = threading.RLock()
# Copy-on-write: readers take the current pair without locking; writers replace it whole.
_state: tuple[dict[str, FileFormat], dict[str, FileFormat]] = ({}, {})
_discovered = False
_discovering = False


def register_format(fmt: FileFormat | None = None, /, **fields) -> FileFormat:
    """Add a format to the table: ``register_format(FileFormat(...))`` or ``register_format(name=..., ...)``
    with the fields of :class:`FileFormat`. Registering a name again replaces that format; a suffix
    that another format already owns raises ``ValueError``. Returns the record registered."""
    if fmt is None:
        fmt = FileFormat(**fields)
    elif fields:
        raise TypeError("register_format：传入 FileFormat 时不能再给字段")
    if not isinstance(fmt, FileFormat):
        raise TypeError(f"register_format 需要 FileFormat，得到 {type(fmt).__name__}")
    global _state
    with _lock:
        by_name, by_suffix = _state
        for s in fmt.suffixes:
            owner = by_suffix.get(s)
            if owner is not None and owner.name != fmt.name:
                raise ValueError(f"扩展名 {s} 已属于文档格式 {owner.name}")
        by_name = dict(by_name)
        by_name[fmt.name] = fmt
        _state = (by_name, _index(by_name))
    return fmt


def unregister_format(name: str) -> FileFormat | None:
    """Remove a format from the table; returns it (``None`` if there was none)."""
    global _state
    with _lock:
        by_name = dict(_state[0])
        gone = by_name.pop(name, None)
        _state = (by_name, _index(by_name))
    return gone


def _index(by_name: dict[str, FileFormat]) -> dict[str, FileFormat]:
    return {s: f for f in by_name.values() for s in f.suffixes}


def discover_formats() -> list[str]:
    """Register the formats of installed plugins: entry points in the ``policyqa.formats`` group.

    An entry point's object is a :class:`FileFormat`, a list of them, or a callable without arguments
    returning one of those (or registering itself and returning ``None``). A broken plugin is logged and
    skipped; it never breaks the built-ins. Runs once by itself on first use of the table; call it
    again after installing a plugin at run time. Returns the names registered.
    """
    global _discovered, _discovering
    done: list[str] = []
    with _lock:
        _discovering = True  # a plugin that reads the table while loading must not start another scan
        try:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    obj = ep.load()
                    if callable(obj) and not isinstance(obj, FileFormat):
                        obj = obj()
                    recs = [] if obj is None else [obj] if isinstance(obj, FileFormat) else list(obj)
                    for rec in recs:
                        done.append(register_format(rec).name)
                except Exception as exc:
                    log.warning("文档格式插件 %s 加载失败：%s", ep.value, exc)
        finally:
            _discovering = False
            _discovered = True
    return done


def _table() -> tuple[dict[str, FileFormat], dict[str, FileFormat]]:
    if not _discovered:
        with _lock:  # other threads wait for the first scan; the scanning thread re-enters (RLock)
            if not _discovered and not _discovering:
                discover_formats()
    return _state


def formats() -> tuple[FileFormat, ...]:
    """Every registered format, in registration order (built-ins first)."""
    return tuple(_table()[0].values())


def format_for(suffix_or_path: str | Path) -> FileFormat | None:
    """The format of an extension ('.md', 'MD') or of a file name / path; ``None`` if unsupported."""
    s = str(suffix_or_path)
    if isinstance(suffix_or_path, Path) or "." in s[1:] or "/" in s or "\\" in s:
        s = Path(s).suffix
    s = s.strip().lower()
    if s and not s.startswith("."):
        s = "." + s
    return _table()[1].get(s)


def formats_text(sep: str = "、") -> str:
    """The supported extensions for messages, in table order: '.txt、.md、.markdown、…'."""
    return sep.join(_SuffixView())


class _SuffixView(AbstractSet):
    """A live, read-only set of the supported extensions (table order when iterated)."""

    def __contains__(self, suffix: object) -> bool:
        return isinstance(suffix, str) and suffix in _table()[1]

    def __iter__(self) -> Iterator[str]:
        return iter(list(_table()[1]))

    def __len__(self) -> int:
        return len(_table()[1])

    def __repr__(self) -> str:
        return f"SUPPORTED_SUFFIXES({{{', '.join(map(repr, self))}}})"


SUPPORTED_SUFFIXES: AbstractSet[str] = _SuffixView()
"""Every supported extension, kept up to date with the table (``in``, iteration, ``sorted``, ``==``)."""


# --------------------------------------------------------------------------------------
# entry point


def load_file(path: Path, max_bytes: int | None = None) -> RawText:
    """Load ``path`` into text. Raises :class:`LoadError` (and nothing else)."""
    path = Path(path)
    try:
        return _load(path, max_bytes)
    except LoadError:
        raise
    except PermissionError:
        raise LoadError("读取失败：没有读取权限") from None
    except FileNotFoundError:
        raise LoadError("读取失败：文件不存在") from None
    except IsADirectoryError:
        raise LoadError("读取失败：不是普通文件") from None
    except MemoryError:
        raise LoadError("读取失败：文件过大，内存不足") from None
    except RecursionError:
        raise LoadError("读取失败：文档结构嵌套过深") from None
    except Exception as exc:  # never let anything else escape
        msg = " ".join(str(exc).split())[:80]
        raise LoadError(f"读取失败：{type(exc).__name__}{('：' + msg) if msg else ''}") from exc


def _load(path: Path, max_bytes: int | None) -> RawText:
    fmt = format_for(path.suffix) if path.suffix else None
    if fmt is None:
        shown = path.suffix or "（无扩展名）"
        raise LoadError(f"不支持的文件格式：{shown}（支持 {', '.join(sorted(SUPPORTED_SUFFIXES))}）")
    if not path.exists():
        raise LoadError("读取失败：文件不存在")
    if not path.is_file():
        raise LoadError("读取失败：不是普通文件")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"文件过大：{_mb(size)}，超过上限 {_mb(max_bytes)}，请拆分后再导入")
    if size == 0:
        raise LoadError("文件为空")
    raw = fmt.loader(path)
    if isinstance(raw, str):
        raw = RawText(path=path, text=raw, fmt=fmt.name)
    elif not isinstance(raw, RawText):
        raise LoadError(f"读取失败：{fmt.label}读取程序返回了 {type(raw).__name__}，不是文本")
    raw.fmt = raw.fmt or fmt.name
    raw.text = _newlines(raw.text)
    if not raw.text.strip():
        raise LoadError(fmt.empty_reason)
    raw.title_hint = " ".join(raw.title_hint.split())
    return raw


def _mb(n: int) -> str:
    v = n / (1024 * 1024)
    return f"{v:.1f} MB" if v >= 0.1 else f"{v:.3f} MB"


def _newlines(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------------------
# text decoding

_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


# Magic bytes of binary formats that show up renamed as text → what to tell the user.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ZIP 压缩包（也可能是 .docx 等 Office 文档）"), (b"PK\x05\x06", "ZIP 压缩包"),
    (b"%PDF-", "PDF 文档"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档（.doc/.xls/.ppt）"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF87a", "GIF 图片"), (b"GIF89a", "GIF 图片"),
    (b"\x1f\x8b", "gzip 压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"), (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"\x7fELF", "可执行程序"),
)


def sniff_binary(head: bytes) -> str:
    """What a known binary format's leading bytes say the file is (Chinese label), or ''."""
    for magic, label in _MAGIC:
        if head.startswith(magic):
            return label
    return ""


def docx_check(path: Path) -> None:
    """A .docx must be a zip holding ``word/document.xml`` of sane size. Raises LoadError."""
    try:
        with zipfile.ZipFile(path) as z:
            info = {i.filename: i for i in z.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LoadError("文件已损坏：无法作为 .docx 打开") from None
    doc = info.get("word/document.xml")
    if doc is None:
        raise LoadError("文件已损坏：无法作为 .docx 打开")
    xml_size = sum(i.file_size for name, i in info.items() if name.startswith("word/") and name.endswith(".xml"))
    if xml_size > DOCX_MAX_XML_BYTES:
        raise LoadError(f"文件过大：.docx 解压后正文达 {_mb(xml_size)}，超过上限 {_mb(DOCX_MAX_XML_BYTES)}（疑似压缩炸弹）")


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    if not text:
        return False
    bad = len(_CTRL_RE.findall(text)) + text.count("\ufffd")
    return bad / len(text) > 0.02


def decode_text(data: bytes, declared: str = "") -> tuple[str, str]:
    """Decode bytes of a text file → (text, encoding). Raises LoadError.

    Order: BOM (UTF-8 / UTF-16 / UTF-32), ``declared`` (e.g. an HTML meta charset),
    strict UTF-8, strict GBK / GB18030, then charset-normalizer.
    """
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                raise LoadError(f"无法识别的文本编码（{enc} 字节序标记后的内容无法解码）") from None
            if _looks_binary(text):
                raise LoadError("不是文本文件（疑似二进制）")
            return text.lstrip("\ufeff"), enc
    if b"\x00" in data:
        raise LoadError("不是文本文件（疑似二进制）")
    candidates: list[str] = []
    if declared:
        d = declared.strip().lower()
        if d in ("gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn"):
            d = "gb18030"  # superset; pages labelled gb2312 routinely contain GBK characters
        try:
            codecs.lookup(d)
            candidates.append(d)
        except LookupError:
            pass
    candidates += ["utf-8", "gbk", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise LoadError("不是文本文件（疑似二进制）")
        return text.lstrip("\ufeff"), enc
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - defensive
        best = None
    if best is None:
        if _CTRL_RE.search(data[:4096].decode("latin-1")):
            raise LoadError("不是文本文件（疑似二进制）")
        raise LoadError("无法识别的文本编码")
    text = str(best)
    if _looks_binary(text):
        raise LoadError("不是文本文件（疑似二进制）")
    return text.lstrip("\ufeff"), best.encoding


def _load_text(path: Path, fmt: str) -> RawText:
    data = path.read_bytes()
    kind = sniff_binary(data[:16])
    if kind:
        raise LoadError(f"不是文本文件（疑似二进制：内容是{kind}）")
    text, enc = decode_text(data)
    del data
    if not text.strip():
        raise LoadError("文件为空")
    hint = ""
    if fmt == "md":
        m = re.search(r"^#[ \t]+(.+?)[ \t#]*$", text[:4000], re.MULTILINE)
        hint = m.group(1).strip() if m else ""
    return RawText(path=path, text=text, fmt=fmt, encoding=enc, title_hint=hint)


# --------------------------------------------------------------------------------------
# upload content checks (see ContentCheck)

_HTML_TAG_RE = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|meta|title|p|div|span|article|section|table|"
                          r"h[1-6]|br|ul|ol|li|a)\b", re.IGNORECASE)


def text_check(path: Path, head: bytes, suffix: str) -> str:
    """Upload check of a text format: no known binary signature, decodes as text, not blank.
    Returns the decoded head (for format-specific checks built on top of it). Raises LoadError."""
    kind = sniff_binary(head[:16])
    if kind:
        raise LoadError(f"扩展名为 {suffix}，但内容是{kind}：请改用正确的扩展名或先转换为文本后上传。")
    text = _decode_head(head, complete=len(head) < SNIFF_BYTES)
    if not text.strip():
        raise LoadError("文件为空（只有空白）：请检查后重新上传。")
    return text


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
    raise LoadError(f"无法作为文本读取（{msg}）：请另存为 UTF-8 编码的文本后上传。")


def _html_check(path: Path, head: bytes, suffix: str) -> None:
    if not _HTML_TAG_RE.search(text_check(path, head, suffix)):
        raise LoadError("内容不是网页（没有 HTML 标签）：纯文本请改用 .txt 扩展名上传。")


def _docx_upload_check(path: Path, head: bytes, suffix: str) -> None:
    kind = sniff_binary(head[:16])
    if kind.startswith("旧版 Office"):
        raise LoadError("这是旧版 Word 文档（.doc）改了扩展名：请用 Word 或 WPS 另存为 .docx 后再上传。")
    try:
        docx_check(path)
    except LoadError as exc:
        what = f"内容是{kind}" if kind and not kind.startswith("ZIP") else str(exc)
        raise LoadError(f"不是有效的 Word 文档（.docx）：{what}。请用 Word 或 WPS 重新另存为 .docx 后上传。") from None


def _pdf_check(path: Path, head: bytes, suffix: str) -> None:
    if b"%PDF-" not in head[:1024]:
        kind = sniff_binary(head[:16])
        what = f"内容是{kind}" if kind else "文件开头没有 PDF 标记"
        raise LoadError(f"不是有效的 PDF 文件（{what}）：请确认文件完整后重新上传。")


# --------------------------------------------------------------------------------------
# HTML

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_DATA_URI_RE = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w=.-]+)*;base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_DATA_URI_ATTR_RE = re.compile(r"""data:[^"'\s)>]{24,}""", re.IGNORECASE)
_B64_BLOB_RE = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{80,}={0,2}(?![A-Za-z0-9+/=])")
# Inline base64 in the page source, also wrapped at 64/76 columns: removed before parsing, because
# libxml2 stops at a text node over 10 MB and silently drops the rest of the page.
_B64_RUN_RE = re.compile(r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{48,}={0,2}[ \t]*\r?\n[ \t]*){3,}(?:[A-Za-z0-9+/]*={0,2})"
                         r"|(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{200,}={0,2}")
_WS_RE = re.compile(r"[ \t\n\r\f\v]+")

_SKIP_TAGS = {"script", "style", "noscript", "iframe", "frame", "frameset", "object", "embed", "template",
              "svg", "canvas", "math", "form", "button", "input", "select", "textarea", "nav", "footer",
              "head", "title", "meta", "link", "base", "map", "aside", "menu", "audio", "video", "source", "track",
              "img", "picture"}
_FALLBACK_SKIP = {"header"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "aside", "blockquote", "pre", "address",
               "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
               "tbody", "tfoot", "tr", "caption", "figure", "figcaption", "hr", "center", "fieldset",
               "legend", "details", "summary", "body", "html"}
_CELL_TAGS = {"td", "th"}
_SITE_SEP_RE = re.compile(r"\s+[-–—|｜_]\s+|_|｜|\s\|\s")


def _load_html(path: Path) -> RawText:
    data = path.read_bytes()
    m = _META_CHARSET_RE.search(data[:4096])
    declared = m.group(1).decode("ascii", "ignore") if m else ""
    html, enc = decode_text(data, declared)
    if not html.strip():
        raise LoadError("文件为空")
    html = _DATA_URI_ATTR_RE.sub("", html)  # base64 blobs never reach the parser or the text
    html = _B64_RUN_RE.sub("", html)
    # lxml refuses str input carrying an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)

    import lxml.html

    # huge_tree: a long paragraph (> 10 MB text node) must not end the parse early
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except Exception:
        raise LoadError("文件已损坏：无法解析 HTML") from None
    title_hint, h1 = _html_title(root)

    body_text = _html_text(root, fallback=True)
    body_len = _content_len(root)
    article_text = ""
    try:
        from readability import Document

        summary = Document(lxml.html.document_fromstring(html, parser=parser)).summary(html_partial=True)
        if summary and summary.strip():
            article_text = _html_text(lxml.html.fragment_fromstring(summary, create_parent="div"),
                                      fallback=False)
    except Exception as exc:
        log.debug("readability failed on %s: %s", path, exc)
    art_len = len(re.sub(r"\s", "", article_text))
    if art_len and art_len >= 0.3 * body_len:
        # readability drops tables and short blocks: re-extract its container from the page
        text = _expand_article(root, article_text) or article_text
    else:
        text = body_text
    if h1 and h1 not in text[:400]:
        text = f"{h1}\n{text}"
    return RawText(path=path, text=text, fmt="html", encoding=enc, title_hint=title_hint)


_CONTAINER_TAGS = {"div", "article", "section", "main", "td", "body", "center", "blockquote", "li", "p", "span",
                   "font", "table", "tbody", "tr", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}


def _expand_article(root, article_text: str) -> str:
    """Text of the smallest element of the original page that holds readability's first and
    last paragraphs, when it is not much longer than the article itself; else ''."""
    lines = [re.sub(r"\s", "", ln) for ln in article_text.split("\n")]
    lines = [ln for ln in lines if len(ln) >= 4]
    if len(lines) < 2:
        return ""
    first, last = lines[0][:24], lines[-1][-24:]
    best_first = best_last = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() not in _CONTAINER_TAGS:
            continue
        flat = re.sub(r"\s", "", el.text_content())
        if (best_first is None or len(flat) < best_first[0]) and first in flat:
            best_first = (len(flat), el)
        if (best_last is None or len(flat) < best_last[0]) and last in flat:
            best_last = (len(flat), el)
    if best_first is None or best_last is None:
        return ""
    ancestors = {id(a) for a in best_first[1].iterancestors()} | {id(best_first[1])}
    lca = best_last[1]
    while lca is not None and id(lca) not in ancestors:
        lca = lca.getparent()
    if lca is None:
        return ""
    text = _html_text(lca, fallback=lca.tag in ("body", "html"))
    n, art = len(re.sub(r"\s", "", text)), len("".join(lines))
    return text if art * 0.9 <= n <= art * 2 else ""


def _html_title(root) -> tuple[str, str]:
    """(title hint, h1 text). The hint prefers a short <h1>, else <title> minus the site name."""
    h1 = ""
    for el in root.iter("h1"):
        t = " ".join(el.text_content().split())
        if not 2 <= len(t) <= 100 or _in_skipped(el, {"nav", "footer", "aside", "script", "style"}):
            continue
        links = " ".join(" ".join(a.text_content().split()) for a in el.iter("a"))
        if links == t:  # a site logo / name linking home, not the article's title
            continue
        h1 = t
        break
    title = ""
    for el in root.iter("title"):
        title = " ".join((el.text_content() or "").split())
        break
    if title:
        parts = [p.strip() for p in _SITE_SEP_RE.split(title) if p.strip()]
        title = parts[0] if parts else title
    return (h1 or title), h1


def _content_len(root) -> int:
    """Non-space characters of body text outside links, nav, header, footer, aside."""
    skip = _SKIP_TAGS | _FALLBACK_SKIP | {"a"}
    n = 0
    for el in root.iter():
        parent = el.getparent()
        if el.tail and parent is not None and not _in_skipped(parent, skip):
            n += len(re.sub(r"\s", "", el.tail))
        if isinstance(el.tag, str) and el.text and not _in_skipped(el, skip):
            n += len(re.sub(r"\s", "", el.text))
    return n


def _in_skipped(el, tags: set[str]) -> bool:
    while el is not None:
        if isinstance(el.tag, str) and (el.tag.lower() in tags or _hidden(el)):
            return True
        el = el.getparent()
    return False


def _has_heading(el) -> bool:
    """An article's own <header> holds its <h1>/<h2>; a site header does not."""
    return any(isinstance(e.tag, str) and e.tag.lower() in ("h1", "h2") for e in el.iter())


def _hidden(el) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


_INLINE_SKIPPED = {"img", "input", "button", "select", "textarea", "svg", "map", "audio", "video", "source",
                   "track", "picture", "embed", "object", "canvas", "math", "script", "style", "noscript",
                   "template", "a"}


def _drop_comments(root) -> None:
    """Remove comments / processing instructions, keeping their tail text."""
    from lxml import etree

    for c in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = c.getparent()
        if parent is None:
            continue
        if c.tail:
            prev = c.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + c.tail
            else:
                parent.text = (parent.text or "") + c.tail
        parent.remove(c)


def _html_text(root, fallback: bool) -> str:
    """Text of an element tree with block elements → newlines, cells → tabs."""
    from lxml import etree

    _drop_comments(root)
    skip = _SKIP_TAGS | (_FALLBACK_SKIP if fallback else set())
    parts: list[str] = []
    pre = 0
    skipping: list = []
    for action, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if action == "start":
            if skipping:
                continue
            if not tag or tag in skip or _hidden(el) or (tag == "header" and not _has_heading(el)):
                skipping.append(el)
                continue
            if tag in _BLOCK_TAGS or tag == "br":
                parts.append("\n")
            elif tag in _CELL_TAGS:
                parts.append("\t")
            if tag == "pre":
                pre += 1
            if el.text:
                parts.append(el.text if pre else _WS_RE.sub(" ", el.text))
        else:
            if skipping:
                if skipping[-1] is not el:
                    continue
                skipping.pop()
                parts.append(" " if tag in _INLINE_SKIPPED else "\n")
            else:
                if tag == "pre":
                    pre -= 1
                if tag in _BLOCK_TAGS:
                    parts.append("\n")
            if el.tail and not skipping:
                parts.append(el.tail if pre else _WS_RE.sub(" ", el.tail))
    text = "".join(parts)
    text = _DATA_URI_RE.sub("", text)
    text = _B64_BLOB_RE.sub("", text)
    lines = [ln.strip(" \t") for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip("\n")


# --------------------------------------------------------------------------------------
# DOCX

_HEADING_STYLE_RE = re.compile(r"^(title|heading|标题|subtitle|副标题)", re.IGNORECASE)


def _load_docx(path: Path) -> RawText:
    docx_check(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        doc = docx.Document(str(path))
    except Exception:
        raise LoadError("文件已损坏：无法作为 .docx 打开") from None
    lines: list[str] = []
    first_heading = ""
    try:
        for block in doc.iter_inner_content():
            if isinstance(block, Paragraph):
                t = block.text.strip()
                if not t:
                    continue
                if not first_heading:
                    style = (block.style.name if block.style is not None else "") or ""
                    if _HEADING_STYLE_RE.match(style):
                        first_heading = t
                lines.append(t)
            elif isinstance(block, Table):
                lines.extend(_docx_table_lines(block))
        title = (doc.core_properties.title or "").strip()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError("文件已损坏：无法作为 .docx 打开") from exc
    text = "\n".join(lines)
    if not text.strip():
        raise LoadError("文件为空：文档中没有文字")
    return RawText(path=path, text=text, fmt="docx", title_hint=title or first_heading)


def _docx_table_lines(table) -> list[str]:
    out: list[str] = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:  # horizontally merged cells repeat the same cell
                continue
            seen.add(key)
            parts = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
            for inner in cell.tables:  # nested tables, flattened
                parts += [ln.replace("\t", " ") for ln in _docx_table_lines(inner)]
            cells.append(" ".join(parts))
        if any(cells):
            out.append("\t".join(cells).rstrip("\t"))
    return out


# --------------------------------------------------------------------------------------
# PDF


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    lg = logging.getLogger("pypdf")
    old = lg.level
    lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        lg.setLevel(old)


def _load_pdf(path: Path) -> RawText:
    import warnings

    from pypdf import PdfReader

    with _quiet_pypdf(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(str(path), strict=False)
            if reader.is_encrypted:
                ok: int  # a PasswordType (an IntEnum; NOT_DECRYPTED == 0)
                try:
                    ok = reader.decrypt("")
                except Exception:
                    ok = 0
                if not ok:
                    raise LoadError("PDF 已加密，无法读取文字（请先解除密码保护）")
            pages = list(reader.pages)
        except LoadError:
            raise
        except Exception:
            raise LoadError("文件已损坏：无法解析 PDF") from None
        if not pages:
            raise LoadError("文件已损坏：无法解析 PDF（没有页面）")
        texts: list[str] = []
        failed = 0
        for page in pages:
            try:
                texts.append((page.extract_text() or "").strip())
            except Exception:
                failed += 1
                texts.append("")
        if failed == len(pages):
            raise LoadError("文件已损坏：无法解析 PDF")
        meaningful = sum(len(re.sub(r"\s", "", t)) for t in texts)
        if meaningful < 10 * len(pages) or meaningful < 10:
            raise LoadError("PDF 没有文字层（可能是扫描件），需要先做 OCR")
        title = ""
        try:
            meta = reader.metadata
            title = _clean_pdf_title(str(meta.title)) if meta and meta.title else ""
        except Exception:
            title = ""
    return RawText(path=path, text="\n".join(t for t in texts if t), fmt="pdf", title_hint=title)


def _clean_pdf_title(title: str) -> str:
    t = " ".join(title.split())
    t = re.sub(r"^Microsoft\s+(Word|PowerPoint)\s*-\s*", "", t, flags=re.IGNORECASE)
    t = re.sub(r"\.(docx?|wps|pdf|pptx?)$", "", t, flags=re.IGNORECASE)
    if (t.lower() in ("", "untitled", "无标题", "none") or re.fullmatch(r"[\W_\d]*", t)
            or re.fullmatch(r"(?:文档|新建|新建文档|document|doc|untitled|microsoft word)\s*\d*", t, re.IGNORECASE)):
        return ""
    return t


# --------------------------------------------------------------------------------------
# built-in formats: registered like any plugin. Loaders are looked up when called (late binding).

register_format(name="txt", suffixes=(".txt",), loader=lambda p: _load_text(p, "txt"), label="纯文本",
                kind="text/plain", check=text_check, empty_reason="文件为空")
register_format(name="md", suffixes=(".md", ".markdown"), loader=lambda p: _load_text(p, "md"), label="Markdown 文本",
                kind="text/markdown", check=text_check, empty_reason="文件为空")
register_format(name="html", suffixes=(".html", ".htm"), loader=lambda p: _load_html(p), label="网页（HTML）",
                kind="text/html", check=_html_check)
register_format(name="docx", suffixes=(".docx",), loader=lambda p: _load_docx(p), label="Word 文档",
                kind="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                check=_docx_upload_check)
register_format(name="pdf", suffixes=(".pdf",), loader=lambda p: _load_pdf(p), label="PDF 文档",
                kind="application/pdf", check=_pdf_check)
