"""Writes and reads of the warehouse, in terms of the pipeline's records. Every value is a bound parameter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import numpy as np

from pipeline.records import (Article, ArticleScore, ArticleVectors, DailyIndicator, FetchLogEntry, IrrelevantItem,
                              Rejected, RuleHit, ScoredArticle, SentenceScore, StoryCopy, utc_now)
from warehouse.db import insert_staged, sql, transaction
from warehouse.errors import TerminalWarehouseError

Connection = duckdb.DuckDBPyConnection


def insert_articles(con: Connection, articles: Sequence[Article]) -> int:
    """Store articles not already known by canonical URL or content hash; return how many were new."""
    with transaction(con):
        inserted = _insert_new_articles(con, articles, utc_now())
    return inserted


def _insert_new_articles(con: Connection, articles: Sequence[Article], now: datetime) -> int:
    """Inside the caller's transaction: stage the articles, insert the unknown ones, count them."""
    rows = [(a.id, a.url, a.canonical_url, a.source, a.source_country, a.lang, a.published_at, a.day,
             a.title, a.text, a.content_hash) for a in articles]
    con.execute(sql("articles_stage"))
    if rows:
        con.executemany(sql("articles_stage_insert"), rows)
    return int(con.execute(sql("articles_insert_new"), [now]).fetchone()[0])


def insert_quarantine(con: Connection, rejected: Sequence[Rejected]) -> int:
    """Store rejected rows with their reason (a row already quarantined is kept once)."""
    before = con.execute(sql("quarantine_count")).fetchone()[0]
    now = utc_now()
    with transaction(con):
        if rejected:
            con.executemany(sql("quarantine_insert"),
                            [(r.id, r.source_file, r.line_no, r.reason, r.raw, now) for r in rejected])
    return con.execute(sql("quarantine_count")).fetchone()[0] - before


def articles_of_day(con: Connection, day: date) -> list[Article]:
    return [Article(*row) for row in con.execute(sql("articles_of_day"), [day]).fetchall()]


def article_counts_between(con: Connection, start: date, end: date) -> dict[date, int]:
    """Articles stored per day, start <= day <= end (days without any are absent)."""
    return dict(con.execute(sql("article_counts_between"), [start, end]).fetchall())


def replace_scores(con: Connection, days: Sequence[date], model_name: str, scores: Sequence[ArticleScore],
                   sentences: Sequence[SentenceScore] = (), vectors: ArticleVectors | None = None) -> None:
    """The days' article, target and sentence scores by this model (and the articles' embeddings), replaced
    in one transaction, each table by one set-based insert."""
    now = utc_now()
    targets = [t for s in scores for t in s.targets]
    with transaction(con):
        for statement in ("scores_delete_day", "sentences_delete_day", "targets_delete_day"):
            for one in days:
                con.execute(sql(statement), [one, model_name])
        insert_staged(con, "scores_insert", {
            "article_id": [s.article_id for s in scores], "day": [s.day for s in scores],
            "sentiment_label": [s.sentiment_label for s in scores], "sentiment_score": [s.sentiment_score for s in scores],
            "topics": [list(s.topics) for s in scores],
            "topic_terms": [json.dumps({k: list(v) for k, v in s.topic_terms.items()}, ensure_ascii=False) for s in scores],
            "model_name": [s.model_name for s in scores], "model_version": [s.model_version for s in scores],
            "taxonomy_version": [s.taxonomy_version for s in scores], "scored_at": [now] * len(scores),
            "topic_model": [s.topic_model for s in scores],
            "topic_evidence": [json.dumps(s.topic_evidence, ensure_ascii=False) for s in scores]})
        insert_staged(con, "targets_insert", {
            "article_id": [t.article_id for t in targets], "model_name": [t.model_name for t in targets],
            "target_country": [t.target_country for t in targets], "day": [t.day for t in targets],
            "n_sentences": [t.n_sentences for t in targets], "mentions": [list(t.mentions) for t in targets],
            "sentiment_label": [t.label for t in targets], "sentiment_score": [t.score for t in targets],
            **_probs(targets), "model_version": [t.model_version for t in targets]})
        insert_staged(con, "sentences_insert", {
            "article_id": [s.article_id for s in sentences], "model_name": [s.model_name for s in sentences],
            "sentence_no": [s.index for s in sentences], "day": [s.day for s in sentences],
            "start_char": [s.start for s in sentences], "end_char": [s.end for s in sentences],
            "text": [s.text for s in sentences], "sentiment_label": [s.label for s in sentences],
            "sentiment_score": [s.score for s in sentences], **_probs(sentences),
            "model_version": [s.model_version for s in sentences], "targets": [list(s.targets) for s in sentences]})
        if vectors is not None and vectors.article_ids:
            for one in days:
                con.execute(sql("embeddings_delete_day"), [one, vectors.model_name])
            insert_staged(con, "embeddings_insert", {
                "article_id": list(vectors.article_ids), "model_name": [vectors.model_name] * len(vectors.article_ids),
                "day": list(vectors.days), "vector": list(np.asarray(vectors.vectors, dtype=np.float32))})


def _probs(rows: Sequence) -> dict[str, list]:
    """p_negative, p_neutral, p_positive of rows with `probs` (None where a model gives no probabilities)."""
    probs = [r.probs or (None, None, None) for r in rows]
    return {f"p_{label}": [p[i] for p in probs] for i, label in enumerate(("negative", "neutral", "positive"))}


def unassigned_between(con: Connection, start: date, end: date, model_name: str, embedding_model: str
                       ) -> tuple[list[Article], list[np.ndarray | None]]:
    """Articles of start <= day <= end that the sentiment model's run gave no topic, with their stored
    embedding by `embedding_model` (None where there is none)."""
    rows = con.execute(sql("unassigned_between"), [embedding_model, start, end, model_name]).fetchall()
    return ([Article(*row[:10]) for row in rows],
            [None if row[10] is None else np.asarray(row[10], dtype=np.float32) for row in rows])


def scored_of_day(con: Connection, day: date, model_name: str) -> list[ScoredArticle]:
    """The day's scored articles, each with its sentiment toward the countries it talks about."""
    targets: dict[str, list[tuple[str, str | None, float | None]]] = {}
    for article_id, country, label, score in con.execute(sql("targets_of_day"), [day, model_name]).fetchall():
        targets.setdefault(article_id, []).append((country, label, score))
    rows = con.execute(sql("scored_of_day"), [day, model_name]).fetchall()
    return [ScoredArticle(*row[:7], topics=tuple(row[7]), targets=tuple(targets.get(row[0], ()))) for row in rows]


def indicators_between(con: Connection, start: date, end: date, model_name: str) -> list[DailyIndicator]:
    """Indicators of days start <= day < end."""
    rows = con.execute(sql("indicators_between"), [start, end, model_name]).fetchall()
    return [DailyIndicator(*row[:15], evidence=tuple(row[15]), target_country=row[16]) for row in rows]


def processed_days_between(con: Connection, start: date, end: date, model_name: str) -> list[date]:
    return [row[0] for row in con.execute(sql("processed_between"), [start, end, model_name]).fetchall()]


def replace_day_results(con: Connection, day: date, model_name: str, indicators: Sequence[DailyIndicator],
                        hits: Sequence[RuleHit], n_articles: int) -> None:
    """A day's indicators and rule hits replaced, and the day marked processed, in one transaction."""
    now = utc_now()
    indicator_fields = ("day", "topic", "source_country", "target_country", "lang", "model_name", "n_articles",
                        "n_scored", "n_negative", "n_outlets", "mean_sentiment", "share_negative", "baseline_mean",
                        "baseline_std", "baseline_days", "z_negative")
    hit_fields = ("day", "rule", "topic", "country", "target_country", "model_name", "kind", "metric", "direction",
                  "severity", "observed", "threshold", "critical", "baseline", "spread", "value", "n_articles",
                  "n_negative", "n_outlets", "n_total", "history_days")
    with transaction(con):
        con.execute(sql("indicators_delete_day"), [day, model_name])
        insert_staged(con, "indicators_insert", {
            **{f: [getattr(i, f) for i in indicators] for f in indicator_fields},
            "evidence": [list(i.evidence) for i in indicators], "computed_at": [now] * len(indicators)})
        con.execute(sql("hits_delete_day"), [day, model_name])
        insert_staged(con, "hits_insert", {**{f: [getattr(h, f) for h in hits] for f in hit_fields},
                                           "evidence": [list(h.evidence) for h in hits]})
        con.execute(sql("processed_upsert"), [day, model_name, n_articles, now])


def fetch(con: Connection, statement: str, params: Sequence | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a statement (the analyst's own SQL, on a read-only connection)."""
    cursor = con.execute(statement, params or [])
    columns = [d[0] for d in cursor.description] if cursor.description else []
    return columns, cursor.fetchall()


ANALYST_STATEMENTS = ("SELECT", "EXPLAIN")  # SELECT covers WITH, FROM-first, DESCRIBE, SHOW and SUMMARIZE


class QueryRefused(TerminalWarehouseError):
    """An analyst's statement that is not one read-only query."""


def analyst_query(con: Connection, statement: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one read-only statement (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN);
    anything else — COPY, INSERT, ATTACH, INSTALL/LOAD, SET, PRAGMA, CALL, several statements — is refused,
    as DuckDB's own parser classifies it."""
    try:
        parsed = con.extract_statements(statement)
    except duckdb.Error as exc:
        raise QueryRefused(f"not valid SQL: {str(exc).splitlines()[0]}") from exc
    if len(parsed) != 1:
        raise QueryRefused(f"one statement at a time ({len(parsed)} given)")
    kind = parsed[0].type.name
    if kind not in ANALYST_STATEMENTS:
        raise QueryRefused(f"{kind} statements are refused: the analyst query runs read-only SQL only "
                           "(SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); for files use the snapshot from DuckDB")
    try:
        return fetch(con, statement)
    except duckdb.Error as exc:
        raise TerminalWarehouseError(str(exc).splitlines()[0]) from exc


def fetch_named(con: Connection, name: str, params: Sequence | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the bundled query warehouse/sql/NAME.sql."""
    return fetch(con, sql(name), params)


def row_counts(con: Connection) -> dict[str, int]:
    """Exact row count of every table (names come from the catalog, not from input)."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@dataclass(frozen=True)
class HarvestCounts:
    """What one fetch run added to the warehouse."""

    new_articles: int
    new_quarantined: int
    new_copies: int
    new_irrelevant: int
    log_rows: int


def store_harvest(con: Connection, articles: Sequence[Article], rejected: Sequence[Rejected],
                  copies: Sequence[StoryCopy], irrelevant: Sequence[IrrelevantItem],
                  log: Sequence[FetchLogEntry]) -> HarvestCounts:
    """A fetch run's results in one transaction: new articles (known ones untouched), quarantined
    items, story copies, irrelevant-item counts and the fetch log with the validators it remembers.
    Nothing is written if any part fails, so the next conditional GET cannot skip unstored items."""
    now = utc_now()
    before = [con.execute(sql(name)).fetchone()[0] for name in ("quarantine_count", "story_copies_count",
                                                                  "irrelevant_count")]
    with transaction(con):
        new_articles = _insert_new_articles(con, articles, now)
        if rejected:
            con.executemany(sql("quarantine_insert"),
                            [(r.id, r.source_file, r.line_no, r.reason, r.raw, now) for r in rejected])
        if copies:
            con.executemany(sql("story_copies_insert"), [
                (c.story_id, c.copy_id, c.copy_url, c.copy_source, c.copy_country, c.copy_published_at,
                 c.similarity, now) for c in copies])
        if irrelevant:
            con.executemany(sql("irrelevant_insert"), [(i.article_id, i.source, i.day, now) for i in irrelevant])
        if log:
            con.executemany(sql("fetch_log_insert"), [
                (e.fetched_at, e.fetched_at.date(), e.source, e.kind, e.url, e.final_url, e.status, e.outcome,
                 e.reason, e.items, e.bytes, e.etag, e.last_modified, e.elapsed_ms) for e in log])
    after = [con.execute(sql(name)).fetchone()[0] for name in ("quarantine_count", "story_copies_count",
                                                                 "irrelevant_count")]
    return HarvestCounts(int(new_articles), after[0] - before[0], after[1] - before[1], after[2] - before[2],
                         len(log))


def feed_validators(con: Connection) -> dict[str, tuple[str | None, str | None]]:
    """URL -> (ETag, Last-Modified) of each feed's latest successful fetch."""
    return {url: (etag, modified) for url, etag, modified in con.execute(sql("fetch_validators")).fetchall()}


def articles_between(con: Connection, start: date, end: date) -> list[Article]:
    """Stored articles of days start <= day < end."""
    return [Article(*row) for row in con.execute(sql("articles_between"), [start, end]).fetchall()]
