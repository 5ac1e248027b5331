"""Prefect tasks of the alerting stage: rules, episodes, evidence, delivery. Retries only around I/O.

`update_alerts` composes them for one processed day: the episodes are replayed from that day over the
stored rule hits (one day in a daily run; the rest of the range when an older day is rerun), stored,
and each new opening or escalation is logged, emitted as a Prefect event and sent on the configured
channels, once per channel (a day with none runs no delivery task).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from prefect import task
from prefect.events import emit_event
from prefect.logging import get_run_logger
from prefect.utilities.annotations import quote

from delivery.channels import RetryPolicy, deliver
from flows.tasks import io_task
from pipeline import alerts, notify
from pipeline.records import DeliveryAttempt, Notice, utc_now
from tremor.settings import AlertSettings, DeliverySettings, delivery_channels
from warehouse import alerts as alert_store
from warehouse.db import connect

Done = set[tuple[str, str, date, str]]  # (alert id, event, day, channel) already sent or skipped
Rounds = dict[tuple[str, str, date, str], int]  # (alert id, event, day, channel) -> failed delivery rounds


@io_task
def replay_alerts(db_path: Path, day: date, model_name: str, close_after: int) -> alerts.Replay:
    """The episodes replayed from `day` over the stored rule hits and stored in place of those from `day` on, with
    one connection for the read and the write."""
    with connect(db_path) as con:
        given = alert_store.replay_input(con, model_name, day)
        result = alerts.replay(given.state, given.days, given.hits, close_after)
        alert_store.replace_episodes_from(con, model_name, day, result.episodes, result.states, result.transitions)
    return result


@io_task
def load_notices(db_path: Path, model_name: str, result: alerts.Replay) -> tuple[list[Notice], Done, Rounds]:
    """The openings and escalations of the replay with their episode and evidence, what was delivered,
    and how many delivery rounds failed for what was not."""
    transitions = alerts.to_notify(result.transitions)
    episodes = {a.id: a for a in result.episodes}
    with connect(db_path) as con:
        articles = alert_store.evidence_articles(con, model_name, (i for t in transitions for i in t.hit.evidence))
        done = alert_store.final_deliveries(con)
        rounds = alert_store.failed_rounds(con)
    notices = [Notice(t, episodes[t.alert_id], tuple(articles[i] for i in t.hit.evidence if i in articles))
               for t in transitions]
    return notices, done, rounds


@task
def log_notices(notices: list[Notice], done: Done) -> list[DeliveryAttempt]:
    """Every notice goes to the run log once, whatever its age."""
    logger, out = get_run_logger(), []
    for notice in _pending(notices, done, "log"):
        logger.warning(notify.describe(notice))
        out.append(_attempt(notice, "log", "sent", None))
    return out


@task
def emit_prefect_events(notices: list[Notice], done: Done, today: date, max_age_days: int) -> list[DeliveryAttempt]:
    """A Prefect event per fresh notice (tremor.alert.opened / tremor.alert.escalated) for automations."""
    out = []
    for notice in _pending(notices, done, "prefect"):
        if _stale(notice, today, max_age_days):
            out.append(_attempt(notice, "prefect", "skipped", f"older than {max_age_days} day(s)"))
            continue
        a, t = notice.alert, notice.transition
        event = emit_event(event=f"tremor.alert.{t.event}", payload=notify.json_payload(notice), resource={
            "prefect.resource.id": f"tremor.alert.{a.id}", "prefect.resource.name": notify.who(a),
            "tremor.rule": a.rule, "tremor.topic": a.topic, "tremor.source_country": a.country,
            "tremor.target_country": a.target_country, "tremor.severity": t.severity})
        out.append(_attempt(notice, "prefect", "sent" if event else "failed",
                            None if event else "Prefect has no events client in this process"))
    return out


@task
def send_notices(cfg: DeliverySettings, notices: list[Notice], done: Done, rounds: Rounds,
                 today: date) -> list[DeliveryAttempt]:
    """Each fresh notice on each configured webhook and email channel, with retries; secrets read here.
    A notice that failed in MAX_ROUNDS rounds (runs, reruns, replayed days) is given up on that channel."""
    policy = RetryPolicy(cfg.retry.attempts, cfg.retry.wait_s, cfg.retry.max_wait_s)
    logger, out = get_run_logger(), []
    for channel in delivery_channels(cfg, os.environ):
        for notice in _pending(notices, done, channel.channel):
            if _stale(notice, today, cfg.max_age_days):
                out.append(_attempt(notice, channel.channel, "skipped", f"older than {cfg.max_age_days} day(s)"))
                continue
            t = notice.transition
            attempts = deliver(channel, notice, policy, rounds.get((t.alert_id, t.event, t.day, channel.channel), 0))
            if attempts[-1].status != "sent":
                logger.error("%s: %s not delivered after %d attempt(s): %s", channel.channel, notify.headline(notice),
                             sum(a.status == "failed" for a in attempts), attempts[-1].error)
            out.extend(attempts)
    return out


@io_task
def record_deliveries(db_path: Path, attempts: list[DeliveryAttempt]) -> None:
    with connect(db_path) as con:
        alert_store.record_deliveries(con, attempts)


def _pending(notices: Sequence[Notice], done: Done, channel: str) -> list[Notice]:
    return [n for n in notices if (n.transition.alert_id, n.transition.event, n.transition.day, channel) not in done]


def _stale(notice: Notice, today: date, max_age_days: int) -> bool:
    return notice.transition.day < today - timedelta(days=max_age_days)


def _attempt(notice: Notice, channel: str, status: str, error: str | None) -> DeliveryAttempt:
    t = notice.transition
    return DeliveryAttempt(t.alert_id, t.event, t.day, channel, 1, status, error, utc_now())


def update_alerts(db_path: Path, day: date, model_name: str, cfg: AlertSettings) -> int:
    """Episodes replayed from `day` and stored; new openings and escalations notified. Returns the
    number of episodes that opened on `day`."""
    result = replay_alerts(db_path, day, model_name, cfg.close_after_days)
    opened = sum(1 for t in result.transitions if t.event == "opened" and t.day == day)
    if not alerts.to_notify(result.transitions):  # most days: nothing to tell, no delivery tasks
        return opened
    notices, done, rounds = load_notices(db_path, model_name, quote(result))
    today = utc_now().date()
    attempts = log_notices(quote(notices), quote(done))
    if cfg.delivery.prefect_events:
        attempts += emit_prefect_events(quote(notices), quote(done), today, cfg.delivery.max_age_days)
    attempts += send_notices(cfg.delivery, quote(notices), quote(done), quote(rounds), today)
    record_deliveries(db_path, quote(attempts))
    return opened
