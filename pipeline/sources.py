"""The sources registry: each outlet's country, usual language, timezone, feeds and web domains."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNKNOWN_COUNTRY = "unknown"


class InvalidRegistry(ValueError):
    """The sources registry has an entry Tremor cannot use; the message names the outlet and the fix."""


@dataclass(frozen=True)
class Source:
    name: str
    country: str
    lang: str
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs fetched when `sources.fetch.enabled`
    timezone: str = "UTC"  # IANA name: the zone of feed times that carry none
    full_text: bool = False  # fetch each relevant item's page and extract its text
    domains: tuple[str, ...] = ()  # web domains of the outlet (GDELT results are matched on them)
    demo: bool = False  # a fictional outlet of the bundled demo corpus


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """Read a registry file (default: the bundled pipeline/sources.toml)."""
    raw = path.read_bytes() if path else files("pipeline").joinpath("sources.toml").read_bytes()
    table = tomllib.loads(raw.decode())["sources"]
    return {name: _source(name, spec) for name, spec in table.items()}


def _source(name: str, spec: dict) -> Source:
    source = Source(name, spec["country"].upper(), spec["lang"], feeds=tuple(spec.get("feeds", ())),
                    timezone=spec.get("timezone", "UTC"), full_text=bool(spec.get("full_text", False)),
                    domains=tuple(d.lower() for d in spec.get("domains", ())), demo=bool(spec.get("demo", False)))
    try:
        ZoneInfo(source.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRegistry(f"sources.{name}: unknown timezone {source.timezone!r}; use an IANA name "
                              "such as 'Asia/Seoul'") from exc
    bad = [url for url in source.feeds if not _is_http(url)]
    if bad:
        raise InvalidRegistry(f"sources.{name}: feed URLs must be absolute http(s) URLs, got {bad}")
    return source


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a malformed IPv6 literal, a port out of range
        return False


def country_of(source: str, declared: str | None, registry: dict[str, Source]) -> str:
    """The registry's country for a known outlet, else the row's own, else 'unknown'."""
    if source in registry:
        return registry[source].country
    return declared.strip().upper() if declared and declared.strip() else UNKNOWN_COUNTRY


COUNTRY_LANG = {"JP": "ja", "KR": "ko"}


def declared_language(source: str, lang: str | None, country: str | None, registry: dict[str, Source]) -> str | None:
    """The language a row declares: its own `lang`, else its registry outlet's, else its country's (JP: ja,
    KR: ko). It guides language identification where the text alone is ambiguous (Han characters only)."""
    if lang and lang.strip():
        return lang.strip().lower()
    if source in registry and registry[source].lang:
        return registry[source].lang
    return COUNTRY_LANG.get((country or "").strip().upper())


def outlet_for_domain(domain: str, registry: dict[str, Source]) -> Source | None:
    """The outlet whose domain is `domain` or a parent of it; the most specific match wins."""
    host = domain.lower().strip(".")
    best: tuple[int, Source] | None = None
    for source in registry.values():
        for known in source.domains:
            if (host == known or host.endswith("." + known)) and (best is None or len(known) > best[0]):
                best = (len(known), source)
    return best[1] if best else None
