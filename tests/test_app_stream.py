"""A local-model answer in a real browser: the answer's visible text only grows, never shrinks or swaps.

The app runs with the bundled 0.5B model (real llama.cpp). The page records the chat's text every
100 ms while the answer streams; once the status line ("正在检索资料……") has given way to the
answer, every snapshot must begin with the one before it.
"""
from __future__ import annotations

import pytest
from browser import OUT, AppProcess, copy_home, launch_browser, wait_for_answer
from playwright import sync_api as pw_api

STATUS = ("正在检索资料", "已找到相关原文", "正在核对资料")

RECORD_JS = """() => {
  window.__pq_trace = [];
  const chat = document.querySelector('#pq-chat');
  window.__pq_timer = setInterval(() => {
    const bots = chat.querySelectorAll('.message-row.bot-row, .bot, [data-testid="bot"]');
    const last = bots.length ? bots[bots.length - 1].innerText : '';
    const t = window.__pq_trace;
    if (!t.length || t[t.length - 1] !== last) t.push(last);
  }, 100);
}"""


@pytest.mark.slow
def test_local_model_answer_never_shrinks(ingested, tmp_path_factory):
    pytest.importorskip("llama_cpp")
    settings, _ = ingested
    home = copy_home(settings.home_path, tmp_path_factory.mktemp("streamhome") / "home")
    proc = AppProcess(home, "--llm", "local", env={"POLICYQA_LOCAL_MODEL": "qwen2.5-0.5b"},
                      name="app-stream").wait(timeout=240)
    try:
        with pw_api.sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(240_000)
            page.goto(proc.url, wait_until="load")
            page.wait_for_selector("#pq-question textarea")
            page.evaluate(RECORD_JS)
            box = page.locator("#pq-question textarea")
            box.fill("两项机制是怎么运作的？")
            box.press("Enter")
            wait_for_answer(page, "两项机制是怎么运作的？")
            page.wait_for_timeout(500)
            trace = page.evaluate("() => { clearInterval(window.__pq_timer); return window.__pq_trace; }")
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "stream-local-model.png"), full_page=True)
            foot = page.locator("#pq-notices").inner_text()
            # Asking on while an answer streams: the next question typed meanwhile stays in the box, 新对话 waits
            # (disabled), and the question sent meanwhile is answered next, not dropped.
            box.fill("联席会议办公室设在哪里？")
            box.press("Enter")
            page.wait_for_function("() => document.querySelector('#pq-chat').innerText.includes('联席会议办公室设在哪里')")
            new_chat_disabled = page.locator("button:has-text('新对话')").is_disabled()
            box.fill("牵头单位任期多长？")
            page.wait_for_timeout(300)
            kept = box.input_value()
            box.press("Enter")
            page.wait_for_function("() => { const t = document.querySelector('#pq-chat').innerText;"
                                   " return t.includes('牵头单位任期多长') && t.includes('任期一年'); }")
            page.wait_for_function("() => [...document.querySelectorAll('button')]"
                                   ".some(b => b.innerText.includes('新对话') && !b.disabled)")
            chat = page.locator("#pq-chat").inner_text()
            page.screenshot(path=str(OUT / "stream-asked-meanwhile.png"), full_page=True)
            browser.close()
    finally:
        proc.stop()
    assert new_chat_disabled, "新对话 should wait while an answer streams"
    assert kept == "牵头单位任期多长？", kept
    assert chat.index("联席会议办公室设在哪里") < chat.index("牵头单位任期多长"), chat
    answer = [" ".join(t.split()) for t in trace if t.strip() and not any(s in t for s in STATUS)]
    assert len(answer) >= 1, trace
    for before, after in zip(answer, answer[1:]):
        assert after.startswith(before), f"the answer changed on screen:\n{before!r}\n→ {after!r}"
    assert "召开两次" in answer[-1] or "沟通联系一次" in answer[-1], answer[-1]
    assert "本地模型" in foot or "原文摘录" in foot, foot
