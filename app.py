"""政策研学助手 — the Gradio app: ``python app.py [--host 127.0.0.1] [--port 7860] [--llm local|openai|none]``."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from policyqa.app_link import new_secret, parse_auth, remove_record, write_record
from policyqa.runtime import setup_logging
from policyqa.settings import load_settings

log = logging.getLogger("policyqa.app")


__all__ = ["build_app", "main", "parse_auth"]


def build_app(svc, link_secret: str | None = None):
    """The page; ``link_secret`` lets the command line ingest paths through the app (policyqa/app_link.py)."""
    import gradio as gr

    from webui import chat_tab, compare_view, library_tab, outline_tab, quiz_tab

    with gr.Blocks(title="政策研学助手", analytics_enabled=False) as demo:
        gr.Markdown("## 政策研学助手\n根据本地资料库中的原文回答问题、起草研讨提纲、练习知识测验；全部离线运行。",
                    elem_id="pq-header")
        choices = library_tab.doc_choices(svc)
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                dropdowns = [chat_tab.build(svc)["docs"]]
            dropdowns.append(outline_tab.build_tab(svc, choices))
            dropdowns.append(quiz_tab.build_tab(svc, choices))
            with gr.Tab("资料库", id="library"):
                _, refreshed, outs = library_tab.build(svc, dropdowns)
            compare_view.build_tab(svc)
        demo.load(refreshed, None, outs, queue=False)
        from webui.api import register

        register(svc, link_secret)
    return demo


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="app.py", description="政策研学助手（网页应用）")
    ap.add_argument("--host", default=os.environ.get("POLICYQA_HOST", "127.0.0.1"),
                    help="监听地址（默认 127.0.0.1，仅本机；对局域网开放需明确写 0.0.0.0）")
    ap.add_argument("--port", type=int, default=int(os.environ.get("POLICYQA_PORT", "7860")))
    ap.add_argument("--llm", default=None, help="回答方式：local | openai | none（默认：装有本地模型则 local）")
    ap.add_argument("--home", default=None, help="数据目录（默认 var）")
    ap.add_argument("--embedder", default=None)
    ap.add_argument("--auth", default=os.environ.get("POLICYQA_AUTH", ""),
                    help="登录：用户名:密码，或每行一个 用户名:密码 的文件（也可用环境变量 POLICYQA_AUTH）")
    args = ap.parse_args(argv)

    settings = load_settings(home=args.home, embedder=args.embedder)
    setup_logging(settings.log_level)
    auth = parse_auth(args.auth)
    import gradio as gr

    from webui import render
    from webui.service import AppService

    try:
        svc = AppService(settings, backend=args.llm)
    except Exception as exc:
        print(f"无法打开资料库：{exc}", file=sys.stderr)
        return 1
    n_docs = len(svc.docs())
    if not n_docs:
        log.warning("资料库为空：在“资料库”页上传文件，或先运行 python -m ingest data/corpus")
    secret = new_secret()
    demo = build_app(svc, link_secret=secret)
    demo.queue(default_concurrency_limit=4, max_size=64)
    theme = gr.themes.Default(
        font=["WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC",
              gr.themes.LocalFont("Source Sans Pro"), "sans-serif"])
    print(f"政策研学助手：http://{args.host}:{args.port}  （资料库 {n_docs} 篇，回答方式 {svc.backend}）", flush=True)
    # Where the app serves, for the command line while the app holds the store (policyqa/app_link.py);
    # written before the server answers, so that whoever sees the page also finds the record.
    home = settings.home_path
    write_record(settings, args.host, args.port, auth=bool(auth), secret=secret)

    def on_term(signum, frame):  # remove the record, then end as SIGTERM always did
        remove_record(home)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    try:
        demo.launch(server_name=args.host, server_port=args.port, auth=auth,
                    auth_message="请登录政策研学助手" if auth else None,
                    theme=theme, css=render.CSS, head=render.HEAD_JS, show_error=True, quiet=True,
                    max_file_size=f"{settings.max_upload_mb}mb", footer_links=[], ssr_mode=False, mcp_server=False,
                    prevent_thread_lock=True)
        demo.block_thread()
    finally:
        remove_record(home)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
