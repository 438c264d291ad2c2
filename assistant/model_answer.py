"""The model adds, never delays: a plain-language gist after the planned answer, verified while streaming.

The planned answer (verbatim sentences, each cited, covering what was asked) is shown at once. The
model is given only those sentences — not whole passages, so its prompt is short and its prefix
cached — and writes one or two sentences in plain Chinese. Each sentence it completes is checked
before it is shown (citation, support, numbers, fixed formulations); one that fails is dropped, a
copy of a shown sentence is skipped. What is on screen is never taken back.

(Measured with the bundled 1.5B model: asked to write the answer itself from the planned sentences,
it mostly repeated the first one or copied the sources, and its answers lost key points the plan
had; asked for a gist of an answer already shown, it adds wording of its own without putting
anything at risk.)
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import prompts
from .answerability import focus_terms, presence
from .compose import Plan, Planned
from .grounding import (
    ASIDE,
    CN_COUNT,
    NUMBER,
    clear_support,
    facts_missing,
    markers_of,
    norm,
    overlap,
    split_sentences,
    strip_markers,
    with_markers,
)
from .llm import ChatBackend, LLMError

log = logging.getLogger("policyqa.answer")

ANSWER_MAX_TOKENS = 120
"""The model's part is one to three sentences; this also bounds a small model stuck in a loop."""
MIN_SUPPORT = 0.3
MIN_CJK = 6
"""A model sentence with fewer Chinese characters is a fragment, not a statement."""
GIST_LEAD = "简言之，"
"""Put before the model's first sentence: the plain-language gist follows the quoted answer."""
COPIED = 0.9
"""A model sentence sharing this much with a source sentence both ways is a copy, not the model's own wording."""
_DEICTIC = frozenset({"这次", "那次", "此次", "本次", "这个", "那个", "这些", "那些", "这项", "该项", "其中"})
_ENDS = "。！？!?；;"
_STARTED = re.compile(r"[^\[\]\d,，、\s]")
"""Text that is more than the start of a citation marker."""
_MEASURE = frozenset("个名项次件条人位家所批期届种类")
_ITEM_OPEN = re.compile(r"^(?:[二三四五六七八九十]是|第[二三四五六七八九十][，,、]|[（(][二三四五六七八九十][)）])")
_SPAN_AVERAGE = re.compile(r"年均|每年平均|年平均")
"""A figure stated as an average over a span of years."""
_SAID_OF = re.compile(r"^(.{2,}?)(?:由|是|为|包括|包含|有|分为|：|:)")
"""What a list is said of: the words before "由 / 是 / 包括 …" ("国务院常务会议由总理、副总理……")."""
_REFUSAL = re.compile(r"没有找到|无法回答|不能回答|未提及|没有提到|资料中没有")


@dataclass
class Streamed:
    """What the model part produced: the sentences shown, in order, and what happened to the others."""

    shown: list[str] = field(default_factory=list)
    model_kept: int = 0
    """Sentences in the model's own wording, verified and shown."""
    copied: int = 0
    """Sentences the model copied from the sources (shown, not counted as its own wording)."""
    dropped: int = 0
    error: str = ""


_ANNOUNCES = re.compile(r"[：:]\s*[。.]?\s*$")
_SPACED_WORDS = re.compile(r"[\u4e00-\u9fff》] [\u4e00-\u9fff《]")
"""Model sentences that are no statement: a lead-in to a list it leaves out, search terms strung with spaces."""


class SentenceChecker:
    """Verifies one model sentence at a time against the numbered passages."""

    def __init__(self, passages: dict[int, str], titles: dict[int, str], plan: Plan, question: str = ""):
        self.passages, self.titles, self.plan = passages, titles, plan
        self.asked = norm(question)
        """Counts the question itself states ("哪两个典型" → "两个典型") need no source."""

    def check(self, sentence: str, shown: list[str]) -> tuple[str | None, str]:
        """(sentence to show or None, outcome: ``model`` | ``copied`` | ``dropped`` | ``skip``).

        A failing sentence is dropped, not replaced by its source: the source is on screen already."""
        body = strip_markers(sentence)
        if len(re.findall(r"[\u4e00-\u9fff]", body)) < MIN_CJK or _REFUSAL.search(body):
            return None, "skip"  # a stray marker or a bare "14次。" says nothing on its own
        if body.rstrip().endswith(("；", ";")) or _ITEM_OPEN.match(body):
            return None, "skip"  # a piece of a list ("有以下几条做法：一是……；"), which the quoted answer gives whole
        if _ANNOUNCES.search(body) or _SPACED_WORDS.search(body):
            # "……得守以下规矩：。" announces what it does not say; "《……》 给予 公职人员政务处分" echoes search words
            return None, "dropped"
        if any(overlap(body, strip_markers(s)) > 0.8 and overlap(strip_markers(s), body) > 0.8 for s in shown):
            return None, "skip"  # repeats a shown sentence
        valid = [n for n in dict.fromkeys(markers_of(sentence)) if n in self.passages]
        if valid and overlap(body, "".join(self.passages[n] for n in valid)) < MIN_SUPPORT:
            valid = []
        if not valid:
            best = clear_support(body, self.passages, 0.5)
            valid = [best] if best is not None else []
        missing = facts_missing(body, [self.passages[n] for n in valid]) if valid else []
        missing = [m for m in missing if norm(m.strip("“”")) not in self.asked]
        if valid and missing:  # a name or number from another given passage: cite that one too
            extra = [n for n in self.passages if n not in valid
                     and any(m.strip("“”") in norm(self.passages[n]) for m in missing)][:2]
            if extra and not [m for m in facts_missing(body, [self.passages[n] for n in valid + extra])
                              if norm(m.strip("“”")) not in self.asked]:
                valid, missing = valid + extra, []
        ok = (bool(valid) and not missing and not any(overlap(body, self.titles.get(n, "")) >= 0.8 for n in valid)
              and self._facts_keep_their_subject(body, valid) and self._lists_keep_their_subject(body, valid))
        if ok:
            copied = any(overlap(body, p.text) >= COPIED and overlap(p.text, body) >= COPIED
                         for p in self.plan.sentences + self.plan.spare)
            return with_markers(body, valid), "copied" if copied else "model"
        return None, "dropped"

    @staticmethod
    def _year_fits_span(year: str, clause: str, sources: list[str]) -> bool:
        """False when ``clause`` dates by ``year`` a figure its source states as an average over years (年均) in a
        sentence that names no such year: "2026年江苏全社会研发经费投入年均增长7%左右" of the five-year goals."""
        for m in NUMBER.finditer(clause):
            fact = norm(m.group(0))
            if fact == year:
                continue
            holders = [norm(x) for x in sources if fact in norm(x)]
            if holders and all(_SPAN_AVERAGE.search(h) and year not in h for h in holders):
                return False
        return True

    def _lists_keep_their_subject(self, body: str, cited: list[int]) -> bool:
        """A list of names stays with what it is said of: "国务院全体会议由总理、副总理、国务委员和秘书长组成" is refused
        when the source lists them for the 常务会议 (what the list is said of stands in a sentence that lists them)."""
        sources = [norm(x) for n in cited for x in split_sentences(self.passages[n])]
        for clause in re.split(r"[，,；;。]", body):
            segs = clause.split("、")
            inner = [norm(x) for x in segs[1:-1] if len(x) >= 2]
            said_of = _SAID_OF.match(segs[0]) if len(segs) >= 3 else None
            if not inner or said_of is None:
                continue
            holders = [h for h in sources if all(x in h for x in inner)]
            terms = [t for t in focus_terms(said_of.group(1)) if len(t) >= 2 and t not in _DEICTIC]
            if holders and terms and not any(presence(max(terms, key=len), h) >= 0.6 for h in holders):
                return False
        return True

    def _facts_keep_their_subject(self, body: str, cited: list[int]) -> bool:
        """Each number or count stays with what it counts: the main term written before it in the same clause
        stands in a source sentence that holds the number ("两项机制每年召开两次" is refused when only
        the 联席会 meets twice a year)."""
        sources = [x for n in cited for x in split_sentences(self.passages[n])]
        whole = norm(ASIDE.sub("", "".join(self.titles.get(n, "") + self.passages[n] for n in cited)))
        for clause in re.split(r"[，,；;：:]", body):
            quoted = [q.span() for q in re.finditer(r"“[^”]*”|《[^》]*》", clause)]
            for m in list(NUMBER.finditer(clause)) + list(CN_COUNT.finditer(clause)):
                if any(a < m.start() < b for a, b in quoted):
                    continue  # inside a quoted formulation or title, checked verbatim by facts_missing
                if m.end() < len(clause) and clause[m.end()] == clause[m.end() - 1]:
                    continue  # "一件件", "一桩桩": a manner of speaking, not a count
                if re.fullmatch(r"(?:19|20)\d\d", m.group(0)) and clause[m.end():m.end() + 1] == "年":
                    # a year dates, it counts nothing (and stands in the cited text: facts_missing) — but one year put
                    # on a figure the source gives per year of a span ("年均增长7%左右" of the 十五五 goals) is wrong
                    if not self._year_fits_span(m.group(0), clause, sources):
                        return False
                    continue
                fact = norm(m.group(0))
                before = clause[:m.start()]
                terms = [t for t in focus_terms(before) if len(t) >= 2 and t not in _DEICTIC]
                if not terms:
                    continue
                main = max(terms, key=lambda t: (len(t), before.rfind(t)))  # the longest, then the nearest
                # "党委(总支、支部)书记" is the 党委书记 of a paraphrase: asides in brackets are left out
                holders = [norm(ASIDE.sub("", x)) for x in sources if fact in norm(x)]
                if not holders or any(presence(main, h) >= 0.6 for h in holders):
                    continue
                # Word order may change in a paraphrase ("会议上有6个部门发言" of "…等6个部门作会议发言", "引进了6名专业
                # 人才" of "引进专业人才6名"): the count holds when what it counts stands with it in the source
                # sentence and the subject is in the passage.
                after = norm(clause[m.end():m.end() + 3])
                counted = (after[1:] if after[:1] in _MEASURE else after)[:2]
                # (the subject may be the one the question names: "省人大常委会机关各党支部……查找问题多少项" answered
                # "35个党支部……查找问题339项")
                said_before = norm(before)[-2:]  # "查找问题339项": what is counted, written before its count
                if (((re.fullmatch(r"[\u4e00-\u9fff]{2}", counted) and any(counted in h for h in holders))
                     or (re.fullmatch(r"[\u4e00-\u9fff]{2}", said_before)
                     and any(re.search(re.escape(said_before) + r"\D{0,2}" + re.escape(fact), h) for h in holders)))
                        and (presence(main, whole) >= 0.6 or norm(main) in self.asked)):
                    continue
                return False
        return True


def stream_model_part(llm: ChatBackend, question: str, plan: Plan, shown: str, passages: dict[int, str],
                      titles: dict[int, str], result: Streamed) -> Iterator[str]:
    """Yield the model's verified plain-language gist of the planned answer ``shown`` (already on screen).

    Each sentence is checked as it completes; one that fails is dropped (its source is already shown), a
    repetition of a shown sentence is skipped. Fills ``result`` as it goes.
    """
    checker = SentenceChecker(passages, titles, plan, question)
    result.shown.append(shown)
    yield from _attempt(llm, checker, prompts.gist_messages(question, plan_material(plan)), result, ANSWER_MAX_TOKENS)
    lead = _lead_material(plan)
    if not (result.model_kept or result.copied or result.error) and lead is not None:
        # Nothing of the gist held (a sentence past the sources, or a copy of one): one sentence more, from the
        # answer's first planned sentence alone — a narrower paraphrase the small model keeps to. (Measured on the
        # tune questions: most dropped gists mixed facts of two passages.)
        yield from _attempt(llm, checker, prompts.gist_messages(question, [lead], one=True), result, RETRY_MAX_TOKENS)


RETRY_MAX_TOKENS = 60
"""The second attempt is one sentence."""


def _lead_material(plan: Plan) -> tuple[int, str] | None:
    first = min(plan.sentences, key=lambda p: (p.n, p.pos), default=None)
    return (first.n, first.text) if first is not None else None


def _attempt(llm: ChatBackend, checker: SentenceChecker, messages: list[dict[str, str]], result: Streamed,
             max_tokens: int) -> Iterator[str]:
    buf = ""
    try:
        for delta in llm.stream_chat(messages, max_tokens=max_tokens):
            buf += delta
            sents = split_sentences(buf)
            # The last piece may be unfinished; a sentence whose "。" just came may still get its [n]
            # ("……。[1]"): it is checked once text other than a marker follows.
            keep = 1 if sents and _STARTED.search(sents[-1]) and not buf.endswith(tuple(_ENDS)) else 2
            done, rest = sents[:-keep], sents[-keep:]
            buf = "".join(rest)
            for s in done:
                yield from _emit(checker, s, result)
    except LLMError as exc:
        result.error = str(exc)
        buf = ""
    for s in split_sentences(buf):
        yield from _emit(checker, s, result)


def _emit(checker: SentenceChecker, sentence: str, result: Streamed) -> Iterator[str]:
    out, how = checker.check(sentence, split_sentences("".join(result.shown)))
    log.debug("model sentence %s: %s", how, sentence)
    if out is not None and not (result.model_kept or result.copied):
        out = GIST_LEAD + out
    if how == "model":
        result.model_kept += 1
    elif how == "copied":
        result.copied += 1
    elif how == "dropped":
        result.dropped += 1
    if out is not None:
        result.shown.append(out)
        yield out


def plan_material(plan: Plan) -> list[tuple[int, str]]:
    """The planned sentences grouped by passage number, in reading order."""
    by_n: dict[int, list[Planned]] = {}
    for p in sorted(plan.sentences, key=lambda p: (p.n, p.pos)):
        by_n.setdefault(p.n, []).append(p)
    return [(n, "".join(s.text for s in ss)) for n, ss in sorted(by_n.items())]
