"""Candidate new topics (emerging issues) of each day: replaced per day, read back as records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import duckdb

from pipeline.emerging import EmergingTopic
from pipeline.records import utc_now
from warehouse.db import sql, transaction

Connection = duckdb.DuckDBPyConnection


def replace_emerging(con: Connection, day: date, topics: Sequence[EmergingTopic]) -> None:
    """The day's candidate topics replaced in one transaction (a rerun of the day leaves one set)."""
    strays = sorted({t.day.isoformat() for t in topics if t.day != day})
    if strays:
        raise ValueError(f"topics of {', '.join(strays)} passed to replace {day}; store each day's topics on their own")
    now = utc_now()
    rows = [(t.day, t.cluster_id, t.rank, t.label, t.n_articles, t.n_outlets, list(t.outlets),
             list(t.source_countries), list(t.langs),
             json.dumps({lang: list(terms) for lang, terms in t.terms.items()}, ensure_ascii=False),
             list(t.examples), list(t.article_ids), t.cohesion, t.model_name, now) for t in topics]
    with transaction(con):
        con.execute(sql("emerging_delete_day"), [day])
        if rows:
            con.executemany(sql("emerging_insert"), rows)


def emerging_of_day(con: Connection, day: date) -> list[EmergingTopic]:
    """The day's candidate topics, largest first."""
    out = []
    for (day_, rank, article_ids, outlets, countries, langs, terms, examples, cohesion, label,
         model_name) in con.execute(sql("emerging_of_day"), [day]).fetchall():
        out.append(EmergingTopic(day=day_, rank=rank, article_ids=tuple(article_ids), outlets=tuple(outlets),
                                 source_countries=tuple(countries), langs=tuple(langs),
                                 terms={lang: tuple(words) for lang, words in json.loads(terms).items()},
                                 examples=tuple(examples), cohesion=cohesion, label=label, model_name=model_name))
    return out
