"""Typed records shared by ingestion and the query-time core.

One module of plain dataclasses, each field described, so that every layer
(ingest, store, assistant, app, eval) speaks the same vocabulary.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

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

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "DocumentMeta":
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


@dataclass
class Passage:
    """A retrievable span of a document: the unit that is embedded and cited."""

    passage_id: str
    """Point id in Qdrant: uuid5 of doc id, content hash and index."""
    doc_id: str
    idx: int
    """Position of the passage within its document (0-based)."""
    text: str
    """Verbatim slice ``document.text[start:end]``."""
    heading_path: list[str]
    """Headings above the passage, outermost first, the document title first."""
    start: int
    """Character offset of the passage in the cleaned document text."""
    end: int
    """End offset (exclusive)."""

    @property
    def heading(self) -> str:
        return " › ".join(self.heading_path)


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

    def is_empty(self) -> bool:
        return not (self.doc_types or self.doc_ids or self.sources or self.date_from or self.date_to)


@dataclass
class Hit:
    """One retrieved passage with the document fields needed to cite it."""

    passage_id: str
    doc_id: str
    title: str
    heading_path: list[str]
    text: str
    score: float
    """Fused score (RRF) for hybrid search, cosine for dense, BM25 for sparse."""
    date: str = ""
    doc_type: str = "article"
    source: str = ""
    idx: int = 0
    start: int = 0
    end: int = 0
    path: str = ""

    @property
    def heading(self) -> str:
        return " › ".join(self.heading_path)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["heading"] = self.heading
        return d


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
class Citation:
    """A passage cited as [n] in an answer, with what the UI needs to show it."""

    n: int
    """The marker number used in the answer text."""
    passage_id: str
    doc_id: str
    title: str
    heading: str
    """Heading path joined with ›."""
    date: str
    text: str
    """The verbatim passage."""
    score: float
    support: list[str] = field(default_factory=list)
    """Sentences of the passage that support the answer (for highlighting)."""
    doc_type: str = "article"
    source: str = ""
    start: int = 0
    end: int = 0

    @classmethod
    def from_hit(cls, n: int, hit: "Hit") -> "Citation":
        return cls(n=n, passage_id=hit.passage_id, doc_id=hit.doc_id, title=hit.title, heading=hit.heading,
                   date=hit.date, text=hit.text, score=hit.score, doc_type=hit.doc_type, source=hit.source,
                   start=hit.start, end=hit.end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
        }
