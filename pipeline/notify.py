"""What an alert says to the people who receive it: one line, a text body, JSON, Slack blocks, an email."""

from __future__ import annotations

from email.message import EmailMessage

from pipeline.records import ALL, Alert, EvidenceArticle, Notice, RuleHit

METRIC_LABEL = {"share_negative": "share of negative articles", "mean_sentiment": "mean sentiment",
                "n_articles": "articles", "n_negative": "negative articles"}
EVENT_VERB = {"opened": "turned hostile", "escalated": "escalated", "closed": "calmed down"}
SLACK_TEXT_LIMIT = 2900  # Slack's section text limit is 3,000 characters
EVIDENCE_LINES = 5


def fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric == "share_negative":
        return f"{value:.0%}"
    if metric == "mean_sentiment":
        return f"{value:+.2f}"
    return f"{value:g}"


def explain(item: Alert | RuleHit) -> str:
    """Why the rule fired: observed value, threshold, baseline and the counts behind them."""
    op = "≥" if item.direction == "above" else "≤"
    counts = f"{item.n_negative} negative of {item.n_articles} articles, {item.n_outlets} outlet(s)"
    if item.kind == "baseline":
        days = getattr(item, "history_days", 0)
        window = f" over {days} comparable past day(s)" if days else ""
        return (f"{METRIC_LABEL[item.metric]} {fmt(item.metric, item.value)}: robust z = {item.observed:+.1f} "
                f"against the trailing median {fmt(item.metric, item.baseline)} (scaled MAD "
                f"{item.spread or 0:.2g}){window}; fires at z {op} {item.threshold:+g}; {counts}")
    if item.kind == "volume":
        expected = item.n_articles / item.observed if item.observed else 0.0
        share = item.n_articles / item.n_total if item.n_total else 0.0
        return (f"{item.n_articles} of the country's {item.n_total} articles that day ({share:.0%}) against a "
                f"trailing median share of {item.baseline or 0:.1%}: {item.observed:.1f}× the expected "
                f"{expected:.1f} (fires at {item.threshold:g}×); {counts}")
    critical = f", critical {op} {fmt(item.metric, item.critical)}" if item.critical is not None else ""
    return (f"{METRIC_LABEL[item.metric]} {fmt(item.metric, item.observed)} {op} "
            f"{fmt(item.metric, item.threshold)}{critical}; {counts}")


def who(alert: Alert) -> str:
    target = f" about {alert.target_country}" if alert.target_country != ALL else ""
    return f"{alert.country} coverage{target} of {alert.topic}"


def headline(notice: Notice) -> str:
    t, alert = notice.transition, notice.alert
    was = f" (was {t.previous_severity})" if t.event == "escalated" else ""
    return (f"[{t.severity.upper()}] {who(alert)} {EVENT_VERB[t.event]} on {t.day}{was} — rule {alert.rule}"
            + (f", open since {alert.day}" if t.event != "opened" else ""))


def why(notice: Notice) -> str:
    return explain(notice.transition.hit or notice.alert)


def describe(notice: Notice) -> str:
    """One line for a log: headline, why, evidence ids."""
    ids = ", ".join(a.article_id for a in notice.evidence[:EVIDENCE_LINES]) or ", ".join(notice.alert.evidence[:5])
    return f"{headline(notice)}: {why(notice)}; evidence: {ids}"


def evidence_lines(article: EvidenceArticle, sentences: int = 2) -> list[str]:
    score = "n/a" if article.score is None else f"{article.score:+.2f}"
    lines = [f"{score}  {article.source} ({article.source_country}, {article.lang}, {article.day}): "
             f"{article.title}  <{article.url}>"]
    for s in article.sentences[:sentences]:
        s_score = "n/a" if s.score is None else f"{s.score:+.2f}"
        lines.append(f"      {s_score}  “{s.text}”")
    return lines


def text_body(notice: Notice) -> str:
    alert = notice.alert
    lines = [headline(notice), "", f"Why: {why(notice)}",
             f"Episode {alert.id}: opened {alert.day}, {alert.n_hit_days} day(s) firing, last {alert.last_hit_day}, "
             f"severity {alert.severity}, model {alert.model_name}", ""]
    if notice.evidence:
        lines.append("Articles that drove it (score, outlet, title; most negative sentences):")
        for article in notice.evidence[:EVIDENCE_LINES]:
            lines.extend(evidence_lines(article))
    else:
        lines.append("Evidence article ids: " + (", ".join(alert.evidence) or "none"))
    return "\n".join(lines) + "\n"


def json_payload(notice: Notice) -> dict:
    """A generic webhook body: the transition, the episode, the explanation and the evidence."""
    t, alert = notice.transition, notice.alert
    basis = t.hit or alert
    return {
        "source": "tremor", "event": t.event, "day": t.day.isoformat(), "severity": t.severity,
        "previous_severity": t.previous_severity, "text": headline(notice),
        "alert": {"id": alert.id, "rule": alert.rule, "kind": alert.kind, "metric": alert.metric,
                  "direction": alert.direction, "topic": alert.topic, "source_country": alert.country,
                  "target_country": alert.target_country, "model": alert.model_name,
                  "opened": alert.day.isoformat(), "last_hit_day": alert.last_hit_day.isoformat(),
                  "status": alert.status, "severity": alert.severity, "n_hit_days": alert.n_hit_days},
        "explanation": {"text": why(notice), "observed": basis.observed, "threshold": basis.threshold,
                        "critical": basis.critical, "baseline": basis.baseline, "spread": basis.spread,
                        "value": basis.value, "n_articles": basis.n_articles, "n_negative": basis.n_negative,
                        "n_outlets": basis.n_outlets, "n_total": basis.n_total},
        "evidence": [_article_json(a) for a in notice.evidence],
    }


def _article_json(a: EvidenceArticle) -> dict:
    return {"article_id": a.article_id, "day": a.day.isoformat(), "source": a.source,
            "source_country": a.source_country, "lang": a.lang, "title": a.title, "url": a.url,
            "label": a.label, "score": a.score,
            "sentences": [{"sentence_no": s.sentence_no, "text": s.text, "label": s.label, "score": s.score}
                          for s in a.sentences]}


def slack_payload(notice: Notice) -> dict:
    """A Slack incoming-webhook body: fallback text and blocks."""
    evidence = "\n".join(line for a in notice.evidence[:EVIDENCE_LINES] for line in evidence_lines(a, 1))
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack_escape(headline(notice))}*"}},
              {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(f"Why: {why(notice)}")}}]
    if evidence:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": _slack_escape(evidence)[:SLACK_TEXT_LIMIT]}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"episode {notice.alert.id} · "
                                                    f"model {notice.alert.model_name} · Tremor"}]})
    return {"text": headline(notice), "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def email_message(notice: Notice, sender: str, recipients: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[Tremor] {headline(notice)}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(text_body(notice))
    return message
