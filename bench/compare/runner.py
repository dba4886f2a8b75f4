"""One library's side of ``make bench-compare``: run by *that library's* interpreter, it decodes the frames and
bodies it is handed through the library's own decoding path and prints the timings as JSON.

    python runner.py LIB INPUT.json          LIB: pykis | python-kis | kis-trader

The realtime decode and every-field rows cycle through a stream of distinct frames of each TR (``streams.py``),
the same for every library. python-kis installs its import package as ``pykis`` too, so each library runs in its
own virtual environment and process; nothing here imports a library at module level. The peers' entry points
(read from their installed sources, v2.1.6 and v0.12.2):

- python-kis: ``KisWebsocketResponse.parse(body, count=…, response_type=WEBSOCKET_RESPONSES_MAP[tr_id])`` after
  splitting ``flag|tr_id|count|body`` (its ``KisWebsocketClient._handle_event``); REST: ``json`` then
  ``KisObject.transform_(data, transform_type=KisDomesticQuote(…) / KisDomesticDailyChart(…))`` (its
  ``PyKis.fetch``; ``kis_object_init``, which binds a live client, is left out).
- kis-trader: ``parse_frame(raw)``, ``lookup(tr_id)``, ``frame.records(spec.field_count)``, ``spec.parser`` (its
  ``RealtimeConnection``); REST: ``fetch_quote`` / ``fetch_bars`` over a transport that answers the given body
  the way its HTTP boundary does (``response.json()`` into ``RawResponse``).
"""

from __future__ import annotations

import base64
import functools
import gc
import importlib
import itertools
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

Decoder = Callable[[str], object]
Counter = Callable[[str], int]
Paths = tuple[Decoder, Callable[[bytes, dict[str, str]], object], Callable[..., object], Counter, Counter]
"""A library's realtime decoder, REST quote decoder, REST chart decoder, and the realtime decoder that reads
every typed field of each record (returning how many it read), and the library's fastest way to every field (its
bulk accessor where it has one, else the same reads)."""


def reader(decode: Callable[[str], Any], public: Callable[[Any], list[str]]) -> Callable[[str], int]:
    """The every-field decoder: each record decoded, then every public field of its event read one by one.

    The names are listed once per event type (as a recorder would), outside what is timed after the first
    record: each library pays for its decoding and its reads, not for listing its fields."""
    known: dict[type, list[str]] = {}

    def every(text: str) -> int:
        read = 0
        for event in decode(text):
            names = known.get(type(event))
            if names is None:
                names = known[type(event)] = public(event)
            for name in names:
                getattr(event, name)
            read += len(names)
        return read

    return every


def per_call(function: Callable[[], object], seconds: float = 0.25) -> float:
    """Median µs per call over 5 timed batches sized to take ~``seconds`` each."""
    function()
    batch, start = 1, time.perf_counter()
    while time.perf_counter() - start < 0.02:
        function()
        batch += 1
    rate = batch / (time.perf_counter() - start)
    number = max(1, int(rate * seconds / 5))
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(number):
            function()
        samples.append((time.perf_counter() - start) / number)
    samples.sort()
    return samples[2] * 1e6


def cycling(function: Callable[[str], object], texts: list[str]) -> Callable[[], object]:
    """``function`` applied to the next of ``texts`` on each call, round and round."""
    items = itertools.cycle(texts)
    return lambda: function(next(items))


def retained(decode: Decoder, frames: list[str]) -> float:
    """Bytes per event kept alive, over ``frames`` (one record each, distinct strings)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = [decode(frame) for frame in frames]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert len(kept) == len(frames)
    return size / len(frames)


# ------------------------------------------------------------------------------------------- the libraries


def ours(data: dict[str, Any]) -> Paths:
    realtime = importlib.import_module("pykis.protocol.websocket")
    decoding = importlib.import_module("pykis.drivers.websocket_handlers")
    envelope = importlib.import_module("pykis.protocol.envelope")
    http = importlib.import_module("pykis.protocol.http")
    quote = importlib.import_module("pykis.models.quote")
    chart = importlib.import_module("pykis.models.chart")
    zoneinfo = importlib.import_module("zoneinfo")
    datetime = importlib.import_module("datetime")
    kst = zoneinfo.ZoneInfo("Asia/Seoul")
    now = datetime.datetime.now(kst)
    parse_message, decode_frame = realtime.parse_message, decoding.decode_frame

    def decode(text: str) -> object:
        # Lazy events: decoding keeps the record; reading a field parses it. Read two, as a callback would.
        events = decode_frame(parse_message(text))
        for event in events:
            if "ASP" in event.tr_id:  # not hasattr(): that would read the field a third time
                event.asks  # noqa: B018
            else:
                event.price, event.volume  # noqa: B018
        return events

    def public(event: Any) -> list[str]:
        # Every typed property of the event's model (the names as_dict() returns), listed from a copy so the
        # timed event is read exactly as a consumer would.
        return list(type(event)(event.tr_id, event.raw).as_dict())

    every = reader(lambda text: decode_frame(parse_message(text)), public)

    def at_once(text: str) -> int:
        # The bulk accessor for a consumer that wants everything: one pass, no lazy reads first.
        return sum(len(event.as_dict()) for event in decode_frame(parse_message(text)))

    def rest_quote(body: bytes, headers: dict[str, str]) -> object:
        env = envelope.decode_envelope(http.HttpResponse(200, headers, body), "FHKST01010100")
        wire = env.decode(quote.DomesticQuoteBody).output
        return quote.domestic_quote(wire, symbol="005930", market="KRX", name="삼성전자", time=now)

    def rest_chart(body: bytes, headers: dict[str, str], **_: Any) -> object:
        env = envelope.decode_envelope(http.HttpResponse(200, headers, body), "FHKST03010100")
        return chart.domestic_daily_bars(env.decode(chart.DomesticDailyBody), kst)

    return decode, rest_quote, rest_chart, every, at_once


def python_kis(data: dict[str, Any]) -> Paths:
    websocket = importlib.import_module("pykis.responses.websocket")
    responses = importlib.import_module("pykis.api.websocket").WEBSOCKET_RESPONSES_MAP
    dynamic = importlib.import_module("pykis.responses.dynamic")
    quote = importlib.import_module("pykis.api.stock.quote")
    daily = importlib.import_module("pykis.api.stock.daily_chart")
    requests = importlib.import_module("requests")
    structures = importlib.import_module("requests.structures")
    parse = websocket.KisWebsocketResponse.parse

    def decode(text: str) -> object:
        _flag, tr_id, count, body = text.split("|", 3)
        return list(parse(body, count=int(count), response_type=responses[tr_id]))

    def public(event: object) -> list[str]:
        # Its events are decoded eagerly into instance attributes: each public one.
        return [name for name in vars(event) if not name.startswith("_")]

    every = reader(decode, public)

    def response(body: bytes, headers: dict[str, str]) -> Any:
        answer = requests.Response()
        answer.status_code = 200
        answer._content = body
        answer.headers = structures.CaseInsensitiveDict(headers)
        return answer

    def transform(body: bytes, headers: dict[str, str], kind: Any) -> object:
        payload = json.loads(body)
        payload["__response__"] = response(body, headers)
        return dynamic.KisObject.transform_(data=payload, transform_type=kind, ignore_missing_fields={"__response__"})

    def rest_quote(body: bytes, headers: dict[str, str]) -> object:
        return transform(body, headers, quote.KisDomesticQuote("005930", "KRX"))

    def rest_chart(body: bytes, headers: dict[str, str], **_: Any) -> object:
        result = transform(body, headers, daily.KisDomesticDailyChart(symbol="005930"))
        assert len(result.bars) == 100, len(result.bars)  # type: ignore[attr-defined]
        return result

    return decode, rest_quote, rest_chart, every, every  # no bulk accessor: its attributes are the fastest way


def kis_trader(data: dict[str, Any]) -> Paths:
    protocol = importlib.import_module("kis_trader.realtime._protocol")
    registry = importlib.import_module("kis_trader.realtime._registry")
    importlib.import_module("kis_trader.realtime.parsers.domestic_stock")
    importlib.import_module("kis_trader.realtime.parsers.overseas")
    transport_module = importlib.import_module("kis_trader.transport")
    market_data = importlib.import_module("kis_trader.domestic._engine.market_data")
    parse_frame, lookup, raw_response = protocol.parse_frame, registry.lookup, transport_module.RawResponse

    def decode(text: str) -> object:
        frame = parse_frame(text)
        spec = lookup(frame.tr_id)
        return [spec.parser(record) for record in frame.records(spec.field_count)]

    fields_of = importlib.import_module("dataclasses").fields

    def public(event: object) -> list[str]:
        # Frozen dataclasses decoded eagerly: each public field (its ``_raw`` dict of strings aside).
        return [field.name for field in fields_of(event) if not field.name.startswith("_")]

    every = reader(decode, public)

    class Answer:
        """A transport answering one body, decoded as kis-trader's HTTP boundary does."""

        def __init__(self, body: bytes, headers: dict[str, str]) -> None:
            self.body, self.headers = body, headers

        def request(self, **_: Any) -> object:
            payload = json.loads(self.body)
            return raw_response(
                rt_cd=str(payload.get("rt_cd", "")),
                msg_cd=str(payload.get("msg_cd", "")),
                msg1=str(payload.get("msg1", "")),
                body=payload,
                tr_cont=str(self.headers.get("tr_cont", "")),
            )

    def rest_quote(body: bytes, headers: dict[str, str]) -> object:
        return market_data.fetch_quote(Answer(body, headers), symbol="005930", market="KRX")

    def rest_chart(body: bytes, headers: dict[str, str], *, start: str = "", end: str = "") -> object:
        bars = market_data.fetch_bars(Answer(body, headers), symbol="005930", market="KRX", start=start, end=end)
        assert len(bars) == 100, len(bars)
        return bars

    return decode, rest_quote, rest_chart, every, every  # its dataclass fields are the fastest way (asdict copies)


LIBRARIES = {"pykis": ours, "python-kis": python_kis, "kis-trader": kis_trader}
IMPORTS = {"pykis": "pykis", "python-kis": "pykis", "kis-trader": "kis_trader"}


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: list[str]) -> int:
    library, path = argv[1], argv[2]
    rss_before = rss_kib()
    started = time.perf_counter()
    try:
        importlib.import_module(IMPORTS[library])
    except Exception as exc:
        print(json.dumps({"error": f"import failed: {type(exc).__name__}: {exc}"}))
        return 0
    result: dict[str, Any] = {
        "import_ms": (time.perf_counter() - started) * 1e3,
        "import_rss_mib": (rss_kib() - rss_before) / 1024,
    }
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    decode, rest_quote, rest_chart, every, at_once = LIBRARIES[library](data)
    errors: dict[str, str] = {}
    for name, frames in data["frames"].items():
        # Try the widths in order (today's first); a library that refuses one is measured on the next.
        for width, text in frames:
            try:
                decode(text)
            except Exception as exc:
                errors[f"{name}/{width}"] = f"{type(exc).__name__}: {str(exc)[:80]}"
                continue
            stream = data["streams"][name][str(width)]
            result[f"decode/{name}/{width}"] = per_call(cycling(decode, stream))
            result[f"all/{name}/{width}"] = per_call(cycling(every, stream))
            result[f"once/{name}/{width}"] = (
                result[f"all/{name}/{width}"] if at_once is every else per_call(cycling(at_once, stream))
            )
            result[f"fields/{name}/{width}"] = every(text)
            if name == "H0STCNT0":
                distinct = [text.replace("135044", f"{135044 + i % 9:06d}", 1) for i in range(5000)]
                result[f"retained/{name}/{width}"] = retained(decode, distinct)
    for name, spec in data["rest"].items():
        body = base64.b64decode(spec["body"])
        headers = spec["headers"]
        options = spec.get("options", {})
        function = rest_quote if name == "quote" else rest_chart
        try:
            function(body, headers, **options)
        except Exception as exc:
            errors[f"rest/{name}"] = f"{type(exc).__name__}: {str(exc)[:80]}"
            continue
        result[f"rest/{name}"] = per_call(functools.partial(function, body, headers, **options))
    result["errors"] = errors
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
