"""Charts of the daily brief: a topic's sentiment and volume per source country, alert episodes marked.

Drawn with matplotlib's object API (no pyplot state) to SVG with text kept as text, for inlining in HTML.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from pipeline.records import ALL, Alert, DailyIndicator

COUNTRY_COLOURS = {"KR": "#1f5fa8", "JP": "#c0392b", "US": "#2e8b57"}
OTHER_COLOUR = "#7f7f7f"
SEVERITY_COLOURS = {"warning": "#f0a30a", "critical": "#d0021b"}


def topic_chart(topic_label: str, rows: Sequence[DailyIndicator], episodes: Sequence[Alert], start: date,
                end: date) -> str:
    """Inline SVG: mean sentiment (top) and articles per day (bottom) per source country, episodes shaded."""
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "tremor"
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    tone, volume = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    countries = sorted({r.source_country for r in rows if r.source_country != ALL})
    bottom = [0] * len(days)
    for country in countries:
        by_day = {r.day: r for r in rows if r.source_country == country}
        colour = COUNTRY_COLOURS.get(country, OTHER_COLOUR)
        means = [by_day[d].mean_sentiment if d in by_day and by_day[d].mean_sentiment is not None else float("nan")
                 for d in days]
        tone.plot(days, means, marker="o", markersize=2.5, linewidth=1.2, color=colour, label=country)
        counts = [by_day[d].n_articles if d in by_day else 0 for d in days]
        volume.bar(days, counts, bottom=bottom, width=0.85, color=colour, label=country)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for i, episode in enumerate(sorted(episodes, key=lambda a: (a.day, a.rule, a.country))):
        _mark(tone, volume, episode, end, row=i % 3)
    tone.axhline(0, color="#999999", linewidth=0.6)
    tone.set_ylabel("mean sentiment")
    tone.set_title(topic_label, loc="left", fontsize=11)
    volume.set_ylabel("articles")
    locator = AutoDateLocator()
    volume.xaxis.set_major_locator(locator)
    volume.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    volume.set_xlim(start - timedelta(days=1), end + timedelta(days=1))
    if countries:
        tone.legend(loc="upper left", fontsize=8, ncols=len(countries), frameon=False)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _mark(tone, volume, episode: Alert, end: date, row: int) -> None:
    colour = SEVERITY_COLOURS.get(episode.severity, OTHER_COLOUR)
    until = (episode.closed_day or end) + timedelta(days=0.5)
    for ax in (tone, volume):
        ax.axvspan(episode.day - timedelta(days=0.5), until, color=colour, alpha=0.18, linewidth=0)
    tone.annotate(f"{episode.rule} · {episode.country}", xy=(episode.day, 1), xycoords=("data", "axes fraction"),
                  xytext=(2, -10 - 9 * row), textcoords="offset points", fontsize=7, color=colour)
