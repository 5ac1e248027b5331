"""`tremor score`: sentiment and topics for JSONL rows, without storing anything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from models.registry import load_sentiment
from models.sentiment import predict_in_batches
from pipeline.langid import detect_language
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import tagger_for


def score_rows(lines: Iterable[str], model_name: str, taxonomy: Path | None, batch_size: int) -> Iterator[dict]:
    """One result per non-blank input line, in order; a row that cannot be read gets an `error`."""
    model = load_sentiment(model_name)
    tagger = tagger_for(load_taxonomy(taxonomy))
    rows = (line for line in lines if line.strip())
    while chunk := list(islice(rows, batch_size)):
        parsed = [_parse(line) for line in chunk]
        texts = [p.get("text", "") for p in parsed]
        langs = [p.get("lang") or detect_language(t) for p, t in zip(parsed, texts, strict=True)]
        predictions = predict_in_batches(model, texts, langs, batch_size)
        for row, text, lang, label, value in zip(parsed, texts, langs, predictions.labels, predictions.scores,
                                                 strict=True):
            match = tagger.tag(text, lang)
            yield {
                "id": row.get("id"),
                "lang": lang,
                "sentiment": {"label": label, "score": None if label is None else round(float(value), 4),
                              "model": model.name},
                "topics": list(match.topics),
                **({"error": row["error"]} if "error" in row else {}),
            }


def _parse(line: str) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "text": "", "error": f"invalid JSON: {exc.msg}"}
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        return {"id": row.get("id") if isinstance(row, dict) else None, "text": "",
                "error": "each row needs a string field 'text'"}
    return row
