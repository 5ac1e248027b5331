"""GDELT DOC 2.0 article lists from a fake endpoint on the local server: time slicing past the cap."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from werkzeug import Response

from fetch.gdelt import GdeltQuery, collect_gdelt
from pipeline.gdelt import Window
from pipeline.sources import Source

DAY = Window(datetime(2025, 7, 26), datetime(2025, 7, 27))


def fake_gdelt(articles_by_lang: dict[str, list[datetime]], requests: list):
    """Answers like the DOC API: the window's articles, oldest first, at most maxrecords."""

    def handle(request):
        args = request.args
        start = datetime.strptime(args["startdatetime"], "%Y%m%d%H%M%S")
        end = datetime.strptime(args["enddatetime"], "%Y%m%d%H%M%S")
        language = args["query"].rsplit("sourcelang:", 1)[1]
        requests.append((language, start, end, args["mode"], args["format"], int(args["maxrecords"])))
        seen = sorted(t for t in articles_by_lang.get(language, []) if start <= t < end)[: int(args["maxrecords"])]
        if not seen:
            return Response("{}", content_type="application/json")
        rows = [{"url": f"https://www.yna.co.kr/view/{language}-{t:%H%M%S}", "title": f"Japan Korea {t:%H%M}",
                 "seendate": f"{t:%Y%m%dT%H%M%S}Z", "domain": "yna.co.kr", "language": language.title(),
                 "sourcecountry": "South Korea"} for t in seen]
        import json

        return Response(json.dumps({"articles": rows}), content_type="application/json")

    return handle


def test_slices_page_past_the_cap_for_each_language(server, client):
    korean = [DAY.start + timedelta(minutes=2, seconds=7 * i) for i in range(600)]  # 600 in ~70 minutes
    english = [DAY.start + timedelta(hours=5 + i) for i in range(10)]
    requests: list = []
    server.expect_request("/api/v2/doc/doc").respond_with_handler(fake_gdelt({"korean": korean, "english": english}, requests))
    query = GdeltQuery(server.url_for("/api/v2/doc/doc"), "(Japan OR Tokyo) (Korea OR Seoul)", ("english", "korean"))
    registry = {"Yonhap News": Source("Yonhap News", "KR", "ko", timezone="Asia/Seoul", domains=("yna.co.kr",))}
    harvest = collect_gdelt(client, query, DAY, registry)
    assert len([i for i in harvest.items if i.lang == "ko"]) == 600 and len([i for i in harvest.items if i.lang == "en"]) == 10
    assert {i.source for i in harvest.items} == {"Yonhap News"}
    assert all(mode == "ArtList" and fmt == "json" and cap == 250 for _, _, _, mode, fmt, cap in requests)
    korean_requests = [r for r in requests if r[0] == "korean"]
    assert len(korean_requests) > 3 and [r[0] for r in requests].count("english") == 1
    split = [e for e in harvest.log if e.reason and "split" in e.reason]
    assert split and all(e.items == 250 for e in split)
    assert sum(e.items for e in harvest.log if not (e.reason and "split" in e.reason)) == 610


def test_a_text_answer_or_a_failed_slice_is_logged_and_the_rest_goes_on(server, client):
    def handle(request):
        if "korean" in request.args["query"]:
            return Response("Invalid query: phrase too short", content_type="text/html")
        return Response('{"articles": [{"url": "https://a.example/1", "title": "t", "seendate": "20250726T010000Z", '
                        '"domain": "a.example", "language": "English", "sourcecountry": "United States"}]}')
    server.expect_request("/api/v2/doc/doc").respond_with_handler(handle)
    query = GdeltQuery(server.url_for("/api/v2/doc/doc"), "Japan Korea", ("korean", "english"))
    harvest = collect_gdelt(client, query, DAY, {})
    assert [e.outcome for e in harvest.log] == ["rejected", "fetched"]
    assert harvest.log[0].reason.startswith("GDELT answered with text, not JSON: 'Invalid query")
    assert [(i.source, i.country) for i in harvest.items] == [("a.example", "US")]
    assert urlsplit(harvest.log[0].url).path == "/api/v2/doc/doc"
