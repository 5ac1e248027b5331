"""Feed parsing from bytes: RSS, Atom, RDF, legacy encodings, and what must be refused."""

import pytest

from pipeline.feeds import FeedRejected, parse_feed
from tests.fetch.feeds import BILLION_LAUGHS, HTML_PAGE, MALFORMED, TRUNCATED, rss

ORIGIN = "http://example.invalid/feed"


def test_rss_items_keep_link_title_summary_and_the_date_as_published():
    data = rss([{"title": "Seoul &amp; Tokyo", "link": "http://example.invalid/a", "description": "&lt;p&gt;Talks&lt;/p&gt;",
                 "pubDate": "Sat, 26 Jul 2025 10:00:00 +0900", "guid": "a"}])
    parsed = parse_feed(data, "application/rss+xml; charset=utf-8", "Outlet", ORIGIN)
    [item] = parsed.items
    assert parsed.problem is None
    assert (item.url, item.title, item.summary, item.published) == (
        "http://example.invalid/a", "Seoul & Tokyo", "<p>Talks</p>", "Sat, 26 Jul 2025 10:00:00 +0900")
    assert (item.source, item.origin, item.index) == ("Outlet", ORIGIN, 0)


def test_atom_and_rdf_feeds():
    atom = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
      <title>A</title><entry><title>Entry</title><link href="http://example.invalid/e"/>
      <updated>2025-07-26T10:00:00Z</updated><content type="html">&lt;p&gt;Full body&lt;/p&gt;</content>
      <summary>Short</summary></entry></feed>"""
    [item] = parse_feed(atom, "application/atom+xml", "O", ORIGIN).items
    assert item.url == "http://example.invalid/e" and item.summary == "<p>Full body</p>" and item.published
    assert item.lang == "en"
    rdf = """<?xml version="1.0" encoding="utf-8"?>
      <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
               xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://example.invalid/"><title>朝日</title><link>http://example.invalid/</link></channel>
      <item rdf:about="http://example.invalid/r"><title>日韓首脳会談</title><link>http://example.invalid/r</link>
      <dc:date>2025-07-26T10:00:00+09:00</dc:date></item></rdf:RDF>""".encode()
    [item] = parse_feed(rdf, "application/rdf+xml", "O", ORIGIN).items
    assert item.title == "日韓首脳会談" and item.published.startswith("2025-07-26T10:00:00")


@pytest.mark.parametrize("encoding, header", [("shift_jis", None), ("euc-kr", "application/rss+xml; charset=EUC-KR")])
def test_legacy_encodings_are_decoded(encoding, header):
    title = "日韓首脳会談" if encoding == "shift_jis" else "한일 정상회담"
    data = rss([{"title": title, "link": "http://example.invalid/x", "pubDate": "Sat, 26 Jul 2025 10:00:00 GMT"}],
               encoding=encoding)
    [item] = parse_feed(data, header, "O", ORIGIN).items
    assert item.title == title


def test_an_html_page_is_not_a_feed():
    with pytest.raises(FeedRejected, match="HTML page"):
        parse_feed(HTML_PAGE, "text/html; charset=utf-8", "O", ORIGIN)
    with pytest.raises(FeedRejected, match="HTML page"):
        parse_feed(HTML_PAGE, None, "O", ORIGIN)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_entity_declarations_are_refused_before_parsing(encoding):
    data = BILLION_LAUGHS if encoding == "utf-8" else BILLION_LAUGHS.decode().replace(
        'version="1.0"', 'version="1.0" encoding="utf-16"').encode("utf-16")
    with pytest.raises(FeedRejected, match="billion-laughs"):
        parse_feed(data, "application/rss+xml", "O", ORIGIN)


def test_malformed_xml_keeps_what_the_lenient_parser_recovers_and_says_so():
    parsed = parse_feed(MALFORMED, "application/rss+xml", "O", ORIGIN)
    assert parsed.problem and "malformed XML" in parsed.problem
    assert [item.url for item in parsed.items][:1] == ["http://example.invalid/broken-1"]


def test_unrecoverable_xml_is_rejected():
    with pytest.raises(FeedRejected, match="malformed XML"):
        parse_feed(TRUNCATED, "application/rss+xml", "O", ORIGIN)


def test_an_empty_but_valid_feed_has_no_items_and_no_problem():
    parsed = parse_feed(rss([]), "application/rss+xml", "O", ORIGIN)
    assert parsed.items == () and parsed.problem is None


def test_bytes_that_look_like_a_path_are_never_opened():
    with pytest.raises(FeedRejected):
        parse_feed(b"/etc/passwd", "text/plain", "O", ORIGIN)


def test_items_without_link_or_date_are_kept_for_cleaning_to_reject():
    data = rss([{"title": "No link", "pubDate": "Sat, 26 Jul 2025 10:00:00 GMT"},
                {"title": "No date", "link": "http://example.invalid/nd"}])
    first, second = parse_feed(data, None, "O", ORIGIN).items
    assert first.url is None and second.published is None


@pytest.mark.parametrize("body", [b"", b"  \r\n\t"])
def test_an_empty_body_is_rejected_with_a_reason(body):
    with pytest.raises(FeedRejected, match=r"empty response body \(\d+ bytes\)"):
        parse_feed(body, "application/rss+xml", "O", ORIGIN)


def test_entity_declarations_behind_a_long_comment_are_refused():
    """The DOCTYPE sits after a 70 KB comment: past any fixed-size head the check might read."""
    declaration, rest = BILLION_LAUGHS.split(b"\n", 1)
    data = declaration + b"\n<!--" + b"x" * 70_000 + b"-->\n" + rest
    assert data.index(b"<!DOCTYPE") > 70_000
    with pytest.raises(FeedRejected, match="billion-laughs"):
        parse_feed(data, "application/rss+xml", "O", ORIGIN)


def test_entity_declarations_hidden_by_utf7_are_refused_before_the_lenient_parser_expands_them():
    """`+ADwAIQ-` is `<!` in UTF-7: the raw bytes hold no `<!ENTITY`. Text before the DOCTYPE breaks
    the strict parser, and feedparser's lenient parser would expand the declared entity (here 1,000 ×
    100 KB = a 100 MB title from a 105 KB body)."""
    data = (b'<?xml version="1.0" encoding="utf-7"?>\njunk\n+ADwAIQ-DOCTYPE x [\n+ADwAIQ-ENTITY big "'
            + b"A" * 100_000 + b'">\n]>\n<rss version="2.0"><channel><title>t</title><item><title>'
            + b"&big;" * 1000 + b"</title><link>http://example.invalid/x</link></item></channel></rss>")
    assert b"<!ENTITY" not in data
    with pytest.raises(FeedRejected, match="billion-laughs"):
        parse_feed(data, "application/rss+xml", "O", ORIGIN)


def test_feedparsers_strict_parser_itself_refuses_entity_declarations():
    """Second line of defence: parsing with feedparser directly (no byte check) still expands nothing,
    because pipeline.feeds makes defusedxml's expat driver feedparser's strict parser."""
    import io

    import feedparser
    from defusedxml import EntitiesForbidden

    import pipeline.feeds  # noqa: F401  (installs the driver)

    with pytest.raises(EntitiesForbidden):
        feedparser.parse(io.BytesIO(BILLION_LAUGHS))
