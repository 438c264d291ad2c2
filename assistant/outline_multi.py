"""Topic synthesis for 研讨提纲 across many documents, and regulation topics by the regulations' structure.

:func:`gather` reads every passage of the scope (texts in force only) and keeps the sentences that are
*about* the topic: a sentence naming the topic, or one under a heading naming it that also uses at least
:data:`UNDER_HEADING_WORDS` words of the topic's vocabulary (words several documents use in sentences naming
the topic) — a heading alone is not enough: under "因地制宜发展新质生产力" a report also writes about
安全生产. Headings repeated as sentences, reviews of past years and a report's general framing are left out.

:func:`themes` clusters those sentences by the words the documents share (a word's weight: how many
documents use it with the topic × how rare it is in the library), names each theme by the clause the
documents use most, picks 2–4 points per theme spread over as many documents as possible, and writes a
共同点/差异 line (“多数省份提出……；上海、广东还提出……”).

:func:`regulation_sections` groups a regulation topic's articles into kinds → applicable circumstances →
procedures → remedies, each point “《法规》第X条：……”.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from policyqa.types import DocumentMeta, Hit

from .grounding import norm, split_sentences
from .retrieve import near_duplicate

__all__ = ["Gathered", "SynthSection", "TopicSentence", "clean_source", "doc_label", "gather", "is_heading_like",
           "regulation_sections", "themes"]

MIN_SENTENCE = 18
"""A shorter sentence states nothing beyond a heading."""
THEME_MIN_DOCS = 2
"""A theme word must be used with the topic by this many documents (multi-document topics)."""
THEME_MAX_OVERLAP = 0.5
"""A theme word whose sentences are mostly another theme's is not a theme of its own."""
COMMON_WORD = 0.01
"""A word in more than this share of the library's passages is too common to tell documents apart."""
UNDER_HEADING_WORDS = 3
"""Words of the topic's vocabulary a sentence under a heading naming the topic must use (else it is
about something else that the heading's section also covers)."""
FEW_PASSAGES = 4
"""Fewer relevant passages than this: the outline says the library has little on the topic."""

_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.、．]\s*)")
_ARTICLE_START = re.compile(r"(?m)^\s*(第[一二三四五六七八九十百零]+条)\s*")
_HEADER = re.compile(r"来源[:：]|作者[:：]|责任编辑|<!--|INFO END|会议通过|修正\s*$|修订\s*$")
_URL = re.compile(r"https?://\S*|www\.\S*|\S*(?:proxy|login|ezproxy)\S*", re.I)
_GENERIC_LEAD = re.compile(r"(?:全面|加快|推动|推进|深入|实施|建设|加强|持续|积极|大力|着力|不断|进一步|更加|高水平|突出|发挥"
                           r"|促进|提升|培育|打造|强化|完善|支持|构建|发展|优化|深化|扩大|提高|坚持|聚焦|围绕|突破)")
"""A word opening with a verb or adverb like these says what is done, not what a document adds."""
_FACT = re.compile(r"\d|每年|至少|[一二两三四五六七八九十百千万亿]+(?:个|项|种|次|家|亿元|万)")
_REQ = re.compile(r"加快|推动|推进|实施|建设|培育|打造|支持|加强|完善|提升|健全|落实|壮大|布局|建立|开展|深化")
_STOP = {
    "加快", "推动", "推进", "实施", "建设", "培育", "打造", "支持", "加强", "完善", "提升", "健全", "落实", "壮大",
    "布局", "建立", "开展", "深化", "发展", "坚持", "全面", "深入", "积极", "持续", "更加", "进一步", "大力", "着力",
    "不断", "努力", "重点", "工作", "我们", "全省", "全市", "全区", "今年", "明年", "以上", "以下", "一批", "一体",
    "体系", "水平", "能力", "质量", "高质量", "推动力", "加速", "因地制宜", "实现", "形成", "聚焦", "围绕", "统筹",
    "更好", "新型", "现代化", "国家", "中国", "我国", "地方", "领域", "方面", "重要", "主要", "有关", "相关", "规定",
    "应当", "可以", "进行", "依法", "以及", "其他", "本法", "条例", "法律", "有效", "机制", "制度", "强化", "优化",
    "提高", "促进", "扩大", "增强", "力争", "行动", "工程", "计划", "项目", "一个", "两个", "各类", "新兴", "建成",
    "构建", "融合", "创建", "突破", "引领", "协同", "组织", "人员", "单位", "政府", "部门", "作为", "成为",
    "我省", "我市", "我区", "方向", "先进", "动能", "稳中求进", "总基调", "优势", "特色", "主题", "目标", "任务",
    "坚定", "有序", "大力发展", "高质量发展", "合理", "深度", "高效", "现代", "产业体系", "发展新", "新质", "生产力", "增长", "亿元", "万元", "超过", "达到", "新增", "取得", "成效", "显著",
}


_WORD_CACHE: dict[str, frozenset[str]] = {}
"""Words of each passage by passage id (ids change with the content, so entries never go stale)."""


@dataclass
class TopicSentence:
    hit: Hit
    text: str
    order: tuple[int, int]
    score: float = 0.0
    words: set[str] = field(default_factory=set)
    direct: bool = True
    """Names the topic itself (else: stands under a heading that names it and shares its vocabulary)."""


@dataclass
class Gathered:
    sentences: list[TopicSentence]
    passages: dict[str, Hit]
    """Relevant passages by id."""
    docs: dict[str, DocumentMeta]
    """Documents with relevant passages."""
    scope_docs: int
    """Documents in the scope."""
    doc_freq: dict[str, int]
    """Passages of the scope containing each word (for rarity)."""
    n_passages: int


@dataclass
class SynthPoint:
    text: str
    pids: list[str]
    origin: str = "extract"


@dataclass
class SynthSection:
    heading: str
    points: list[SynthPoint]
    doc_ids: list[str]


def clean_source(text: str) -> str:
    """A source line without web addresses (a URL or a library proxy/login address is no source for a reader)."""
    t = _URL.sub("", text or "")
    return re.sub(r"[\s，,；;]+$", "", re.sub(r"^[\s，,；;]+", "", t)).strip()


def doc_label(meta: DocumentMeta | None, title: str) -> str:
    """How a synthesis line names a document: its province (上海) or its short title."""
    from .scope import places_of

    if meta is not None and meta.doc_type == "work_report":
        places = places_of(meta)
        if places:
            return places[0]
    t = re.sub(r"^中华人民共和国", "", title or (meta.title if meta else ""))
    return f"《{t}》"


def is_heading_like(text: str, headings: list[str]) -> bool:
    """A heading repeated as a sentence: numbered, equal to a heading, or a short clause stating nothing."""
    t = text.strip()
    if _NUMBERING.match(t):
        return True
    b = norm(t).strip("。.：:；; ")
    if any(b == norm(_NUMBERING.sub("", h)).strip("。.：: ") for h in headings if h):
        return True
    return len(b) < MIN_SENTENCE or not re.search(r"[，,、；;：:]", b)


_HEAD_NOUNS = {"产业", "技术", "经济", "制造", "能源", "材料", "智能", "平台", "企业", "服务", "市场", "设施", "要素",
               "集群", "装备", "医药", "场景", "农业", "消费", "数据", "治理", "环境", "安全", "生态"}
"""Second halves of compound terms the dictionary splits (未来+产业, 生物+制造): the pair is a word too."""


def _words(text: str) -> set[str]:
    import jieba

    from policyqa.sparse import tokenize
    from policyqa.textnorm import normalize_for_index

    out = {w for w in tokenize(text) if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+|[A-Za-z]+\d*|\d+G", w)
           and w not in _STOP}
    seq = jieba.lcut(normalize_for_index(text))
    for a, b in zip(seq, seq[1:]):
        if b in _HEAD_NOUNS and len(a) == 2 and a not in _STOP and re.fullmatch(r"[\u4e00-\u9fff]+", a) \
                and a + b not in out:
            out.add(a + b)
            _PAIRS.add(a + b)
    return out


_PAIRS: set[str] = set()
"""Words made by joining two tokens: good theme words (生物制造), too loose to name what one document adds."""


_FRAMING_HEAD = re.compile(r"回顾|成就|总结|过去|主要考虑|总体要求|指导思想|发展环境|形势")
_FRAMING = re.compile(r"^(?:五年来|过去|一年来|回顾|在看到成绩|从[^，,]{1,8}看|同时也要看到|今年工作的总体要求|"
                      r"做好今年|做好.{0,6}工作|.{0,10}总体要求|以习近平新时代)|指导思想|总基调|取得[^，,。]{0,8}成效|成绩|"
                      r"持续向好|驶入|跑出|不断涌现")
"""Review of past years and the general framing of a report: they mention a topic, they state no measure."""


def is_framing(text: str, heads: list[str]) -> bool:
    return bool(_FRAMING.search(text) or any(_FRAMING_HEAD.search(h) for h in heads[1:]))


def window(text: str, must: list[str], max_chars: int) -> str | None:
    """The run of clauses around the first clause naming ``must`` (verbatim), at most ``max_chars`` long."""
    parts = re.split(r"(?<=[，,；;：:])", text.rstrip("。；;，,"))
    idx = next((i for i, p in enumerate(parts) if all(norm(m) in norm(p) for m in must[:1])), None)
    if idx is None:
        return None
    lo = hi = idx
    while True:
        grown = False
        if hi + 1 < len(parts) and len("".join(parts[lo:hi + 2])) <= max_chars:
            hi += 1
            grown = True
        if lo > 0 and len("".join(parts[lo - 1:hi + 1])) <= max_chars and not re.search(r"[：:]$", parts[lo - 1]):
            lo -= 1
            grown = True
        if not grown:
            break
    out = "".join(parts[lo:hi + 1]).rstrip("，,；;：:")
    if not all(norm(m) in norm(out) for m in must) or len(out) < MIN_SENTENCE:
        return None
    return out + "。"


def gather(store_docs: list[DocumentMeta], passages_of, topic: str, covers, exclude: set[str],
           only: set[str] | None, doc_types: set[str] | None) -> Gathered:
    """Every sentence of the scope that is about ``topic`` (see module docstring).

    ``passages_of(doc_id) -> list[Hit]``; ``covers(text) -> float`` is the share of the topic's term weight a
    text carries (1.0: names the whole topic)."""
    sents: list[TopicSentence] = []
    passages: dict[str, Hit] = {}
    docs: dict[str, DocumentMeta] = {}
    doc_freq: Counter[str] = Counter()
    n_pass = 0
    scope = [d for d in store_docs if d.doc_id not in exclude and (not only or d.doc_id in only)
             and (not doc_types or d.doc_type in doc_types)]
    topic_n = norm(topic)
    under: list[tuple[TopicSentence, DocumentMeta]] = []
    for meta in scope:
        for h in passages_of(meta.doc_id):
            n_pass += 1
            ws = _WORD_CACHE.get(h.passage_id)
            if ws is None:
                ws = _WORD_CACHE[h.passage_id] = frozenset(_words(h.text))
            doc_freq.update(ws)
            heads = h.heading_path
            head_on = any(covers(x) >= 0.99 for x in heads[1:])
            if topic_n not in norm(h.text) and covers(h.text) < 0.75 and not head_on:
                continue
            for pi, para in enumerate(h.text.split("\n")):
                para = para.strip()
                if not para or _HEADER.search(para):
                    continue
                for si, s in enumerate(split_sentences(para)):
                    body = _NUMBERING.sub("", s.strip().lstrip("—－-")).strip()
                    if is_heading_like(body, heads) or is_framing(body, heads) or re.search(r"[［\[]\d+[］\]]", body):
                        continue
                    ts = TopicSentence(hit=h, text=body, order=(h.idx, pi * 100 + si))
                    ts.words = _words(body)
                    if covers(body) >= 0.99:
                        sents.append(ts)
                        passages[h.passage_id] = h
                        docs[meta.doc_id] = meta
                    elif head_on:
                        ts.direct = False
                        under.append((ts, meta))
    # The topic's vocabulary: words that several documents use in sentences naming the topic.
    vocab_docs: dict[str, set[str]] = {}
    for ts in sents:
        for w in ts.words:
            vocab_docs.setdefault(w, set()).add(ts.hit.doc_id)
    vocab = {w for w, ds in vocab_docs.items() if len(ds) >= 2}
    for ts, meta in under:
        if len(ts.words & vocab) >= UNDER_HEADING_WORDS:
            sents.append(ts)
            passages[ts.hit.passage_id] = ts.hit
            docs[meta.doc_id] = meta
    return Gathered(sentences=sents, passages=passages, docs=docs, scope_docs=len(scope), doc_freq=dict(doc_freq),
                    n_passages=n_pass)


def _shorten_keep(text: str, must: list[str], max_chars: int, shorten) -> str | None:
    """The sentence cut to length at clause boundaries, still naming every word of ``must`` (the topic
    first when it fits), at most 1.3 × ``max_chars``; None when no such cut exists."""
    cap = int(max_chars * 1.3)
    tries = [must, must[-1:]] if len(must) > 1 else [must]
    for ms in tries:
        s0 = shorten(text, max_chars)
        if all(norm(m) in norm(s0) for m in ms) and len(s0) <= cap:
            return s0
        w = window(text, ms, max_chars)
        if w is not None:
            return w
    return None


def _theme_name(seed: str, group: list[TopicSentence], topic: str) -> str:
    """The clause containing the theme word that the documents use most (4–16 characters)."""
    clauses: Counter[str] = Counter()
    docs_of: dict[str, set[str]] = {}
    for s in group:
        for c in re.split(r"[，,；;。：:！!？?]", s.text):
            c = _NUMBERING.sub("", c).strip(" “”")
            c = re.sub(r"^(?:要|并|同时|着力|重点|全力|持续|积极|大力|深入|我们将|将|还要|更加|加快推进|以)", "", c)
            if seed in c and 4 <= len(c) <= 16 and c.count("“") == c.count("”"):
                clauses[c] += 1
                docs_of.setdefault(c, set()).add(s.hit.doc_id)
    if not clauses:
        return seed
    return max(clauses, key=lambda c: (min(len(docs_of[c]), 2), bool(_REQ.match(c)), clauses[c],
                                       -abs(len(c) - 9), c != topic))


def themes(g: Gathered, topic: str, topic_words: set[str], max_themes: int, per_theme: int, max_chars: int,
           shorten, labels: dict[str, str], many_docs: bool) -> list[SynthSection]:
    """3–6 themes with balanced, cited points and a 共同点/差异 line each (see module docstring)."""
    n_all = max(1, g.n_passages)
    by_word_docs: dict[str, set[str]] = {}
    by_word_sents: dict[str, list[int]] = {}
    for i, s in enumerate(g.sentences):
        for w in s.words:
            if w in topic_words or any(w in t or t in w for t in topic_words):
                continue
            by_word_docs.setdefault(w, set()).add(s.hit.doc_id)
            by_word_sents.setdefault(w, []).append(i)
    min_docs = THEME_MIN_DOCS if many_docs else 1

    def weight(w: str) -> float:
        idf = math.log(n_all / (1 + g.doc_freq.get(w, 0)))
        return (len(by_word_docs[w]) if many_docs else len(by_word_sents[w])) * max(0.0, idf) * (1 + 0.3 * len(w))

    cands = [w for w in by_word_docs if len(by_word_docs[w]) >= min_docs and len(by_word_sents[w]) >= 2]
    cands.sort(key=lambda w: -weight(w))
    seeds: list[str] = []
    taken: set[int] = set()
    for w in cands:
        if len(seeds) >= max_themes:
            break
        mine = set(by_word_sents[w])
        if any(w in s or s in w for s in seeds):
            continue
        if len(mine & taken) > THEME_MAX_OVERLAP * len(mine):
            continue
        seeds.append(w)
        taken |= mine
    # Each sentence to the first theme (by weight) whose word it uses.
    groups: dict[str, list[TopicSentence]] = {w: [] for w in seeds}
    for s in g.sentences:
        for w in seeds:
            if w in s.words:
                groups[w].append(s)
                break
    out: list[SynthSection] = []
    cited_docs: Counter[str] = Counter()
    for w in seeds:
        group = groups[w]
        if not group:
            continue
        for s in group:
            s.score = (0.8 if s.direct else 0.0) + (0.6 if _FACT.search(s.text) else 0.0) + (0.3 if _REQ.search(s.text) else 0.0) \
                + (0.3 if len(s.text) <= max_chars else -0.005 * (len(s.text) - max_chars))
        picked: list[SynthPoint] = []
        used_docs: set[str] = set()
        # Sentences naming the topic first; among them documents not yet cited anywhere in the outline.
        for s in sorted(group, key=lambda x: (not x.direct, cited_docs[x.hit.doc_id], -x.score, x.hit.doc_id,
                                              x.order)):
            if len(picked) >= per_theme:
                break
            if many_docs and s.hit.doc_id in used_docs:
                continue
            text = _shorten_keep(s.text, [topic, w] if norm(topic) in norm(s.text) else [w], max_chars, shorten)
            if text is None or any(near_duplicate(text, p.text) for p in picked):
                continue
            picked.append(SynthPoint(text=text, pids=[s.hit.passage_id]))
            used_docs.add(s.hit.doc_id)
            cited_docs[s.hit.doc_id] += 1
        if not picked:
            continue
        docs_w = sorted(by_word_docs[w], key=lambda d: labels.get(d, d))
        summary = _summary(w, group, docs_w, g, topic, labels, many_docs, picked, cands)
        points = ([summary] if summary else []) + picked
        out.append(SynthSection(heading=_theme_name(w, group, topic), points=points, doc_ids=docs_w))
    return out


def _summary(word: str, group: list[TopicSentence], docs_w: list[str], g: Gathered, topic: str,
             labels: dict[str, str], many_docs: bool, picked: list[SynthPoint], vocab: list[str]) -> SynthPoint | None:
    """“在新质生产力方面，多数省份（18个）提出“未来产业”；上海、广东还提出“具身智能”。”"""
    if not many_docs or len(docs_w) < 2:
        return None
    total = len(g.docs)
    reports = all(g.docs[d].doc_type == "work_report" for d in docs_w if d in g.docs)
    unit = "省份" if reports else "份文件"
    names = [labels.get(d, d) for d in docs_w]
    if len(docs_w) * 2 >= total and len(docs_w) >= 3:
        common = f"多数{unit}（{len(docs_w)}个）提到“{word}”" if reports else f"多数文件（{len(docs_w)}份）提到“{word}”"
    else:
        common = f"{'、'.join(names[:4])}{'等' if len(names) > 4 else ''}{len(docs_w)}个{unit}提到“{word}”" \
            if reports else f"{'、'.join(names[:4])}提到“{word}”"
    # A word of the topic's vocabulary that only one or two documents of this theme use: what sets them apart.
    docs_of: dict[str, set[str]] = {}
    for s in group:
        for x in s.words:
            if x != word and x not in word and word not in x and x not in norm(topic):
                docs_of.setdefault(x, set()).add(s.hit.doc_id)
    everywhere: dict[str, set[str]] = {}
    for s in g.sentences:
        for x in s.words & docs_of.keys():
            everywhere.setdefault(x, set()).add(s.hit.doc_id)
    # Only one or two documents say it anywhere on the topic (not just in this theme).
    extra = [x for x in vocab if x in docs_of and 1 <= len(everywhere.get(x, ())) <= 2 and len(x) >= 3
             and x not in _PAIRS
             and not _GENERIC_LEAD.match(x) and g.doc_freq.get(x, 0) <= COMMON_WORD * g.n_passages]
    diff = ""
    if extra:
        x = extra[0]
        who = "、".join(labels.get(d, d) for d in sorted(docs_of[x]))
        diff = f"；{who}还提出“{x}”"
        pid = next(s.hit.passage_id for s in group if x in s.words)
    else:
        pid = ""
    pids = [p.pids[0] for p in picked[:2]] + ([pid] if pid and pid not in [p.pids[0] for p in picked[:2]] else [])
    return SynthPoint(text=f"{'共同点与差异' if diff else '共同点'}：在{topic}方面，{common}{diff}。", pids=pids,
                      origin="summary")


# -- regulations ------------------------------------------------------------------

FACETS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("kinds", "{topic}的适用", re.compile(r"种类|分为|警告、|记过|期间为|期限|不得晋升|影响期")),
    ("cases", "适用情形", re.compile(r"情形|有下列|违法行为|应当给予|可以给予|从轻|从重|减轻|免予|不予|追究")),
    ("procedure", "{topic}的程序", re.compile(r"程序|调查|审批|批准|决定|送达|告知|通知|听取|陈述|申辩|书面|作出")),
    ("remedies", "救济与纠正", re.compile(r"复审|复核|申诉|撤销|变更|纠正|恢复|赔偿")),
    ("liability", "法律责任", re.compile(r"法律责任|责令改正|依法给予处理|追究刑事责任")),
)


@dataclass
class Article:
    doc_id: str
    work: str
    number: str
    text: str
    hit: Hit
    chapter: str


def articles_of(hits: list[Hit], work: str) -> list[Article]:
    out: list[Article] = []
    for h in hits:
        chapter = next((x for x in h.heading_path[1:] if re.match(r"第[一二三四五六七八九十]+章", x)), "")
        parts = _ARTICLE_START.split(h.text)
        # parts: [before, 第X条, body, 第Y条, body, ...]
        for i in range(1, len(parts) - 1, 2):
            out.append(Article(doc_id=h.doc_id, work=work, number=parts[i], text=parts[i + 1].strip(), hit=h,
                               chapter=chapter))
        if len(parts) == 1:
            m = re.search(r"第[一二三四五六七八九十百零]+条", " ".join(h.heading_path[1:]))
            if m:
                out.append(Article(doc_id=h.doc_id, work=work, number=m.group(0), text=h.text.strip(), hit=h,
                                   chapter=chapter))
    return out


def regulation_sections(arts: list[Article], topic: str, per_facet: int, max_chars: int, shorten
                        ) -> list[SynthSection]:
    """Articles naming the topic, grouped kinds → circumstances → procedures → remedies → liability."""
    facets: dict[str, list[Article]] = {k: [] for k, _, _ in FACETS}
    rank: dict[int, tuple[bool, bool, int]] = {}
    for a in arts:
        if norm(topic) not in norm(a.text) and norm(topic) not in norm(a.chapter):
            continue
        probe = a.chapter + " " + a.text[:80]
        key = next((k for k, _, rx in FACETS if rx.search(a.chapter)), None)
        by_chapter = key is not None
        key = key or next((k for k, _, rx in FACETS if rx.search(probe)), None)
        if key:
            facets[key].append(a)
            rank[id(a)] = (not by_chapter, norm(topic) not in norm(a.text), len(rank))
    out: list[SynthSection] = []
    for key, name, _ in FACETS:
        group = facets[key]
        if not group:
            continue
        # Articles of the chapter on this facet first, then those naming the topic, then document order.
        group.sort(key=lambda a: rank[id(a)])
        pts: list[SynthPoint] = []
        for a in group:
            if len(pts) >= per_facet:
                break
            paras = [x.strip() for x in a.text.split("\n") if x.strip()]
            para = next((x for x in paras if norm(topic) in norm(x)), paras[0] if paras else "")
            if _NUMBERING.match(para) and paras and para != paras[0]:  # an item: with its article's lead-in
                para = paras[0].rstrip("：:。") + "：" + _NUMBERING.sub("", para)
            elif len(para) < 20 and len(paras) > 1:  # "有下列情形之一的：" with its items
                para = "".join(paras)
            cut = _shorten_keep(para, [topic], max_chars, shorten) if norm(topic) in norm(para) else None
            text = f"《{a.work}》{a.number}：{cut or shorten(para, max_chars)}"
            if any(near_duplicate(text, p.text) for p in pts):
                continue
            pts.append(SynthPoint(text=text, pids=[a.hit.passage_id]))
        # The regulation's own chapter title when the facet came from it ("政务处分的种类和适用").
        lead = group[0]
        heading = re.sub(r"^第[一二三四五六七八九十]+章\s*", "", lead.chapter).replace(" ", "") \
            if not rank[id(lead)][0] and lead.chapter else name.format(topic=topic)
        if any(x.heading == heading for x in out):
            heading = name.format(topic=topic)
        out.append(SynthSection(heading=heading, points=pts, doc_ids=sorted({a.doc_id for a in group})))
    return out
