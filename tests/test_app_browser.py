"""The app in a real browser (Debian chromium via Playwright) on a copy of the session store.

Screenshots go to test-output/browser/. Answers use ``--llm none`` (extractive): the
model path is tested in test_answer.py; here the page, streaming, cards, uploads,
deletion and escaping are what is under test.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import AppProcess, copy_home, goto_app, launch_browser, new_chat, open_page, shot, tab, wait_for_answer
from playwright import sync_api as pw_api

# Marker set by hostile document content if any of it ever runs as script.
XSS_DOC = """青松县山泉书屋管理规定（测试用）

第一条 青松县共建成山泉书屋37个，由县文化馆统一管理，每个书屋配备图书管理员2名。
第二条 书屋开放时间为每周二至周日。<script>window.__pq_xss = 'script'</script>
第三条 管理员须参加培训。<img src="x" onerror="window.__pq_xss = 'img'"> 详见[操作指南](javascript:window.__pq_xss='md')。
第四条 <a href="javascript:window.__pq_xss='a'">点击这里</a>领取借阅证；**借阅证**免费办理。
"""


@pytest.fixture(scope="module")
def app(ingested, tmp_path_factory):
    settings, _ = ingested
    home = copy_home(settings.home_path, tmp_path_factory.mktemp("apphome") / "home")
    proc = AppProcess(home, "--llm", "none", name="app-browser").wait()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def page(app):
    with pw_api.sync_playwright() as pw:
        browser = launch_browser(pw)
        pg = open_page(browser)
        pg.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
        pg.external = []  # requests that would leave the machine
        pg.on("request", lambda r: pg.external.append(r.url)
              if not r.url.startswith((app.url.rstrip("/"), "data:", "blob:")) else None)
        goto_app(pg, app.url)
        yield pg
        browser.close()


def ask(page, question: str) -> str:
    """Type a question, wait for the final answer (the export button appears), return the last answer text."""
    new_chat(page)
    box = page.locator("#pq-question textarea")
    box.fill(question)
    box.press("Enter")
    wait_for_answer(page, question)
    return page.locator("#pq-chat").inner_text()


def upload(page, path: Path) -> str:
    tab(page, "资料库")
    page.locator("#pq-upload input[type=file]").set_input_files(str(path))
    # Gradio uploads the file first and then lists it; importing before that would send nothing.
    page.wait_for_function("(n) => document.querySelector('#pq-upload').innerText.includes(n)", arg=path.stem[:4])
    page.click("#pq-upload-btn")
    # Done when the per-file results list this file (the summary alone may still show the previous upload).
    page.wait_for_function("(n) => document.querySelector('#pq-upload-results').innerText.includes(n) && "
                           "document.querySelector('#pq-upload-summary').innerText.includes('用时')", arg=path.stem[:3])
    return page.locator("#pq-upload-summary").inner_text()


def delete_doc(page, title: str) -> str:
    tab(page, "资料库")
    page.click("#pq-delete-doc input")
    page.locator("#pq-delete-doc [role=option]", has_text=title[:8]).first.click()
    page.click("#pq-delete-btn")
    page.click("#pq-confirm-yes")  # deleting asks first
    page.wait_for_function("() => document.querySelector('#pq-lib-msg').innerText.includes('已删除')")
    return page.locator("#pq-lib-msg").inner_text()


def test_chat_answers_with_citation_cards(page):
    text = ask(page, "两项机制是怎么运作的？")
    shot(page, "01-chat-answer")
    markers = page.locator("#pq-chat a[href*='cite-']")
    assert markers.count() >= 1, text
    assert re.search(r"\[\d\]", text)
    cards = page.locator("#pq-cards .pq-card")
    assert cards.count() >= 1
    titles = page.locator("#pq-cards .pq-title").all_inner_texts()
    assert any("两项机制" in t for t in titles), titles
    # Clicking [n] brings its card into view and highlights it, without leaving the page.
    first = markers.first
    card_id = first.get_attribute("href")[1:]  # this answer's own card: t1-cite-n
    first.click()
    card = page.locator(f"#{card_id}")
    page.wait_for_function("(id) => document.getElementById(id).classList.contains('pq-flash')", arg=card_id)
    assert card.is_visible() and card.get_attribute("open") is not None
    assert page.url.rstrip("/") == page.url.rstrip("/").split("#")[0]
    # The passage can be opened in its surrounding text.
    assert card.locator(".pq-context summary").count() in (0, 1)
    shot(page, "02-card-focused")
    # Copy gives the answer and its sources as plain text (no Markdown escapes, no link syntax).
    page.click("#pq-copy")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "两项机制" in copied and "## 出处" in copied and "\\[" not in copied and "cite-" not in copied, copied
    assert page.external == [], f"the page requested outside addresses: {page.external}"


def test_empty_question_and_bad_date_give_a_calm_hint(page):
    """Submitting nothing, or an unreadable as-of date: one Chinese line, no error badges or toasts, and the
    next question is answered as usual."""
    new_chat(page)
    box = page.locator("#pq-question textarea")
    box.fill("")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#pq-notices').innerText.includes('请先输入问题')")
    page.locator("button", has_text="检索范围").click()
    asof = page.locator("#pq-asof input, #pq-asof textarea").first
    asof.fill("去年")
    box.fill("两项机制是什么？")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#pq-notices').innerText.includes('格式不对')")
    assert box.input_value() == "两项机制是什么？"  # nothing typed is lost
    shot(page, "00-empty-and-bad-date")
    assert page.locator(".toast-body.error, .toast-wrap .error").count() == 0
    assert "Error" not in page.locator("body").inner_text()
    asof.fill("")
    text = ask(page, "两项机制是什么？")
    assert re.search(r"\[\d\]", text)


def test_upload_ask_delete_docx(page, tmp_path):
    from docx import Document as Docx

    path = tmp_path / "白云乡水利设施管护办法.docx"
    d = Docx()
    d.add_heading("白云乡小型水利设施管护办法", level=1)
    d.add_paragraph("第一条 为加强小型水利设施管护，白云乡设立管护队伍。")
    d.add_paragraph("第二条 白云乡共有山塘水库14座，每座水库明确1名专职管护员，每月巡查不少于4次。")
    d.add_paragraph("第三条 管护经费由乡财政按每座每年3000元标准列支。")
    d.save(path)

    summary = upload(page, path)
    shot(page, "03-upload-result")
    assert "新增 1 篇" in summary, summary
    table = page.locator("#pq-doc-table").inner_text()
    assert "白云乡小型水利设施管护办法" in table

    tab(page, "问答")
    text = ask(page, "白云乡有多少座山塘水库？每座配几名专职管护员？")
    shot(page, "04-answer-from-upload")
    assert "14" in text.split("白云乡有多少座")[-1]
    titles = page.locator("#pq-cards .pq-title").all_inner_texts()
    assert any("白云乡" in t for t in titles), titles

    msg = delete_doc(page, "白云乡小型水利设施管护办法")
    shot(page, "05-deleted")
    assert "已删除" in msg
    assert "白云乡小型水利设施管护办法" not in page.locator("#pq-doc-table").inner_text()

    tab(page, "问答")
    text = ask(page, "白云乡有多少座山塘水库？每座配几名专职管护员？")
    shot(page, "06-after-delete")
    answer = text.split("白云乡有多少座")[-1]
    assert "14座" not in answer and "没有找到" in answer, answer
    assert not any("白云乡" in t for t in page.locator("#pq-cards .pq-title").all_inner_texts())


def test_hostile_document_renders_inert(page, tmp_path):
    path = tmp_path / "青松县 \"书屋\" 规定.txt"
    path.write_text(XSS_DOC, encoding="utf-8")
    summary = upload(page, path)
    assert "新增 1 篇" in summary, summary
    tab(page, "问答")
    text = ask(page, "青松县建成了多少个山泉书屋？")
    shot(page, "07-hostile-document")
    assert "37" in text
    # Open every card's context too, so all of the document's text is on the page.
    for s in page.locator("#pq-cards .pq-context summary").all():
        s.click()
    cards = page.locator("#pq-cards").inner_text()
    assert "<script>" in cards or "window.__pq_xss" in cards  # shown as text
    assert page.evaluate("() => window.__pq_xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("#pq-chat strong, #pq-cards strong").count() == 0  # **…** stays literal
    # The same text through the other tabs: outline, quiz (stems, options, explanations), library table.
    make_outline(page, "山泉书屋")
    take_quiz(page, 5, topic="山泉书屋")
    page.click("#pq-quiz-submit")
    page.wait_for_selector("#pq-quiz-score")
    for s in page.locator("#pq-quiz-result summary").all():
        s.click()
    tab(page, "资料库")
    shot(page, "10-hostile-library")
    assert page.evaluate("() => window.__pq_xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.errors == [], page.errors


def make_outline(page, topic: str) -> str:
    tab(page, "研讨提纲")
    page.fill("#pq-outline-topic textarea", topic)
    page.click("#pq-outline-go")
    page.wait_for_function("(t) => document.querySelector('#pq-outline').innerText.includes('学习研讨提纲：' + t)",
                           arg=topic)
    return page.locator("#pq-outline").inner_text()


def take_quiz(page, n: int = 5, topic: str = "") -> str:
    tab(page, "知识测验")
    page.locator("#pq-quiz-n label", has_text=str(n)).first.click()
    if topic:
        page.get_by_label("主题（可不填）").fill(topic)
    # A quiz from an earlier test may still be on the page (module-scoped page): mark its stems and
    # wait for the new quiz's own, or the old 交卷 button would be clicked while the new one renders.
    page.evaluate("() => document.querySelectorAll('.pq-q-stem').forEach(e => e.dataset.old = '1')")
    page.click("#pq-quiz-go")
    page.wait_for_function("(n) => { const s = document.querySelectorAll('.pq-q-stem');"
                           " return s.length === n && ![...s].some(e => e.dataset.old); }", arg=n)
    page.wait_for_selector("#pq-quiz-submit")
    return page.locator(".pq-q-stem").all_inner_texts()


def test_outline_and_docx_download(page, tmp_path):
    text = make_outline(page, "两项机制")
    shot(page, "08-outline")
    for part in ("学习目的", "重点学习篇目", "研讨题目", "一、"):
        assert part in text, part
    markers = page.locator("#pq-outline a.pq-cite")
    assert markers.count() >= 5
    titles = page.locator("#pq-outline-cards .pq-title").all_inner_texts()
    assert titles and sum("两项机制" in t for t in titles) >= len(titles) / 2, titles
    page.wait_for_function("() => { const e = document.querySelector('#pq-outline-docx');"
                           " return e && e.offsetParent !== null; }")
    with page.expect_download() as dl:
        page.click("#pq-outline-docx")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    from docx import Document as Docx

    body = "\n".join(p.text for p in Docx(path).paragraphs)
    assert path.suffix == ".docx" and "两项机制" in body and "参考资料" in body


def test_quiz_practice_scores(page):
    stems = take_quiz(page, 5)
    assert len(stems) == 5 and len(set(stems)) == 5
    # Answer every item with its first choice (or a wrong-looking blank); the page grades and explains misses.
    for i in range(1, 6):
        box = page.locator(f"#pq-q{i}")
        if box.locator("input[type=radio], input[type=checkbox]").count():
            box.locator("label").first.click()
        else:
            box.locator("textarea, input").first.fill("不知道")
    page.click("#pq-quiz-submit")
    page.wait_for_selector("#pq-quiz-score")
    shot(page, "09-quiz-score")
    m = re.search(r"得分：(\d+) / 5", page.locator("#pq-quiz-score").inner_text())
    assert m, page.locator("#pq-quiz-result").inner_text()
    right = int(m.group(1))
    misses = page.locator("#pq-quiz-result .pq-miss")
    assert misses.count() == 5 - right
    assert right < 5  # "不知道" is never a correct blank
    # Each miss shows the key and its source card; wrong items can be retried.
    assert page.locator("#pq-quiz-result .pq-miss .pq-card").count() == 5 - right
    page.click("#pq-quiz-retry")
    page.wait_for_function("(k) => document.querySelectorAll('.pq-q-stem').length === k", arg=5 - right)


def test_upload_refuses_disguised_file(page, tmp_path):
    import zipfile

    path = tmp_path / "伪装成文本.txt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("payload.bin", b"\x00\x01" * 1000)
    summary = upload(page, path)
    shot(page, "11-upload-refused")
    results = page.locator("#pq-upload-results").inner_text()
    assert "已拒绝" in results and "伪装成文本.txt" in results, results
    assert "新增 0 篇" in summary
