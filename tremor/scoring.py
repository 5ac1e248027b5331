"""`tremor score`: sentiment and topics for JSONL rows, without storing anything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from models.registry import load_sentiment
from models.sentiment import predict_in_batches
from pipeline.langid import detect_language
from pipeline.sentences import Sentence, roll_up, spans
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import tagger_for


def score_rows(lines: Iterable[str], model_name: str, taxonomy: Path | None, batch_size: int,
               with_sentences: bool = False) -> Iterator[dict]:
    """One result per non-blank input line, in order; a row that cannot be read gets an `error`.

    Texts are scored sentence by sentence and rolled up (pipeline/sentences.py); with
    `with_sentences` each result also lists its sentences with their own scores.
    """
    model = load_sentiment(model_name)
    tagger = tagger_for(load_taxonomy(taxonomy))
    rows = (line for line in lines if line.strip())
    while chunk := list(islice(rows, batch_size)):
        parsed = [_parse(line) for line in chunk]
        texts = [p.get("text", "") for p in parsed]
        langs = [p.get("lang") or detect_language(t) for p, t in zip(parsed, texts, strict=True)]
        parts = [Sentence(str(i), n, a, b, text[a:b], lang)
                 for i, (text, lang) in enumerate(zip(texts, langs, strict=True))
                 for n, (a, b) in enumerate(spans(text, lang))]
        predictions = predict_in_batches(model, [p.text for p in parts], [p.lang for p in parts], batch_size)
        rolled = roll_up([str(i) for i in range(len(parsed))], parts, predictions.labels, predictions.scores,
                         predictions.probs)
        of_row: dict[str, list[int]] = {}
        for j, part in enumerate(parts):
            of_row.setdefault(part.article_id, []).append(j)
        for i, (row, text, lang, sentiment) in enumerate(zip(parsed, texts, langs, rolled, strict=True)):
            match = tagger.tag(text, lang)
            result = {
                "id": row.get("id"),
                "lang": lang,
                "sentiment": {"label": sentiment.label,
                              "score": None if sentiment.label is None else round(sentiment.score, 4),
                              **({"probs": _probs(sentiment.probs)} if sentiment.probs else {}),
                              "model": model.name, "version": model.version},
                "topics": list(match.topics),
                **({"error": row["error"]} if "error" in row else {}),
            }
            if with_sentences:
                result["sentences"] = [
                    {"start": parts[j].start, "end": parts[j].end, "text": parts[j].text,
                     "label": predictions.labels[j],
                     "score": None if predictions.labels[j] is None else round(float(predictions.scores[j]), 4)}
                    for j in of_row.get(str(i), [])]
            yield result


def _probs(probs: tuple[float, float, float]) -> dict[str, float]:
    return dict(zip(("negative", "neutral", "positive"), (round(p, 4) for p in probs), strict=True))


def _parse(line: str) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "text": "", "error": f"invalid JSON: {exc.msg}"}
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        return {"id": row.get("id") if isinstance(row, dict) else None, "text": "",
                "error": "each row needs a string field 'text'"}
    return row
