"""`tremor report`: a self-contained HTML brief of one day — a chart per watched topic (90 days of
sentiment and volume, alert episodes marked), the open alerts with their evidence, and the day's most
negative and most positive stories per country. Charts are inline SVG: viewing needs no network.

A brief for a past day is the brief written that day: indicators and stories up to it, and the episodes as
they stood at its end (the warehouse's daily episode states), whatever later days did to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.notify import explain, who
from pipeline.records import Alert, EvidenceArticle
from pipeline.taxonomy import load_taxonomy
from tremor.charts import topic_chart
from tremor.settings import ReportSettings
from warehouse.alerts import alerts_as_of, evidence_articles, rollup_indicators
from warehouse.db import connect
from warehouse.report import covered_topics, stories_of_day


@dataclass(frozen=True)
class Chart:
    topic: str
    label: str
    svg: str
    n_episodes: int


@dataclass(frozen=True)
class OpenAlert:
    alert: Alert
    who: str
    why: str
    evidence: list[EvidenceArticle]


def watched_topics(configured: list[str], episodes: list[Alert], covered: list[str], most: int) -> list[str]:
    """The configured topics, else those with alerts in the window (newest first), then the most covered."""
    if configured:
        return configured
    alerted = [a.topic for a in sorted(episodes, key=lambda a: a.day, reverse=True) if a.topic != "all"]
    return list(dict.fromkeys([*alerted, *covered]))[:most]


def render_report(db_path: Path, day: date, model_name: str, cfg: ReportSettings,
                  taxonomy: Path | None = None) -> str:
    start = day - timedelta(days=cfg.days - 1)
    with connect(db_path, read_only=True) as con:
        rows = rollup_indicators(con, start, day, model_name)
        episodes = alerts_as_of(con, model_name, start, day)
        topics = watched_topics(cfg.topics, episodes, covered_topics(con, start, day, model_name), cfg.max_topics)
        open_now = [a for a in episodes if a.closed_day is None or a.closed_day > day]
        articles = evidence_articles(con, model_name, (i for a in open_now for i in a.evidence))
        stories = stories_of_day(con, day, model_name, cfg.stories)
    labels = {t.id: t.label.get("en", t.id) for t in load_taxonomy(taxonomy).topics}
    charts = []
    for topic in topics:
        mine = [a for a in episodes if a.topic == topic]
        charts.append(Chart(topic, labels.get(topic, topic),
                            topic_chart(labels.get(topic, topic), [r for r in rows if r.topic == topic], mine,
                                        start, day), len(mine)))
    alerts = [OpenAlert(a, who(a), explain(a), [articles[i] for i in a.evidence if i in articles][:5])
              for a in sorted(open_now, key=lambda a: (a.severity != "critical", a.day))]
    env = Environment(loader=PackageLoader("tremor", "templates"), autoescape=select_autoescape(["j2", "html"]))
    return env.get_template("report.html.j2").render(
        day=day, start=start, model=model_name, open_alerts=alerts, charts=charts,
        stories=sorted(stories.items()), generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"))


def write_report(db_path: Path, day: date, out: Path, model_name: str, cfg: ReportSettings,
                 taxonomy: Path | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(db_path, day, model_name, cfg, taxonomy), encoding="utf-8")
    return out
