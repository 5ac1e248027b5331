"""Which days a backfill runs, and how it groups them: small pure helpers of flows/daily.py and flows/scale.py."""

from __future__ import annotations

from datetime import date, timedelta


def batches(days: list[date], counts: dict[date, int], batch_articles: int) -> list[list[date]]:
    """`days` (in order) cut into runs of consecutive days holding at least `batch_articles` articles together
    (the last run may hold fewer; a day of more stands alone)."""
    out: list[list[date]] = []
    held = batch_articles
    for day in days:
        if held >= batch_articles or (out and day != out[-1][-1] + timedelta(days=1)):
            out.append([])
            held = 0
        out[-1].append(day)
        held += counts.get(day, 0)
    return out


def pending_days(days: list[date], done: set[date]) -> list[date]:
    """The days a resumed backfill runs: those not done, and the last done one again (a run killed midway
    may have stopped inside it)."""
    return [d for d in days if d not in done or d == max(done)]
