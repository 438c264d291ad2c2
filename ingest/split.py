"""Structure-aware splitting of cleaned policy / regulation text into passages.

The text is never modified: every chunk is a verbatim slice ``text[start:end]``.
Headings (Markdown, 第X编/章/节, 一、（一）1.（1）, short unnumbered lines) build a
heading path; 第X条 articles are kept whole up to ``article_max``; body paragraphs
are packed to about ``target`` characters and never exceed ``max_chars``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["Chunk", "detect_heading", "split_document"]


@dataclass
class Chunk:
    text: str
    heading_path: list[str]
    start: int
    end: int


# --- levels (smaller = shallower) -------------------------------------------------
# Markdown '#'*n -> n; unnumbered headings -> LVL_PLAIN, resolved per document to the
# "top body level" (see _Splitter._plain_level).
LVL_PLAIN = 0
LVL_PART, LVL_CHAPTER, LVL_SECTION = 2, 3, 4
LVL_CN, LVL_PCN, LVL_AR, LVL_PAR, LVL_CIRC = 5, 6, 7, 8, 9
_STRUCT_LEVEL = {"编": LVL_PART, "部分": LVL_PART, "章": LVL_CHAPTER, "节": LVL_SECTION}

_CN = "〇零一二三四五六七八九十百千两"
_NUM = rf"[{_CN}0-9０-９]+"
_ZW = "\u200b\u200c\u200d\u2060\ufeff"

_MD_RE = re.compile(r"#{1,6}(?=[ \t\u3000])")
_ARTICLE_RE = re.compile(rf"第{_NUM}条(?:之[{_CN}]+)?(?![的、，,。及与或第至款项中])")
_STRUCT_RE = re.compile(rf"第{_NUM}(编|章|节|部分)(?![的、，,。及与或第至款项中规])")
_NUMBERED = [  # (regex, level, max heading length)
    (re.compile(rf"[{_CN}]+、"), LVL_CN, 60),
    (re.compile(rf"[（(][{_CN}]+[）)]"), LVL_PCN, 60),
    (re.compile(r"[0-9０-９]{1,3}(?:[.．、](?![0-9０-９])|[ \u3000])"), LVL_AR, 40),
    (re.compile(r"[（(][0-9０-９]{1,3}[）)]"), LVL_PAR, 40),
    (re.compile(r"[①-⑳]"), LVL_CIRC, 40),
]
_ANNEX_RE = re.compile(rf"附\s*[件录表]\s*[{_CN}0-9]*(?:[：:\s].{{0,40}})?$")
_DATE_HEAD_RE = re.compile(
    r"[（(]?\s*(?:\d{4}|[〇零一二三四五六七八九]{4}|××××)\s*[年\-/.]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|××)"
    r"\s*[月\-/.]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}|××)")
_DATE_TAIL_RE = re.compile(r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_SOURCE_RE = re.compile(
    r"(?:来源|作者|责任编辑|编辑|记者|通讯员|供稿|摄影|审核|签发|送签|发布时间|发布日期|更新时间|浏览次数|阅读次数|"
    r"点击数|字号|投稿邮箱|当前位置)\s*[:：/]|打印本页|关闭窗口|分享到|Copyright|版权所有|ICP备|公网安备|©|>>|\s\|\s|\|$|https?://|www\.",
    re.I)
_NO_HEAD_END = set("。！？；：，、,;:!?…")
_SENT_END = set("。！？!?")
_CLOSERS = "”’」』）)】\"'"
_LEAD_RE = re.compile(r"([^。！？；;!?：:\n]{2,16})。")
_DASH_LEAD_RE = re.compile(r"—{2,}\s*([^。！？；;!?\n]{2,40}?)[。：:]")
_ORDINAL_LEAD_RE = re.compile(r"((?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+，)[^。！？；;!?\n]{2,30}?)[。：:]")
_FIRST_NUM_RE = re.compile(r"[（(]?[一1１][、.．）)]")
_PUSH_LEVELS = (LVL_CN, LVL_PCN)
_NUM_LEAD_RE = re.compile(r"([^。！？；;!?：:\n]{1,30})[。：:]")
_WORD_RE = re.compile(r"\w")
_NORM_RE = re.compile(r"[\W_]+")
_COMMENT_RE = re.compile(r"<!--.*?-->")
_SPACES_RE = re.compile(r"[\s\u3000]+")

_SENT_PAT = re.compile(r"[。！？!?；;]+[" + re.escape(_CLOSERS) + r"]*|\n+")
_COMMA_PAT = re.compile(r"[，,、：:]")


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _ZW


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and _is_space(text[s]):
        s += 1
    while e > s and _is_space(text[e - 1]):
        e -= 1
    return s, e


def _strip(s: str) -> str:
    return s.strip().strip(_ZW).strip()


def _last_meaningful(s: str) -> str:
    """Last char, looking through closing quotes/brackets ('…。”' -> '。')."""
    t = s.rstrip(_CLOSERS)
    return t[-1] if t else (s[-1] if s else "")


def _is_dateline(s: str) -> bool:
    if len(s) > 40 or _last_meaningful(s) in _SENT_END:
        return False
    return bool(_DATE_HEAD_RE.match(s) or _DATE_TAIL_RE.search(s))


def _is_source(s: str) -> bool:
    return len(s) <= 100 and bool(_SOURCE_RE.search(s))


def _headinglike(s: str, max_len: int) -> bool:
    if len(s) > max_len or not s:
        return False
    if _last_meaningful(s) in _NO_HEAD_END or s[-1] in _NO_HEAD_END:
        return False
    return not any(c in s for c in "。！？!?")


def _plain_candidate(s: str) -> bool:
    """Short standalone line without terminal punctuation (unnumbered heading candidate)."""
    if not _headinglike(s, 40) or len(_WORD_RE.findall(s)) < 2:
        return False
    if s.startswith(("——", "<!--", "|", "-", "*", ">", "`")) or "|" in s:
        return False
    if s[0] in "（(" and s[-1] in "）)":
        return False  # parenthetical note: （1950年…通过）, （院印）
    return not (_is_dateline(s) or _is_source(s))


# kinds for the first (line-local) pass
K_BLANK, K_BODY, K_META, K_MD, K_STRUCT, K_NUM, K_NUMPARA, K_PLAIN, K_ARTICLE, K_TITLE = range(10)


def _classify(s: str):
    """Line-local classification of a stripped, non-empty line -> (kind, level, text).

    text: heading text (headings), article id (articles), lead phrase or None (paragraphs)."""
    kind, lvl, txt = _classify_raw(s)
    return kind, lvl, (_SPACES_RE.sub(" ", txt) if txt else txt)


def _classify_raw(s: str):
    if s.startswith("#"):
        m = _MD_RE.match(s)
        if m:
            body = _COMMENT_RE.sub("", s[m.end():]).strip().rstrip("#").strip()
            if body:
                return K_MD, m.end(), body
    m = _ARTICLE_RE.match(s)
    if m:
        return K_ARTICLE, 0, m.group(0)
    m = _STRUCT_RE.match(s)
    if m and _headinglike(s, 50):
        return K_STRUCT, _STRUCT_LEVEL[m.group(1)], s
    for rx, lvl, mx in _NUMBERED:
        m = rx.match(s)
        if m:
            if _headinglike(s, mx):
                return K_NUM, lvl, s
            lead = None
            lm = _NUM_LEAD_RE.match(s, m.end())
            if lm and lm.end() < len(s) and len(lm.group(1).strip()) >= 2:
                lead = s[:lm.end() - 1].strip()
            return K_NUMPARA, lvl, lead
    if _ANNEX_RE.match(s) and len(s) <= 50:
        return K_PLAIN, LVL_PLAIN, s
    if _plain_candidate(s):
        return K_PLAIN, LVL_PLAIN, s
    if _is_dateline(s) or _is_source(s) or s.startswith("<!--"):
        return K_META, 0, None
    return K_BODY, 0, _lead_of(s)


def _lead_of(s: str) -> str | None:
    m = _DASH_LEAD_RE.match(s) or _ORDINAL_LEAD_RE.match(s)
    if m and m.end() < len(s):
        return m.group(1).strip()
    m = _LEAD_RE.match(s)
    if m and m.end() < len(s):
        lead = m.group(1).strip()
        if len(lead) >= 2 and lead.count("“") == lead.count("”") and not lead[0].isdigit():
            return lead
    return None


def detect_heading(line: str) -> tuple[int, str] | None:
    """(level, heading text) for a heading-looking line, else None.

    Levels: Markdown '#'*n -> n; 第X编/部分 2, 章 3, 节 4; 一、5, （一）6, 1. 7, （1）8, ① 9;
    unnumbered short line -> 0 (top body level, resolved in context by split_document).
    """
    s = _strip(line)
    if not s:
        return None
    kind, lvl, txt = _classify(s)
    if kind in (K_MD, K_STRUCT, K_NUM, K_PLAIN):
        return lvl, txt
    return None


# --- splitting long spans ----------------------------------------------------------

def _atoms(text: str, s: int, e: int, pat: re.Pattern) -> list[tuple[int, int]]:
    out, pos = [], s
    for m in pat.finditer(text, s, e):
        if m.end() > pos:
            out.append((pos, m.end()))
            pos = m.end()
    if pos < e:
        out.append((pos, e))
    return out


def _split_span(text: str, s: int, e: int, limit: int, min_len: int) -> list[tuple[int, int]]:
    """Cut text[s:e] into trimmed pieces <= limit, preferring sentence ends, then commas, then hard cuts."""
    limit = max(1, limit)
    stack = [(a, b, 0) for a, b in reversed(_atoms(text, s, e, _SENT_PAT))]
    out: list[tuple[int, int]] = []
    ps = pe = -1
    goal = float(limit)

    def refine(a: int, b: int, lvl: int) -> None:
        if lvl == 0:
            sub = _atoms(text, a, b, _COMMA_PAT)
            if len(sub) > 1:
                stack.extend((x, y, 1) for x, y in reversed(sub))
                return
        n = math.ceil((b - a) / limit)
        size = math.ceil((b - a) / n)
        stack.extend((x, min(b, x + size), 2) for x in reversed(range(a, b, size)))

    def emit() -> None:
        a, b = _trim(text, ps, pe)
        if a < b:
            out.append((a, b))

    while stack:
        a, b, lvl = stack.pop()
        if ps < 0:
            a, b2 = _trim(text, a, b)
            if a >= b2:
                continue
            if b - a > limit:
                refine(a, b, lvl)
                continue
            ps, pe = a, b
            rem = e - a
            goal = rem / math.ceil(rem / limit)
            continue
        cur, new = pe - ps, b - ps
        if new <= limit and (cur < min_len or new - goal <= goal - cur):
            pe = b
            continue
        if new > limit and cur < min_len:
            if lvl < 2 and b - a > 1:
                before = len(stack)
                refine(a, b, lvl)
                if len(stack) - before > 1:
                    continue
                stack.pop()
            cut = ps + limit
            if a < cut < b:  # hard cut to fill the current piece
                stack.append((cut, b, 2))
                pe = cut
                emit()
                ps = pe = -1
                continue
        emit()
        ps = pe = -1
        stack.append((a, b, lvl))
    if ps >= 0:
        emit()
    return out


# --- main --------------------------------------------------------------------------

@dataclass
class _Unit:
    start: int
    end: int
    kind: str                 # 'para' | 'article'
    extra: tuple = ()         # lead phrase(s) appended to the section path
    brk: bool = False         # prefer to start a new chunk here
    art: str = ""
    own_len: int = 0


@dataclass
class _Rec:
    start: int
    end: int
    extras: list = field(default_factory=list)
    arts: list = field(default_factory=list)
    n_paras: int = 0
    solo: bool = False
    sec: int = 0


def _norm(s: str) -> str:
    return _NORM_RE.sub("", s.lstrip("#")).lower()


def _is_title_line(s: str, ntitle: str, index: int, found: bool, kind: int, lvl: int) -> bool:
    if not ntitle or kind == K_ARTICLE or len(s) > len(ntitle) + 24:
        return kind == K_MD and lvl == 1 and not found and index < 10
    n = _norm(s)
    if n == ntitle:
        return True
    if found or index >= 10:
        return False
    if kind == K_MD and lvl == 1:
        return True
    if ntitle in n and len(n) <= len(ntitle) + 8:
        return True
    return len(n) >= 4 and n in ntitle and len(n) >= 0.6 * len(ntitle)


def split_document(text: str, title: str, target: int = 320, max_chars: int = 640,
                   article_max: int = 1200, min_chars: int = 80) -> list[Chunk]:
    """Split cleaned document text into verbatim, structure-aware chunks (see module doc)."""
    return _Splitter(text, title, max(1, min(target, max_chars)), max_chars,
                     max(article_max, max_chars), min_chars).run()


class _Splitter:
    def __init__(self, text: str, title: str, target: int, max_chars: int, article_max: int,
                 min_chars: int) -> None:
        self.text, self.title = text, title
        self.target, self.max_chars, self.article_max, self.min_chars = target, max_chars, article_max, min_chars
        self.chunks: list[_Rec] = []
        self.stack: list[tuple[int, str]] = []     # (level, heading text)
        self.units: list[_Unit] = []               # body units of the current section
        self.sec = 0
        self.sec_paths: dict[int, list[str]] = {}
        self.pending: tuple[int, int] | None = None  # heading lines still waiting for body
        self.art: list | None = None               # open article: [start, end, id, own_start]

    # -- lines ----------------------------------------------------------------
    def _scan(self) -> None:
        text = self.text
        spans: list[tuple[int, int]] = []
        pos, n = 0, len(text)
        while pos <= n:
            nl = text.find("\n", pos)
            if nl < 0:
                nl = n
            a, b = _trim(text, pos, nl)
            if a < b:
                spans.append((a, b))
            pos = nl + 1
        ntitle = _norm(self.title or "")
        cls = []
        found = False
        for i, (a, b) in enumerate(spans):
            s = text[a:b]
            kind, lvl, txt = _classify(s)
            if (kind not in (K_BODY, K_META) or i < 10) and _is_title_line(s, ntitle, i, found, kind, lvl):
                found = True
                kind = K_TITLE
            cls.append((kind, lvl, txt))
        # >= 3 consecutive candidates of the same kind and level form a list, not headings
        is_list = [False] * len(cls)
        i = 0
        while i < len(cls):
            k, lv, _ = cls[i]
            j = i + 1
            if k in (K_PLAIN, K_NUM):
                while j < len(cls) and cls[j][0] == k and cls[j][1] == lv:
                    j += 1
                if j - i >= 3:
                    is_list[i:j] = [True] * (j - i)
            i = j
        self.spans, self.cls, self.is_list = spans, cls, is_list
        self.plain_level = self._plain_level()

    def _plain_level(self) -> int:
        """Level of unnumbered headings ("top body level").

        They are siblings of the shallowest explicit structure (第X章, 一、 ...), unless the
        top numbering restarts at 一/1 (then something above it holds the parts: the
        unnumbered headings become their parents)."""
        struct = [lv for k, lv, _ in self.cls if k in (K_MD, K_STRUCT)]
        nums = [(lv, i) for i, (k, lv, txt) in enumerate(self.cls)
                if (k == K_NUM and not self.is_list[i]) or (k == K_NUMPARA and txt and lv in _PUSH_LEVELS)]
        top_struct = min(struct) if struct else None
        if nums:
            top_num = min(lv for lv, _ in nums)
            firsts = sum(1 for lv, i in nums if lv == top_num
                         and _FIRST_NUM_RE.match(self.text, self.spans[i][0], self.spans[i][1]))
            if firsts < 2:
                return min(top_num, top_struct) if top_struct else top_num
        return top_struct if top_struct else 1

    # -- sections -------------------------------------------------------------
    def path(self) -> list[str]:
        return [self.title] + [t for _, t in self.stack]

    def close_article(self) -> None:
        if self.art:
            s, e, art_id, own = self.art
            self.units.append(_Unit(s, e, "article", art=art_id, own_len=e - own))
            self.art = None

    def flush(self) -> None:
        self.close_article()
        if self.units:
            self.sec += 1
            self.sec_paths[self.sec] = self.path()
            _pack(self.text, self.units, self.sec, self.chunks, self.target, self.max_chars,
                  self.article_max, self.min_chars)
            self.units = []

    def enter(self, level: int, htxt: str | None) -> None:
        """Start a new section: close the current one, pop siblings/deeper, push the heading."""
        self.flush()
        if level == LVL_PLAIN:
            level = self.plain_level
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        if htxt:
            self.stack.append((level, htxt))

    def push(self, level: int, htxt: str, a: int, b: int) -> None:
        """A heading line: it opens the first chunk of its section."""
        self.enter(level, htxt)
        self.pending = (self.pending[0] if self.pending else a, b)

    def take_start(self, a: int) -> int:
        if self.pending:
            a = self.pending[0]
            self.pending = None
        return a

    # -- main loop ------------------------------------------------------------
    def _is_heading(self, i: int, kind: int, lvl: int, prev_heading: bool, demoted: tuple | None) -> bool:
        """Context rules for numbered / unnumbered heading candidates."""
        text, spans, cls = self.text, self.spans, self.cls
        s = text[spans[i][0]:spans[i][1]]
        if kind == K_PLAIN and _ANNEX_RE.match(s):
            return True
        nk = cls[i + 1][0] if i + 1 < len(cls) else K_BLANK
        prev_end = _last_meaningful(text[spans[i - 1][0]:spans[i - 1][1]]) if i > 0 else "。"
        if self.art:  # inside an article only a heading right before the next article ends it
            return (nk == K_ARTICLE and (prev_heading or prev_end in "。！？!?")
                    and (kind == K_PLAIN or lvl == LVL_CN))
        if self.is_list[i] or prev_end in "：:" or demoted == (kind, lvl):
            return False  # list item
        if kind == K_PLAIN:
            return nk not in (K_BLANK, K_META)
        return True

    def run(self) -> list[Chunk]:
        self._scan()
        text = self.text
        prev_heading = False
        demoted: tuple | None = None   # (kind, level) of the last candidate demoted to a list item
        for i, (a, b) in enumerate(self.spans):
            kind, lvl, txt = self.cls[i]
            if kind == K_TITLE:  # the document title line is not a section heading (excluded)
                self.flush()
                self.stack.clear()
                self.pending = None
                prev_heading = True
                continue
            if kind in (K_MD, K_STRUCT) or (kind in (K_NUM, K_PLAIN)
                                             and self._is_heading(i, kind, lvl, prev_heading, demoted)):
                self.push(lvl, txt, a, b)
                prev_heading, demoted = True, None
                continue
            prev_heading = False
            demoted = (kind, lvl) if kind in (K_NUM, K_PLAIN) else None
            if kind == K_ARTICLE:
                self.close_article()
                self.art = [self.take_start(a), b, txt, a]
                continue
            if self.art:
                self.art[1] = b
                continue
            extra: tuple = ()
            if kind == K_NUMPARA:
                # '（二）标题。正文…': an inline-headed part (一、/（一）) heads the paragraphs that
                # follow; other numbered paragraphs are list items naming only their own passage
                if txt and lvl in _PUSH_LEVELS:
                    self.enter(lvl, txt)
                else:
                    if self.stack and self.stack[-1][0] >= lvl:
                        self.enter(lvl, None)
                    if txt:
                        extra = (txt,)
            elif kind == K_BODY and txt:
                extra = (txt,)
            self.units.append(_Unit(self.take_start(a), b, "para", extra=extra, brk=bool(extra)))
        self.flush()
        if self.pending:  # trailing headings without body
            self.sec += 1
            self.sec_paths[self.sec] = self.path()
            self.chunks.append(_Rec(self.pending[0], self.pending[1], sec=self.sec))
        recs = _merge_small_sections(self.chunks, self.sec_paths, self.max_chars, self.min_chars)
        out = []
        for r in recs:
            a, b = _trim(text, r.start, r.end)
            if a < b:
                out.append(Chunk(text[a:b], _rec_path(r, self.sec_paths[r.sec]), a, b))
        return out


def _rec_path(r: _Rec, base: list[str]) -> list[str]:
    if r.arts and r.n_paras == 0 and len(set(r.arts)) == 1:
        return base + [r.arts[0]]
    if r.extras and not r.arts and all(x == r.extras[0] for x in r.extras):
        return base + list(r.extras[0])
    return list(base)


def _pack(text: str, units: list[_Unit], sec: int, out: list[_Rec], target: int, max_chars: int,
          article_max: int, min_chars: int) -> None:
    first = len(out)
    cur: _Rec | None = None

    def new(u: _Unit) -> _Rec:
        r = _Rec(u.start, u.end, sec=sec)
        add(r, u)
        return r

    def add(r: _Rec, u: _Unit) -> None:
        r.end = u.end
        if u.kind == "article":
            r.arts.append(u.art)
        else:
            r.n_paras += 1
            r.extras.append(u.extra)

    for u in units:
        ulen = u.end - u.start
        if u.kind == "article" and u.own_len > article_max:
            if cur:
                out.append(cur)
                cur = None
            for a, b in _split_span(text, u.start, u.end, max_chars, min_chars):
                out.append(_Rec(a, b, arts=[u.art], solo=True, sec=sec))
            continue
        if u.kind == "para" and ulen > max_chars:
            start, extras0 = u.start, [u.extra]
            if cur and cur.end - cur.start < min_chars and not cur.arts and not cur.solo:
                start, extras0 = cur.start, cur.extras + [u.extra]
            elif cur:
                out.append(cur)
            cur = None
            pieces = _split_span(text, start, u.end, max_chars, min_chars)
            for k, (a, b) in enumerate(pieces):
                r = _Rec(a, b, extras=list(extras0) if k == 0 else [u.extra], n_paras=1, sec=sec)
                if k < len(pieces) - 1:
                    out.append(r)
                else:
                    cur = r
            continue
        if cur is not None:
            clen, comb = cur.end - cur.start, u.end - cur.start
            join = not cur.solo and (comb <= target or (clen < min_chars and comb <= max_chars))
            if u.brk and clen >= min_chars:
                join = False
            if join:
                add(cur, u)
                continue
            out.append(cur)
        cur = new(u)
    if cur:
        out.append(cur)
    # a tiny tail joins its predecessor in the same section
    if len(out) - first >= 2:
        last, prev = out[-1], out[-2]
        if (last.end - last.start < min_chars and not last.solo and not prev.solo
                and last.end - prev.start <= max_chars):
            prev.end = last.end
            prev.extras += last.extras
            prev.arts += last.arts
            prev.n_paras += last.n_paras
            out.pop()


def _merge_small_sections(chunks: list[_Rec], sec_paths: dict[int, list[str]], max_chars: int,
                          min_chars: int) -> list[_Rec]:
    """A one-chunk section shorter than min_chars merges into the next sibling section's first chunk."""
    if len(chunks) < 2:
        return chunks
    count: dict[int, int] = {}
    for r in chunks:
        count[r.sec] = count.get(r.sec, 0) + 1
    out: list[_Rec] = []
    i = 0
    next_sec = max(sec_paths) + 1
    while i < len(chunks):
        r = chunks[i]
        if i + 1 < len(chunks):
            nx = chunks[i + 1]
            p, q = sec_paths[r.sec], sec_paths[nx.sec]
            if (count[r.sec] == 1 and nx.sec != r.sec and r.end - r.start < min_chars
                    and not r.arts and not nx.arts and not r.solo and not nx.solo
                    and len(p) == len(q) and len(p) > 1 and p[:-1] == q[:-1]
                    and nx.end - r.start <= max_chars):
                sec_paths[next_sec] = p[:-1]
                merged = _Rec(r.start, nx.end, extras=[()], n_paras=r.n_paras + nx.n_paras, sec=next_sec)
                count[next_sec] = 1 if count[nx.sec] == 1 else 2
                next_sec += 1
                # the rest of nx's section keeps its own path
                out.append(merged)
                i += 2
                continue
        out.append(r)
        i += 1
    return out
