"""Faults a province will have, with what the citizen sees asserted (production profile).

The stack reaches PostgreSQL and Redis through proxies the tests switch off, on and slow
(tests/production/proxy.py): the Rasa server's tracker store and the action server's knowledge base
each have their own proxy to the same database, so "the database is down" cuts both and "the
knowledge base is slow" slows only the action server's queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy.engine import make_url

from tests.production.conftest import prod_env
from tests.production.proxy import FaultyProxy, faulty_proxy
from tests.servers import Stack, start_stack

pytestmark = pytest.mark.postgres

BUSY = "hệ thống đang bận, vui lòng thử lại"
QUESTION = "đăng ký khai sinh cần giấy tờ gì"
#: Seconds a knowledge-base query may take in these tests before the citizen is told to retry.
KB_TIMEOUT = 1.5


@dataclass
class Faulty:
    stack: Stack
    tracker_db: FaultyProxy
    kb_db: FaultyProxy
    redis: FaultyProxy


def _via(url: str, proxy: FaultyProxy) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def faulty(prod_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    database = make_url(prod_database)
    redis = urlsplit(redis_url)
    logs = tmp_path_factory.mktemp("faults")
    with (
        faulty_proxy(database.host or "127.0.0.1", database.port or 5432) as tracker_db,
        faulty_proxy(database.host or "127.0.0.1", database.port or 5432) as kb_db,
        faulty_proxy(redis.hostname or "127.0.0.1", redis.port or 6379) as redis_proxy,
    ):
        env = prod_env(
            f"redis://127.0.0.1:{redis_proxy.port}{redis.path or '/0'}",
            TRACKER_STORE_URL=_via(prod_database, tracker_db),
            TRACKER_STORE_TIMEOUT="5",
            KB_QUERY_TIMEOUT=str(KB_TIMEOUT),
        )
        with start_stack(_via(prod_database, kb_db), logs, replicas=1, extra_env=env) as stack:
            yield Faulty(stack, tracker_db, kb_db, redis_proxy)


def _sender() -> str:
    return f"fault-{uuid.uuid4().hex[:12]}"


def _answers_the_question(reply: str) -> bool:
    lowered = reply.lower()
    return "khai sinh" in lowered and "tờ khai" in lowered and BUSY not in lowered


def test_action_server_down_the_citizen_is_asked_to_retry_then_answered(faulty: Faulty) -> None:
    stack, sender = faulty.stack, _sender()
    stack.kill("actions-0")
    try:
        reply = stack.texts(QUESTION, sender)
        assert BUSY in reply.lower(), reply
        assert reply.lower().count("bận") == 1, "one busy note, not one per retried action"
    finally:
        stack.start_actions(0)
        stack.wait("actions-0", 60)
    assert _answers_the_question(stack.texts(QUESTION, sender))


def test_database_down_and_back_no_restart(faulty: Faulty) -> None:
    stack, sender = faulty.stack, _sender()
    assert _answers_the_question(stack.texts(QUESTION, sender))
    faulty.tracker_db.down()
    faulty.kb_db.down()
    try:
        reply = stack.texts("lệ phí bao nhiêu", sender)
        assert BUSY in reply.lower(), reply
    finally:
        faulty.tracker_db.up()
        faulty.kb_db.up()
    # Back without restarting anything, with the conversation's context: "mất bao lâu" is about
    # the procedure asked before the outage.
    reply = stack.texts("mất bao lâu", sender)
    assert BUSY not in reply.lower()
    assert "khai sinh" in reply.lower(), reply


def test_redis_down_and_back_citizens_keep_being_answered(faulty: Faulty) -> None:
    stack, sender = faulty.stack, _sender()
    faulty.redis.down()
    try:
        assert _answers_the_question(stack.texts(QUESTION, sender))
    finally:
        faulty.redis.up()
    reply = stack.texts("mất bao lâu", sender)
    assert "khai sinh" in reply.lower() and BUSY not in reply.lower(), reply
    log = (stack.logs / "rasa-0.log").read_text(errors="replace")
    assert "Redis lock store unreachable" in log
    assert "Redis lock store reachable again" in log


def test_slow_knowledge_base_times_out_with_a_message(faulty: Faulty) -> None:
    stack, sender = faulty.stack, _sender()
    faulty.kb_db.slow(KB_TIMEOUT + 2)
    try:
        reply = stack.texts(QUESTION, sender)
        assert BUSY in reply.lower(), reply
    finally:
        faulty.kb_db.slow(0)
    assert _answers_the_question(stack.texts(QUESTION, sender))


def test_rasa_crash_mid_conversation_continues_after_restart(faulty: Faulty) -> None:
    stack, sender = faulty.stack, _sender()
    assert "mã hồ sơ" in stack.texts("tra cứu hồ sơ giúp tôi", sender).lower()
    stack.kill("rasa-0", hard=True)  # SIGKILL: no clean shutdown
    stack.start_rasa(0)
    stack.wait("rasa-0", 300)
    assert "4 số cuối" in stack.texts("000.00.12.H37-251012-0002", sender)
    reply = stack.texts("0202", sender)
    assert "000.00.12.H37-251012-0002" in reply, reply


def test_no_personal_data_in_the_logs_of_the_faults(faulty: Faulty) -> None:
    """Failures are logged without what citizens wrote (checked after the faults above)."""
    stack = faulty.stack
    stack.texts("số cccd của tôi là 001099012345, sđt 0912345678", _sender())
    for log in Path(stack.logs).glob("*.log"):
        content = log.read_text(errors="replace")
        assert "001099012345" not in content and "0912345678" not in content, log.name
