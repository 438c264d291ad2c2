"""Revision history from a regulation's header lines, and the work title that groups revisions.

Laws, regulations and 党内法规 print how the text came to be above the first chapter::

    2005年4月27日 第十届全国人民代表大会常务委员会第十五次会议通过
    2017年9月1日 ……《关于修改〈中华人民共和国法官法〉等八部法律的决定》修正
    2018年12月29日 第十三届全国人民代表大会常务委员会第七次会议修订

The text's own date is the latest of these acts (not the first adoption), and it names the version a
reader must quote ("2018年12月29日修订"). 施行 dates count only when nothing else is printed: a text is
the same text before and after it takes effect.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["RevisionEvent", "RevisionInfo", "parse_revisions", "work_title"]

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<cy>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<cm>[一二三四五六七八九十]{1,2})\s*月\s*(?P<cd>[一二三四五六七八九十]{1,3})\s*日")
# Acts in order of precedence when one clause names several ("通过的《关于修改…的决定》修正" is a 修正).
_KINDS = ("修订", "修正", "批准", "通过", "公布", "发布", "印发", "施行")
_TEXT_KINDS = frozenset(_KINDS) - {"施行"}
_ADOPTION = ("通过", "公布", "发布", "印发", "批准")
_QUOTED = re.compile(r"《[^》]*》|〈[^〉]*〉|<[^>]*>")
_INFO_END = "<!-- INFO END -->"
_BODY_START = re.compile(r"^(?:#{1,6}\s*)?(?:第[一二三四五六七八九十百零〇0-9]+[编章节条]|目\s*录|序\s*言)")
_DOC_NUMBER_RE = re.compile(r"(?:[\u4e00-\u9fff]{1,10}〔\d{4}〕\d{1,4}号|[\u4e00-\u9fff]{1,12}令第\s*\d{1,4}\s*号)")


@dataclass
class RevisionEvent:
    date: str
    """ISO ``YYYY-MM-DD``."""
    kind: str
    """修订 | 修正 | 批准 | 通过 | 公布 | 发布 | 印发 | 施行"""
    clause: str
    """The header text of this act, as printed."""


@dataclass
class RevisionInfo:
    events: list[RevisionEvent] = field(default_factory=list)
    """Every dated act of the header, oldest first."""
    date: str = ""
    """ISO date of this text: its latest revision, or its adoption / promulgation."""
    version: str = ""
    """``2024年12月25日修正``, ``2020年6月20日通过``."""
    first_date: str = ""
    """ISO date of first adoption."""
    issuer: str = ""
    doc_number: str = ""

    @property
    def history(self) -> list[str]:
        return [f"{e.date} {e.kind}" for e in self.events]

    @property
    def revised(self) -> bool:
        return any(e.kind in ("修订", "修正") for e in self.events)


def _cn_small(s: str) -> int:
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN_DIGIT.get(a, 1) if a else 1) * 10 + (_CN_DIGIT.get(b, 0) if b else 0)
    return _CN_DIGIT.get(s, 0)


def _iso(m: re.Match[str]) -> str:
    if m.group("y"):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    else:
        y = int("".join(str(_CN_DIGIT[c]) for c in m.group("cy")))
        mo, d = _cn_small(m.group("cm")), _cn_small(m.group("cd"))
    if not (1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"


def header_lines(text: str, limit: int = 40) -> list[str]:
    """The lines between the title and the body: up to ``<!-- INFO END -->`` or the first chapter / article."""
    lines = text.split("\n")
    if _INFO_END in text[:6000]:
        head = text[: text.index(_INFO_END)].split("\n")
        return [s.strip() for s in head if s.strip() and not s.lstrip().startswith("# ")][:limit]
    out = []
    for s in lines[:limit]:
        t = s.strip()
        if not t:
            continue
        if _BODY_START.match(t) or (len(t) > 80 and "。" in t and not _DATE_RE.search(t)):
            break
        out.append(t)
    return out


def _kind(clause: str) -> str:
    bare = _QUOTED.sub("", clause)
    if re.search(r"修正案", clause) and not re.search(r"修[订正](?!案)", bare):
        return "修正"  # 宪法: "……通过的《中华人民共和国宪法修正案》"
    for hay in (bare, clause):  # "《……的决定修正》": a misplaced mark still names the act
        for k in _KINDS:
            if k in hay:
                return k
    return ""


def _issuer(clause: str) -> str:
    bare = re.sub(r"^\s*[（(]?\s*", "", _DATE_RE.sub("", clause, count=1)).strip()
    if m := re.match(r"(中共中央|中央办公厅|国务院办公厅|国务院|中央纪委|中共中央办公厅)", bare):
        return m.group(1)
    m = re.match(r"(?:中华人民共和国)?(.*?)(?:第[一二三四五六七八九十百0-9]+次(?:全体|常务)?会议|令第|公告)", bare)
    if not m:
        return ""
    body = re.sub(r"第[一二三四五六七八九十百0-9]+届", "", m.group(1)).strip(" 　")
    return body if 2 <= len(body) <= 30 and not re.search(r"[，。；《》]", body) else ""


def parse_revisions(text: str) -> RevisionInfo:
    """Dated acts of the header (see module docstring); an empty record when the header prints none."""
    head = " ".join(header_lines(text))
    info = RevisionInfo()
    if not head:
        return info
    dates = [m for m in _DATE_RE.finditer(head) if _iso(m)]
    for i, m in enumerate(dates):
        end = dates[i + 1].start() if i + 1 < len(dates) else len(head)
        clause = head[m.start():end]
        if re.search(r"(?:自|于)\s*$", head[max(0, m.start() - 2):m.start()]):
            kind = "施行"  # "自2007年6月1日起施行"
        else:
            kind = _kind(clause)
            if not kind:
                continue
        info.events.append(RevisionEvent(date=_iso(m), kind=kind, clause=clause.strip(" （()）")))
    if not info.events:
        return info
    info.events.sort(key=lambda e: e.date)
    texts = [e for e in info.events if e.kind in _TEXT_KINDS] or info.events
    last = max(texts, key=lambda e: (e.date, e.kind in ("修订", "修正")))
    info.date = last.date
    y, mo, d = (int(x) for x in last.date.split("-"))
    info.version = f"{y}年{mo}月{d}日{last.kind}"
    adopted = [e for e in info.events if e.kind in _ADOPTION]
    info.first_date = (adopted or info.events)[0].date
    info.issuer = _issuer(last.clause) or next((_issuer(e.clause) for e in reversed(info.events) if _issuer(e.clause)), "")
    number = _DOC_NUMBER_RE.search(head)
    if number:
        info.doc_number = re.sub(r"^(?:中华人民共和国)", "", number.group(0)).replace(" ", "")
    return info


_TITLE_PREFIX = re.compile(r"^(?:中华人民共和国|中国共产党)")
_TITLE_SUFFIX = re.compile(r"\s*[（(](?:[^（()）]*(?:\d{4}|修订|修正|试行|草案|暂行|年)[^（()）]*)[)）]\s*$")


def work_title(title: str, file_name: str = "") -> str:
    """The title that groups revisions of one work: no 中华人民共和国 / 中国共产党 prefix, no （试行）,
    （2023年修订） or file-name date suffixes, no book-title marks or spaces.

    ``中华人民共和国监察法`` and ``监察法(2024-12-25)`` → ``监察法``.
    """
    t = (title or file_name or "").strip()
    t = re.sub(r"\.(?:md|txt|docx?|pdf|html?)$", "", t, flags=re.I)
    t = re.sub(r"[\s\u3000]+", "", t).strip("《》“”\"'")
    prev = None
    while prev != t:
        prev = t
        t = _TITLE_SUFFIX.sub("", t)
        t = _TITLE_PREFIX.sub("", t)
    return t
