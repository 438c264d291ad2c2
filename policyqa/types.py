"""Typed records shared by ingestion and the query-time core.

One module of plain dataclasses, each field described, so that every layer
(ingest, store, assistant, app, eval) speaks the same vocabulary.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Self

# Document types (stored in payload as these English keys; shown in Chinese).
DOC_TYPES: dict[str, str] = {
    "regulation": "法规制度",
    "speech": "讲话",
    "work_report": "工作报告",
    "article": "文章",
}


@dataclass
class DocumentMeta:
    """Metadata of one ingested document (one source file)."""

    doc_id: str
    """Stable id derived from the file's resolved path (``d`` + 12 hex)."""
    title: str
    """Title as printed in the document, or the file stem when none is found."""
    path: str
    """Resolved path of the source file."""
    content_hash: str
    """sha256 of the cleaned text plus the chunking/embedding recipe; a change re-indexes."""
    date: str = ""
    """ISO date ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY``) when known, else empty."""
    date_text: str = ""
    """The date exactly as printed (``2025年04月03日``, ``2023年第10期``)."""
    source: str = ""
    """Publisher / issuing body (``来源：`` line, manifest, or author's organ)."""
    author: str = ""
    """Author(s) as printed (``作者：``)."""
    doc_type: str = "article"
    """One of :data:`DOC_TYPES`."""
    n_passages: int = 0
    """Number of passages stored for this document."""
    n_chars: int = 0
    """Length of the cleaned text in characters."""
    ingested_at: str = ""
    """ISO timestamp (UTC) of the ingest that stored the current version."""
    work: str = ""
    """Normalised work title grouping the revisions of one regulation (``监察法``); empty when the
    document is not a versioned text."""
    version: str = ""
    """How the text's own date reads as a version: ``2024年12月25日修正``, ``2023年12月29日修订``."""
    first_date: str = ""
    """ISO date of first adoption (``通过``) when the header gives it."""
    history: list[str] = field(default_factory=list)
    """The header's adoption / revision lines, oldest first, as ``YYYY-MM-DD 修正`` etc."""
    issuer: str = ""
    """Adopting or issuing body from the header (``全国人民代表大会常务委员会``)."""
    doc_number: str = ""
    """发文字号 (``中办发〔2019〕40号``), when printed."""
    status: str = "current"
    """``current`` (现行), ``superseded`` (已被修订) or ``repealed`` (已废止); derived over the library."""
    superseded_by: str = ""
    """Doc id of the revision that replaced this one."""
    superseded_on: str = ""
    """ISO date of the replacing revision."""

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DocumentMeta:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in payload.items() if k in known})


@dataclass
class Document:
    """A loaded and cleaned document, ready to be split."""

    meta: DocumentMeta
    text: str
    """Cleaned text as displayed (original characters; offsets refer to it)."""
    removed_lines: list[str] = field(default_factory=list)
    """Clutter lines the cleaner dropped (kept for reports and tests)."""


def date_to_int(date: str, upper: bool = False) -> int:
    """``2025-04-03`` → 20250403; partial dates pad with 00 (or 99 as an upper bound)."""
    digits = "".join(ch for ch in (date or "") if ch.isdigit())
    if not digits:
        return 0
    pad = "9" if upper else "0"
    return int((digits + pad * 8)[:8])


_PAYLOAD_KEY: dict[str, str] = {"heading_path": "heading", "content_hash": "hash"}
"""Passage fields stored under another payload key (the keys existing stores hold)."""
PAYLOAD_BOOKKEEPING: tuple[str, ...] = ("date_int", "complete")
"""Payload keys that are store bookkeeping, not passage facts: ``date_int`` (derived from ``date`` for
range filters) and ``complete`` (False while a document version is being written)."""


@dataclass(kw_only=True)
class Passage:
    """A retrievable span of a document: the unit that is embedded, stored, retrieved and cited.

    The one passage record from ingest to UI. :meth:`to_payload` and :meth:`from_payload` are the
    only places a stored payload dict is built or read; :class:`Hit` is a Passage with a score, and
    :class:`Citation` and :class:`QuizSource` hold one.
    """

    passage_id: str
    """Point id in Qdrant: uuid5 of doc id, content hash and index (not in the payload)."""
    doc_id: str = ""
    title: str = ""
    """Title of the document."""
    heading_path: list[str] = field(default_factory=list)
    """Headings above the passage, outermost first, the document title first (payload key ``heading``)."""
    text: str = ""
    """Verbatim slice ``document.text[start:end]``."""
    date: str = ""
    """The document's ISO date, when known."""
    doc_type: str = "article"
    """One of :data:`DOC_TYPES`."""
    source: str = ""
    """Publisher / issuing body of the document."""
    idx: int = 0
    """Position of the passage within its document (0-based)."""
    start: int = 0
    """Character offset of the passage in the cleaned document text."""
    end: int = 0
    """End offset (exclusive)."""
    path: str = ""
    """Resolved path of the source file."""
    content_hash: str = ""
    """Content hash of the document version the passage belongs to (payload key ``hash``)."""
    work: str = ""
    """The document's work title (:attr:`DocumentMeta.work`), grouping revisions."""
    version: str = ""
    """The document's version label (:attr:`DocumentMeta.version`), shown on citations."""

    @property
    def heading(self) -> str:
        return " › ".join(self.heading_path)

    @classmethod
    def payload_keys(cls) -> tuple[str, ...]:
        """Every key of a stored passage payload, derived from the fields."""
        return tuple(_PAYLOAD_KEY.get(f.name, f.name) for f in fields(Passage) if f.name != "passage_id") \
            + PAYLOAD_BOOKKEEPING

    def to_payload(self, complete: bool = False) -> dict[str, Any]:
        """The payload stored with the passage's point (``passage_id`` is the point id)."""
        out = {_PAYLOAD_KEY.get(f.name, f.name): getattr(self, f.name) for f in fields(Passage)
               if f.name != "passage_id"}
        out["heading"] = list(self.heading_path)
        out["date_int"] = date_to_int(self.date)
        out["complete"] = complete
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], passage_id: str | None = None, **extra: Any) -> Self:
        """The record of a stored payload; ``passage_id`` defaults to the payload's ``id`` (added by
        :meth:`~policyqa.store.base.Store.doc_passages`). ``extra`` fills a subclass's own fields."""
        kw: dict[str, Any] = {}
        for f in fields(Passage):
            value = payload.get(_PAYLOAD_KEY.get(f.name, f.name))
            if f.name == "passage_id" or value is None:
                continue
            if f.name == "heading_path":
                value = list(value)
            elif isinstance(f.default, int):
                value = int(value)
            kw[f.name] = value
        pid = passage_id if passage_id is not None else str(payload.get("id", ""))
        return cls(passage_id=pid, **kw, **extra)

    def as_passage(self) -> Passage:
        """The plain record (drops what a subclass adds, such as a hit's score)."""
        return Passage(**{f.name: getattr(self, f.name) for f in fields(Passage)})


class PassageView:
    """Read-only passage attributes of a record that holds a :class:`Passage` as ``passage``."""

    passage: Passage

    @property
    def passage_id(self) -> str:
        return self.passage.passage_id

    @property
    def doc_id(self) -> str:
        return self.passage.doc_id

    @property
    def title(self) -> str:
        return self.passage.title

    @property
    def heading_path(self) -> list[str]:
        return self.passage.heading_path

    @property
    def heading(self) -> str:
        """Heading path joined with ›."""
        return self.passage.heading

    @property
    def text(self) -> str:
        """The verbatim passage."""
        return self.passage.text

    @property
    def date(self) -> str:
        return self.passage.date

    @property
    def doc_type(self) -> str:
        return self.passage.doc_type

    @property
    def source(self) -> str:
        return self.passage.source

    @property
    def idx(self) -> int:
        return self.passage.idx

    @property
    def start(self) -> int:
        return self.passage.start

    @property
    def end(self) -> int:
        return self.passage.end

    @property
    def path(self) -> str:
        return self.passage.path


@dataclass
class SearchFilter:
    """Metadata restrictions applied inside Qdrant at query time."""

    doc_types: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    date_from: str = ""
    """Inclusive lower bound, ISO ``YYYY-MM-DD`` (prefixes allowed)."""
    date_to: str = ""
    """Inclusive upper bound, ISO ``YYYY-MM-DD`` (prefixes allowed)."""
    exclude_doc_ids: list[str] = field(default_factory=list)
    """Documents left out (revisions not in force; set by the query side, not by users)."""
    as_of: str = ""
    """Use the revisions in force on this ISO date; empty: the texts in force today."""

    def is_empty(self) -> bool:
        return not (self.doc_types or self.doc_ids or self.sources or self.date_from or self.date_to
                    or self.exclude_doc_ids)


@dataclass(kw_only=True)
class Hit(Passage):
    """One retrieved passage: the passage record plus its retrieval score."""

    score: float
    """Fused score (RRF) for hybrid search, cosine for dense, BM25 for sparse."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``search --json``); the keys predate :class:`Passage` and stay as they are."""
        return {"passage_id": self.passage_id, "doc_id": self.doc_id, "title": self.title,
                "heading_path": list(self.heading_path), "text": self.text, "score": self.score, "date": self.date,
                "doc_type": self.doc_type, "source": self.source, "idx": self.idx, "start": self.start,
                "end": self.end, "path": self.path, "heading": self.heading}


@dataclass
class FileResult:
    """Outcome of ingesting one file, for the run summary."""

    path: str
    status: str
    """``added`` | ``updated`` | ``unchanged`` | ``skipped``."""
    doc_id: str = ""
    title: str = ""
    n_passages: int = 0
    reason: str = ""
    """Why a file was skipped, in Chinese, one line."""


@dataclass
class IngestReport:
    """Summary of one ingestion run."""

    files: list[FileResult] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    """Doc ids removed by ``--prune``."""
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def n_passages_written(self) -> int:
        return sum(f.n_passages for f in self.files if f.status in ("added", "updated"))

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "skipped"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [asdict(f) for f in self.files],
            "deleted": self.deleted,
            "seconds": round(self.seconds, 2),
            "embed_seconds": round(self.embed_seconds, 2),
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "skipped": self.count("skipped"),
            "passages_written": self.n_passages_written,
        }


@dataclass
class Citation(PassageView):
    """A passage cited as [n] in an answer, with what the UI needs to show it.

    The passage's attributes (``passage_id``, ``doc_id``, ``title``, ``heading``, ``date``, ``text``,
    ``doc_type``, ``source``, ``start``, ``end`` …) read through to :attr:`passage`.
    """

    n: int
    """The marker number used in the answer text."""
    passage: Passage
    score: float = 0.0
    """The hit's retrieval score (0 when not retrieved, e.g. a quiz item's source)."""
    support: list[str] = field(default_factory=list)
    """Sentences of the passage that support the answer (for highlighting)."""

    @classmethod
    def from_hit(cls, n: int, hit: Hit) -> Citation:
        return cls(n=n, passage=hit.as_passage(), score=hit.score)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``/ask`` API, ``ask --json``); the keys predate :class:`Passage` and stay as they are."""
        return {"n": self.n, "passage_id": self.passage_id, "doc_id": self.doc_id, "title": self.title,
                "heading": self.heading, "date": self.date, "text": self.text, "score": self.score,
                "support": list(self.support), "doc_type": self.doc_type, "source": self.source,
                "start": self.start, "end": self.end}


@dataclass
class Answer:
    """The verified, final answer to one question."""

    question: str
    answer: str
    """Chinese answer text; every claim ends with [n] markers referring to ``citations``."""
    answerable: bool
    """False when the library does not contain the answer (then ``answer`` says so)."""
    citations: list[Citation] = field(default_factory=list)
    """Passages cited in the answer, numbered as in the text."""
    nearest: list[Citation] = field(default_factory=list)
    """When not answerable: the closest passages, offered for reading."""
    standalone_query: str = ""
    """The question as rewritten from the chat history for retrieval."""
    backend: str = "none"
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    """Milliseconds: retrieve_ms, first_token_ms, total_ms (and rewrite_ms when used)."""
    notices: list[str] = field(default_factory=list)
    """Things the reader should know (fallback to extractive, unverified claims removed, …)."""
    model_sentences: int = 0
    """Sentences of the answer in the model's own wording (verified); 0 for extractive answers."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "nearest": [c.to_dict() for c in self.nearest],
            "standalone_query": self.standalone_query,
            "backend": self.backend,
            "model": self.model,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "notices": self.notices,
            "model_sentences": self.model_sentences,
        }


@dataclass
class EvalItem:
    """One eval question (a line of ``eval/questions.jsonl``)."""

    id: str
    type: str
    """``fact`` | ``synthesis`` | ``unanswerable``."""
    question: str
    answers: list[str] = field(default_factory=list)
    """Key points that must all appear in a correct answer (empty for unanswerable items)."""
    evidence: list[str] = field(default_factory=list)
    """Short verbatim source quotes; a passage containing any of them is a hit."""
    history: list[tuple[str, str]] = field(default_factory=list)
    """Earlier (question, answer) turns for follow-up questions."""
    split: str = "tune"
    """``tune`` (thresholds, rules and prompts may be fitted on it) | ``held`` (never fitted on)."""
    form: str = ""
    """What the question asks: enumeration, operation, quantity, frequency, … (see eval/README.md)."""
    style: str = ""
    """How it is asked: formal | colloquial | english | mixed | followup."""
    family: str = ""
    """Items asking the same fact share a family."""
    kind: str = ""
    """Unanswerable items: false_number, false_frequency, missing_doc, unstated_attribute, …"""
    as_of: str = ""
    """Answer from the revisions in force on this ISO date (``--as-of``); empty: the texts in force."""

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class EvalOutcome:
    """What the system did on one eval question, with the per-question scores."""

    id: str
    type: str
    question: str
    standalone_query: str
    """The query retrieval ran on (the rewritten question for follow-ups)."""
    answer: str
    answered: bool
    """False when the system refused ("资料库中没有找到……")."""
    backend: str = "none"
    evidence_rank: int | None = None
    """1-based rank of the first retrieved passage containing evidence; None if not in the top k."""
    cited: int = 0
    cited_with_evidence: int = 0
    citation_recall: float | None = None
    keypoint_recall: float | None = None
    missing_keypoints: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    """Milliseconds per stage: search_ms, embed_ms (retriever) and the engine's rewrite/retrieve/first_token/total."""
    model_sentences: int = 0
    """Answer sentences in the model's own wording (0 without a model)."""
    failures: list[str] = field(default_factory=list)
    """Why the item counts as failed, in Chinese; empty when it passed."""


@dataclass
class EvalReport:
    """Metrics of one eval run over a question file."""

    questions_file: str
    backend: str
    model: str
    embedder: str
    top_k: int
    metrics: dict[str, float | None] = field(default_factory=dict)
    """hit@1/3/5/10, mrr, citation_precision, citation_recall, keypoints, refusal_accuracy, false_refusal."""
    latency: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Stage → {"p50", "p95", "n"} in milliseconds."""
    groups: dict[str, dict[str, float | None]] = field(default_factory=dict)
    """Per question group (type, 追问, 英文): n and the main metrics."""
    outcomes: list[EvalOutcome] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- study-session outlines (学习研讨提纲) ------------------------------------------

OUTLINE_LENGTHS: dict[str, str] = {"short": "简要", "standard": "标准", "detailed": "详细"}
OUTLINE_AUDIENCES: tuple[str, ...] = ("支部学习", "中心组学习")


@dataclass
class OutlinePoint:
    """One line of an outline (a point, a 研讨题目, a 发言参考要点, the 学习目的)."""

    text: str
    """Chinese text with its [n] markers, ready to show."""
    cites: list[int] = field(default_factory=list)
    """Citation numbers used in ``text`` (refer to :attr:`Outline.citations`)."""
    origin: str = "extract"
    """``extract`` (the passages' own words) or ``llm`` (written by a model, then verified)."""


@dataclass
class OutlineSection:
    """An 一、 level (or, inside one, a （一） level) of the outline body."""

    heading: str
    """A heading of the source document (or its title, or a lead sentence used as heading)."""
    points: list[OutlinePoint] = field(default_factory=list)
    """The 1. 2. … points directly under the heading."""
    subsections: list[OutlineSection] = field(default_factory=list)
    doc_id: str = ""


@dataclass
class OutlineDoc:
    """A 重点学习篇目 entry: a document cited by the outline."""

    doc_id: str
    title: str
    date: str = ""
    source: str = ""
    doc_type: str = "article"
    cites: list[int] = field(default_factory=list)
    """Citation numbers of this document's passages."""


@dataclass
class Outline:
    """A study-session outline on one topic, every point cited."""

    topic: str
    length: str = "standard"
    """``short`` | ``standard`` | ``detailed``."""
    audience: str = "支部学习"
    """``支部学习`` | ``中心组学习``."""
    enough_material: bool = True
    """False when the library holds too little on the topic (then the body is empty)."""
    purpose: list[OutlinePoint] = field(default_factory=list)
    """学习目的 (one or two sentences)."""
    documents: list[OutlineDoc] = field(default_factory=list)
    """重点学习篇目, most cited first."""
    sections: list[OutlineSection] = field(default_factory=list)
    questions: list[OutlinePoint] = field(default_factory=list)
    """研讨题目 (3–5)."""
    talking_points: list[OutlinePoint] = field(default_factory=list)
    """发言参考要点."""
    citations: list[Citation] = field(default_factory=list)
    """Passages cited as [n], numbered in order of first appearance (the 参考资料 list)."""
    nearest: list[Citation] = field(default_factory=list)
    """When material is lacking: the closest passages, offered for reading."""
    notices: list[str] = field(default_factory=list)
    backend: str = "none"
    model: str = "extractive"
    timings: dict[str, float] = field(default_factory=dict)
    """Milliseconds: retrieve_ms, llm_ms (when a model ran), total_ms."""

    def body_points(self) -> list[OutlinePoint]:
        """All 1. 2. … points of the body, in reading order."""
        out: list[OutlinePoint] = []
        for s in self.sections:
            out += s.points
            for sub in s.subsections:
                out += sub.points
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["citations"] = [c.to_dict() for c in self.citations]
        d["nearest"] = [c.to_dict() for c in self.nearest]
        d["timings"] = {k: round(v, 1) for k, v in self.timings.items()}
        return d


# -- 知识测验 (quiz) ------------------------------------------------------------

@dataclass
class QuizSource(PassageView):
    """The passage a quiz item is drawn from: what the app shows as the item's source card.

    The passage's attributes (``doc_id``, ``title``, ``heading``, ``text`` …) read through to :attr:`passage`.
    """

    passage: Passage
    sentence: str
    """The source sentence (verbatim slice of ``text``) the item was built from."""

    def to_citation(self, n: int = 1) -> Citation:
        return Citation(n=n, passage=self.passage, score=0.0, support=[self.sentence])

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``quiz --json``); the keys predate :class:`Passage` and stay as they are."""
        return {"doc_id": self.doc_id, "passage_id": self.passage_id, "title": self.title, "heading": self.heading,
                "date": self.date, "text": self.text, "sentence": self.sentence,
                "heading_path": list(self.heading_path), "doc_type": self.doc_type, "source": self.source,
                "start": self.start, "end": self.end}


@dataclass
class QuizItem:
    """One quiz item with its key, explanation and source."""

    id: str
    """Stable id (hash of type, passage, fact and variant)."""
    qtype: str
    """One of :data:`QUIZ_TYPES`."""
    stem: str
    """Chinese stem; blanks are written （　　）."""
    options: list[str]
    """Option texts without letters (单选/多选), ``["正确", "错误"]`` (判断), empty (填空)."""
    answer: str
    """The key as printed: ``B`` / ``ACD`` / ``正确`` / the blank's text."""
    answer_texts: list[str]
    """Texts found in the source: correct options (单选/多选), the blank (填空), the fact checked (判断)."""
    explanation: str
    """Chinese explanation quoting the source sentence."""
    source: QuizSource
    kind: str = ""
    """Kind of fact tested: number, frequency, formulation, title, body, list."""
    distractors: list[str] = field(default_factory=list)
    """Wrong option texts (absent from the source passage)."""
    altered: str = ""
    """判断 (false statements): the substituted text that makes the statement wrong."""
    accept: list[str] = field(default_factory=list)
    """填空: further accepted forms of the answer (with the measure word, Chinese numerals …)."""
    origin: str = "rule"
    """``rule`` or ``llm`` (stem and distractors written by a model, then verified)."""

    @property
    def letters(self) -> str:
        return "ABCDEFGH"[:len(self.options)]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["source"] = self.source.to_dict()
        return d


@dataclass
class QuizSet:
    """A generated quiz."""

    items: list[QuizItem]
    seed: int = 0
    types: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    topic: str = ""
    backend: str = "none"
    model: str = ""
    title: str = "知识测验"
    notices: list[str] = field(default_factory=list)
    """Things the user should know (fewer items than asked, model unavailable …)."""
    llm_accepted: int = 0
    """Items whose model-written stem/distractors passed verification."""
    llm_rejected: list[str] = field(default_factory=list)
    """One reason per model proposal that failed verification (the rule item was kept)."""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["items"] = [it.to_dict() for it in self.items]
        return d
