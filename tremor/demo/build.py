"""Build the bundled demo corpus (tremor/demo/corpus.jsonl.gz) from the sentence pools, deterministically.

    python -m tremor.demo.build            # rewrites corpus.jsonl.gz
    python -m tremor.demo.build --check    # exits 1 if the committed file differs from a fresh build
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "corpus.jsonl.gz"
SEED = 20250601
START, DAYS = date(2025, 6, 1), 70
TONES = ("negative", "neutral", "positive")
CALM_TONE_WEIGHTS = (0.25, 0.45, 0.30)


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    country: str
    lang: str
    per_day: float  # mean articles per weekday
    utc_offset: int  # hours


OUTLETS = (
    Outlet("Hanbit Ilbo", "hanbit-ilbo.example", "KR", "ko", 4.5, 9),
    Outlet("Gyeongin Sinmun", "gyeongin-sinmun.example", "KR", "ko", 4.0, 9),
    Outlet("Seoul Harbor Times", "seoulharbortimes.example", "KR", "en", 2.5, 9),
    Outlet("Tokai Shimpo", "tokai-shimpo.example", "JP", "ja", 4.5, 9),
    Outlet("Kanto Nichinichi", "kanto-nichinichi.example", "JP", "ja", 4.0, 9),
    Outlet("Japan Bay Herald", "japanbayherald.example", "JP", "en", 2.5, 9),
    Outlet("Pacific Ledger", "pacificledger.example", "US", "en", 1.8, -4),
    Outlet("Capitol Asia Report", "capitolasiareport.example", "US", "en", 1.4, -4),
)

# Relative weight of each topic in calm coverage, per outlet country.
WAR_LEGACY = ("comfort_women", "forced_labour", "dokdo_takeshima", "yasukuni", "history_textbooks",
              "treaty_1965", "sado_mine", "rising_sun_flag")
ALLIANCE = ("trilateral_exercises", "gsomia", "thaad", "export_controls", "supply_chains_quad",
            "fukushima_water", "people_exchange", "summits_diplomacy")
COUNTRY_WEIGHTS = {"KR": (1.2, 1.0), "JP": (1.0, 1.1), "US": (0.4, 1.6)}


@dataclass(frozen=True)
class FlareUp:
    """Extra, mostly hostile coverage of one topic by one country's outlets over some days."""

    topic: str
    country: str
    first: date
    intensity: tuple[float, ...]  # extra articles per outlet per day, day by day
    negative_share: float = 0.85


FLARE_UPS = (
    FlareUp("dokdo_takeshima", "JP", date(2025, 6, 25), (2.5, 4.5, 4.0, 2.5)),
    FlareUp("forced_labour", "KR", date(2025, 7, 24), (2.5, 5.0, 6.0, 5.5, 4.5, 3.5, 2.5, 1.5)),
)


def load_pools() -> dict[str, dict]:
    pools: dict[str, dict] = {}
    for path in sorted((HERE / "pools").glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        merged = pools.setdefault(part["lang"], {"context": [], "topics": {}})
        merged["context"] += part["context"]
        merged["topics"].update(part["topics"])
    return pools


def build(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    pools = load_pools()
    rows: list[dict] = []
    seen: set[str] = set()
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        weekend = day.weekday() >= 5
        for outlet in OUTLETS:
            for _ in range(_poisson(rng, outlet.per_day * (0.55 if weekend else 1.0))):
                topic = _calm_topic(rng, outlet.country)
                tone = rng.choices(TONES, CALM_TONE_WEIGHTS)[0]
                rows.append(_article(rng, pools, outlet, day, topic, tone, seen))
            for flare in FLARE_UPS:
                index = (day - flare.first).days
                if flare.country != outlet.country or not 0 <= index < len(flare.intensity):
                    continue
                extra = _poisson(rng, flare.intensity[index] * (0.6 if outlet.lang == "en" else 1.0))
                for _ in range(extra):
                    tone = "negative" if rng.random() < flare.negative_share else rng.choice(("neutral", "positive"))
                    rows.append(_article(rng, pools, outlet, day, flare.topic, tone, seen))
    _add_wire_copies(rng, rows)
    rows.sort(key=lambda r: (r["published_at"], r["url"]))
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _calm_topic(rng: random.Random, country: str) -> str:
    legacy, alliance = COUNTRY_WEIGHTS[country]
    return rng.choices(WAR_LEGACY + ALLIANCE, [legacy] * len(WAR_LEGACY) + [alliance] * len(ALLIANCE))[0]


def _article(rng, pools, outlet: Outlet, day: date, topic: str, tone: str, seen: set[str]) -> dict:
    pool = pools[outlet.lang]
    own = pool["topics"][topic]
    for _ in range(50):  # resample until the combination is new
        headline = rng.choice(own[tone]["headlines"])
        body = rng.sample(own[tone]["sentences"], k=min(len(own[tone]["sentences"]), rng.randint(2, 4)))
        if tone != "neutral" and rng.random() < 0.6:
            body.insert(rng.randint(1, len(body)), rng.choice(own["neutral"]["sentences"]))
        if rng.random() < 0.15:  # a dissonant sentence now and then: coverage is rarely one-note
            other = rng.choice([t for t in TONES if t != tone])
            body.insert(rng.randint(1, len(body)), rng.choice(own[other]["sentences"]))
        body += rng.sample(pool["context"], k=rng.randint(1, 2))
        key = hashlib.sha256("\n".join([headline, *body]).encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            break
    joiner = "" if outlet.lang == "ja" else " "
    split = max(1, len(body) // 2)
    text = joiner.join(body[:split]) + "\n\n" + joiner.join(body[split:])
    local = timezone(timedelta(hours=outlet.utc_offset))
    published = datetime.combine(day, datetime.min.time(), local) + timedelta(minutes=rng.randint(6 * 60, 22 * 60))
    slug = key[:10]
    return {
        "url": f"https://www.{outlet.domain}/{day:%Y/%m/%d}/{topic.replace('_', '-')}-{slug}?utm_source=demo",
        "title": headline,
        "text": text,
        "published_at": published.isoformat(),
        "source": outlet.name,
        "lang": outlet.lang,
        "country": outlet.country,
    }


def _add_wire_copies(rng: random.Random, rows: list[dict]) -> None:
    """About 1 % of English stories reappear verbatim at another outlet (syndication): dedup drops them."""
    english = [r for r in rows if r["lang"] == "en"]
    for original in rng.sample(english, k=len(english) // 100):
        copy = dict(original, source="Pacific Ledger", url=original["url"].replace("https://www.", "https://wire."))
        rows.append(copy)


def encode(rows: list[dict]) -> bytes:
    """Gzipped JSONL with a fixed mtime, so the same rows always give the same bytes."""
    return gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode(), mtime=0)


def write(rows: list[dict], path: Path) -> bytes:
    data = encode(rows)
    path.write_bytes(data)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare a fresh build with the committed corpus")
    args = parser.parse_args(argv)
    rows = build()
    if args.check:
        same = CORPUS.exists() and CORPUS.read_bytes() == encode(rows)
        print("corpus is up to date" if same else "corpus differs from a fresh build")
        return 0 if same else 1
    write(rows, CORPUS)
    print(f"wrote {len(rows)} articles to {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
