"""One typed settings object. Sources, highest first: arguments > TREMOR_* environment > TOML file > defaults.

The TOML file is ./tremor.toml unless TREMOR_CONFIG names another. Nested fields in the environment use
a double underscore: TREMOR_ALERTS__THRESHOLD__MIN_SHARE=0.7.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

CONFIG_ENV = "TREMOR_CONFIG"
DEFAULT_CONFIG = "tremor.toml"


class SourcesSettings(BaseModel):
    files: list[str] = Field(default_factory=list, description="JSONL/CSV files or glob patterns ingested on every run")
    registry: Path | None = Field(None, description="Outlet registry TOML (default: the bundled pipeline/sources.toml)")


class ModelSettings(BaseModel):
    sentiment: str = Field("sentiment.lexicon.v1", description="Registered name of the sentiment model")
    taxonomy: Path | None = Field(None, description="Topic taxonomy TOML (default: the bundled pipeline/taxonomy.toml)")
    batch_size: int = Field(64, ge=1, description="Texts per model call")


class ThresholdSettings(BaseModel):
    min_share: float = Field(0.6, ge=0, le=1, description="Share of negative articles that fires the rule")
    min_articles: int = Field(8, ge=1, description="Scored articles a topic × country needs that day")
    critical_share: float = Field(0.8, ge=0, le=1, description="Share from which the alert is critical")


class BaselineSettings(BaseModel):
    z_min: float = Field(3.0, gt=0, description="z-score of the negative-article count that fires the rule")
    critical_z: float = Field(6.0, gt=0, description="z-score from which the alert is critical")
    min_negative: int = Field(5, ge=1, description="Negative articles a topic × country needs that day")
    window_days: int = Field(28, ge=2, description="Trailing window of the baseline, in days")
    min_history_days: int = Field(14, ge=2, description="Run days in the window before the rule may fire")
    std_floor: float = Field(1.0, gt=0, description="Lower bound of the standard deviation (quiet series)")


class AlertSettings(BaseModel):
    threshold: ThresholdSettings = Field(default_factory=ThresholdSettings)
    baseline: BaselineSettings = Field(default_factory=BaselineSettings)
    close_after_days: int = Field(3, ge=1, description="Calm run days after which an alert episode closes")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TREMOR_", env_nested_delimiter="__", extra="forbid")

    db_path: Path = Field(Path("tremor.duckdb"), description="The DuckDB warehouse file")
    max_text_chars: int = Field(200_000, ge=1, description="Longer article texts are quarantined")
    schedule_cron: str = Field("0 6 * * *", description="Cron schedule of the served daily deployment (UTC)")
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get(CONFIG_ENV, DEFAULT_CONFIG)
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file)


class ConfigFileMissing(FileNotFoundError):
    """An explicitly named settings file does not exist."""


def load_settings(config: Path | None = None, **overrides) -> Settings:
    """Settings from `config` (or TREMOR_CONFIG, or ./tremor.toml if present); overrides win."""
    if config is not None:
        if not config.exists():
            raise ConfigFileMissing(f"settings file {config} does not exist")
        os.environ[CONFIG_ENV] = str(config)
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def yesterday_utc() -> date:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=1)).date()
