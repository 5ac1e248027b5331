"""One typed settings object. Sources, highest first: arguments > TREMOR_* environment > TOML file > defaults.

The TOML file is ./tremor.toml unless TREMOR_CONFIG names another. Nested fields in the environment use
a double underscore: TREMOR_ALERTS__CLOSE_AFTER_DAYS=5; lists and tables as JSON: TREMOR_ALERTS__RULES='[...]'.
Secrets (webhook URLs, the SMTP password) are never read from the file: the file names the environment
variables that hold them. Every table refuses keys it does not know; load_settings turns each mistake (file,
TOML syntax, key, value, variable) into one ConfigError line (tremor/config_errors.py).
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource
from pydantic_settings.exceptions import SettingsError

from delivery.channels import Channel, EmailChannel, WebhookChannel
from pipeline.alerts import BaselineRule, Scope, ThresholdRule, VolumeRule
from tremor.config_errors import ConfigError, ConfigFileMissing, env_error, explain, toml_error, unknown_env

CONFIG_ENV = "TREMOR_CONFIG"
DEFAULT_CONFIG = "tremor.toml"
_config_file: ContextVar[str | None] = ContextVar("tremor_config_file", default=None)  # load_settings' file


class Section(BaseModel):
    """A table of the settings: a key it does not know is an error (a typo must not silently keep a default)."""

    model_config = ConfigDict(extra="forbid")


class FetchSettings(Section):
    enabled: bool = Field(True, description="Fetch the registry's feeds (and GDELT) at the start of `tremor run` (tests and offline machines: false)")
    user_agent: str = Field("TremorBot/0.1 (press-sentiment research monitor)",
                            description="User-Agent header (add a contact URL or e-mail for site operators); "
                                        "the part before '/' is the robots.txt agent")
    timeout_s: float = Field(20.0, gt=0, description="Connect and read timeout per request, in seconds")
    total_timeout_s: float = Field(60.0, gt=0, description="Longest time one response may take to arrive")
    retries: int = Field(3, ge=0, description="Extra attempts after a timeout, connection error, 5xx or 429")
    backoff_s: float = Field(1.0, ge=0, description="First retry delay; doubles per attempt (Retry-After wins)")
    max_backoff_s: float = Field(30.0, ge=0, description="Longest retry delay")
    max_bytes: int = Field(10_000_000, ge=1024, description="Larger responses are abandoned while streaming")
    max_redirects: int = Field(5, ge=0, description="Redirects followed per request")
    min_host_interval_s: float = Field(1.0, ge=0, description="Least time between two requests to one host")
    allow_private_hosts: bool = Field(False, description="Allow hosts on private/loopback/link-local addresses "
                                                         "(tests, a trusted internal mirror); off: refused")
    full_text: bool = Field(True, description="Fetch the pages of relevant items of outlets marked full_text")
    max_pages_per_source: int = Field(100, ge=0, description="Article pages fetched per outlet and run")
    near_dup_threshold: float = Field(0.7, gt=0, le=1, description="Shingle similarity from which two articles "
                                                                   "are copies of one story")
    near_dup_days: int = Field(3, ge=0, description="Days of stored articles new items are compared with")


class GdeltSettings(Section):
    enabled: bool = Field(True, description="Query the GDELT DOC 2.0 API too (only when sources.fetch.enabled)")
    base_url: str = Field("https://api.gdeltproject.org/api/v2/doc/doc", description="DOC API endpoint")
    query: str = Field("(Japan OR Japanese OR Tokyo) (Korea OR Korean OR Seoul)",
                       description="GDELT query; `sourcelang:` is added per language")
    languages: list[str] = Field(default_factory=lambda: ["english", "japanese", "korean"],
                                 description="GDELT source languages queried, one request series each")
    lookback_hours: int = Field(48, ge=1, description="Window queried: from the run day's 00:00 UTC, at most this "
                                                      "many hours, never past now")
    min_slice_minutes: int = Field(15, ge=1, description="Shortest time slice when splitting a window at the cap")
    min_interval_s: float = Field(5.0, ge=0, description="Least time between two GDELT requests (its stated limit)")


class SourcesSettings(Section):
    files: list[str] = Field(default_factory=list, description="JSONL/CSV files or glob patterns ingested on every run")
    registry: Path | None = Field(None, description="Outlet registry TOML (default: the bundled pipeline/sources.toml)")
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    gdelt: GdeltSettings = Field(default_factory=GdeltSettings)


class IngestSettings(Section):
    """Limits on what `tremor ingest` (and `sources.files`) accept: hostile files cost bounded memory."""

    earliest_published: date = Field(date(1990, 1, 1), description="Rows published before this day (UTC) are "
                                                                    "quarantined")
    future_slack_hours: float = Field(24.0, ge=0, description="Rows published more than this many hours after now "
                                                              "(UTC) are quarantined")
    max_file_bytes: int = Field(256 * 2**20, ge=1024, description="Decompressed bytes read from one file; the rest "
                                                                 "is not read and the file is quarantined (gzip bombs)")
    max_line_bytes: int = Field(16 * 2**20, ge=1024, description="Longest JSONL line or CSV record, and largest "
                                                                "JSON-array file; a longer line is quarantined")
    max_bad_rows: int = Field(10_000, ge=1, description="Bad rows after which the rest of a file is not read")


class ModelSettings(Section):
    sentiment: str = Field("sentiment.e5.v2", description="Registered name of the sentiment model (`tremor models` lists them)")
    taxonomy: Path | None = Field(None, description="Topic taxonomy TOML (default: the bundled pipeline/taxonomy.toml)")
    ner: list[Literal["en", "ja"]] = Field([], description="Languages whose named entities (spaCy en_core_web_sm, "
                                          "GiNZA) refine the gazetteer's country targets; [] = gazetteer alone, the "
                                          "default: on real news NER added nothing measurable (README)")
    topics: str = Field("topics.e5-keyword.v1", description="Topic model: 'topics.e5-keyword.v1' (keywords + e5 "
                        "prototypes) or 'keywords' (taxonomy keywords alone)")
    batch_size: int = Field(1024, ge=1, description="Sentences per model call (the model batches inside, by length)")
    precision: Literal["auto", "fp32", "bf16"] = Field("auto", description="e5 sentiment arithmetic: 'auto' = bf16 "
                                                      "on a CPU with native bf16 (AVX512-BF16/AMX), else fp32; bf16 "
                                                      "rows carry version '<v>+bf16'")


Names = str | list[str]


class RuleSettings(Section):
    """What every rule has: a name and the rows it watches (topic × source country × target country)."""

    name: str = Field(description="Rule name, stored on each hit and alert episode")
    enabled: bool = Field(True, description="A disabled rule is kept in the file but not evaluated")
    topic: Names = Field("*", description='Topic id(s): "*" = each topic on its own, "all" = all topics together')
    source_country: Names = Field("*", description='Source country(ies): "*" = each on its own, "all" = together')
    target_country: Names = Field("all", description='Country the coverage is about (JP, KR, US, KP, CN: the '
                                                     'sentiment toward it), "*" = each, "all" = overall sentiment')

    def scope(self) -> Scope:
        return Scope(_names(self.topic), _names(self.source_country), _names(self.target_country))

    @model_validator(mode="after")
    def _buildable(self):
        self.to_rule()  # the pipeline's checks, with their messages
        return self


def _names(value: Names) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


class ThresholdRuleSettings(RuleSettings):
    kind: Literal["threshold"] = Field(description="A metric of the day against fixed thresholds")
    metric: Literal["share_negative", "mean_sentiment", "n_articles", "n_negative"] = Field(
        "share_negative", description="share_negative, mean_sentiment, n_articles (volume) or n_negative")
    direction: Literal["above", "below"] = Field("above", description="Fire at or above (or at or below) warning")
    warning: float = Field(description="Threshold of a warning")
    critical: float | None = Field(None, description="Threshold of a critical alert (beyond warning)")
    min_articles: int = Field(8, ge=1, description="Scored articles the topic × country needs that day")
    min_outlets: int = Field(1, ge=1, description="Distinct outlets the topic × country needs that day")

    def to_rule(self) -> ThresholdRule:
        return ThresholdRule(self.name, self.metric, self.direction, self.warning, self.critical, self.min_articles,
                             self.min_outlets, self.scope())


class BaselineRuleSettings(RuleSettings):
    kind: Literal["baseline"] = Field(description="Robust z-score (median / MAD) against a trailing window")
    metric: Literal["share_negative", "mean_sentiment", "n_articles", "n_negative"] = Field(
        "n_negative", description="The metric compared with its own past")
    direction: Literal["above", "below"] = Field("above", description="Fire on a rise (above) or a fall (below)")
    warning: float = Field(4.0, gt=0, description="|z| of a warning")
    critical: float | None = Field(8.0, gt=0, description="|z| of a critical alert")
    min_value: float | None = Field(6, description="The metric itself must also reach this (e.g. 6 negative articles)")
    min_articles: int = Field(1, ge=1, description="Scored articles the topic × country needs that day")
    min_outlets: int = Field(2, ge=1, description="Distinct outlets the topic × country needs that day")
    window_days: int = Field(56, ge=1, description="Trailing window, in calendar days before the day")
    min_history: int = Field(4, ge=2, description="Warm-up: comparable run days the window needs before it may fire")
    seasonality: Literal["none", "weekday", "weekpart"] = Field(
        "weekday", description="Compare with the same weekday (weekday), weekdays vs weekends (weekpart), or all days")
    spread_floor: float = Field(1.0, gt=0, description="Least scaled MAD, in the metric's unit (quiet series)")

    def to_rule(self) -> BaselineRule:
        return BaselineRule(self.name, self.metric, self.direction, self.warning, self.critical, self.min_value,
                            self.min_articles, self.min_outlets, self.window_days, self.min_history,
                            self.seasonality, self.spread_floor, self.scope())


class VolumeRuleSettings(RuleSettings):
    kind: Literal["volume"] = Field(description="The topic's volume against its usual share of the day's coverage")
    warning: float = Field(3.0, gt=1, description="Articles / expected articles of a warning")
    critical: float | None = Field(6.0, gt=1, description="Articles / expected articles of a critical alert")
    min_articles: int = Field(8, ge=1, description="Articles the topic × country needs that day")
    min_outlets: int = Field(2, ge=1, description="Distinct outlets the topic × country needs that day")
    window_days: int = Field(28, ge=1, description="Trailing window, in calendar days before the day")
    min_history: int = Field(14, ge=2, description="Warm-up: run days with coverage the window needs")
    seasonality: Literal["none", "weekday", "weekpart"] = Field("none", description="As for baseline rules")
    min_expected: float = Field(1.0, gt=0, description="Least expected article count (a topic that is usually silent)")

    def to_rule(self) -> VolumeRule:
        return VolumeRule(self.name, self.warning, self.critical, self.min_articles, self.min_outlets,
                          self.window_days, self.min_history, self.seasonality, self.min_expected, self.scope())


AnyRuleSettings = Annotated[ThresholdRuleSettings | BaselineRuleSettings | VolumeRuleSettings,
                            Field(discriminator="kind")]


def default_rules() -> list:
    return [
        ThresholdRuleSettings(kind="threshold", name="share_negative", metric="share_negative", warning=0.6,
                              critical=0.8, min_articles=8, min_outlets=2),
        BaselineRuleSettings(kind="baseline", name="negative_surge"),
        VolumeRuleSettings(kind="volume", name="volume_surge"),
    ]


class WebhookSettings(Section):
    name: str = Field(description="Channel name in the delivery log (webhook:NAME)")
    format: Literal["json", "slack"] = Field("json", description="Generic JSON body, or a Slack incoming-webhook body")
    url_env: str = Field(description="Environment variable holding the URL (it carries the token: never in this file)")
    timeout_s: float = Field(10.0, gt=0, description="Seconds to wait for the receiver")


class EmailSettings(Section):
    enabled: bool = Field(False, description="Send alert emails over SMTP")
    host: str = Field("localhost", description="SMTP server")
    port: int = Field(587, ge=1, le=65535, description="SMTP port (587 STARTTLS, 465 SSL, 25 plain)")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description="starttls, ssl or none")
    username: str | None = Field(None, description="SMTP user; no login when empty")
    password_env: str = Field("TREMOR_SMTP_PASSWORD", description="Environment variable holding the SMTP password")
    sender: str = Field("tremor@localhost", description="From address")
    recipients: list[str] = Field(default_factory=list, description="To addresses")
    timeout_s: float = Field(20.0, gt=0, description="Seconds to wait for the server")


class RetrySettings(Section):
    attempts: int = Field(4, ge=1, description="Tries per notice and channel, the first included")
    wait_s: float = Field(2.0, ge=0, description="First wait after a transient failure; doubles each time")
    max_wait_s: float = Field(60.0, ge=0, description="Longest wait between tries")


class DeliverySettings(Section):
    webhooks: list[WebhookSettings] = Field(default_factory=list, description="Webhooks notified of alerts")
    email: EmailSettings = Field(default_factory=EmailSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    prefect_events: bool = Field(True, description="Emit a Prefect event per notice (tremor.alert.opened/escalated)")
    max_age_days: int = Field(7, ge=0, description="Notices about older days (backfills) are logged, not sent")


class AlertSettings(Section):
    rules: list[AnyRuleSettings] = Field(default_factory=default_rules, description="The alert rules (all kinds)")
    close_after_days: int = Field(3, ge=1, description="Calm run days after which an alert episode closes")
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)

    @model_validator(mode="after")
    def _unique_names(self):
        names = [r.name for r in self.rules]
        if len(names) != len(set(names)):
            raise ValueError(f"alert rule names must be unique: {names}")
        return self

    def to_rules(self) -> list[ThresholdRule | BaselineRule | VolumeRule]:
        return [r.to_rule() for r in self.rules if r.enabled]

    @property
    def history_days(self) -> int:
        """Days of indicators the rules look back on."""
        return max([getattr(r, "window_days", 0) for r in self.rules] or [0])


class IndicatorSettings(Section):
    window_days: int = Field(28, ge=2, description="Trailing window of the indicators' baseline_mean/std, "
                                                   "z_negative")
    min_history_days: int = Field(14, ge=2, description="Run days in the window before z_negative is computed")
    std_floor: float = Field(1.0, gt=0, description="Least standard deviation behind z_negative")


class ReportSettings(Section):
    topics: list[str] = Field(default_factory=list, description="Topics charted in `tremor report` (default: those "
                                                                "with alerts, then the most covered)")
    days: int = Field(90, ge=7, description="Days of history in each chart")
    max_topics: int = Field(6, ge=1, description="Most topics charted when `topics` is empty")
    stories: int = Field(3, ge=1, description="Most negative and most positive stories listed per country")



class BackfillSettings(Section):
    """Where `tremor backfill` scores: in its own process (the default), or on a Dask cluster (README:
    Scaling out a backfill). Writes always go through the flow's one process."""

    workers: int = Field(0, ge=0, description="Worker processes of a local Dask cluster that score days in "
                                              "parallel (`--workers`); 0 = score in the flow's own process")
    scheduler: str | None = Field(None, description="Address of a running Dask scheduler (tcp://HOST:8786) whose "
                                                    "workers score instead (`--scheduler`); wins over `workers`")
    threads_per_worker: int = Field(1, ge=1, description="Threads per local worker process (scoring is CPU-bound: "
                                                         "one process per core, one thread each)")
    days_in_flight: int = Field(0, ge=0, description="Days read and sent to the workers ahead of the writer, each "
                                                     "held in memory (0: twice the cluster's worker threads)")
    batch_articles: int = Field(1000, ge=1, description="Without workers: consecutive days are scored together "
                                                        "until they hold this many articles (one larger day alone): "
                                                        "bigger batches run the encoders closer to their pace; each "
                                                        "batch is held in memory")

    @property
    def in_process(self) -> bool:
        """Whether the backfill scores in the flow's own process (no workers, no scheduler)."""
        return not (self.workers or self.scheduler)


def delivery_channels(cfg: DeliverySettings, environ: Mapping[str, str]) -> list[Channel]:
    """The configured channels, their secrets read from the environment now (never from the file)."""
    channels: list[Channel] = [WebhookChannel(w.name, _secret(environ, w.url_env), w.url_env, w.format, w.timeout_s)
                               for w in cfg.webhooks]
    if cfg.email.enabled:
        e = cfg.email
        channels.append(EmailChannel(e.host, e.port, e.sender, tuple(e.recipients), e.security, e.username,
                                     _secret(environ, e.password_env), e.password_env, e.timeout_s))
    return channels


def _secret(environ: Mapping[str, str], name: str) -> SecretStr | None:
    value = environ.get(name)
    return SecretStr(value) if value else None


class EmergingSettings(Section):
    enabled: bool = Field(True, description="Cluster the articles no topic claimed into candidate new topics daily")
    window_days: int = Field(3, ge=1, description="Days of unassigned articles clustered together (the run day and "
                                                  "those before it): one day is usually too few articles")
    min_cluster_size: int = Field(4, ge=2, description="Least articles of a candidate")
    min_outlets: int = Field(2, ge=1, description="Least outlets of a candidate (one outlet repeating itself is not "
                                                  "an issue)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TREMOR_", env_nested_delimiter="__", extra="forbid")

    db_path: Path = Field(Path("tremor.duckdb"), description="The DuckDB warehouse file")
    max_text_chars: int = Field(200_000, ge=1, description="Longer article texts are quarantined")
    schedule_cron: str = Field("0 6 * * *", description="Cron schedule of the served daily deployment (UTC)")
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    indicators: IndicatorSettings = Field(default_factory=IndicatorSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    backfill: BackfillSettings = Field(default_factory=BackfillSettings)
    emerging: EmergingSettings = Field(default_factory=EmergingSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlFile(settings_cls, toml_file=config_path())


def config_path() -> Path:
    """The settings file: load_settings' (--config), else TREMOR_CONFIG's, else ./tremor.toml. A named file must
    exist; ./tremor.toml is optional (defaults without it); none may be a directory."""
    named, origin = _config_file.get(), "--config"
    if not named:
        named, origin = os.environ.get(CONFIG_ENV), CONFIG_ENV
    path = Path(named or DEFAULT_CONFIG).expanduser()
    if path.is_dir():
        raise ConfigError(f"settings file {path} is a directory, not a TOML file"
                          + (f" (named by {origin})" if named else ""))
    if named and not path.is_file():
        raise ConfigFileMissing(f"settings file {path} does not exist (named by {origin})")
    return path


class TomlFile(TomlConfigSettingsSource):
    """pydantic-settings' TOML source (it skips a missing file and lets a syntax error escape as a traceback) with
    syntax, encoding and read errors as one ConfigError line naming the file, line and column."""

    def _read_file(self, file_path: Path) -> dict:
        try:
            with file_path.open("rb") as f:
                return tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise toml_error(file_path, exc) from None
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{file_path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8") from None
        except OSError as exc:
            raise ConfigError(f"settings file {file_path} cannot be read: {exc.strerror}") from None


def load_settings(config: Path | None = None, **overrides) -> Settings:
    """Settings from `config` (or TREMOR_CONFIG, or ./tremor.toml if present); overrides win. Every mistake (a file
    that is missing or not TOML, an unknown key, a bad value in the file, the environment or an override) raises
    one ConfigError line naming the key, the value, what is allowed and where the value came from."""
    given = {k: v for k, v in overrides.items() if v is not None}
    token = _config_file.set(str(config) if config is not None else None)
    try:
        unknown = unknown_env(Settings, os.environ)
        if unknown is not None:
            raise unknown
        file = str(config_path())
        try:
            return Settings(**given)
        except ValidationError as exc:
            raise explain(exc, Settings, file, os.environ, given) from None
        except SettingsError as exc:
            raise env_error(exc, Settings, os.environ) from None
    finally:
        _config_file.reset(token)


def yesterday_utc() -> date:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=1)).date()
