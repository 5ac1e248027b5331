"""`tremor score`: sentiment, topics and country targets for JSONL rows, without storing anything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice

from pipeline.langid import detect_language
from pipeline.records import Article, ArticleScore, SentenceScore, utc_now
from models.annotate import score_articles
from tremor.settings import ModelSettings


def score_rows(lines: Iterable[str], cfg: ModelSettings, with_sentences: bool = False) -> Iterator[dict]:
    """One result per non-blank input line, in order; a row that cannot be read gets an `error`.

    Texts are scored sentence by sentence and rolled up, topics assigned, and the countries the text talks
    about found with the sentiment toward each (models/annotate.py); with `with_sentences` each result also
    lists its sentences with their own scores and countries.
    """
    rows = (line for line in lines if line.strip())
    while chunk := list(islice(rows, cfg.batch_size)):
        parsed = [_parse(line) for line in chunk]
        articles = [_article(str(i), row) for i, row in enumerate(parsed)]
        scored, sentence_rows, _ = score_articles(articles, cfg)
        of_row: dict[str, list[SentenceScore]] = {}
        for sentence in sentence_rows:
            of_row.setdefault(sentence.article_id, []).append(sentence)
        for row, article, result in zip(parsed, articles, scored, strict=True):
            yield _result(row, article, result, of_row.get(article.id, []) if with_sentences else None)


def _article(key: str, row: dict) -> Article:
    text = row.get("text", "")
    return Article(id=key, url="", canonical_url="", source="", source_country="unknown",
                   lang=row.get("lang") or detect_language(text), published_at=utc_now(), title="", text=text,
                   content_hash="")


def _result(row: dict, article: Article, score: ArticleScore, sentences: list[SentenceScore] | None) -> dict:
    result = {
        "id": row.get("id"),
        "lang": article.lang,
        "sentiment": _sentiment(score.sentiment_label, score.sentiment_score, score.probs,
                                score.model_name, score.model_version),
        "topics": list(score.topics),
        "topic_evidence": score.topic_evidence,
        "topic_model": score.topic_model or "keywords",
        "targets": [{"country": t.target_country, "label": t.label, "score": t.score, "sentences": t.n_sentences,
                     "mentions": list(t.mentions)} for t in score.targets],
        **({"error": row["error"]} if "error" in row else {}),
    }
    if sentences is not None:
        result["sentences"] = [{"start": s.start, "end": s.end, "text": s.text, "label": s.label, "score": s.score,
                                "targets": list(s.targets)} for s in sentences]
    return result


def _sentiment(label, score, probs, model: str, version: str) -> dict:
    return {"label": label, "score": None if label is None else round(score, 4),
            **({"probs": _probs(probs)} if probs else {}), "model": model, "version": version}


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
