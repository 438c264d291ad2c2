"""Eval set and harness: ``python -m eval`` (see eval/README.md)."""
from .harness import EvalFileError, load_questions, missed_thresholds, render_markdown, run_eval, score_item

__all__ = ["EvalFileError", "load_questions", "missed_thresholds", "render_markdown", "run_eval", "score_item"]
