"""A small OpenAI-compatible HTTP server for tests (real protocol: /v1/chat/completions, SSE streaming).

Its "model" is deterministic so that tests can check what the engine does with
a remote model's reply: it shortens the last sentence of the material in the
prompt, and — to exercise the grounding rules — adds a sentence citing a
passage that does not exist and one with a number that is in no passage.
``behaviour="hang"`` accepts the request and never answers; ``"error"`` answers HTTP 500.
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fake_reply(messages: list[dict]) -> str:
    user = messages[-1]["content"]
    if "改写后的问题" in user:
        last = re.search(r"最后一个问题：(.+)", user)
        prev = re.findall(r"用户：(.+)", user)
        return (prev[0].rstrip("？?") + "中，" if prev else "") + (last.group(1).strip() if last else "")
    blocks = re.findall(r"^\[(\d+)\] ([^\n]+)", user, re.M)
    if not blocks:
        return "资料库中没有找到能回答这个问题的内容。"
    n, text = blocks[-1]  # the last material sentence: not the answer's first sentence, which is already shown
    last = [x for x in re.split(r"(?<=。)", text) if x.strip()][-1]
    # A shorter wording of it (its first clause), as a model's gist looks.
    gist = "也就是说，" + re.split(r"[,，]", re.sub(r"[(（][^)）]*[)）]", "", last).rstrip("。"))[0] + "。"
    return f"{gist}[{n}] 该机制由外星代表团监督。[9] 共有999个小组参加。[{n}]"


class Handler(BaseHTTPRequestHandler):
    behaviour = "answer"
    requests: list[dict] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._json({"object": "list", "data": [{"id": "test-model", "object": "model"}]})
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).requests.append(body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_error(404)
            return
        if self.behaviour == "hang":
            time.sleep(30)
            return
        if self.behaviour == "error":
            self._json({"error": {"message": "internal error", "type": "server_error"}}, status=500)
            return
        text = fake_reply(body.get("messages", []))
        created = int(time.time())
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(text), 4):
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": created, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"role": "assistant", "content": text[i:i + 4]},
                                      "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            end = {"id": "c1", "object": "chat.completion.chunk", "created": created, "model": body["model"],
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()
            return
        self._json({"id": "c1", "object": "chat.completion", "created": created, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})

    def _json(self, obj: dict, status: int = 200) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start(behaviour: str = "answer") -> tuple[ThreadingHTTPServer, str, type[Handler]]:
    handler = type("H", (Handler,), {"behaviour": behaviour, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1", handler
