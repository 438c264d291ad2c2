"""Facts about a document itself — author, source, date, title, number of articles or chapters.

They come from the document record (:class:`~policyqa.types.DocumentMeta`) and the document's
structure (its 第X条 / 第X章 lines), never from whichever passage happens to rank first; when the
record does not state them, the question is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policyqa import sparse
from policyqa.runtime import Resources
from policyqa.types import DocumentMeta, Hit

from .answerability import cn_int, int_cn, named_documents
from .grounding import norm, split_sentences
from .retrieve import hit_from_payload as to_hit_payload
from .scope import record_names

_ARTICLE = re.compile(r"(?:^|\n|\s|。)第([一二三四五六七八九十百零〇两]+)条")
_CHAPTER = re.compile(r"第([一二三四五六七八九十百零〇两]+)章")
_PART_ASKED = re.compile(r"第([一二三四五六七八九十\d]+)\s*(部分|章|节|编|块)|"
                         r"\b(first|second|third|fourth|fifth|sixth) (part|chapter|section)\b", re.I)
_EN_ORD = ["first", "second", "third", "fourth", "fifth", "sixth"]
_UNIT_EN = {"part": "部分", "chapter": "章", "section": "节"}


_RULE_KINDS = r"(?:办法|条例|规定|制度|意见|通知|纲要|规划|方案|决定|细则|准则)"
_NAMED_RULES = re.compile(rf"([\u4e00-\u9fff]{{2,15}}{_RULE_KINDS})(?:是|的|由|于|在|哪|什么|何|有|共|一共|最后|最终|到底|究竟|具体)"
                         rf"|([\u4e00-\u9fff]{{4,15}})(?:那个|这个|那份|这份|那部|这部|那项|这项){_RULE_KINDS}")
"""A rule named without 《》 ("沟通联系办法是哪一年印发的", "加强代表联络站建设那个意见是哪天印发的")."""
_RULE_SUFFIX = re.compile(r"(?:法|办法|条例|规定|制度|意见|通知|纲要|规划|方案|决定|细则|准则)$")
"""Names of rules and laws (not of periodicals a document appeared in: 《楚天主人》)."""


_PUBLISHED = r"(?:刊登|刊发|刊载|登载|转载|发表)"
_OUTLET = r"(?:<([^>]{2,20})>|([\u4e00-\u9fff]{2,12}))"  # norm() writes 《》 as <>
_OUTLET_BEFORE = re.compile(rf"{_OUTLET}{_PUBLISHED}(?:的|了|过|出|在)")
_OUTLET_AFTER = re.compile(rf"(?:{_PUBLISHED}|登|刊|载)(?:在|于){_OUTLET}")  # (登在《求是》哪一期)
_AFTER_OUTLET = "杂志|期刊|刊物|报纸|网站|公众号|上|里|的|吗|呢"
"""Words after an outlet's name ("求是杂志上的吗")."""
_OUTLET_TAIL = re.compile(rf"(?:{_AFTER_OUTLET}|中)+$")
_OUTLET_END = re.compile(_AFTER_OUTLET)
_OUTLET_HEAD = re.compile(r"^(?:.*[的了在被由把和与及篇文那这个些吗呢啊上于])?是?")  # not 是 inside: 求是
_OCCASION = re.compile(r"(?:会|会议|会上|时|期间|座谈|仪式|典礼|学习|调研|考察|讲话|活动)$")
_ASKING = re.compile(r"哪|什么|何|谁|啥|多少|几")


_PERIODICAL = re.compile(r"(?:报|刊|杂志|网|社|台|号|研究)$")


def named_outlets(question: str, periodicals: bool = False) -> list[str]:
    """Who or where the question says a document was published by ("《求是》刊登的", "游金霞发表的", "发表在人民日报上"):
    a premise the document's record must bear out. Occasions ("在座谈会上发表的讲话") and asked outlets (哪个期刊)
    are none. ``periodicals``: only names of periodicals (quoted, 人民日报, 求是杂志), not people or bodies
    ("总书记发表的重要讲话")."""
    q = norm(question)
    out = []
    for m, lead in [*((m, True) for m in _OUTLET_BEFORE.finditer(q)), *((m, False) for m in _OUTLET_AFTER.finditer(q))]:
        name = m.group(1) or _OUTLET_TAIL.sub("", m.group(2) or "")
        if lead and not m.group(1):  # "这篇是人民日报刊登的": the words before the name are no part of it
            name = _OUTLET_HEAD.sub("", name)
        elif not m.group(1) and (end := _OUTLET_END.search(name, 2)):  # "发表在楚天主人上的那篇文章": up to 上
            name = name[:end.start()]
        if len(name) >= 2 and not _ASKING.search(name) and not _OCCASION.search(name) and (
                not periodicals or m.group(1) or _PERIODICAL.search(name)
                or q[m.end():].startswith(("杂志", "期刊", "报纸", "网站")) or re.search(
                    re.escape(name) + r"(?:杂志|期刊|报纸|网站)", q)):
            out.append(name)
    return list(dict.fromkeys(out))


def unborne_outlet(question: str, docs: list[DocumentMeta], periodicals: bool = False) -> str:
    """The first outlet the question names (:func:`named_outlets`) that no record of ``docs`` bears out, or ""."""
    return next((o for o in named_outlets(question, periodicals) if not any(bears_out(o, d) for d in docs)), "")


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def bears_out(outlet: str, d: DocumentMeta) -> bool:
    """Whether ``d``'s record (author, source, title) may be what ``outlet`` names: its characters in order in one of
    them ("全国人大机关" in 全国人大常委会机关党组)."""
    return any(_subsequence(norm(outlet), norm(x)) for x in (d.author, d.source, d.title) if x)


@dataclass
class DocFact:
    text: str
    """The answer sentence(s), citing [1] (and [2] … when several documents are asked at once)."""
    hits: list[Hit]
    """The passages cited (each holds the value, else its document's opening passage)."""
    premise: str = ""
    """An outlet the question says published the document that its record does not bear out (then no answer)."""


def _title_words(title: str) -> set[str]:
    return {w for w in sparse._get_tokenizer().cut(norm(title), HMM=False)
            if len(w) >= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}


NAMED_SCORE = 8.0
"""Score of a document named by its title, short name or author (see :func:`_doc_scores`)."""
_EACH = re.compile(r"分别|各自|各是|两篇|几篇|都是")


def _segments(title: str) -> list[str]:
    """The phrases of a title set apart by spaces, quotes or marks, four characters or more."""
    return [x for x in re.split(r"[\s“”\"《》:：,，、()（）—-]+", title) if len(x) >= 4]


def _mentioned_at(question: str, d: DocumentMeta) -> int:
    """Where ``question`` first names ``d`` (its title, a title phrase, its author or source)."""
    q = norm(question)
    keys = [norm(d.title), *map(norm, _segments(d.title)), *map(norm, record_names(d, shortest=1))]
    return min((i for k in keys if k and (i := q.find(k)) >= 0), default=len(q))


def _doc_scores(question: str, docs: list[DocumentMeta]) -> list[tuple[float, DocumentMeta]]:
    """How plainly ``question`` names each document (《title》 10, short title 8, author 9, venue 3, title words)."""
    q = norm(question)
    names = [norm(n) for n in named_documents(question)]
    scored = []
    for d in docs:
        t = norm(d.title)
        short = re.sub(r"^中华人民共和国|^中国共产党", "", t)
        s = 0.0
        if any(n and (n in t or short in n) for n in names):
            s += 10
        if short and short in q:
            s += 8
        s += sum(len(w) for w in re.findall(r"[\u4e00-\u9fff]{2,}", t) if w in q) * 0.1
        # "游金霞写的那篇文章", "《楚天主人》上发表的": the document by its author or where it appeared
        if d.author and len(d.author) >= 2 and norm(d.author) in q:
            s += 9
        elif any(norm(a) in q for a in record_names(d, shortest=4)):
            s += 9  # "全国人大机关党组那篇", "北京市直机关工委那篇": by the body that wrote or published it
        if any(seg in q and all(seg not in norm(o.title) for o in docs if o is not d) for seg in map(norm, _segments(d.title))):
            s += 8  # "两项机制那篇", "守正创新那篇": a phrase of its title that no other title has
        venue = norm(re.sub(r"[《》]|\d{4}年.*$|（.*$", "", d.source or ""))  # "《楚天主人》2023年第10期" → 楚天主人
        if len(venue) >= 2 and venue in q.replace("<", "").replace(">", ""):
            s += 8 if sum(venue in norm(o.source or "") for o in docs) == 1 else 3  # one document's venue names it
        scored.append((s, d))
    scored.sort(key=lambda x: -x[0])
    return scored


def _best_doc(question: str, docs: list[DocumentMeta], hits: list[Hit]) -> DocumentMeta | None:
    """The document the question names (by 《title》, short law name or title words), else the top hit's."""
    q = norm(question)
    names = [norm(n) for n in named_documents(question)]
    scored = _doc_scores(question, docs)
    # A document the question names ("沟通联系办法是哪一年印发的") that is no document of the library: its facts
    # are not in any record, and another document's record does not answer for it.
    named = [n for n in names if _RULE_SUFFIX.search(n)] + [norm(a or b) for a, b in _NAMED_RULES.findall(question)]
    if named and not any(n and (n in norm(d.title) or norm(d.title) in n) for _, d in scored[:1] for n in named):
        return None
    if scored and scored[0][0] >= 1:
        return scored[0][1]
    # No title named in full: a word that only one retrieved document's title has ("建设 四个机关由谁", a translated
    # question, names 《……聚力建设“四个机关”》), else the top hit's document.
    titles = {d.doc_id: norm(d.title) for d in docs}
    retrieved = [d for d in docs if d.doc_id in {h.doc_id for h in hits}]
    own = [d for d in retrieved if any(w in q and all(w not in t for i, t in titles.items() if i != d.doc_id)
                                        for w in _title_words(d.title))]
    if len(own) == 1:
        return own[0]
    if hits:
        return next((d for d in docs if d.doc_id == hits[0].doc_id), None)
    return None


def _count(pattern: re.Pattern, passages: list[dict]) -> tuple[int, dict | None]:
    """Highest numbered 第X条/章 in the passages, and the passage where it stands."""
    top, where = 0, None
    for p in passages:
        for m in pattern.finditer(str(p.get("text", ""))):
            v = cn_int(m.group(1).replace("〇", "零"))
            if v and v > top:
                top, where = v, p
    return top, where


def document_fact(res: Resources, question: str, kind: str, hits: list[Hit],
                  docs: list[DocumentMeta] | None = None, more: tuple[str, ...] = ()) -> DocFact | None:
    """Answer a question about a document's ``kind`` (author | source | date | title | count_articles |
    count_chapters) from its record and structure; None when the library does not state it. ``docs``:
    the documents in scope (default: the whole library); ``more``: further kinds asked of the same document."""
    docs = res.store.list_docs() if docs is None else docs
    if not docs:
        return None
    named = sorted((d for sc, d in _doc_scores(question, docs) if sc >= NAMED_SCORE),
                   key=lambda d: _mentioned_at(question, d))  # in the order the question names them
    if len(named) >= 2 and _EACH.search(question):  # "两项机制和守正创新那两篇分别是哪年发表的"
        facts = [_fact_of(res, question, kind, d) for d in named[:4]]
        if any(f is None for f in facts):
            return None
        text = "".join(f.text.replace("[1]", f"[{i}]") for i, f in enumerate(facts, 1) if f is not None)
        return DocFact(text, [f.hits[0] for f in facts if f is not None])
    doc = _best_doc(question, docs, hits)
    if doc is None:
        return None
    # "《求是》刊登的两项机制文章是哪一期": the record says where it appeared
    if (doc.author or doc.source) and (outlet := unborne_outlet(question, [doc])):
        return DocFact("", [], premise=outlet)
    fact = _fact_of(res, question, kind, doc)
    if fact is None:
        return None
    # "通过什么渠道、在哪一天发布的": each further fact of the same document that its record holds
    for k in more:
        extra = _fact_of(res, question, k, doc) if k != kind else None
        if extra is None:
            continue
        ids = [h.passage_id for h in fact.hits]
        hit = extra.hits[0]
        n = ids.index(hit.passage_id) + 1 if hit.passage_id in ids else len(ids) + 1
        said = extra.text.replace(f"《{doc.title}》的", "其", 1).replace("[1]", f"[{n}]")  # the title said once
        fact = DocFact(fact.text + said,
                       fact.hits + ([] if hit.passage_id in ids else [hit]))
    return fact


def _fact_of(res: Resources, question: str, kind: str, doc: DocumentMeta) -> DocFact | None:
    passages = res.store.doc_passages(doc.doc_id)
    if not passages:
        return None
    title = f"《{doc.title}》"
    opening = passages[0]

    def holding(value: str) -> dict:
        key = norm(value)
        return next((p for p in passages if key and key in norm(str(p.get("text", "")))), opening)

    if kind == "author":
        if not doc.author:
            return None
        where = holding(doc.author)
        byline = next((s for s in split_sentences(str(where.get("text", ""))) if doc.author in s and len(s) > len(doc.author) + 4), "")
        text = f"{title}的作者是{doc.author}。[1]"
        if byline and len(byline) <= 80:
            text += f"原文署名：{byline.strip().rstrip('。')}。[1]"
        return DocFact(text, [to_hit_payload(where)])
    if kind == "source":
        if not doc.source or "未注明" in doc.source:
            return None
        return DocFact(f"{title}的来源是{doc.source}。[1]", [to_hit_payload(holding(doc.source))])
    if kind == "date":
        if not doc.date:
            return None
        shown = doc.version or doc.date_text or doc.date
        said = f"{shown}年" if re.fullmatch(r"\d{4}", shown) else shown  # a bare year: "2018年"
        return DocFact(f"{title}的日期为{said}。[1]", [to_hit_payload(holding(shown))])
    if kind == "part_title":
        return _part_title(question, title, passages)
    if kind == "parts":
        parts = _top_headings(passages)
        if not parts:
            return None
        names = [" ".join(h.split()) for h, _ in parts]
        listed = "[1]；".join(h if re.match(rf"^(?:[{_NUMERALS}]+、|第[{_NUMERALS}]+)", h) else f"{int_cn(i)}、{h}"
                          for i, h in enumerate(names, 1))
        count = "两" if len(parts) == 2 else int_cn(len(parts))
        return DocFact(f"{title}分为{count}个部分：{listed}。[1]", [to_hit_payload(parts[0][1])])
    if kind == "title":
        return DocFact(f"该文件的标题是{title}。[1]", [to_hit_payload(opening)])
    if kind == "count_articles":
        n, last = _count(_ARTICLE, passages)
        if not n or last is None:
            return None
        return DocFact(f"{title}共{n}条（最后一条为第{n}条）。[1]", [to_hit_payload(last)])
    if kind == "count_chapters":
        n, last = _count(_CHAPTER, passages)
        if not n or last is None:
            return None
        return DocFact(f"{title}共{n}章。[1]", [to_hit_payload(last)])
    return None


def _part_title(question: str, title: str, passages: list[dict]) -> DocFact | None:
    """The heading of the document's N-th part (部分/块: its N-th top-level heading) or its 第N章/节/编
    (the heading that says so), cited to the first passage under it; None when the document has no such heading."""
    m = _PART_ASKED.search(question)
    if not m:
        return None
    if m.group(1):
        n = int(m.group(1)) if m.group(1).isdigit() else cn_int(m.group(1))
        unit = m.group(2)
    else:
        n, unit = _EN_ORD.index(m.group(3).lower()) + 1, _UNIT_EN[m.group(4).lower()]
    if not n:
        return None
    if unit in ("章", "节", "编"):
        numbered = re.compile(rf"^第[{_NUMERALS}]+{unit}")
        found = next(((h, p) for h, p in _headings(passages) if numbered.match(h) and cn_int(_numeral(h)) == n), None)
    else:  # 部分 / 块: the N-th heading of the outermost level
        level = _top_headings(passages)
        found = level[n - 1] if 0 < n <= len(level) else None
    if found is None:
        return None
    heading = re.sub(r"\s+", " ", found[0]).strip()
    shown = "部分" if unit == "块" else unit
    return DocFact(f"{title}第{int_cn(n)}{shown}的标题是“{heading}”。[1]", [to_hit_payload(found[1])])


def _headings(passages: list[dict]) -> list[tuple[str, dict]]:
    """Every heading below the title, in order, with the first passage under it."""
    tops: list[tuple[str, dict]] = []
    for p in passages:
        for h in list(p.get("heading") or [])[1:]:
            if not any(h == t for t, _ in tops):
                tops.append((h, p))
    return tops


def _top_headings(passages: list[dict]) -> list[tuple[str, dict]]:
    """The outermost headings below the title: the document's parts."""
    return [(h, p) for h, p in _headings(passages) if any(list(q.get("heading") or [])[1:2] == [h] for q in passages)]


_NUMERALS = "一二三四五六七八九十百零〇两"


def _numeral(heading: str) -> str:
    m = re.match(rf"^第([{_NUMERALS}]+)", heading)
    return m.group(1).replace("〇", "零") if m else ""
