"""Document metadata from the text, the folder's ``manifest.csv`` and the file name."""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .clean import clutter_reason, strip_line

__all__ = ["DOC_TYPE_KEYS", "MetaHints", "extract_metadata", "guess_doc_type", "normalize_date", "read_manifest"]

log = logging.getLogger("policyqa.ingest.metadata")

DOC_TYPE_KEYS = ("regulation", "speech", "work_report", "article")
_TYPE_ALIASES = {
    "regulation": "regulation", "法规": "regulation", "法规制度": "regulation", "制度": "regulation",
    "条例": "regulation", "规章": "regulation", "法律": "regulation", "文件": "regulation", "政策": "regulation",
    "speech": "speech", "讲话": "speech", "致辞": "speech", "发言": "speech",
    "work_report": "work_report", "workreport": "work_report", "report": "work_report", "工作报告": "work_report",
    "报告": "work_report",
    "article": "article", "文章": "article", "新闻": "article", "评论": "article", "其他": "article",
}
_MANIFEST_FIELDS = {
    "file": "file", "文件": "file", "文件名": "file", "filename": "file",
    "title": "title", "标题": "title",
    "date": "date", "日期": "date", "时间": "date",
    "source": "source", "来源": "source", "出处": "source", "发布机构": "source",
    "author": "author", "作者": "author",
    "type": "type", "类型": "type", "doc_type": "type", "文档类型": "type",
    "status": "status", "状态": "status", "效力": "status", "时效性": "status",
}
_STATUS_ALIASES = {"repealed": "repealed", "已废止": "repealed", "废止": "repealed", "失效": "repealed",
                   "已失效": "repealed", "current": "current", "现行": "current", "现行有效": "current", "有效": "current"}


@dataclass
class MetaHints:
    title: str = ""
    date: str = ""
    """ISO 'YYYY-MM-DD', or 'YYYY-MM' / 'YYYY' when only that is known."""
    date_text: str = ""
    """The date as printed: '2025年04月03日', '2023年第10期'."""
    source: str = ""
    author: str = ""
    doc_type: str = ""
    """'regulation' | 'speech' | 'work_report' | 'article'"""


# --- dates ---------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_YEAR = "〇零○Ｏ一二三四五六七八九"
_DATE_PATTERNS = [  # (regex, precision)
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), 3),
    (re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])"), 3),
    (re.compile(rf"([{_CN_YEAR}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,2}})\s*月\s*([一二三四五六七八九十]{{1,3}})\s*日"), 3),
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*第\s*(\d{1,3})\s*期"), 1),
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)"), 2),
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(?:\d{1,2}\s*[-—–至]\s*\d{1,2}\s*)?期"), 1),
]


def _cn_num(s: str) -> int:
    """'十二' → 12, '二十三' → 23, '三十一' → 31."""
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGITS.get(a, 1) if a else 1) * 10 + (_CN_DIGITS.get(b, 0) if b else 0)
    return _CN_DIGITS.get(s, 0)


def _valid(y: int, m: int = 1, d: int = 1) -> bool:
    return 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31


def _find_dates(line: str) -> list[tuple[int, int, str, str]]:
    """All dates in a line → [(precision, position, iso, as printed)]."""
    found = []
    taken: list[tuple[int, int]] = []
    for rx, prec in _DATE_PATTERNS:
        for m in rx.finditer(line):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groups()
            if g[0][0] in _CN_YEAR:
                y = int("".join(str(_CN_DIGITS[c]) for c in g[0]))
                mo, d = _cn_num(g[1]), _cn_num(g[2])
            else:
                y = int(g[0])
                mo = int(g[1]) if prec >= 2 and len(g) > 1 else 1
                d = int(g[2]) if prec == 3 else 1
            if not _valid(y, mo, d):
                continue
            iso = f"{y:04d}" if prec == 1 else f"{y:04d}-{mo:02d}" if prec == 2 else f"{y:04d}-{mo:02d}-{d:02d}"
            found.append((prec, m.start(), iso, m.group(0).strip()))
            taken.append((m.start(), m.end()))
    return found


def normalize_date(value: str) -> str:
    """'2025/4/3', '2025年4月3日', '2025.04', '2025' → ISO ('2025-04-03', '2025-04', '2025'); '' if none."""
    v = (value or "").strip()
    if not v:
        return ""
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?", v)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
        if d and _valid(int(y), int(mo), int(d)):
            return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        if mo and _valid(int(y), int(mo)):
            return f"{int(y):04d}-{int(mo):02d}"
        if not mo and _valid(int(y)):
            return y
        return ""
    found = _find_dates(v)
    return max(found, key=lambda f: f[0])[2] if found else ""


# --- text fields ---------------------------------------------------------------------------

_LABEL_STOP = r"(?=\s+(?:作者|来源|编辑|责任编辑|责编|时间|发布时间|发表时间|日期|浏览|点击|阅读|字号|字体|图|摄影|通讯员|记者)\s*[:：/／]|$)"
_SOURCE_RE = re.compile(r"(?:^|(?<=[\s(（【\[]))(?:文章|信息|稿件|本文|新闻|内容)?(?:来源|出处|发布机构|发文机关|发布单位)\s*[:：]\s*(.*?)" + _LABEL_STOP)
_AUTHOR_RE = re.compile(r"(?:^|(?<=[\s(（【\[]))作\s*者\s*[:：]\s*(.*?)" + _LABEL_STOP)
_BYLINE_RE = re.compile(r"^文\s*[/／|｜]\s*(\S.{0,30})$")
_TITLE_LABEL_RE = re.compile(r"^(?:标题|题目)\s*[:：\s\u00a0\u3000]\s*(\S.*)$")
_NUMBERED_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]|\d{1,2}[.、．]|第[一二三四五六七八九十百0-9]+[章节条编])")
_SENT = set("。！？；!?;")
_ORG_SUFFIX_RE = re.compile(r"(?:党组|党委|工委|委员会|机关|办公厅|办公室|研究室|课题组|编辑部|评论员|理论学习中心组)$")
_OWNER_RE = re.compile(r"^(?:版权所有|主办单位|主办)\s*[:：]\s*([\u4e00-\u9fff（）()《》]{2,20}?)(?:\s|$|[,，;；])")
_SITE_TIME_RE = re.compile(r"更新时间|最后更新|更新日期|修改时间|采集时间|抓取时间|入库时间")


def _ws(s: str) -> str:
    return " ".join(s.split())


def _clean_value(v: str) -> str:
    v = v.strip(" \t\u3000\u00a0")
    v = v.strip("()（）【】[]")
    return _ws(v)


def _author_from(value: str) -> str:
    v = _clean_value(value)
    v = re.sub(r"^(?:文|撰文|执笔)\s*[/／|｜:：]\s*", "", v)
    v = re.split(r"[，,;；（(]|\s+(?:图|摄影|摄|编辑|来源|责任编辑)\s*[/／:：]", v)[0]
    return _ws(v.strip(" /／|｜"))[:60]


def _is_dateline(s: str) -> bool:
    if len(s) > 60 or any(c in _SENT for c in s):
        return False
    return bool(_find_dates(s)) and bool(re.match(r"^[（(]?\s*(?:\d{4}|[" + _CN_YEAR + r"]{4})\s*[年\-/.]", s))


def _is_meta_line(s: str) -> bool:
    return bool(_SOURCE_RE.search(s) or _AUTHOR_RE.search(s) or _BYLINE_RE.match(s) or _is_dateline(s)
                or re.match(r"^(?:发布|发表|时间|日期)\s*(?:时间|日期)?\s*[:：]", s))


def _is_body(s: str) -> bool:
    return len(s) > 60 and any(c in _SENT for c in s)


def _content_lines(text: str) -> list[str]:
    return [s for s in (strip_line(x) for x in text.split("\n")) if s and not clutter_reason(s)]


def _head(lines: list[str], limit: int = 12) -> list[str]:
    """Lines before the first body paragraph (at most ``limit``)."""
    out = []
    for s in lines[:limit]:
        if _is_body(s):
            break
        out.append(s)
    return out


def _pick_date(lines: list[str]) -> tuple[str, str]:
    best = None
    for i, s in enumerate(lines):
        if _SITE_TIME_RE.search(s) or len(s) > 80 or any(c in "。！？!?" for c in s):
            continue  # datelines, not dates mentioned in sentences
        for prec, pos, iso, printed in _find_dates(s):
            key = (-prec, i, pos)
            if best is None or key < best[0]:
                best = (key, iso, printed)
    return (best[1], best[2]) if best else ("", "")


def _pick_title(raw_lines: list[str], clean_lines: list[str], title_hint: str, stem: str) -> str:
    for s in raw_lines[:40]:
        m = _TITLE_LABEL_RE.match(s)
        if m and len(m.group(1).strip()) >= 2:
            return _ws(m.group(1))
    if title_hint and 2 <= len(title_hint) <= 100:
        return _ws(title_hint)
    for s in _head(clean_lines, 8):
        if _title_like(s):
            return _ws(s)
    return stem


def _title_like(s: str) -> bool:
    return ((4 <= len(s) <= 60 and not any(c in _SENT for c in s) and s[-1] not in "：:，,、"
            and not _is_meta_line(s) and not _NUMBERED_RE.match(s) and not s.startswith(("（", "(", "——", "#")))
            or bool(re.match(r"^#\s+\S", s)))


def extract_metadata(raw_text: str, cleaned_text: str, path: Path, title_hint: str = "") -> MetaHints:
    """Title, date, source, author and type read from the document itself."""
    path = Path(path)
    raw_lines = _content_lines(raw_text)
    clean_lines = [s for s in (strip_line(x) for x in cleaned_text.split("\n")) if s]
    head = _head(raw_lines)
    tail = raw_lines[-12:]

    title = _pick_title([strip_line(x) for x in raw_text.split("\n") if x.strip()], clean_lines, title_hint, path.stem)
    title = re.sub(r"^#+\s*", "", title)

    date, date_text = _pick_date(head)
    if not date:
        date, date_text = _pick_date([s for s in tail if len(s) <= 60 and not _is_body(s)])

    source = author = ""
    for group in (head, tail, raw_lines[:30]):
        for s in group:
            if not source:
                m = _SOURCE_RE.search(s)
                if m and len(s) <= 120:
                    source = _clean_value(m.group(1))[:80]
                    if not source:  # label alone: '来源：' / '四川日报'
                        nxt = _next(group, s)
                        if nxt and len(nxt) <= 30 and not _is_meta_line(nxt):
                            source = _clean_value(nxt)
            if not author:
                m = _AUTHOR_RE.search(s)
                if m and len(s) <= 120:
                    author = _author_from(m.group(1))
                elif bm := _BYLINE_RE.match(s):
                    author = _author_from(bm.group(1))
        if source and author:
            break
    if not author:
        author = _org_author(clean_lines, title)
    if not source:  # the site footer names the publisher: '版权所有：楚天主人杂志社  鄂ICP备…'
        for x in raw_text.split("\n")[-15:]:
            m = _OWNER_RE.search(strip_line(x))
            if m:
                source = m.group(1)
                break

    return MetaHints(title=title, date=date, date_text=date_text, source=source, author=author,
                     doc_type=guess_doc_type(title, cleaned_text))


def _next(lines: list[str], s: str) -> str:
    i = lines.index(s)
    return lines[i + 1] if i + 1 < len(lines) else ""


def _org_author(clean_lines: list[str], title: str) -> str:
    """An issuing body printed alone between the title and the dateline ('全国人大常委会机关党组')."""
    head = _head(clean_lines, 6)
    for i in range(1, len(head) - 1):
        s = head[i]
        if (_ws(head[i - 1]) == title and _is_dateline(head[i + 1]) and len(s) <= 20
                and not any(c in _SENT for c in s) and _ORG_SUFFIX_RE.search(s)):
            return s
    return ""


# --- document type -------------------------------------------------------------------------

_TRAILING_PAREN_RE = re.compile(r"[（(][^（()）]{1,20}[)）]$")
_STRONG_REG_RE = re.compile(r"(?:条例|办法|细则|准则|规则|规定|章程|规程|守则|公约)$")
_WEAK_REG_RE = re.compile(r"(?:制度|法|法典|决定|决议|意见|通知|通告|公告|方案|纲要|规划|指引|指南)$")
_NOT_LAW_RE = re.compile(r"(?:方法|做法|看法|说法|想法|写法|用法|手法|技法|战法|打法|妙法|良法)$")
_ARTICLE_LINE_RE = re.compile(r"^\s*第[一二三四五六七八九十百千零〇0-9]+条", re.M)


def guess_doc_type(title: str, text: str) -> str:
    """'regulation' | 'speech' | 'work_report' | 'article' from the title (and a glance at the body)."""
    t = _ws(title or "")
    while _TRAILING_PAREN_RE.search(t):  # （试行）, （2023年修订）
        t = _TRAILING_PAREN_RE.sub("", t).strip()
    t = t.strip("《》“”\"' ")
    head = (text or "")[:600]
    n_articles = len(_ARTICLE_LINE_RE.findall(text or ""))
    if "工作报告" in t and not t.endswith(("决议", "决定")):
        return "work_report"
    if re.search(r"讲话|致辞|发言|讲稿|演讲|报告会上|座谈会上的|会议上的|仪式上的|典礼上的|开班式上|答记者问", t):
        return "speech"
    if _STRONG_REG_RE.search(t) and not _NOT_LAW_RE.search(t):
        return "regulation"
    if _WEAK_REG_RE.search(t) and not _NOT_LAW_RE.search(t):
        if n_articles >= 2 or t.startswith(("关于", "中国共产党", "中华人民共和国", "中共")) or "《" in title:
            return "regulation"
    if n_articles >= 5:
        return "regulation"
    if re.search(r"各位代表[：:]", head) and "报告工作" in head:
        return "work_report"
    if re.search(r"^\s*同志们[：:，,！!]", head, re.M):
        return "speech"
    return "article"


# --- manifest ------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, dict[str, str]]:
    """``folder/manifest.csv`` → {file name: {title, date, source, author, type, status}} (only non-empty values).

    UTF-8 (with or without BOM; GB18030 accepted as a fallback). Returns {} when absent or unreadable.
    """
    path = Path(folder) / "manifest.csv"
    if not path.is_file():
        return {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("无法读取 %s：%s，已忽略", path, exc)
        return {}
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        log.warning("%s 编码无法识别（应为 UTF-8），已忽略", path)
        return {}
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        log.warning("%s 格式有误：%s，已忽略", path, exc)
        return {}
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return {}
    header = [_MANIFEST_FIELDS.get(h.strip().lower().lstrip("\ufeff"), "") for h in rows[0]]
    if "file" not in header:
        log.warning("%s 缺少 file 列（表头应为 file,title,date,source,author,type），已忽略", path)
        return {}
    out: dict[str, dict[str, str]] = {}
    for r in rows[1:]:
        rec: dict[str, str] = {}
        for key, val in zip(header, r):
            val = _ws(val)
            if key and val and key not in rec:
                rec[key] = val
        name = rec.pop("file", "")
        if not name:
            continue
        name = Path(name.replace("\\", "/")).name
        if "date" in rec:
            iso = normalize_date(rec["date"])
            if iso:
                rec["date"] = iso
            else:
                log.warning("%s：%s 的日期“%s”无法识别，已忽略", path, name, rec["date"])
                del rec["date"]
        if "type" in rec:
            type_key = _TYPE_ALIASES.get(rec["type"].strip().lower().replace("-", "_").replace(" ", ""))
            if type_key:
                rec["type"] = type_key
            else:
                log.warning("%s：%s 的类型“%s”无法识别（可用 %s），已忽略", path, name, rec["type"],
                            "/".join(DOC_TYPE_KEYS))
                del rec["type"]
        if "status" in rec:
            status = _STATUS_ALIASES.get(rec["status"].strip().lower())
            if status:
                rec["status"] = status
            else:
                log.warning("%s：%s 的效力“%s”无法识别（可用 现行/已废止），已忽略", path, name, rec["status"])
                del rec["status"]
        out[name] = rec
    return out
