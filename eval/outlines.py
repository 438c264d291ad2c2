"""``python -m eval.outlines``: 研讨提纲评测 over the shipped library.

Each line of ``eval/outline_topics.jsonl`` is a topic: ``kind`` (single | multi | regulation | absent),
``split`` (tune | held), ``synonyms`` (words that mark a point as about the topic besides the topic's own
terms), ``themes`` (expected themes, each a list of alternative words), ``sources`` (title words of
documents that must be cited), ``min_docs`` (documents that must be cited).

Metrics (per topic, then averaged over the in-scope topics):

- theme coverage: share of expected themes named by a heading or point of the outline;
- point relevance: share of body points containing a topic term or synonym;
- heading-only points: body points that only repeat a heading (must be 0);
- source balance: documents cited ≥ ``min_docs`` and no document with more than 40 % of the points
  (multi-document topics); every regulation point cites 《法规》第X条 (regulation topics);
- refusal: out-of-scope topics must be refused, in-scope ones must not.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_TOPICS = Path(__file__).with_name("outline_topics.jsonl")
MAX_DOC_SHARE = 0.4
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.、．]\s*)")
_ARTICLE = re.compile(r"《[^》]+》第[一二三四五六七八九十百零]+条")


def load_topics(path: Path = DEFAULT_TOPICS) -> list[dict[str, Any]]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path} 第 {i} 行不是合法的 JSON：{exc}") from exc
    return out


def _bare(text: str) -> str:
    from assistant.grounding import norm, strip_markers

    return norm(strip_markers(text)).strip("。.：: ")


def heading_only(point: str, headings: list[str]) -> bool:
    """A point that is a heading repeated as a sentence: numbered, equal to a heading of its passage, or a
    short clause with no punctuation inside (no measure, target or requirement)."""
    from assistant.grounding import strip_markers

    text = strip_markers(point).strip()
    body = re.sub(r"^《[^》]+》第[一二三四五六七八九十百零]+条[：:]", "", text).strip()
    if _NUMBERING.match(body):
        return True
    b = _bare(body)
    if any(b and b == _bare(re.sub(_NUMBERING, "", h)) for h in headings):
        return True
    return len(b) <= 22 and not re.search(r"[，,、；;：:]", b)


def score_topic(item: dict[str, Any], outline: Any) -> dict[str, Any]:
    from assistant.extractive import query_terms

    o = outline
    r: dict[str, Any] = {"id": item["id"], "split": item["split"], "kind": item["kind"], "topic": item["topic"],
                         "refused": not o.enough_material}
    if item["kind"] == "absent":
        r["pass"] = r["refused"]
        return r
    points = o.body_points()
    heads = [s.heading for s in o.sections] + [x.heading for s in o.sections for x in s.subsections]
    text = " ".join(heads + [p.text for p in points])
    themes = item.get("themes") or []
    covered = [t for t in themes if any(w in text for w in t)]
    r["theme_coverage"] = len(covered) / len(themes) if themes else 1.0
    words = [t for t in query_terms(item["topic"]) if len(t) >= 2] + list(item.get("synonyms") or [])
    words = words or [item["topic"]]
    on = [p for p in points if any(w in p.text for w in words)]
    r["points"] = len(points)
    r["relevance"] = len(on) / len(points) if points else 0.0
    by_n = {c.n: c for c in o.citations}
    ho = 0
    for p in points:
        hs = [h for n in p.cites if n in by_n for h in by_n[n].passage.heading_path]
        ho += heading_only(p.text, hs)
    r["heading_only"] = ho
    per_doc: dict[str, int] = {}
    for p in points:
        for d in {by_n[n].doc_id for n in p.cites if n in by_n}:
            per_doc[d] = per_doc.get(d, 0) + 1
    r["docs_cited"] = len({c.doc_id for c in o.citations})
    r["top_doc_share"] = max(per_doc.values()) / len(points) if points and per_doc else 1.0
    titles = " ".join(c.title for c in o.citations)
    r["sources_hit"] = all(s in titles for s in item.get("sources") or [])
    balanced = r["docs_cited"] >= item.get("min_docs", 1)
    if item["kind"] == "multi":
        balanced = balanced and r["top_doc_share"] <= MAX_DOC_SHARE
    if item["kind"] == "regulation":
        r["article_cited"] = sum(bool(_ARTICLE.search(p.text)) for p in points) / len(points) if points else 0.0
        balanced = balanced and r["article_cited"] == 1.0
    r["balanced"] = balanced
    r["urls"] = sum(bool(re.search(r"https?://|www\.|proxy|login", d.source + d.title)) for d in o.documents)
    r["pass"] = (not r["refused"] and r["theme_coverage"] >= 0.75 and r["relevance"] >= 0.9 and ho == 0
                 and balanced and r["sources_hit"] and r["urls"] == 0)
    return r


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    inscope = [r for r in rows if r["kind"] != "absent"]
    absent = [r for r in rows if r["kind"] == "absent"]

    def mean(key: str, rs: list[dict[str, Any]]) -> float:
        vals = [float(r[key]) for r in rs if key in r and not r["refused"]]
        return sum(vals) / len(vals) if vals else 0.0

    return {
        "topics": len(rows),
        "pass_rate": sum(r["pass"] for r in rows) / len(rows) if rows else 0.0,
        "theme_coverage": mean("theme_coverage", inscope),
        "point_relevance": mean("relevance", inscope),
        "heading_only_points": sum(r.get("heading_only", 0) for r in inscope),
        "source_balance": sum(bool(r.get("balanced")) for r in inscope) / len(inscope) if inscope else 0.0,
        "refusal_accuracy": sum(r["refused"] for r in absent) / len(absent) if absent else 1.0,
        "false_refusals": sum(r["refused"] for r in inscope),
        "url_sources": sum(r.get("urls", 0) for r in inscope),
    }


LABELS = {"topics": "主题数", "pass_rate": "全部达标的主题比例", "theme_coverage": "主题要点覆盖率",
          "point_relevance": "要点切题率", "heading_only_points": "只复述标题的要点数（应为 0）",
          "source_balance": "出处均衡达标比例", "refusal_accuracy": "范围外主题拒答率", "false_refusals": "误拒数",
          "url_sources": "篇目中出现网址的条数（应为 0）"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.outlines", description="研讨提纲评测：要点覆盖、切题、出处均衡、拒答。")
    ap.add_argument("--topics", type=Path, default=DEFAULT_TOPICS, help="主题文件（JSONL，默认 eval/outline_topics.jsonl）")
    ap.add_argument("--split", choices=["tune", "held", "all"], default="all", help="tune（调参部分）| held（留出部分）| all")
    ap.add_argument("--home", help="数据目录（默认 var/）")
    ap.add_argument("--length", default="standard", help="篇幅：short | standard | detailed")
    ap.add_argument("--json", action="store_true", help="以 JSON 输出指标与逐题结果")
    ap.add_argument("--only", help="只评这些编号（逗号分隔）")
    args = ap.parse_args(argv)

    from assistant.outline import OutlineBuilder
    from policyqa.runtime import open_resources
    from policyqa.settings import load_settings

    topics = load_topics(args.topics)
    if args.split != "all":
        topics = [t for t in topics if t["split"] == args.split]
    if args.only:
        keep = set(args.only.split(","))
        topics = [t for t in topics if t["id"] in keep]
    res = open_resources(load_settings(home=args.home))
    rows = []
    try:
        builder = OutlineBuilder(res, backend="none")
        for item in topics:
            t0 = time.perf_counter()
            o = builder.build(item["topic"], length=args.length)
            r = score_topic(item, o)
            r["seconds"] = round(time.perf_counter() - t0, 2)
            rows.append(r)
            if not args.json:
                print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
    finally:
        res.close()
    summary = summarize(rows)
    if args.json:
        print(json.dumps({"summary": summary, "topics": rows}, ensure_ascii=False, indent=2))
    else:
        print(f"研讨提纲评测（{args.split}，{len(rows)} 个主题）")
        for k, v in summary.items():
            print(f"  {LABELS[k]}：{v:.2f}" if isinstance(v, float) else f"  {LABELS[k]}：{v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
