"""Reads behind `tremor report`: the day's stories per country and the most covered topics."""

from __future__ import annotations

from datetime import date

import duckdb

from pipeline.records import EvidenceArticle
from warehouse.db import sql

Connection = duckdb.DuckDBPyConnection


def stories_of_day(con: Connection, day: date, model_name: str,
                   n: int) -> dict[str, tuple[list[EvidenceArticle], list[EvidenceArticle]]]:
    """Per source country: its n most negative stories of the day (most negative first) and n most positive
    (most positive first)."""
    out: dict[str, tuple[list[EvidenceArticle], list[EvidenceArticle]]] = {}
    for row in con.execute(sql("report_stories"), [day, model_name, n, n, n, n]).fetchall():
        negative, positive = out.setdefault(row[3], ([], []))
        article = EvidenceArticle(*row[:9])
        if row[9]:
            negative.append(article)
        if row[10]:
            positive.insert(0, article)
    return out


def covered_topics(con: Connection, start: date, end: date, model_name: str) -> list[str]:
    """Topics, most covered first, over start <= day <= end."""
    return [row[0] for row in con.execute(sql("report_covered_topics"), [start, end, model_name]).fetchall()]
