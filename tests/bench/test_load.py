"""The load generators against a fake Rasa server speaking the real HTTP protocol (bench/load.py).

The fake answers ``/model/parse`` and the REST channel like Rasa does, on loopback; it fails on
purpose for some messages so the tests can check that failures are counted, never timed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bench.load import conversation_load, get_load, paired_parse, parse_load

TOKEN = "secret-token"


class FakeRasa(BaseHTTPRequestHandler):
    """``POST /model/parse?token=`` and ``POST /webhooks/rest/webhook``, as Rasa 3.6 answers them."""

    received: list[tuple[str, str]]
    intent: str = "greet"

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._reply(200, [{"code": "1.001193"}])

    def do_POST(self) -> None:
        url = urlparse(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if url.path == "/model/parse":
            if parse_qs(url.query).get("token") != [TOKEN]:
                self._reply(401, {"message": "unauthorized"})
            elif body["text"] == "boom":
                self._reply(500, {"message": "error"})
            else:
                self._reply(200, {"text": body["text"], "intent": {"name": self.intent, "confidence": 0.9}})
        elif url.path == "/webhooks/rest/webhook":
            self.received.append((body["sender"], body["message"]))
            if body["message"] == "silence":
                self._reply(200, [])  # Rasa answering nothing is a failure for a citizen
            elif body["message"] == "overloaded":
                self._reply(
                    200,
                    [
                        {
                            "recipient_id": body["sender"],
                            "text": "Hệ thống đang bận, vui lòng thử lại sau ít phút.",
                        }
                    ],
                )
            else:
                self._reply(
                    200, [{"recipient_id": body["sender"], "text": "ok", "custom": {"type": "smalltalk"}}]
                )
        else:
            self._reply(404, {})


def _serve(intent: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    received: list[tuple[str, str]] = []
    handler = type("Handler", (FakeRasa,), {"received": received, "intent": intent})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def rasa() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    yield from _serve("greet")


@pytest.fixture
def other_rasa() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    yield from _serve("goodbye")


def test_parse_load_sends_the_total_and_counts_failures(rasa: tuple[str, list[Any]]) -> None:
    url, _ = rasa
    result = asyncio.run(parse_load(url, TOKEN, ["xin chào", "boom", "chào"], concurrency=4, total=30))
    summary = result.summary()
    assert (summary["requests"], summary["errors"], summary["n"]) == (30, 10, 20)
    assert summary["error_samples"][0].startswith("HTTP 500")
    assert 0 < summary["p50"] <= summary["p95"] <= summary["p99"]
    assert summary["per_s"] > 0


def test_a_wrong_token_is_an_error_not_a_fast_answer(rasa: tuple[str, list[Any]]) -> None:
    url, _ = rasa
    summary = asyncio.run(parse_load(url, "wrong", ["xin chào"], concurrency=1, total=3)).summary()
    assert (summary["n"], summary["errors"]) == (0, 3)


def test_paired_parse_asks_both_servers_and_keeps_each_ones_answers(
    rasa: tuple[str, list[Any]], other_rasa: tuple[str, list[Any]]
) -> None:
    texts = ["xin chào", "boom", "tạm biệt"]
    paired = asyncio.run(paired_parse({"ours": rasa[0], "stock": other_rasa[0]}, TOKEN, texts))
    ours, ours_parses = paired["ours"]
    stock, stock_parses = paired["stock"]
    assert [(p or {}).get("intent", {}).get("name") for p in ours_parses] == ["greet", None, "greet"]
    assert [(p or {}).get("intent", {}).get("name") for p in stock_parses] == ["goodbye", None, "goodbye"]
    assert ours_parses[0]["text"] == "xin chào"
    assert (ours.requests, ours.errors, len(ours.latencies_ms)) == (3, 1, 2)
    assert (stock.requests, stock.errors, len(stock.latencies_ms)) == (3, 1, 2)


def test_conversations_keep_their_order_and_sender(rasa: tuple[str, list[Any]]) -> None:
    url, received = rasa
    conversations = [("a1", "a2", "a3"), ("b1", "b2"), ("c1", "silence"), ("d1",)]
    result = asyncio.run(conversation_load(url, conversations, concurrency=3, sender_prefix="t"))
    summary = result.summary()
    assert (summary["requests"], summary["n"], summary["errors"]) == (8, 7, 1)
    assert summary["conversations"] == 4
    assert summary["reply_types"] == {"smalltalk": 7}
    by_sender: dict[str, list[str]] = {}
    for sender, message in received:
        by_sender.setdefault(sender, []).append(message)
    assert by_sender == {
        "t-0": ["a1", "a2", "a3"],
        "t-1": ["b1", "b2"],
        "t-2": ["c1", "silence"],
        "t-3": ["d1"],
    }


def test_get_load_fetches_every_url(rasa: tuple[str, list[Any]]) -> None:
    url, _ = rasa
    summary = asyncio.run(
        get_load([f"{url}/api/v1/procedures/search?q={i}" for i in range(5)], concurrency=2)
    ).summary()
    assert (summary["requests"], summary["n"], summary["errors"]) == (5, 5, 0)


def test_conversations_alternate_between_replicas_and_busy_answers_are_errors(
    rasa: tuple[str, list[Any]], other_rasa: tuple[str, list[Any]]
) -> None:
    conversations = [("a1", "a2", "a3", "a4"), ("b1", "overloaded")]
    result = asyncio.run(
        conversation_load([rasa[0], other_rasa[0]], conversations, concurrency=2, sender_prefix="r")
    )
    summary = result.summary()
    assert (summary["requests"], summary["n"], summary["errors"]) == (6, 5, 1)
    assert summary["error_samples"][0].startswith("busy reply")
    first = [m for s, m in rasa[1] if s == "r-0"]
    second = [m for s, m in other_rasa[1] if s == "r-0"]
    assert (first, second) == (["a1", "a3"], ["a2", "a4"])


def test_load_report_table_lists_every_phase() -> None:
    from bench.load_prod import markdown

    phase = {
        "replicas": 2,
        "concurrency": 50,
        "requests": 500,
        "per_s": 31.2,
        "p50": 900.0,
        "p95": 2100.0,
        "p99": 2600.0,
        "errors": 0,
    }
    table = markdown({"date": "2026-12-05", "machine": {"cores": 2}, "git": "abc", "phases": [phase]})
    assert "| 2 | 50 | 500 | 31.2 | 900 | 2100 | 2600 | 0 |" in table
