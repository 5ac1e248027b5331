"""Reads behind `tremor export`: one analyst table or view of the snapshot, optionally between two days, as a
stream of Arrow record batches. Only the names below are exported, each filtered on its own day column."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from warehouse.db import sql
from warehouse.errors import TerminalWarehouseError

# The tables and views the README lists for analysts -> the DATE column --since/--until filter (None: none).
EXPORTABLE: dict[str, str | None] = {
    "articles": "day", "article_scores": "day", "article_targets": "day", "sentence_scores": "day",
    "daily_indicators": "day", "rule_hits": "day", "alerts": "day", "alert_states": "as_of",
    "alert_transitions": "day", "deliveries": "day", "quarantine": None, "fetch_log": "day", "story_copies": None,
    "irrelevant_items": "day", "article_embeddings": "day", "emerging_topics": "day", "processed_days": "day",
    "schema_migrations": None, "scored_articles": "day", "open_alerts": "day", "sentence_evidence": "day",
    "target_sentiment": "day", "story_reach": "day", "irrelevant_daily": "day", "emerging_examples": "day",
    "emerging_topics_latest": "day",
}
BATCH_ROWS = 65_536


class NotExportable(TerminalWarehouseError):
    """A name that is not an analyst table or view, or a day filter on one without a day column."""


def day_column(name: str, filtered: bool) -> str | None:
    """The day column of an exportable name; NotExportable names the allowed ones."""
    if name not in EXPORTABLE:
        raise NotExportable(f"{name!r} cannot be exported; choose one of: {', '.join(sorted(EXPORTABLE))}")
    column = EXPORTABLE[name]
    if filtered and column is None:
        raise NotExportable(f"{name} has no day column: export it without --since/--until")
    return column


def export_batches(con: duckdb.DuckDBPyConnection, name: str, since: date | None = None,
                   until: date | None = None, batch_rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
    """The rows of `name` (day column in [since, until] when given) as a reader of record batches."""
    filtered = since is not None or until is not None
    column = day_column(name, filtered)
    if filtered:
        rows = con.sql(sql("export_between"), params={"name": name, "day": column, "since": since, "until": until})
    else:
        rows = con.sql(sql("export_all"), params={"name": name})
    return rows.to_arrow_reader(batch_rows)
