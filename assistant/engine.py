"""The answer engine: question (+ chat history) → retrieved passages → planned, verified, cited answer.

The pipeline, one step per module:

1. :mod:`.rewrite` — the standalone Chinese question (follow-ups, English);
2. :mod:`.retrieve` — hybrid search, diversity;
3. :mod:`.answerability` — can the passages answer it, and if not what the library lacks;
4. :mod:`.asked` + :mod:`.compose` — what is asked, and the verbatim sentences that answer it
   (:mod:`.docfacts` for facts about a document itself);
5. :mod:`.model_answer` — with a model, the planned answer is shown at once and the model adds a
   plain-language gist, verified sentence by sentence while streaming;
6. :mod:`.answers` — the one place that builds refusals and answers.

Streaming API for the app: :meth:`AnswerEngine.stream` yields a :class:`Retrieved` event as soon as
retrieval is done (so passages can be shown before generation), then :class:`Token` events — each
a verified piece that stays on screen — then one :class:`Final` with the :class:`~policyqa.types.Answer`.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

from policyqa.runtime import Resources
from policyqa.textnorm import normalize_for_index
from policyqa.types import Answer, DocumentMeta, Hit, SearchFilter
from policyqa.versions import version_label

from . import answers, romanized
from .answerability import ASKED_NOUNS, Checker, abbreviates, focus_terms, plain_word
from .asked import INDICATORS, Asked, Form, analyse, compared_names, compared_sides, sub_questions
from .bodies import asked_body, body_named, document_body, other_level
from .changes import answer_changes, asks_for_changes
from .compose import (
    POINTED,
    Plan,
    asked_kind,
    lists_asked_kind,
    plan_answer,
    spelled_out_asked,
    spells_out,
    states_from_afar,
)
from .docfacts import document_fact, unborne_outlet
from .extractive import answer_units, meaning_weight_for
from .grounding import MarkerOrder, norm, renumber, verify_answer
from .injection import defuse_hits
from .listing import grow_plan
from .llm import ChatBackend, LLMError, TimeLimitedBackend, default_backend_name, get_backend
from .model_answer import Streamed, stream_model_part
from .retrieve import Retriever, SearchResult, diversify, is_overview
from .revision_note import difference_line
from .rewrite import Standalone, rule_rewrite, standalone, topic_nouns
from .scope import LATIN_PLACE, SHORT_NAME, Scope, places_of, resolve_scope, without_version_words
from .semantic import SentenceSimilarity

log = logging.getLogger("policyqa.answer")

ACROSS_SEARCHED = 4
"""Most documents searched one by one for a question asked of each of them (see :meth:`AnswerEngine.retrieve`)."""
LEAD_MAX_CHARS = 20
"""Enumeration/definition questions up to this length also search documents' opening passages."""
DOCS_TTL_S = 2.0
"""How long the document list read for scoping is reused (uploads and deletions show within it)."""
NAME_PASSAGES = 60
"""Passages nearest an English question searched for the Chinese of its pinyin names."""
RESERVE_READ = 10
QUOTED_DOCS = 8
"""Documents searched for a quoted term the top passages lack …"""
QUOTED_HITS = 3
"""… and the passages holding it put first."""
"""Candidates below the hits read when no hit states the asked fact."""

__all__ = ["AnswerEngine", "Event", "Final", "Retrieved", "Token", "default_backend_name", "rule_rewrite"]


@dataclass
class Retrieved:
    question: str
    standalone_query: str
    hits: list[Hit]
    answerable: bool
    relevance: float
    coverage: float
    retrieve_ms: float
    unsupported: list[str] = field(default_factory=list)
    """What the question names that the library / the retrieved passages do not contain (for the refusal)."""
    asked: Asked = field(default_factory=Asked)
    rewritten_by: str = ""
    """How the question was made standalone: ``followup`` | ``glossary`` | ``model`` | ``""``."""
    reserve: list[Hit] = field(default_factory=list)
    reworded: str = ""
    """A word of the question the library never uses though it speaks of the thing (see Checker.reworded)."""
    """Candidates ranked below ``hits``: read when no hit states the asked fact (see :meth:`AnswerEngine.stream`)."""


@dataclass
class Token:
    text: str


@dataclass
class Final:
    answer: Answer


Event = Retrieved | Token | Final



def _asked_apart(query: str) -> list[str]:
    """Two asks in one message, the second naming no topic of its own ("联席会议制度是什么，多久开一次？", "……谁讲话，
    谁主持"): each searched on its own, the second with the first's topic — the whole question's search ranks the
    passages on the first ask's topic, and the second's answer ("至少每年召开两次") falls behind them."""
    subs = sub_questions(query)
    if len(subs) != 2:
        return []
    own = [[t for t in topic_nouns(x) if t not in ASKED_NOUNS] for x in subs]
    if not own[0] or own[1]:
        return []
    return [subs[0], " ".join(dict.fromkeys(own[0])) + " " + subs[1]]


def _in_turns(sides: list[list[Hit]], rest: list[Hit]) -> list[Hit]:
    """The sides' passages taken in turn (first of each, then second of each …), then the rest, each once."""
    turns = [h for rank in zip_longest(*sides) for h in rank if h is not None]
    seen = {h.passage_id for h in turns}
    return turns + [h for h in rest if h.passage_id not in seen]

MEANING_SENTENCES = 120
"""Sentences weighed by meaning per answer, in the order of their passages."""
_VARIANTS = str.maketrans({"帐": "账"})
"""Older laws' variant characters (会计帐簿), read as the newer texts and questions write them."""
_FRAMING = re.compile(r"最|多|几|何|哪|谁|什么|怎|如何|是否|期限|时间|规定|要求|年版|\d")
"""Words of a question that ask or frame (最长, 多久, 规定): no part of a name it gives."""


class AnswerEngine:
    def __init__(self, res: Resources, backend: str | ChatBackend | None = None, timeout_s: float = 120.0,
                 first_token_timeout_s: float = 60.0):
        """``backend``: a registry name, a ready :class:`ChatBackend`, or None for the default."""
        self.res = res
        self.retriever = Retriever(res)
        self.checker = Checker(res)
        self.similarity = SentenceSimilarity(res.embedder)
        self._texts: dict[str, str] = {}
        self._instance = backend if isinstance(backend, ChatBackend) else None
        if self._instance is not None:
            self.backend_name = self._instance.name
        else:
            self.backend_name = backend if isinstance(backend, str) else default_backend_name()
        self.timeout_s = timeout_s
        self.first_token_timeout_s = first_token_timeout_s
        self._docs: tuple[float, list[DocumentMeta]] | None = None
        self._bodies: dict[str, tuple[str, str] | None] = {}

    # -- pieces ---------------------------------------------------------------
    def backend(self, name: str | None = None) -> ChatBackend | None:
        if self._instance is not None and name in (None, self.backend_name):
            return self._instance
        return get_backend(name if name is not None else self.backend_name)

    def guarded(self, llm: ChatBackend) -> TimeLimitedBackend:
        return TimeLimitedBackend(llm, self.timeout_s, self.first_token_timeout_s)

    def docs(self) -> list[DocumentMeta]:
        """The library's document records (re-read at most every :data:`DOCS_TTL_S` seconds)."""
        now = time.monotonic()
        if self._docs is None or now - self._docs[0] > DOCS_TTL_S:
            try:
                self._docs = (now, self.res.store.list_docs())
            except Exception:  # a store without a registry: no scoping
                self._docs = (now, [])
        return self._docs[1]

    def authors(self) -> dict[str, str]:
        """Each document's author (an organ or a person) by doc_id, from the records."""
        return {d.doc_id: d.author for d in self.docs() if d.author}

    def doc_text(self, doc_id: str) -> str:
        """A document's whole text (its passages joined), normalised for lookup (帐 read as 账); cached."""
        if doc_id not in self._texts:
            text = "".join(str(p.get("text", "")) for p in self.res.store.doc_passages(doc_id))
            self._texts[doc_id] = norm(text).translate(_VARIANTS)
        return self._texts[doc_id]

    def only_in_other_revisions(self, query: str, picked: list[DocumentMeta]
                                ) -> tuple[str, DocumentMeta, DocumentMeta] | None:
        """A term of the question that the chosen older revision never uses and another revision of the same law
        does (责令候查: added in 2024), with the two revisions; None when every term is in the chosen text."""
        docs = self.docs()
        for old in picked:
            others = [d for d in docs if d.work and d.work == old.work and d.doc_id != old.doc_id]
            if not others:
                continue
            q = norm(query).translate(_VARIANTS)
            words = [k for t in focus_terms(query) if 2 <= len(k := norm(t).translate(_VARIANTS)) <= 8
                     and not _FRAMING.search(k) and k not in norm(old.title) and not abbreviates(k, norm(old.title))]
            words.sort(key=q.find)
            # a name the question writes in two plain words (强制 + 到案) is one name: joined when they stand together
            names = [a + b for a, b in zip(words, words[1:]) if a + b in q] + [w for w in words if not plain_word(w)]
            # only the thing asked about (the longest name): a lesser word the old text puts otherwise is no premise
            longest = max(map(len, names), default=0)
            text = self.doc_text(old.doc_id)
            for key in names:
                if len(key) < max(3, longest) or key in text:
                    continue
                if other := next((d for d in others if key in self.doc_text(d.doc_id)), None):
                    return key, old, other
        return None

    def meaning(self, question: str, query: str, hits: list[Hit]) -> dict[str, float]:
        """Each candidate sentence's nearness in meaning to the question as asked and as searched (z-scores)."""
        if not meaning_weight_for(query, hits):  # its words are in the texts: read by them (and no embedding)
            return {}
        # the sentences of the best-ranked passages (retrieval already weighed meaning): about a second of embedding at most, once
        units = [u for h in hits for u in answer_units(h.text)][:MEANING_SENTENCES]
        return self.similarity.scores((question, query), units)

    def body_of(self, doc_id: str) -> tuple[str, str] | None:
        """The congress / CPPCC body (organ, level) a document is by or about (:mod:`.bodies`), cached."""
        if doc_id not in self._bodies:
            meta = next((d for d in self.docs() if d.doc_id == doc_id), None)
            # The passages are read only for an article or speech that its record does not place.
            self._bodies[doc_id] = (document_body(meta, lambda: "".join(h.text for h in self.doc_hits(doc_id)))
                                    if meta is not None else None)
        return self._bodies[doc_id]

    def doc_hits(self, doc_id: str) -> list[Hit]:
        """All stored passages of one document, in order (score 0)."""
        return [Hit.from_payload(p, score=0.0) for p in self.res.store.doc_passages(doc_id)]

    def scope(self, question: str, flt: SearchFilter | None = None) -> Scope:
        """The documents ``question`` is answered from (see :mod:`assistant.scope`)."""
        return resolve_scope(question, self.docs(), flt)

    def retrieve(self, query: str, flt: SearchFilter | None = None, k: int | None = None,
                 sa: Standalone | None = None, asked: Asked | None = None, scope: Scope | None = None,
                 dense_text: str | None = None, first: SearchResult | None = None) -> Retrieved:
        """``first``: the search of the whole question, done already: this pass also searches the asked body's own
        documents without its name (see below)."""
        s = self.res.settings
        k = k or s.top_k
        t0 = time.perf_counter()
        # Openings state what a topic is and what it consists of: fuse them in for short "what is / which are" questions.
        lead = True if (asked is not None and (asked.wants(Form.ENUMERATION) or asked.wants(Form.DEFINITION))
                        and len(query) <= LEAD_MAX_CHARS) else None
        result = first if first is not None else self.retriever.search(query, top_k=max(3 * k, 12), flt=flt, lead=lead,
                                                                       dense_text=dense_text)
        searched = result
        body = asked_body(query)
        if body is not None and first is not None:
            own = [h.doc_id for h in result.hits if self.body_of(h.doc_id) == body]
            if own and (named := body_named(query)) and (rest := query.replace(named, "").strip("，,的 ")):
                # within the asked body's own documents its name is in every passage's byline, not in the text:
                # those documents searched on the rest of the question too ("……有哪些品牌特色活动"), in turns
                base = flt or SearchFilter()
                within = self.retriever.search(rest, top_k=k, lead=lead,
                                               flt=dataclasses.replace(base, doc_ids=list(dict.fromkeys(own)))).hits
                # (scores stay those of the whole question; a passage found only here ranks with the lowest)
                mine = {h.passage_id: h for h in result.hits}
                floor = min((h.score for h in result.hits), default=0.0)
                within = [mine.get(h.passage_id) or dataclasses.replace(h, score=floor) for h in within]
                result = dataclasses.replace(result, hits=_in_turns([result.hits, within], result.hits))
        cands = result.hits
        quoted = [x for x in (asked.quoted if asked is not None else []) if len(x) >= 2]
        if quoted and first is None and not any(all(x in h.text for x in quoted) for h in cands[:k]):
            # "保密法里说的“工作秘密”指啥": a quoted term no top passage holds — the passages of the documents that
            # use it, searched on the question, those holding it first (scored as the best hit: they hold what was typed)
            docs = sorted(self.checker.documents_with(quoted[0], flt))
            if docs:
                base = flt or SearchFilter()
                found = self.retriever.search(" ".join([*quoted, query]), top_k=4 * k, lead=lead,
                                              flt=dataclasses.replace(base, doc_ids=docs[:QUOTED_DOCS])).hits
                holding = [h for h in found if all(x in h.text for x in quoted)][:QUOTED_HITS]
                top = max((h.score for h in cands), default=0.0)
                seen = {h.passage_id for h in holding}
                cands = [dataclasses.replace(h, score=max(h.score, top)) for h in holding] + \
                    [h for h in cands if h.passage_id not in seen]
        each: list[list[Hit]] = []
        sides: list[str] = []
        if asked is not None and asked.across and flt is not None and 2 <= len(flt.doc_ids) <= ACROSS_SEARCHED:
            # "全国人大常委会机关和湖北省人大机关各有什么做法": each named document searched on its own, their
            # passages taken in turn, so that one document's many near matches do not crowd out the other's
            each = [self.retriever.search(query, top_k=k, flt=dataclasses.replace(flt, doc_ids=[d]), lead=lead,
                                          dense_text=dense_text).hits for d in flt.doc_ids]
        elif asked is not None and len(sides := (compared_sides(query) if asked.across or asked.parts else []) or (
                query.split("，") if sa is not None and sa.how == "glossary" and query.count("，") == 1 else [])
                or _asked_apart(query)) == 2:
            # no document named for each side ("湖北省人大常委会机关与市人大常委会机关的……分别是多少"), or two English
            # questions in one ("how many …, and how many …"): each side's own question searched, taken in turn
            each = [self.retriever.search(side, top_k=k, flt=flt, lead=lead).hits for side in sides]
        if each:
            cands = _in_turns(each, cands)
        if s.reranker:
            from .rerank import rerank

            cands = rerank(query, cands, s.reranker)
            if each:  # the reranker's order within each side, the sides still taken in turn
                side = {h.passage_id: i for i, hs in enumerate(each) for h in hs}
                cands = _in_turns([[h for h in cands if side.get(h.passage_id) == i] for i in range(len(each))], cands)
        absent: list[str] = []
        if scope is not None and (scope.absent_places or scope.absent_cities):
            # A place no document's title or source names: passages that speak of it answer, and documents
            # that speak of it and are about no other place (an article on 湖北's 人大 that names 湖北 once);
            # never another province's report.
            shorts = [SHORT_NAME[full] for full in scope.absent_places] + scope.absent_cities
            placed = {d.doc_id for d in self.docs() if places_of(d)}
            mentions: dict[str, bool] = {}

            def speaks_of_place(h: Hit) -> bool:
                if any(x in h.text or x in h.title for x in shorts):
                    return True
                if h.doc_id in placed:
                    return False
                if h.doc_id not in mentions:
                    mentions[h.doc_id] = any(self.checker.known(x, SearchFilter(doc_ids=[h.doc_id])) for x in shorts)
                return mentions[h.doc_id]

            # a comparison's other side ("湖北省人大……与市人大……") is not of that place
            elsewhere = {h.passage_id for side, hs in zip(sides, each) if not any(x in side for x in shorts) for h in hs}
            cands = [h for h in cands if h.passage_id in elsewhere or speaks_of_place(h)]
            if not cands:
                absent = scope.absent_places + scope.absent_cities
        if body is not None:  # "全国人大机关……": not from the article of a 市人大 or 省人大 机关
            kept = [h for h in cands if not other_level(body, self.body_of(h.doc_id))]
            cands = kept or cands
        hits = diversify(cands, k)
        renderings = sa.renderings if sa is not None else {}
        # 选派 of "send" where the texts say 派出: another rendering of the English word is the texts' own, no missing topic
        carried = sa.carried if sa is not None else ""
        # (whether the library uses another rendering is asked of the whole library, as in Checker.verdict)
        library = dataclasses.replace(flt, doc_ids=[], exclude_doc_ids=[]) if flt is not None else None
        v = self.checker.verdict(query, hits, result.query_vector, flt,
                                 exempt=lambda u: bool(carried and u.strip("“”《》") in carried)
                                 or any(self.checker.known(r, library) for r in renderings.get(u, [])),
                                 pointed=asked is not None and bool(set(asked.forms) & POINTED))
        unsupported = absent + v.unsupported + (sa.untranslated if sa is not None else [])
        if v.reason == "coverage" and not unsupported and body is not None and first is None:
            # the asked body's passages found, none covering the rest of the question: read its documents for it
            return self.retrieve(query, flt, k, sa, asked, scope, dense_text, first=searched)
        ms = (time.perf_counter() - t0) * 1000
        taken = {h.passage_id for h in hits}
        return Retrieved(question=query, standalone_query=query, hits=hits,
                         answerable=v.answerable and not unsupported, relevance=v.relevance, coverage=v.coverage,
                         retrieve_ms=ms, unsupported=unsupported, asked=asked or Asked(), reworded=v.reworded,
                         reserve=[h for h in cands if h.passage_id not in taken])

    def names_from_pinyin(self, question: str, runs: list[str], sa: Standalone, flt: SearchFilter | None) -> None:
        """Pinyin names of an English question ("You Jinxia") put into Chinese from the library's own texts:
        document titles, authors and sources, and the passages nearest the English question."""
        runs = [r for r in runs if r.lower() not in LATIN_PLACE]  # places: the glossary's ("held in Beijing")
        if not runs:
            return
        docs = self.docs()
        records = [x for d in docs for x in (d.author, d.source) if x]
        vec = self.res.embedder.embed_query(normalize_for_index(question))
        texts = [d.title for d in docs] + [f"{f.payload.get('title', '')} {f.payload.get('text', '')}" for f in
                                           self.res.store.query(vec, None, limit=NAME_PASSAGES, flt=flt, mode="dense")]
        found = romanized.resolve(runs, texts, records)
        if found:
            log.info("pinyin names: %s", found)
            sa.query = " ".join(dict.fromkeys(found.values())) + " " + sa.query
            sa.untranslated = [u for u in sa.untranslated if not any(u in run for run in found)]
        # A person's name in pinyin that no text of the library holds: the question is about someone it does not cover.
        unknown = {w.lower() for w in sa.unknown_words}
        sa.untranslated += [r for r in runs if r not in found and r not in sa.untranslated and romanized.reads_as_pinyin(r)
                            and all(w.lower() in unknown for w in r.split() if len(w) > 2) and r.lower() not in LATIN_PLACE]

    def read_reserve(self, sa: Standalone, r: Retrieved, plan: Plan,
                     safe_hits: list[Hit]) -> tuple[Plan, list[Hit], list[Hit]] | None:
        """A plan that also reads the candidates below the hits, with the passages it adds (as kept, as defused),
        or None.

        A long passage whose one sentence states the asked number or date, or lists the asked kind of thing
        ("制定22个方面、92项具体措施", "湿地保护法、监狱法等执法检查"), ranks low on its other sentences. When the
        plan lacks a strict facet, or an enumeration lists nothing as the asked kind, the candidates below the
        hits are read; the wider plan is taken when it states every strict facet (or lists the kind) and its
        sentences from there are plainly about the question (:func:`.compose.states_from_afar`).
        """
        unlisted = (r.asked.wants(Form.ENUMERATION) and bool(asked_kind(sa.query))
                    and not any(lists_asked_kind(sa.query, p.text) for p in plan.sentences))
        if not r.reserve or not (plan.missing or unlisted):
            return None
        kept, safe = defuse_hits(r.reserve[:RESERVE_READ], sa.query)
        authors = self.authors()
        wider = plan_answer(sa.query, r.asked, [*safe_hits, *safe], overview=is_overview(sa.query), focus=sa.focus,
                            authors=authors, meaning=self.meaning(r.question, sa.query, [*safe_hits, *safe]))
        strict = set(r.asked.strict)
        # sentences read from below that spell out the asked set's items (its items stand for its name, “三力”)
        spelled = {(p.n, p.pos) for p in wider.sentences if p.n > len(safe_hits)
                   and Form.ENUMERATION in plan.missing and spelled_out_asked(sa.query, r.asked)
                   and spells_out(sa.query, r.asked, p.text, safe[p.n - len(safe_hits) - 1])}
        gained = [p for p in wider.sentences if p.n > len(safe_hits)
                  and (set(p.facets) & strict or (unlisted and lists_asked_kind(sa.query, p.text))
                       or (p.n, p.pos) in spelled)]
        if wider.missing or not gained or not all(
                states_from_afar(sa.query, r.asked, p.text, safe[p.n - len(safe_hits) - 1], sa.focus,
                                 listing=not set(p.facets) & strict, named=(p.n, p.pos) in spelled,
                                 author=authors.get(safe[p.n - len(safe_hits) - 1].doc_id, ""))
                for p in gained):
            return None
        log.info("asked fact found below the hits")
        return wider, kept, safe

    # -- the whole flow -----------------------------------------------------
    def stream(self, question: str, history: list[tuple[str, str]] | None = None,
               flt: SearchFilter | None = None, backend: str | None = None) -> Iterator[Event]:
        t0 = time.perf_counter()
        history = history or []
        notices: list[str] = []
        name = backend if backend is not None else self.backend_name
        llm: TimeLimitedBackend | None = None
        try:
            inner = self.backend(name)
            llm = self.guarded(inner) if inner is not None else None
        except LLMError as exc:
            notices.append(f"模型不可用：{exc}。以下为资料原文摘录。")
        timings: dict[str, float] = {}
        t_rw = time.perf_counter()
        sa = standalone(question, history, llm, known=lambda w: self.checker.known(w, flt),
                        apart=lambda a, b: self.checker.apart(a, b, flt))
        if sa.how == "glossary" and (runs := romanized.runs(question)):
            self.names_from_pinyin(question, runs, sa, flt)
        if sa.how == "glossary":  # a long name the library lacks, searched by a variant it uses (PRC → 新中国); a
            # short word's other senses are other topics (capital: 资本, not 首都), words that frame the ask stay
            sa.query = " ".join(t if t in ASKED_NOUNS or len(t) < 3 or self.checker.known(t, flt) else next(
                (r for r in sa.renderings.get(t, []) if set(r) & set(t) and self.checker.known(r, flt)), t)
                for t in sa.query.split(" "))
        if sa.query != question or history:
            timings["rewrite_ms"] = (time.perf_counter() - t_rw) * 1000
        asked = analyse(sa.asked_text or f"{sa.query} {question}")
        if sa.how == "glossary":  # a bag of translated terms: the word beside 多少 is no noun it counts, unless
            # the translation joined them ("how many 党员突击队" → 多少党员突击队)
            if not re.search(r"多少[\u4e00-\u9fff“]", sa.query):
                asked.counted = ""
            asked.counted_before = ""
            asked.measure = m.group(0) if (m := INDICATORS.search(sa.query)) else ""
        elif asked.counted and asked.counted not in sa.query:  # "多少个红头文件" said formally: 规范性文件 is counted
            asked.counted = analyse(sa.query).counted or asked.counted
        if sa.focus:  # "那老党员的纪念章呢": the count is of X now, which the facts must name (plan_answer's focus),
            # in X's own measure ("警示教育10次" → "那在国家级媒体发稿呢": 8篇)
            asked.counted = asked.counted_before = asked.unit = ""
        docs = self.docs()
        # (a follow-up made a comparison of two bodies, "全国人大常委会机关那边呢？哪家搞得多？": the one body its own
        # words name is one side, not the documents to read)
        both = sa.how == "followup" and len(compared_names(sa.query)) == 2
        scope = self.scope(f"{sa.query} {question}" if sa.query != question and not both else sa.query, flt)
        flt = scope.flt
        if not sa.focus and len(scope.absent_cities) == 1:  # "深圳今年的增长目标": facts stated of 深圳, not of 广东
            sa.focus = scope.absent_cities[0]
        sa.query = without_version_words(sa.query)  # "2018年版", "现行": they choose the text, they are not searched for
        # An English question translated by the glossary (a bag of terms): the dense side also reads the English.
        r = self.retrieve(sa.query, flt, sa=sa, asked=asked, scope=scope,
                          dense_text=f"{question} {sa.query}" if sa.how == "glossary" else None)
        if not r.answerable and sa.fallback is not None:  # the glossary fell short: the model's translation
            alt = sa.fallback()
            if alt:
                alt_asked = analyse(f"{alt} {question}")
                r2 = self.retrieve(alt, flt, asked=alt_asked, scope=scope)
                if r2.answerable:
                    r, asked, sa.query, sa.how = r2, alt_asked, alt, "model"
        r.question, r.standalone_query, r.rewritten_by = question, sa.query, sa.how
        if version_note := scope.version_note({h.doc_id for h in r.hits}):
            notices.append(version_note)
        timings["retrieve_ms"] = r.retrieve_ms
        ctx = answers.Context(question=question, standalone=sa.query, hits=r.hits, t0=t0, timings=timings,
                              notices=notices, backend="none", model="extractive")

        if (scope.documents and asks_for_changes(question + " " + sa.query)) or r.asked.docfact or not r.answerable:
            yield r  # the answer below cites its own passages; the retrieved list is shown meanwhile
        if scope.documents and asks_for_changes(question + " " + sa.query):
            works = {d.work for d in docs if d.title in scope.documents and d.work}
            changed = answer_changes(self.res.store, f"{question} {sa.query}", [d for d in docs if d.work in works])
            if changed is not None:
                notices.clear()  # a comparison of two revisions: no single version to note
                yield Token(changed.text)
                yield Final(answers.answered(ctx, changed.text, changed.hits))
                return
        if scope.picked and (absent := self.only_in_other_revisions(sa.query, scope.picked)):
            # "2018年版监察法规定责令候查最长多久": the older text has no such rule (the 2024 one added it)
            term, old, other = absent
            yield from answers.refuse(ctx, notice=f"{version_label(old)}的《{old.title}》中没有关于“{term}”的规定"
                                                  f"（见于{version_label(other)}的文本）。")
            return
        if not r.asked.docfact and (outlet := unborne_outlet(sa.query, docs, periodicals=True)):
            # "两项机制这篇是登载在求是杂志上的吗": no document of the library appeared there
            yield from answers.refuse(ctx, notice=f"资料中没有由“{outlet}”刊发或发表的文章。")
            return
        if r.asked.docfact and not r.unsupported:
            in_scope = [d for d in docs if (flt is None or not flt.doc_ids or d.doc_id in flt.doc_ids)
                        and (flt is None or d.doc_id not in flt.exclude_doc_ids)]
            fact = document_fact(self.res, sa.query, r.asked.docfact, r.hits, in_scope, r.asked.more_docfacts)
            if fact is None:
                yield from answers.refuse(ctx, not_stated=r.asked)
                return
            if fact.premise:
                yield from answers.refuse(ctx, notice=f"资料中没有这篇文章由“{fact.premise}”刊发或发表的记载。")
                return
            yield Token(fact.text)
            yield Final(answers.answered(ctx, fact.text, fact.hits))
            return
        if not r.answerable:
            yield from answers.refuse(ctx, unsupported=r.unsupported)
            return
        # Instruction-like sentences inside documents reach neither the model, nor an extractive
        # answer, nor verification (assistant/injection.py); citation cards show the original text.
        hits, safe_hits = defuse_hits(r.hits, sa.query)
        # a word of the question the texts say otherwise (荣休 for 荣退) is no topic a sentence must name
        psa = dataclasses.replace(sa, query=sa.query.replace(r.reworded, "")) if r.reworded else sa
        plan = plan_answer(psa.query, r.asked, safe_hits, overview=is_overview(psa.query), focus=sa.focus,
                           authors=self.authors(), meaning=self.meaning(question, psa.query, safe_hits))
        grown = grow_plan(plan, safe_hits, r.asked, self.doc_hits)
        if grown is not None:  # "从哪四个方面": the announcing sentence and each part's lead, from its own passage
            plan, more = grown[0], grown[1][len(safe_hits):]
            kept, safe = defuse_hits(more)
            hits, safe_hits = [*hits, *kept], [*safe_hits, *safe]
        if (further := self.read_reserve(psa, r, plan, safe_hits)) is not None:
            plan, kept, safe = further
            hits, safe_hits = [*hits, *kept], [*safe_hits, *safe]
        if plan.missing:
            yield r
            yield from answers.refuse(ctx, not_stated=r.asked, missing=plan.missing)
            return
        passages = {n: h.text for n, h in enumerate(safe_hits, 1)}
        # The planned answer at once, with or without a model.
        verified = verify_answer(plan.text(), passages)
        if scope.current_only:
            note = difference_line(self.res, verified.text, hits, docs)
            if note is not None:
                hits = [*hits, note[1]]
                verified.text = f"{verified.text}\n\n{note[0]}[{len(hits)}]"
        # Cited passages numbered 1..n in reading order; the model and the cards see the same numbers.
        verified.text, order = renumber(verified.text, list(range(len(hits))))
        safe_all = [*safe_hits, *hits[len(safe_hits):]]
        hits, safe_hits = [hits[i] for i in order], [safe_all[i] for i in order]
        passages = {n: h.text for n, h in enumerate(safe_hits, 1)}
        r.hits = hits
        yield r
        timings["first_token_ms"] = (time.perf_counter() - t0) * 1000
        yield Token(verified.text)
        if llm is None:
            yield Final(answers.answered(ctx, verified.text, hits))
            return
        # With a model: its plain-language gist, each sentence verified before it is shown.
        streamed = Streamed()
        titles = {n: h.title for n, h in enumerate(hits, 1)}
        t_m = time.perf_counter()
        numbering = MarkerOrder(verified.text)  # a passage the model cites first gets the next number
        text = verified.text
        for piece in stream_model_part(llm, sa.query, plan, verified.text, passages, titles, streamed):
            if "model_first_ms" not in timings:
                timings["model_first_ms"] = (time.perf_counter() - t0) * 1000
            piece = numbering.apply(piece)
            text += piece
            yield Token(piece)
        timings["model_ms"] = (time.perf_counter() - t_m) * 1000
        hits = numbering.order(hits)
        ctx.backend, ctx.model = ((llm.name, llm.model) if streamed.model_kept or streamed.copied
                                  else ("none", "extractive"))
        ctx.model_sentences = streamed.model_kept
        if streamed.error:
            notices.append(f"模型未能完成概括（{streamed.error}），以上为资料原文摘录。")
        elif streamed.dropped:
            notices.append("模型写的概括中有的话在原文中找不到依据，已删去。")
        yield Final(answers.answered(ctx, text, hits))

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            flt: SearchFilter | None = None, backend: str | None = None) -> Answer:
        final = None
        for ev in self.stream(question, history, flt, backend):
            if isinstance(ev, Final):
                final = ev.answer
        assert final is not None
        return final
