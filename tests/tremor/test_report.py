import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.synthetic import MODEL, START, build_warehouse
from tremor.cli import app
from tremor.report import render_report, write_report
from tremor.settings import ReportSettings
from warehouse.db import connect
from warehouse.snapshot import publish, snapshot_path

CHROMIUM = Path("/usr/bin/chromium")
DAY = date(2025, 7, 2)  # the planted flare-up is open


@pytest.fixture(scope="module")
def report(synthetic_db, tmp_path_factory) -> Path:
    return write_report(synthetic_db, DAY, tmp_path_factory.mktemp("report") / "brief.html", MODEL, ReportSettings())


def test_report_has_a_chart_per_watched_topic_the_open_alerts_and_the_days_stories(report):
    html = report.read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="chart" id="chart-(\w+)"', html)
    assert charts[0] == "forced_labour", "topics with alerts come first"
    assert set(charts) == {"forced_labour", "summits_diplomacy", "people_exchange", "export_controls"}
    assert html.count("<svg") == len(charts)
    assert html.count('<section class="alert"') == 3 and "KR coverage of forced_labour" in html
    assert "robust z" in html and "expected" in html, "each alert explains itself"
    assert "A negative sentence about forced labour." in html, "evidence sentences"
    assert html.count("<h3>") == 2 and "Most negative" in html and "Most positive" in html
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?:', html), "self-contained: nothing to fetch"


def test_report_command_writes_the_file(synthetic_db, tmp_path):
    out = tmp_path / "brief.html"
    result = CliRunner().invoke(app, ["report", "--date", str(DAY), "--out", str(out), "--db", str(synthetic_db),
                                      "--model", MODEL])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 50_000 and str(out) in result.output.replace("\n", "")


def _content(html: str) -> str:
    """The brief less its generation time."""
    return re.sub(r"generated [0-9: -]+ UTC", "generated (time) UTC", html)


def test_a_past_days_brief_rendered_after_later_days_is_the_brief_written_that_day(tmp_path):
    db, days = tmp_path / "tremor.duckdb", (DAY - START).days + 1
    build_warehouse(db, days=days)
    publish(db)
    written = render_report(snapshot_path(db), DAY, MODEL, ReportSettings())
    build_warehouse(db, resume_at=days)  # the flare-up goes on after DAY, then its episodes close
    publish(db)
    with connect(snapshot_path(db), read_only=True) as con:
        later = con.execute("SELECT max(last_hit_day), max(closed_day), max(n_hit_days) FROM alerts "
                            "WHERE topic = 'forced_labour' AND country = 'KR'").fetchone()
    assert later[0] > DAY and later[1] > DAY, "later days changed the episodes open on DAY"
    again = render_report(snapshot_path(db), DAY, MODEL, ReportSettings())
    assert _content(again) == _content(written)
    assert f"{later[2]} day(s) firing" not in again and "last 2025-07-02" in again


def chromium(*args, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (apt-get install -y chromium)")
def test_report_renders_its_charts_in_headless_chromium(report, tmp_path):
    dom = chromium("--dump-dom", report.as_uri(), tmp_path=tmp_path).stdout
    assert len(re.findall(r"<svg\b", dom)) == 4 and len(re.findall(r"<path\b", dom)) > 200
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,2000", report.as_uri(), tmp_path=tmp_path)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2000)
    pixels = list(image.getdata())
    kr_blue = sum(1 for r, g, b in pixels if abs(r - 0x1f) < 30 and abs(g - 0x5f) < 30 and abs(b - 0xa8) < 30)
    jp_red = sum(1 for r, g, b in pixels if abs(r - 0xc0) < 30 and abs(g - 0x39) < 30 and abs(b - 0x2b) < 30)
    assert kr_blue > 500 and jp_red > 500, "the country series are drawn"
    shaded = sum(1 for r, g, b in pixels if r > 230 and 150 < g < 215 and 150 < b < 215)  # critical episodes, pink
    assert shaded > 500, "alert episodes are marked"
