"""Reads and writes of alert episodes, their states and transitions, evidence and the delivery log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from pipeline.records import (Alert, DailyIndicator, DeliveryAttempt, EvidenceArticle, EvidenceSentence, RuleHit,
                              Transition, utc_now)
from warehouse.db import sql, transaction

Connection = duckdb.DuckDBPyConnection
SENTENCES_PER_ARTICLE = 3


@dataclass(frozen=True)
class ReplayInput:
    """What replaying the episodes from a day needs: the state before it, the run days and hits from it."""

    state: list[Alert]
    days: list[date]
    hits: list[RuleHit]


def alert_from_row(row: Sequence) -> Alert:
    """An Alert from a row in the column order of the alerts queries (id, day, rule, ..., evidence)."""
    (id_, day, rule, kind, metric, direction, topic, country, target, model, severity, status, last_hit_day,
     closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread, value,
     n_articles, n_negative, n_outlets, n_total, evidence) = row
    return Alert(id=id_, rule=rule, topic=topic, country=country, model_name=model, day=day,
                 last_hit_day=last_hit_day, closed_day=closed_day, status=status, severity=severity,
                 observed=observed, threshold=threshold, baseline=baseline, n_hit_days=n_hit_days,
                 evidence=tuple(evidence), target_country=target, kind=kind, metric=metric, direction=direction,
                 spread=spread, critical=critical, value=value, n_articles=n_articles, n_negative=n_negative,
                 n_outlets=n_outlets, n_total=n_total, peak_day=peak_day, calm_days=calm_days)


def _alert_values(a: Alert) -> list:
    return [a.id, a.day, a.rule, a.kind, a.metric, a.direction, a.topic, a.country, a.target_country,
            a.model_name, a.severity, a.status, a.last_hit_day, a.closed_day, a.n_hit_days, a.calm_days,
            a.peak_day, a.observed, a.threshold, a.critical, a.baseline, a.spread, a.value, a.n_articles,
            a.n_negative, a.n_outlets, a.n_total, list(a.evidence)]


def replay_input(con: Connection, model_name: str, day: date) -> ReplayInput:
    """The episodes open after the model's last run day before `day`, and the run days and hits from `day` on."""
    rows = con.execute(sql("alert_states_before"), [model_name, model_name, day]).fetchall()
    state = [alert_from_row(r) for r in rows]
    days = [r[0] for r in con.execute(sql("processed_between"), [day, date.max, model_name]).fetchall()]
    hits = [RuleHit(*row[:10], evidence=tuple(row[10]), target_country=row[11], kind=row[12], metric=row[13],
                    direction=row[14], spread=row[15], critical=row[16], value=row[17], n_negative=row[18],
                    n_outlets=row[19], n_total=row[20], history_days=row[21])
            for row in con.execute(sql("hits_since"), [model_name, day]).fetchall()]
    return ReplayInput(state, days, hits)


def replace_episodes_from(con: Connection, model_name: str, day: date, episodes: Sequence[Alert],
                          states: Sequence[tuple[date, Alert]], transitions: Sequence[Transition]) -> None:
    """A replay from `day` written in one transaction: its episodes, daily states and transitions replace
    those of `day` and later (episodes opened earlier and closed before `day` are untouched)."""
    now = utc_now()
    with transaction(con):
        con.execute(sql("alerts_delete_from"), [model_name, day])
        con.execute(sql("alert_states_delete_from"), [model_name, day])
        con.execute(sql("alert_transitions_delete_from"), [model_name, day])
        if episodes:
            con.executemany(sql("alerts_upsert"), [[*_alert_values(a), now] for a in episodes])
        if states:
            con.executemany(sql("alert_states_insert"), [[as_of, *_alert_values(a)] for as_of, a in states])
        if transitions:
            con.executemany(sql("alert_transitions_insert"), [_transition_values(t, model_name) for t in transitions])


def _transition_values(t: Transition, model_name: str) -> list:
    h = t.hit
    numbers = ([h.observed, h.threshold, h.baseline, h.spread, h.value, h.n_articles, h.n_negative, h.n_outlets,
                h.n_total] if h else [None] * 9)
    return [t.alert_id, t.day, t.event, model_name, t.severity, t.previous_severity, *numbers,
            list(h.evidence) if h else []]


def alerts_since(con: Connection, since: date) -> list[Alert]:
    return [alert_from_row(r) for r in con.execute(sql("alerts_since"), [since]).fetchall()]


def alerts_as_of(con: Connection, model_name: str, start: date, end: date) -> list[Alert]:
    """Episodes open at some point of [start, end], as they stood at the end of `end` (their daily states: no
    hit, count or closing after `end` shows)."""
    rows = con.execute(sql("alerts_as_of"), {"model": model_name, "start": start, "end": end}).fetchall()
    return [alert_from_row(r) for r in rows]


def has_table(con: Connection, name: str) -> bool:
    return bool(con.execute(sql("table_exists"), [name]).fetchone()[0])


def evidence_articles(con: Connection, model_name: str, ids: Iterable[str]) -> dict[str, EvidenceArticle]:
    """Articles by id with their score and most negative sentences (titles only without sentence_scores)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    if has_table(con, "sentence_scores"):
        rows = con.execute(sql("evidence_articles"), [model_name, model_name, wanted]).fetchall()
    else:
        rows = con.execute(sql("evidence_articles_titles"), [model_name, wanted]).fetchall()
    out = {}
    for row in rows:
        sentences = tuple(EvidenceSentence(s["no"], s["text"], s["label"], s["score"])
                          for s in row[9][:SENTENCES_PER_ARTICLE])
        out[row[0]] = EvidenceArticle(*row[:9], sentences=sentences)
    return out


def final_deliveries(con: Connection) -> set[tuple[str, str, date, str]]:
    """(alert id, event, day, channel) of notices sent, or skipped on purpose."""
    return set(con.execute(sql("deliveries_final")).fetchall())


def failed_rounds(con: Connection) -> dict[tuple[str, str, date, str], int]:
    """(alert id, event, day, channel) -> delivery rounds that failed, for notices that have failed."""
    return {tuple(row[:4]): row[4] for row in con.execute(sql("deliveries_failed_rounds")).fetchall()}


def record_deliveries(con: Connection, attempts: Sequence[DeliveryAttempt]) -> None:
    if attempts:
        with transaction(con):
            con.executemany(sql("deliveries_insert"), [(a.alert_id, a.event, a.day, a.channel, a.attempt, a.status,
                                                        a.error, a.at) for a in attempts])


def rollup_indicators(con: Connection, start: date, end: date, model_name: str) -> list[DailyIndicator]:
    """Indicators of all languages together for days start <= day <= end."""
    rows = con.execute(sql("indicators_rollup_between"), [start, end, model_name]).fetchall()
    return [DailyIndicator(*row[:15], evidence=tuple(row[15]), target_country=row[16]) for row in rows]


def run_days(con: Connection, start: date, end: date, model_name: str) -> list[date]:
    """Days the model processed, start <= day <= end."""
    rows = con.execute(sql("processed_between"), [start, end + timedelta(days=1), model_name]).fetchall()
    return [r[0] for r in rows]
