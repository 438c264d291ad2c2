"""研讨提纲 across many documents (GitHub issue 17): topic synthesis over provincial work reports, regulation
topics by the regulations' own structure, sources without web addresses, the outline tab in a browser.

A temporary store holds twelve 2026 provincial work reports and five regulations (监察法 in two revisions) from
data/starter, ingested with the real embedder.
"""
from __future__ import annotations

import re

import pytest
from conftest import make_settings

from assistant.grounding import norm, strip_markers
from assistant.outline import OutlineBuilder, outline_docx, outline_markdown
from assistant.outline_multi import clean_source, is_heading_like, window
from eval.outlines import heading_only

ARTICLE = re.compile(r"^《[^》]+》第[一二三四五六七八九十百零]+条：")


@pytest.fixture(scope="module")
def res(starter_home):
    from policyqa.runtime import open_resources

    r = open_resources(make_settings(starter_home))
    yield r
    r.close()


@pytest.fixture(scope="module")
def npf(res):
    return OutlineBuilder(res, backend="none").build("新质生产力")


def _stored(res, o):
    for c in o.citations:
        texts = {p["id"]: p["text"] for p in res.store.doc_passages(c.doc_id)}
        assert texts.get(c.passage_id) == c.text, c.n


def test_topic_synthesis_across_reports(npf, res):
    o = npf
    assert o.enough_material
    assert 4 <= len(o.sections) <= 6
    points = o.body_points()
    by_n = {c.n: c for c in o.citations}
    cited_docs = {c.doc_id for c in o.citations}
    assert len(cited_docs) >= 8, len(cited_docs)
    # Sources balanced: no report carries more than a quarter of the points.
    per_doc: dict[str, int] = {}
    content = [p for p in points if p.origin != "summary"]
    for p in content:
        for d in {by_n[n].doc_id for n in p.cites}:
            per_doc[d] = per_doc.get(d, 0) + 1
    assert max(per_doc.values()) <= len(content) / 4, per_doc
    for s in o.sections:
        content = [p for p in s.points if p.origin != "summary"]
        assert 2 <= len(content) <= 4 or len(o.sections) > 4, s.heading
        for p in content:
            heads = [h for n in p.cites for h in by_n[n].passage.heading_path]
            assert not heading_only(p.text, heads), p.text
            # The passage's own words, cut at clause boundaries at most.
            assert norm(strip_markers(p.text).rstrip("。")) in norm("".join(by_n[n].text for n in p.cites)), p.text
    summaries = [p.text for p in points if p.origin == "summary"]
    assert summaries and all(t.startswith("共同点") and "新质生产力" in t for t in summaries)
    assert any("还提出" in t for t in summaries)
    # Relevance gate: a point names the topic, or stands under a heading that names it (and shares its
    # vocabulary); never a point of another subject merely near the topic.
    for p in points:
        assert "新质生产力" in p.text or any("新质生产力" in h for n in p.cites
                                              for h in by_n[n].passage.heading_path), p.text
    _stored(res, o)
    assert len(o.questions) >= 3 and all("？" in q.text and q.cites for q in o.questions)


def test_sources_read_as_a_reader_wants_them(npf, tmp_path):
    md = outline_markdown(npf)
    assert not re.search(r"https?://|www\.|proxy|login", md)
    docs = md.split("## 重点学习篇目", 1)[1].split("## 学习要点", 1)[0]
    assert "人民政府，2026-" in docs
    import docx

    path = outline_docx(npf, tmp_path / "提纲.docx")
    body = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "共同点" in body and not re.search(r"https?://|www\.", body)
    assert clean_source("https://lib.example.edu.cn/ezproxy/login?url=http://www.gov.cn 国务院") == "国务院"
    assert clean_source("上海市人民政府") == "上海市人民政府"


def test_regulation_topic_by_structure(res):
    o = OutlineBuilder(res, backend="none").build("政务处分")
    assert o.enough_material
    heads = [s.heading for s in o.sections]
    kinds = next(i for i, h in enumerate(heads) if "种类" in h)
    proc = next(i for i, h in enumerate(heads) if "程序" in h)
    remedy = next(i for i, h in enumerate(heads) if "复审" in h or "复核" in h or "申诉" in h)
    assert kinds < proc < remedy, heads
    for p in o.body_points():
        assert ARTICLE.match(p.text), p.text
    titles = {c.doc_id: c for c in o.citations}
    metas = {m.doc_id: m for m in res.store.list_docs()}
    assert all(metas[d].status == "current" for d in titles), "a superseded revision is cited"
    md = outline_markdown(o)
    assert "《中华人民共和国公职人员政务处分法》（全国人民代表大会常务委员会，2020年6月20日通过，现行）" in md
    assert "警告" in md and "复审" in md


def test_out_of_scope_topic_is_refused(res):
    o = OutlineBuilder(res, backend="none").build("南极科考站建设")
    assert not o.enough_material and "资料太少" in o.notices[0]


def test_heading_like_and_window():
    assert is_heading_like("（一）因地制宜加快发展新质生产力。", [])
    assert is_heading_like("因地制宜加快发展新质生产力", ["三、2026年工作 › 因地制宜加快发展新质生产力"])
    assert not is_heading_like("培育新质生产力，高新技术企业净增700家以上。", [])
    long = "坚持稳中求进，落实全会部署，更好统筹发展和安全，持续扩大内需，因地制宜发展新质生产力，防范化解重点领域风险。"
    w = window(long, ["新质生产力"], 30)
    assert w is not None and "新质生产力" in w and len(w) <= 31 and w in long.replace("。", "") + "。"


def test_outline_tab_many_documents_in_browser(starter_home, tmp_path):
    """The 研讨提纲 tab on a many-document topic: themes, 共同点 lines, cards from many reports, no URLs."""
    from browser import OUT, AppProcess, copy_home, launch_browser
    from playwright import sync_api as pw_api

    home = copy_home(starter_home, tmp_path / "apphome")
    app = AppProcess(home, "--llm", "none", name="app-outline-multi").wait()
    try:
        with pw_api.sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
            page.set_default_timeout(120_000)
            page.goto(app.url, wait_until="load")
            page.get_by_role("tab", name="研讨提纲").click()
            page.fill("#pq-outline-topic textarea", "新质生产力")
            page.click("#pq-outline-go")
            page.wait_for_function("() => document.querySelector('#pq-outline').innerText.includes('学习研讨提纲：新质生产力')")
            text = page.locator("#pq-outline").inner_text()
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "outline-multi.png"), full_page=True)
            assert "共同点" in text and "重点学习篇目" in text and "研讨题目" in text
            assert not re.search(r"https?://|www\.", text)
            titles = set(page.locator("#pq-outline-cards .pq-title").all_inner_texts())
            assert len(titles) >= 6, titles
            browser.close()
    finally:
        app.stop()


def test_model_theme_names_are_verified(npf):
    """The check a model-written theme name must pass (the model path itself runs in the app with the real model)."""
    from assistant.outline import verify_theme_name

    first = [strip_markers(p.text) for p in npf.sections[0].points if p.origin != "summary"]
    # A name made of the points' own words passes; one about something else, or with a number not in them, fails.
    words = re.sub(r"[，。、；：“”]", "", first[0])[:8]
    assert verify_theme_name(words, first)
    assert not verify_theme_name("深化航天强国战略部署", first)
    assert not verify_theme_name(words[:5] + "999", first)
