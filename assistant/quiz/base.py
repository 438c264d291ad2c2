"""知识测验: what a quiz type is — the one seam for adding a type of item.

A quiz type declares its name, which facts of a sentence it can test, how it builds an item from one,
how it grades a response, how the key is shown, its section in exported papers and the input widget the
app gives it. Register one with :func:`assistant.quiz.register_quiz_type` or an entry point in the
``policyqa.quiz_types`` group (see :mod:`assistant.quiz.registry`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from policyqa.types import QuizItem

from .facts import Enumeration, Fact, Pools, Sentence

WIDGETS = ("radio", "checkbox", "text")
"""Input widget kinds the app knows: one choice, several choices, free text."""


@dataclass
class Candidate:
    """A fact (or enumeration, or the whole sentence when ``target`` is None) a type may build an item from."""

    qtype: str
    sent: Sentence
    target: Fact | Enumeration | None
    rank: float


@dataclass
class BuildContext:
    """What the items of one quiz share while it is built."""

    pools: Pools
    """Same-kind things found across the corpus (distractors, altered facts)."""
    rng: random.Random
    """The quiz's seeded random stream; use it (and only it) for every random choice."""
    coin: bool
    """A fair coin tossed once per quiz (判断 starts its true/false alternation from it)."""
    state: dict[str, Any] = field(default_factory=dict)
    """Scratch space kept across the items of one quiz, keyed by type name."""


class QuizType:
    """One type of quiz item. Subclass it, set the attributes and override the methods marked so."""

    name: str = ""
    """The type as users write it (``--types``, the app's choices) and as :attr:`QuizItem.qtype`."""
    section: str = ""
    """Section heading in exported papers, e.g. 单项选择题."""
    widget: str = "text"
    """The app's input widget: ``radio`` (one of :meth:`choices`), ``checkbox`` (several) or ``text``."""
    placeholder: str = ""
    """Hint shown in a ``text`` widget."""
    default: bool = True
    """Part of the default mix (a quiz generated without naming types; ticked in the app)."""
    rewrite: bool = False
    """A model may rewrite the stem and distractors (choice items with ``distractors``), then verify them."""

    # -- generation -----------------------------------------------------------------------------
    def targets(self, sent: Sentence) -> list[Fact | Enumeration]:
        """The facts / enumerations of ``sent`` this type can test, in sentence order. Override."""
        return []

    def build(self, cand: Candidate, ctx: BuildContext) -> QuizItem | None:
        """The item for ``cand`` (None when it makes no good item, e.g. too few distractors). Override."""
        raise NotImplementedError

    def accepted(self, item: QuizItem, ctx: BuildContext) -> None:
        """Called when ``item`` is taken into the quiz (after duplicate checks)."""

    # -- answering ------------------------------------------------------------------------------
    def grade(self, item: QuizItem, response: Any) -> bool:
        """Whether a non-empty ``response`` answers ``item`` correctly. Override."""
        raise NotImplementedError

    def choices(self, item: QuizItem) -> list[tuple[str, str]]:
        """(label, value) pairs of a ``radio`` / ``checkbox`` widget; the value is what :meth:`grade` gets."""
        return []

    # -- display --------------------------------------------------------------------------------
    def display(self, item: QuizItem) -> str:
        """The key as a reader wants it in the answer key (``B．8个组``, ``8``)."""
        return item.answer

    def brief(self, item: QuizItem) -> str:
        """The key in the app's list of misses."""
        return item.answer

    def paper_options(self, item: QuizItem) -> list[str]:
        """Lines printed under the stem in an exported paper (``A．…`` for choice items)."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
