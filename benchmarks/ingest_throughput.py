"""Throughput of network ingestion's processing, without the network: parse → clean → (relevance) → dedup.

    .venv/bin/python benchmarks/ingest_throughput.py            # 20,000 items, prints a table
    .venv/bin/python benchmarks/ingest_throughput.py --items 2000

Items: RSS 2.0 entries in English, Japanese and Korean (a third each) built from the demo pools
(tremor/demo/pools): a headline, 3-5 topic sentences and 1-2 context sentences as an HTML
description, an RFC 822 date with or without an offset (the outlet's zone is the fallback). A quarter
are off-topic (domestic news sentences) so that relevance runs its tokenising topic tagger on them;
15 % are near-duplicates of an earlier item (a sentence dropped, a byline added) under another
outlet, as syndicated wire copy is. Items are packed 100 to a feed document.

Stages, each timed on its own (models and tokenizers are loaded before timing):
* parse     — feedparser over the bytes of every document (pipeline.feeds.parse_feed);
* clean     — HTML stripped, NFKC, canonical URL, published time to UTC, language identified,
              content hash (pipeline.clean.clean_items);
* relevance — country terms, then the taxonomy's keyword tagger (pipeline.relevance);
* dedup     — exact (one per URL) then MinHash LSH over character 5-shingles
              (pipeline.dedup.not_stored, pipeline.neardup.group_stories).
"Overall" is items / (parse + clean + dedup), and again with relevance included.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.clean import clean_items  # noqa: E402
from pipeline.dedup import not_stored  # noqa: E402
from pipeline.feeds import parse_feed  # noqa: E402
from pipeline.langid import detect_language  # noqa: E402
from pipeline.neardup import group_stories  # noqa: E402
from pipeline.relevance import KeywordRelevance, load_country_terms, split_relevant  # noqa: E402
from pipeline.sources import Source  # noqa: E402
from pipeline.taxonomy import load_taxonomy  # noqa: E402
from pipeline.topics import tagger_for  # noqa: E402
from pipeline.validate import Limits  # noqa: E402

POOLS = ROOT / "tremor" / "demo" / "pools"
OUTLETS = {"en": [("Bench Herald", "KR", "Asia/Seoul"), ("Bench Times", "JP", "Asia/Tokyo"),
                  ("Bench Post", "US", "America/New_York")],
           "ja": [("ベンチ新聞", "JP", "Asia/Tokyo"), ("ベンチ日報", "JP", "Asia/Tokyo")],
           "ko": [("벤치일보", "KR", "Asia/Seoul"), ("벤치신문", "KR", "Asia/Seoul")]}
BYLINE = {"en": " (Reporting by wire staff)", "ja": "（共同）", "ko": " (연합뉴스)"}
PER_FEED = 100
DOMESTIC = {  # off-topic news: no country term, no taxonomy keyword
    "en": ["The city council approved a new budget for road repairs on Tuesday.",
           "Heavy rain is expected across the region through the weekend, forecasters said.",
           "The home team won the championship after a dramatic overtime goal.",
           "Shares of the retailer rose after quarterly sales beat estimates.",
           "A new museum exhibition on modern design opens next month.",
           "Police said the highway would reopen after the morning accident was cleared."],
    "ja": ["市議会は火曜日、道路補修の新たな予算を可決した。", "週末にかけて各地で大雨が予想されると気象台が発表した。",
           "地元チームが延長戦の末に優勝を果たした。", "小売大手の株価は四半期の売上高が予想を上回り上昇した。",
           "現代デザインをテーマにした美術展が来月開幕する。",
           "朝の事故の処理が終わり、高速道路は通行止めが解除された。"],
    "ko": ["시의회는 화요일 도로 보수를 위한 새 예산을 통과시켰다.", "주말까지 곳곳에 많은 비가 내릴 것으로 예보됐다.",
           "홈팀이 연장전 끝에 극적인 골로 우승을 차지했다.", "유통업체 주가는 분기 매출이 예상을 웃돌면서 올랐다.",
           "현대 디자인을 주제로 한 전시회가 다음 달 개막한다.", "오전 사고 수습이 끝나 고속도로 통행이 재개됐다."],
}


def load_pools() -> dict[str, dict]:
    """Per language: every topic's headlines and sentences, and the context sentences, of all its pools."""
    pools: dict[str, dict] = {}
    for path in sorted(POOLS.glob("*.json")):
        pool = json.loads(path.read_text(encoding="utf-8"))
        merged = pools.setdefault(pool["lang"], {"context": [], "topics": {}})
        merged["context"] += pool["context"]
        merged["topics"].update(pool["topics"])
    return pools


def make_items(n: int, rng: random.Random) -> list[dict]:
    pools = load_pools()
    items: list[dict] = []
    now = datetime(2025, 7, 26, 12, tzinfo=UTC)
    for i in range(n):
        lang = ("en", "ja", "ko")[i % 3]
        source, _, zone = rng.choice(OUTLETS[lang])
        if items and rng.random() < 0.15:  # a syndicated copy of an earlier item of the same language
            base = rng.choice([it for it in items[-300:] if it["lang"] == lang] or items[-1:])
            sentences = list(base["sentences"])
            if len(sentences) > 3:
                sentences.pop(rng.randrange(1, len(sentences)))
            sentences[-1] += BYLINE[lang]
            title = base["title"]
        else:
            pool = pools[lang]
            context = rng.sample(pool["context"], k=2)
            if rng.random() < 0.25:  # off-topic: domestic news
                sentences = rng.sample(DOMESTIC[lang], k=rng.randint(3, 5))
                title = sentences[0][:30]
            else:
                topic = pool["topics"][rng.choice(list(pool["topics"]))]
                polarity = topic[rng.choice(list(topic))]
                title = rng.choice(polarity["headlines"])
                k = min(len(polarity["sentences"]), rng.randint(3, 5))
                sentences = rng.sample(polarity["sentences"], k=k) + context[:rng.randint(1, 2)]
        published = now - timedelta(minutes=rng.randrange(0, 3 * 24 * 60))
        stamp = format_datetime(published) if rng.random() < 0.7 else published.strftime("%a, %d %b %Y %H:%M:%S")
        items.append({"lang": lang, "source": source, "zone": zone, "title": title, "sentences": sentences,
                      "url": f"https://{abs(hash(source)) % 1000}.bench.example/news/{i}?utm_source=rss",
                      "published": stamp})
    return items


def make_feeds(items: list[dict]) -> list[tuple[str, bytes]]:
    """(source, document) per PER_FEED items of one outlet."""
    by_source: dict[str, list[dict]] = {}
    for item in items:
        by_source.setdefault(item["source"], []).append(item)
    feeds = []
    for source, entries in by_source.items():
        for start in range(0, len(entries), PER_FEED):
            body = "".join(
                f"<item><title>{escape(e['title'])}</title><link>{escape(e['url'])}</link>"
                f"<description>{escape(''.join(f'<p>{s}</p>' for s in e['sentences']))}</description>"
                f"<pubDate>{e['published']}</pubDate><guid>{escape(e['url'])}</guid></item>"
                for e in entries[start:start + PER_FEED])
            feeds.append((source, f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                  f"<title>{escape(source)}</title>{body}</channel></rss>".encode()))
    return feeds


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    items = make_items(args.items, rng)
    feeds = make_feeds(items)
    registry = {name: Source(name, country, lang, timezone=zone) for lang, outlets in OUTLETS.items()
                for name, country, zone in outlets}
    relevance = KeywordRelevance(tagger_for(load_taxonomy()), load_country_terms())
    for text, lang in (("Japan and Korea", "en"), ("日本と韓国の首脳会談", "ja"), ("한일 정상회담", "ko")):  # warm up
        detect_language(text)
        relevance.tagger.tag(text, lang)
    now = datetime(2025, 7, 27)

    parsed, t_parse = timed(lambda: [i for source, doc in feeds for i in parse_feed(doc, "application/rss+xml", source,
                                                                                     f"bench://{source}").items])
    cleaned, t_clean = timed(clean_items, parsed, registry, Limits(), now)
    (relevant, irrelevant), t_relevance = timed(split_relevant, cleaned.articles, relevance)
    stories, t_dedup = timed(lambda arts: group_stories(not_stored(arts, set()), []), relevant)

    n = len(items)
    rows = [("parse", len(parsed), t_parse), ("clean", len(parsed), t_clean),
            ("relevance", len(cleaned.articles), t_relevance), ("dedup", len(relevant), t_dedup)]
    size = sum(len(d) for _, d in feeds) / 1e6
    print(f"ingest throughput: {n:,} items in {len(feeds)} feed documents ({size:.1f} MB), seed {args.seed}")
    print(f"{'stage':<11}{'items in':>10}{'seconds':>10}{'items/s':>12}")
    for stage, count, seconds in rows:
        print(f"{stage:<11}{count:>10,}{seconds:>10.2f}{count / seconds:>12,.0f}")
    core = t_parse + t_clean + t_dedup
    print(f"{'overall':<11}{n:>10,}{core:>10.2f}{n / core:>12,.0f}   parse + clean + dedup")
    print(f"{'overall':<11}{n:>10,}{core + t_relevance:>10.2f}{n / (core + t_relevance):>12,.0f}   with relevance")
    print(f"results: {len(cleaned.articles):,} clean, {len(cleaned.rejected):,} rejected, "
          f"{len(irrelevant):,} irrelevant, {len(stories.kept):,} stories kept, "
          f"{len(stories.copies):,} syndicated copies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
