"""Every settings mistake ends the command with exit code 2 and one line naming the key, the value, what is allowed
and where it came from (issue 17, config). Files are written from bytes; the command is `tremor query`, which reads
the settings first and needs nothing else before it would open the warehouse."""

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tremor.cli import app, main
from tremor.settings import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No TREMOR_* variable of the session (conftest turns fetching off) and no ./tremor.toml."""
    for name in [n for n in os.environ if n.upper().startswith("TREMOR_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def tremor(*args: str, env: dict[str, str] | None = None):
    result = CliRunner(env={"COLUMNS": "60", **(env or {})}).invoke(app, ["query", "SELECT 1", *args])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and result.stdout == ""
    return lines[0]


def written(tmp_path, data: bytes, name: str = "settings.toml") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


FILE_CASES = {
    "wrong type": (b'max_text_chars = "lots"\n', ['max_text_chars = "lots"', "should be a valid integer"]),
    "out of range": (b"[sources.fetch]\ntimeout_s = -1\n", ["sources.fetch.timeout_s = -1", "greater than 0"]),
    "not a choice": (b'[models]\nprecision = "fp16"\n', ['models.precision = "fp16"', "'auto', 'fp32' or 'bf16'"]),
    "not a boolean": (b'[emerging]\nenabled = "yes please"\n', ['emerging.enabled = "yes please"', "true or false"]),
    "unknown key in a section": (b"[sources.fetch]\nenabeld = false\n",
                                 ["sources.fetch.enabeld = false", "unknown key", "did you mean enabled?",
                                  "allowed: enabled, user_agent"]),
    "unknown key at the top": (b'db_pth = "x.duckdb"\n', ['db_pth = "x.duckdb"', "unknown key, did you mean db_path?"]),
    "unknown table": (b"[sourcez]\nfiles = []\n", ['sourcez = {"files": []}', "unknown key, did you mean sources?"]),
    "unknown key three deep": (b"[alerts.delivery.retry]\nattempt = 3\n",
                               ["alerts.delivery.retry.attempt = 3", "did you mean attempts?"]),
    "unknown key in a rule": (b'[[alerts.rules]]\nkind = "volume"\nname = "v"\nwindow = 3\n',
                              ["alerts.rules[0].window = 3", "unknown key", "window_days"]),
    "unknown rule kind": (b'[[alerts.rules]]\nkind = "bogus"\nname = "y"\n',
                          ['alerts.rules[0].kind = "bogus"', "'threshold', 'baseline', 'volume'"]),
    "scalar for a table": (b"sources = 5\n", ["sources = 5: should be a table"]),
    "scalar for a rule": (b"[alerts]\nrules = [5]\n", ["alerts.rules[0] = 5: should be a table"]),
    "rule kind missing": (b'[[alerts.rules]]\nname = "y"\n',
                          ["alerts.rules[0].kind: is required: one of 'threshold', 'baseline', 'volume'"]),
    "rule that cannot work": (b'[[alerts.rules]]\nkind = "threshold"\nname = "x"\nwarning = 0.6\ncritical = 0.5\n',
                              ["alerts.rules[0]", "critical", "must be at or beyond warning"]),
    "webhook without its variable": (b'[[alerts.delivery.webhooks]]\nname = "w"\n',
                                     ["alerts.delivery.webhooks[0].url_env: is required"]),
    "secret in the file": (b'[[alerts.delivery.webhooks]]\nname = "w"\nurl_env = "X"\nurl = "https://h.example/T"\n',
                           ["alerts.delivery.webhooks[0].url", "unknown key"]),
    "string or list": (b"[[alerts.rules]]\nkind = \"volume\"\nname = \"v\"\ntopic = 5\n",
                       ["alerts.rules[0].topic = 5", "should be a valid string or a valid list"]),
    "two mistakes": (b"max_text_chars = 0\n[report]\ndays = 1\n",
                     ["error: 2 problems: ", "max_text_chars = 0", "report.days = 1", "greater than or equal to 7"]),
    "newline and markup in the value": (b'[sources]\nfiles = "[red]x\\n[/red]"\n',
                                        ['sources.files = "[red]x\\n[/red]"', "should be a valid list"]),
    "TOML syntax": (b"[sources]\nfiles = [\n", ["invalid TOML at the end of the file: Invalid value"]),
    "TOML syntax mid-file": (b'db_path = "a"\n[models\nx = 1\n', ["invalid TOML at line 2, column 8"]),
    "not UTF-8": (b'db_path = "\xff\xfe"\n', ["not UTF-8 text (byte 11)"]),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_file_mistake_is_one_line_naming_key_value_and_file(tmp_path, case):
    data, expected = FILE_CASES[case]
    path = written(tmp_path, data)
    for line in (tremor("--config", path), tremor(env={"TREMOR_CONFIG": path})):
        assert f"{path}: " in line
        for part in expected:
            assert part in line, line


ENV_CASES = {
    "wrong type": ("TREMOR_BACKFILL__WORKERS", "many", ['backfill.workers = "many"', "valid integer"]),
    "out of range": ("TREMOR_MAX_TEXT_CHARS", "0", ['max_text_chars = "0"', "greater than or equal to 1"]),
    "not a boolean": ("TREMOR_SOURCES__FETCH__ENABLED", "maybe", ['sources.fetch.enabled = "maybe"', "true or false"]),
    "list not JSON": ("TREMOR_MODELS__NER", "en", ['models.ner = "en"', "should be JSON"]),
    "rules not JSON": ("TREMOR_ALERTS__RULES", "[oops", ['alerts.rules = "[oops"', "should be JSON"]),
    "bad value inside JSON": ("TREMOR_ALERTS__RULES", '[{"kind": "threshold", "name": "x", "warning": "hi"}]',
                              ['alerts.rules[0].warning = "hi"', "valid number"]),
    "unknown key": ("TREMOR_SOURCES__FETCH__ENABELD", "false", ["sources.fetch.enabeld", "did you mean enabled?"]),
    "lower-case name": ("tremor_report__days", "x", ['report.days = "x"']),
}


@pytest.mark.parametrize("case", ENV_CASES)
def test_an_environment_mistake_names_the_variable(tmp_path, case):
    name, value, expected = ENV_CASES[case]
    path = written(tmp_path, b"[report]\ndays = 30\n")  # a good file: the variable is to blame
    line = tremor("--config", path, env={name: value})
    assert f"error: environment variable {name}: " in line and path not in line
    for part in expected:
        assert part in line, line


def test_a_file_mistake_and_a_variable_mistake_each_name_their_source(tmp_path):
    path = written(tmp_path, b"[sources.fetch]\nretries = -1\n")
    line = tremor("--config", path, env={"TREMOR_SOURCES__FETCH__TIMEOUT_S": "soon"})
    assert f"{path}: sources.fetch.retries = -1" in line
    assert 'environment variable TREMOR_SOURCES__FETCH__TIMEOUT_S: sources.fetch.timeout_s = "soon"' in line


@pytest.mark.parametrize("how", ["--config", "TREMOR_CONFIG", "./tremor.toml"])
def test_a_directory_is_not_a_settings_file(tmp_path, how):
    folder = tmp_path / "tremor.toml"
    folder.mkdir()
    args, env = (["--config", str(folder)], None) if how == "--config" else ([], {"TREMOR_CONFIG": str(folder)}) \
        if how == "TREMOR_CONFIG" else ([], None)
    line = tremor(*args, env=env)
    assert "tremor.toml is a directory, not a TOML file" in line
    assert (f"(named by {how})" in line) if how != "./tremor.toml" else "named by" not in line


@pytest.mark.parametrize("how", ["--config", "TREMOR_CONFIG"])
def test_a_named_file_that_does_not_exist_is_an_error_not_the_defaults(tmp_path, how):
    missing = str(tmp_path / "nope.toml")
    line = tremor(*(["--config", missing] if how == "--config" else []),
                  env={"TREMOR_CONFIG": missing} if how == "TREMOR_CONFIG" else None)
    assert line == f"error: settings file {missing} does not exist (named by {how})"


def test_without_any_file_the_defaults_are_used_and_variables_still_apply(tmp_path, monkeypatch):
    monkeypatch.setenv("TREMOR_REPORT__DAYS", "30")
    settings = load_settings()
    assert settings.report.days == 30 and settings.sources.fetch.enabled is True


def test_the_loader_raises_config_error_and_the_session_variables_are_not_blamed(tmp_path, monkeypatch):
    monkeypatch.setenv("TREMOR_SMTP_PASSWORD", "s3cret")  # a secret's variable, not a setting: not an error
    monkeypatch.setenv("TREMOR_SLACK_WEBHOOK_URL", "https://hooks.example/T/B/x")
    with pytest.raises(ConfigError, match=r"sources\.fetch\.enabeld = false: unknown key"):
        load_settings(Path(written(tmp_path, b"[sources.fetch]\nenabeld = false\n")))
    good = Path(written(tmp_path, b"[sources.fetch]\nenabled = false\n", "ok.toml"))
    assert load_settings(good).sources.fetch.enabled is False


def test_run_stops_before_starting_prefect(tmp_path):
    path = written(tmp_path, b"[sources.fetch]\nenabeld = false\n")
    result = CliRunner().invoke(app, ["run", "--date", "2025-01-01", "--config", path])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert "sources.fetch.enabeld" in result.output


def test_the_entry_point_exits_2_with_one_line(tmp_path, monkeypatch, capsys):
    path = written(tmp_path, b"[models]\nbatch_size = 0\n")
    monkeypatch.setattr(sys, "argv", ["tremor", "query", "SELECT 1", "--config", path])
    with pytest.raises(SystemExit) as exit_:
        main()
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ""
    assert err.strip() == f"error: {path}: models.batch_size = 0: should be greater than or equal to 1"
