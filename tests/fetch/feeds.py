"""Feeds and pages the tests serve: good ones, and hostile or broken ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime


def rss(items: list[dict], encoding: str = "utf-8", title: str = "Test outlet") -> bytes:
    """An RSS 2.0 document; each item dict may have title, link, description, pubDate, guid."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>',
             '<rss version="2.0"><channel>', f"<title>{title}</title><link>http://example.invalid/</link>"]
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def pub_date(hours_ago: float = 2) -> str:
    return format_datetime(datetime.now(UTC) - timedelta(hours=hours_ago))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>lol</title>
<item><title>&lol9;</title><link>http://example.invalid/lol</link><pubDate>Sat, 26 Jul 2025 10:00:00 GMT</pubDate></item>
</channel></rss>"""

MALFORMED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
             b"<item><title>Seoul & Tokyo resume talks</title><link>http://example.invalid/broken-1</link>"
             b"<pubDate>Sat, 26 Jul 2025 10:00:00 GMT</pubDate></item>"
             b"<item><title>Unclosed</title><link>http://example.invalid/broken-2</link></channel>")

TRUNCATED = b'<?xml version="1.0"?><rss version="2.0"><chan'

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Welcome</title></head>"
             b"<body><h1>Our news site</h1><p>Please enable JavaScript.</p></body></html>")

KO_BODY = ("일본 정부는 강제징용 피해자 배상 문제와 관련해 한국 정부가 발표한 제3자 변제 해법을 환영한다고 밝혔다. "
           "외교부는 한일 관계 개선의 계기가 될 것이라고 설명했다. 똠방각하 뷁 같은 희귀 글자도 그대로 보존되어야 한다. ")
JA_BODY = ("岸田首相は韓国の尹大統領と会談し、元徴用工問題や輸出管理の見直しについて協議した。"
           "両首脳はシャトル外交の再開で一致した。髙橋さんと①番の記号も正しく読めるはずだ。")


def page(title: str, body: str, charset_meta: str | None = None, nav: str = "Menu") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paragraphs = "".join(f"<p>{body}</p>" for _ in range(4))
    return (f"<html><head>{meta}<title>{title}</title></head><body><nav>{nav}</nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>(c) outlet</footer></body></html>")
