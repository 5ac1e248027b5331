"""Score alert episodes against a timeline of real events: caught within a window, lead/lag, false alarms.

An episode "speaks" on the days it notified: the day it opened and any day it escalated. An event is
caught by a rule when one of the rule's episodes speaks from `before` days before to `after` days after
it (and, with `match_topic`, the event's topic and country, when given, are the episode's).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from pipeline.alerts import to_notify
from pipeline.records import Alert, EventMatch, RuleScore, TimelineEvent, Transition

COLUMNS = ("date", "description", "direction", "source")
OPTIONAL = ("topic", "country")
DIRECTIONS = ("raised", "lowered")
ANY_RULE = "(any rule)"


class EventsFileError(ValueError):
    """The events CSV cannot be read; the message names the line and what to fix."""


def read_events(lines: Iterable[str], name: str) -> list[TimelineEvent]:
    """Events from CSV text with a header: date, description, direction, source[, topic, country]."""
    reader = csv.DictReader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise EventsFileError(f"{name}: missing column(s) {', '.join(missing)}; the header must name "
                              f"{', '.join(COLUMNS)} (and optionally {', '.join(OPTIONAL)})")
    return [_event(row, name, n) for n, row in enumerate(reader, start=2)]


def _event(row: dict[str, str | None], name: str, line: int) -> TimelineEvent:
    values = {k: (v or "").strip() for k, v in row.items() if k}
    try:
        day = date.fromisoformat(values["date"])
    except ValueError:
        raise EventsFileError(f"{name}:{line}: date {values['date']!r} is not YYYY-MM-DD") from None
    direction = values["direction"].lower()
    if direction not in DIRECTIONS:
        raise EventsFileError(f"{name}:{line}: direction {values['direction']!r} must be raised or lowered")
    for column in ("description", "source"):
        if not values[column]:
            raise EventsFileError(f"{name}:{line}: {column} is empty; every event needs one")
    return TimelineEvent(day, values["description"], direction, values["source"],
                         values.get("topic") or None, values.get("country") or None)


def select(events: Sequence[TimelineEvent], start: date, end: date, direction: str) -> list[TimelineEvent]:
    """Events of the period, of one direction (or 'all')."""
    return sorted((e for e in events if start <= e.day <= end and direction in ("all", e.direction)),
                  key=lambda e: e.day)


def speaking_days(transitions: Sequence[Transition]) -> dict[str, list[date]]:
    """Per episode, the days it notified (opened, escalated)."""
    days: dict[str, list[date]] = defaultdict(list)
    for t in to_notify(transitions):
        days[t.alert_id].append(t.day)
    return days


def score(episodes: Sequence[Alert], transitions: Sequence[Transition], events: Sequence[TimelineEvent],
          before: int, after: int, match_topic: bool = False) -> tuple[list[RuleScore], list[EventMatch]]:
    """Per rule (and for any rule), events caught and episodes matching no event."""
    days = speaking_days(transitions)
    rules = sorted({a.rule for a in episodes})
    scores, matches = [], []
    for rule in [*rules, ANY_RULE]:
        mine = [a for a in episodes if rule in (ANY_RULE, a.rule)]
        matched: set[str] = set()
        lags = []
        for event in events:
            found = [(d, a) for a in mine for d in days.get(a.id, [a.day])
                     if -before <= (d - event.day).days <= after and _same_subject(a, event, match_topic)]
            matched.update(a.id for _, a in found)
            first = min(found, key=lambda pair: (pair[0], pair[1].id)) if found else None
            matches.append(EventMatch(event, rule, first[1].id if first else None, first[0] if first else None))
            if first:
                lags.append((first[0] - event.day).days)
        scores.append(RuleScore(rule, len(mine), len(matched), len(events), len(lags), tuple(lags),
                                tuple(a for a in mine if a.id not in matched)))
    return scores, matches


def _same_subject(alert: Alert, event: TimelineEvent, match_topic: bool) -> bool:
    if not match_topic:
        return True
    return event.topic in (None, alert.topic) and event.country in (None, alert.country)
