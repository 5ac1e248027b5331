"""Writes and reads of the warehouse, in terms of the pipeline's records. Every value is a bound parameter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import duckdb

from pipeline.records import Alert, Article, ArticleScore, DailyIndicator, Rejected, RuleHit, ScoredArticle
from warehouse.db import sql, transaction

Connection = duckdb.DuckDBPyConnection


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def insert_articles(con: Connection, articles: Sequence[Article]) -> int:
    """Store articles not already known by canonical URL or content hash; return how many were new."""
    rows = [(a.id, a.url, a.canonical_url, a.source, a.source_country, a.lang, a.published_at, a.day,
             a.title, a.text, a.content_hash) for a in articles]
    with transaction(con):
        con.execute(sql("articles_stage"))
        if rows:
            con.executemany(sql("articles_stage_insert"), rows)
        inserted = con.execute(sql("articles_insert_new"), [_now()]).fetchone()[0]
    return int(inserted)


def insert_quarantine(con: Connection, rejected: Sequence[Rejected]) -> int:
    """Store rejected rows with their reason (a row already quarantined is kept once)."""
    before = con.execute(sql("quarantine_count")).fetchone()[0]
    now = _now()
    with transaction(con):
        if rejected:
            con.executemany(sql("quarantine_insert"),
                            [(r.id, r.source_file, r.line_no, r.reason, r.raw, now) for r in rejected])
    return con.execute(sql("quarantine_count")).fetchone()[0] - before


def articles_of_day(con: Connection, day: date) -> list[Article]:
    return [Article(*row) for row in con.execute(sql("articles_of_day"), [day]).fetchall()]


def replace_scores(con: Connection, day: date, model_name: str, scores: Sequence[ArticleScore]) -> None:
    """The day's scores by this model, replaced in one transaction."""
    now = _now()
    rows = [(s.article_id, s.day, s.sentiment_label, s.sentiment_score, list(s.topics),
             json.dumps({k: list(v) for k, v in s.topic_terms.items()}, ensure_ascii=False),
             s.model_name, s.model_version, s.taxonomy_version, now) for s in scores]
    with transaction(con):
        con.execute(sql("scores_delete_day"), [day, model_name])
        if rows:
            con.executemany(sql("scores_insert"), rows)


def scored_of_day(con: Connection, day: date, model_name: str) -> list[ScoredArticle]:
    rows = con.execute(sql("scored_of_day"), [day, model_name]).fetchall()
    return [ScoredArticle(*row[:7], topics=tuple(row[7])) for row in rows]


def indicators_between(con: Connection, start: date, end: date, model_name: str) -> list[DailyIndicator]:
    """Indicators of days start <= day < end."""
    rows = con.execute(sql("indicators_between"), [start, end, model_name]).fetchall()
    return [DailyIndicator(*row[:15], evidence=tuple(row[15])) for row in rows]


def processed_days_between(con: Connection, start: date, end: date, model_name: str) -> list[date]:
    return [row[0] for row in con.execute(sql("processed_between"), [start, end, model_name]).fetchall()]


def replace_day_results(con: Connection, day: date, model_name: str, indicators: Sequence[DailyIndicator],
                        hits: Sequence[RuleHit], n_articles: int) -> None:
    """A day's indicators and rule hits replaced, and the day marked processed, in one transaction."""
    now = _now()
    with transaction(con):
        con.execute(sql("indicators_delete_day"), [day, model_name])
        if indicators:
            con.executemany(sql("indicators_insert"), [
                (i.day, i.topic, i.source_country, i.lang, i.model_name, i.n_articles, i.n_scored, i.n_negative,
                 i.n_outlets, i.mean_sentiment, i.share_negative, i.baseline_mean, i.baseline_std,
                 i.baseline_days, i.z_negative, list(i.evidence), now) for i in indicators])
        con.execute(sql("hits_delete_day"), [day, model_name])
        if hits:
            con.executemany(sql("hits_insert"), [
                (h.day, h.rule, h.topic, h.country, h.model_name, h.severity, h.observed, h.threshold,
                 h.baseline, h.n_articles, list(h.evidence)) for h in hits])
        con.execute(sql("processed_upsert"), [day, model_name, n_articles, now])


def all_rule_hits(con: Connection, model_name: str) -> list[RuleHit]:
    rows = con.execute(sql("hits_all"), [model_name]).fetchall()
    return [RuleHit(*row[:10], evidence=tuple(row[10])) for row in rows]


def replace_alerts(con: Connection, model_name: str, alerts: Sequence[Alert]) -> None:
    """The model's alert episodes, recomputed from all rule hits, replaced in one transaction."""
    now = _now()
    with transaction(con):
        con.execute(sql("alerts_delete_model"), [model_name])
        if alerts:
            con.executemany(sql("alerts_insert"), [
                (a.id, a.day, a.rule, a.topic, a.country, a.model_name, a.severity, a.observed, a.threshold,
                 a.baseline, a.status, a.last_hit_day, a.closed_day, a.n_hit_days, list(a.evidence), now)
                for a in alerts])


def notified_ids(con: Connection, channel: str, event: str) -> set[str]:
    return {row[0] for row in con.execute(sql("notified_ids"), [channel, event]).fetchall()}


def record_notification(con: Connection, alert_id: str, channel: str, event: str) -> None:
    con.execute(sql("notification_record"), [alert_id, channel, event, _now()])


def fetch(con: Connection, statement: str, params: Sequence | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a statement (the analyst's own SQL, on a read-only connection)."""
    cursor = con.execute(statement, params or [])
    columns = [d[0] for d in cursor.description] if cursor.description else []
    return columns, cursor.fetchall()


def fetch_named(con: Connection, name: str, params: Sequence | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the bundled query warehouse/sql/NAME.sql."""
    return fetch(con, sql(name), params)


def row_counts(con: Connection) -> dict[str, int]:
    """Exact row count of every table (names come from the catalog, not from input)."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY 1").fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
