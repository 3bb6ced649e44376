"""Load generators: Rasa's ``/model/parse`` and the REST channel, over HTTP with httpx (async).

They run in the bench's own process (the app environment), never inside a server. Each request is
timed from sending to the full response body (``time.perf_counter``); only successful requests
enter the latency figures, and failures are counted (a fast error must never look like a fast
answer).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.stats import rate, summarize

#: Generous per-request timeout: a slow answer is a measurement, not an error.
TIMEOUT_S = 60.0
_MAX_ERROR_SAMPLES = 5


@dataclass
class LoadResult:
    """What one load phase measured."""

    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    wall_s: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    #: REST channel only: how often each `custom.type` came back (procedure_answer, faq_answer ...).
    reply_types: Counter[str] = field(default_factory=Counter)
    #: REST channel only: conversations replayed.
    conversations: int = 0

    def error(self, description: str) -> None:
        """Count a failed request, keeping the first few descriptions for the report."""
        self.errors += 1
        if len(self.error_samples) < _MAX_ERROR_SAMPLES:
            self.error_samples.append(description[:300])

    def summary(self) -> dict[str, Any]:
        """Latency percentiles (ms) of the successful requests, counts, and successes per second."""
        result = summarize(self.latencies_ms)
        result.update(
            concurrency=self.concurrency,
            requests=self.requests,
            errors=self.errors,
            wall_s=self.wall_s,
            per_s=rate(len(self.latencies_ms), self.wall_s),
        )
        if self.error_samples:
            result["error_samples"] = list(self.error_samples)
        if self.reply_types:
            result["reply_types"] = dict(self.reply_types.most_common())
        if self.conversations:
            result["conversations"] = self.conversations
        return result


#: The start of the note every channel sends when it could not process a message.
BUSY_MARK = "Hệ thống đang bận"


def _client(concurrency: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(limits=limits, timeout=TIMEOUT_S)


async def parse_once(
    client: httpx.AsyncClient, rasa_url: str, token: str, text: str
) -> tuple[float, dict[str, Any] | None, str]:
    """POST one text to ``/model/parse``.

    Returns:
        ``(latency_ms, parsed JSON or None on failure, error description or "")``.
    """
    started = time.perf_counter()
    try:
        response = await client.post(f"{rasa_url}/model/parse", params={"token": token}, json={"text": text})
        elapsed = (time.perf_counter() - started) * 1000
    except httpx.HTTPError as exc:
        return (time.perf_counter() - started) * 1000, None, f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return elapsed, None, f"HTTP {response.status_code}: {response.text}"
    body = response.json()
    if not isinstance(body, dict) or "intent" not in body:
        return elapsed, None, f"no intent in {str(body)[:200]}"
    return elapsed, body, ""


async def parse_load(
    rasa_url: str, token: str, texts: Sequence[str], *, concurrency: int, total: int
) -> LoadResult:
    """Send `total` parse requests (cycling through `texts`) with `concurrency` in flight.

    Args:
        rasa_url: The Rasa server's base URL (started with ``--enable-api``).
        token: Its ``--auth-token``.
        texts: The messages to parse, reused in order.
        concurrency: Requests in flight at any time.
        total: Requests to send.

    Returns:
        The phase's measurements.
    """
    result = LoadResult(concurrency=concurrency)
    pending = itertools.islice(itertools.cycle(texts), total) if texts else iter(())

    async def worker(client: httpx.AsyncClient) -> None:
        for text in pending:  # one shared iterator: each text is taken by exactly one worker
            result.requests += 1
            latency, parsed, problem = await parse_once(client, rasa_url, token, text)
            if parsed is None:
                result.error(problem)
            else:
                result.latencies_ms.append(latency)

    async with _client(concurrency) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result


async def paired_parse(
    servers: dict[str, str], token: str, texts: Sequence[str]
) -> dict[str, tuple[LoadResult, list[dict[str, Any] | None]]]:
    """Parse every text once on each server, one request at a time, alternating the servers.

    Alternating (A B, B A, A B ...) puts both servers under the same background load of a shared
    machine, so their latency ratio is fair even when the absolute figures drift.

    Args:
        servers: Name -> Rasa base URL (all started with the same auth token).
        token: The auth token.
        texts: The texts to parse.

    Returns:
        Name -> (its latencies, its parse result per text in `texts` order; None on failure).
    """
    names = list(servers)
    results: dict[str, tuple[LoadResult, list[dict[str, Any] | None]]] = {
        name: (LoadResult(concurrency=1), [None] * len(texts)) for name in names
    }
    async with _client(1) as client:
        for index, text in enumerate(texts):
            order = names if index % 2 == 0 else names[::-1]
            for name in order:
                result, parses = results[name]
                result.requests += 1
                started = time.perf_counter()
                latency, parsed, problem = await parse_once(client, servers[name], token, text)
                result.wall_s += time.perf_counter() - started
                if parsed is None:
                    result.error(problem)
                else:
                    result.latencies_ms.append(latency)
                    parses[index] = parsed
    return results


async def conversation_load(
    rasa_url: str | Sequence[str],
    conversations: Sequence[Sequence[str]],
    *,
    concurrency: int,
    sender_prefix: str,
) -> LoadResult:
    """Replay conversations over the REST channel, `concurrency` conversations at a time.

    Each conversation has its own sender and sends its next message only after the answer to the
    previous one (as a person does), so `concurrency` is the number of people typing at once.

    Args:
        rasa_url: The Rasa server's base URL, or several replicas' URLs: then each conversation
            sends its messages to them in turn (a load balancer without sticky sessions).
        conversations: The conversations to replay (messages in order).
        concurrency: Conversations in progress at any time.
        sender_prefix: Makes sender ids unique to this phase (a tracker is never reused).

    Returns:
        The phase's measurements; latency is per message, ``per_s`` is messages per second.
    """
    result = LoadResult(concurrency=concurrency, conversations=len(conversations))
    pending = iter(enumerate(conversations))
    urls = [rasa_url] if isinstance(rasa_url, str) else list(rasa_url)
    # The REST channel's bearer token, where the servers require one (the prod profile).
    token = os.environ.get("REST_CHANNEL_TOKEN", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def send(client: httpx.AsyncClient, sender: str, message: str, url: str) -> None:
        result.requests += 1
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, headers=headers
            )
            elapsed = (time.perf_counter() - started) * 1000
        except httpx.HTTPError as exc:
            result.error(f"{type(exc).__name__}: {exc}")
            return
        if response.status_code != 200:
            result.error(f"HTTP {response.status_code}: {response.text}")
            return
        replies = response.json()
        if not isinstance(replies, list) or not replies:
            result.error(f"no reply to a message ({str(replies)[:200]})")
            return
        if any(isinstance(r, dict) and BUSY_MARK in str(r.get("text") or "") for r in replies):
            # The assistant answered "busy, try again": a failure to serve, not an answer.
            result.error("busy reply (a store, the action server or a limit failed)")
            return
        result.latencies_ms.append(elapsed)
        for reply in replies:
            custom = reply.get("custom") if isinstance(reply, dict) else None
            if isinstance(custom, dict) and custom.get("type"):
                result.reply_types[str(custom["type"])] += 1

    async def worker(client: httpx.AsyncClient) -> None:
        for index, messages in pending:
            sender = f"{sender_prefix}-{index}"
            for turn, message in enumerate(messages):
                await send(client, sender, message, urls[(index + turn) % len(urls)])

    async with _client(concurrency) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result


async def get_load(urls: Sequence[str], *, concurrency: int) -> LoadResult:
    """GET every URL once with `concurrency` requests in flight; a 200 with a body is a success."""
    result = LoadResult(concurrency=concurrency)
    pending = iter(urls)

    async def worker(client: httpx.AsyncClient) -> None:
        for url in pending:
            result.requests += 1
            started = time.perf_counter()
            try:
                response = await client.get(url)
            except httpx.HTTPError as exc:
                result.error(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code == 200 and response.content:
                result.latencies_ms.append(elapsed)
            else:
                result.error(f"HTTP {response.status_code}: {response.text}")

    async with _client(concurrency) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result
