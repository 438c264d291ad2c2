"""知识测验: quiz items drawn from the passages in the store, graded and exported.

One seam per quiz type: each type (单选, 多选, 判断, 填空 built in) is a :class:`QuizType` declaring its
name, candidate facts, item building, grading, key display, export section and app widget; add one with
:func:`register_quiz_type` or an entry point in the ``policyqa.quiz_types`` group.

Modules: :mod:`.facts` (checkable facts and distractor pools), :mod:`.stems` (item text helpers),
:mod:`.base` / :mod:`.builtin` / :mod:`.registry` (quiz types), :mod:`.rules` (what a fact of a rule is: roles, rule terms,
cross-references, statistics, document families), :mod:`.build` (:class:`QuizGenerator`),
:mod:`.grading`, :mod:`.rewrite` (model-written stems, verified), :mod:`.export` (Markdown / Word).
"""
from __future__ import annotations

from .base import WIDGETS, BuildContext, Candidate, QuizType
from .build import QuizError, QuizGenerator, new_seed
from .builtin import FillBlank, MultipleChoice, SingleChoice, TrueFalse
from .export import quiz_docx, quiz_markdown
from .facts import cn_to_int, int_to_cn
from .grading import answer_display, brief_answer, grade, score, wrong_items
from .registry import find_quiz_type, quiz_type_names, quiz_types, register_quiz_type, unregister_quiz_type
from .rewrite import llm_choice_item, verify_choice
from .stems import BLANK, LETTERS, TRUE_FALSE

__all__ = [
           "BLANK",
           "LETTERS",
           "TRUE_FALSE",
           "WIDGETS",
           "BuildContext",
           "Candidate",
           "FillBlank",
           "MultipleChoice",
           "QuizError",
           "QuizGenerator",
           "QuizType",
           "SingleChoice",
           "TrueFalse",
           "answer_display",
           "brief_answer",
           "cn_to_int",
           "find_quiz_type",
           "grade",
           "int_to_cn",
           "llm_choice_item",
           "new_seed",
           "quiz_docx",
           "quiz_markdown",
           "quiz_type_names",
           "quiz_types",
           "register_quiz_type",
           "score",
           "unregister_quiz_type",
           "verify_choice",
           "wrong_items",
]
