"""The outlet registry: demo outlets unchanged, real outlets with feeds, zones and full-text flags."""

from pathlib import Path

import pytest

from pipeline.sources import InvalidRegistry, Source, country_of, load_sources, outlet_for_domain

DEMO = {"Hanbit Ilbo": "KR", "Gyeongin Sinmun": "KR", "Seoul Harbor Times": "KR", "Tokai Shimpo": "JP",
        "Kanto Nichinichi": "JP", "Japan Bay Herald": "JP", "Pacific Ledger": "US", "Capitol Asia Report": "US"}


def test_demo_outlets_are_unchanged_and_have_no_feeds():
    registry = load_sources()
    for name, country in DEMO.items():
        assert registry[name].country == country and registry[name].demo and registry[name].feeds == ()
    assert Source("X", "KR", "ko") == Source("X", "KR", "ko", (), "UTC", False, (), False)


def test_real_outlets_cover_the_three_countries_with_feeds_and_zones():
    real = [s for s in load_sources().values() if not s.demo]
    assert {s.country for s in real} == {"KR", "JP", "US"}
    assert all(s.feeds and all(f.startswith(("http://", "https://")) for f in s.feeds) for s in real)
    assert {s.timezone for s in real if s.country == "KR"} == {"Asia/Seoul"}
    assert {s.timezone for s in real if s.country == "JP"} == {"Asia/Tokyo"}
    assert any(s.full_text for s in real) and any(not s.full_text for s in real)
    names = {s.name for s in real}
    assert {"Yonhap News Agency", "NHK", "The Japan Times", "The New York Times"} <= names


def test_a_bad_timezone_or_feed_scheme_is_a_named_error(tmp_path: Path):
    path = tmp_path / "sources.toml"
    path.write_text('[sources.X]\ncountry = "KR"\nlang = "ko"\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(InvalidRegistry, match="IANA"):
        load_sources(path)
    for url in ("file:///etc/passwd", "http://[::1/feed", "http://example.com:99999/rss", "/rss.xml"):
        path.write_text(f'[sources.X]\ncountry = "KR"\nlang = "ko"\nfeeds = ["{url}"]\n')
        with pytest.raises(InvalidRegistry, match="http"):
            load_sources(path)


def test_domains_match_the_most_specific_outlet():
    registry = load_sources()
    assert outlet_for_domain("en.yna.co.kr", registry).name == "Yonhap News Agency"
    assert outlet_for_domain("www.yna.co.kr", registry).name == "Yonhap News"
    assert outlet_for_domain("yna.co.kr.evil.example", registry) is None
    assert country_of("unknown.example", "jp", registry) == "JP"
