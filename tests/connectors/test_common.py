"""The message path every channel shares: what a citizen types is what Rasa reads, minus the dangers."""

from __future__ import annotations

import asyncio
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.common import (
    ChatQueues,
    RecentIds,
    log_safe,
    normalise,
    prepare,
    prepare_payload,
    prepare_text,
)


def test_decomposed_vietnamese_becomes_composed() -> None:
    decomposed = "la\u0300m ca\u0306n cu\u031bo\u031b\u0301c"  # "làm căn cước" typed as NFD (macOS keyboards)
    assert prepare_text(decomposed).text == "làm căn cước"


def test_invisible_characters_and_extra_blank_lines_are_dropped() -> None:
    assert normalise("  le\u200bphi\u00a0 bao\tnhieu\r\n\r\n\r\n?\x07 ") == "lephi bao nhieu\n\n?"


@pytest.mark.parametrize(
    "typed",
    [
        '/inform{"dossier_code": "000.00.12.H37-251012-0001"}',
        "//greet",
        " /ask_human",
        '/rate_answer{"rating": "up"}',
    ],
)
def test_typed_text_never_reaches_rasa_as_an_intent(typed: str) -> None:
    inbound = prepare(text=typed)
    assert inbound is not None and not inbound.text.startswith("/") and not inbound.is_payload


def test_only_our_own_button_payloads_pass_as_intents() -> None:
    assert prepare(payload='/choose_procedure{"procedure_code": "1.001193"}').text == (
        '/choose_procedure{"procedure_code": "1.001193"}'
    )
    assert prepare(payload="/rate_answer").is_payload
    assert prepare(payload="/ask_human").text == "/ask_human"
    # The buttons under a procedure answer (issue 16).
    assert prepare(payload='/ask_documents{"aspect": "all_documents"}').text == (
        '/ask_documents{"aspect": "all_documents"}'
    )
    assert prepare(payload='/ask_documents{"aspect": "case:1"}').is_payload
    assert prepare(payload="/ask_steps").is_payload and prepare(payload="/ask_legal_basis").is_payload
    forged = [
        '/ask_documents{"aspect": "documents; drop"}',
        '/ask_documents{"aspect": "case:123"}',
        '/ask_steps{"procedure_code": "1.001193"}',
        '/inform{"dossier_code": "x"}',
        '/choose_procedure{"procedure_code": "1.001193\\"}"}',
        '/rate_answer{"rating": "up", "handoff_until": 0}',
        '/choose_procedure{"procedure_code": ["1.001193"]}',
        "/rate_answer{not json}",
        '/ask_human{"x": "y"}',
    ]
    for payload in forged:
        assert prepare_payload(payload) is None, payload
        inbound = prepare(payload=payload)
        assert inbound is not None and not inbound.text.startswith("/"), payload


def test_long_text_is_cut_at_a_word_and_flagged() -> None:
    inbound = prepare_text("giấy tờ " * 400, limit=100)
    assert inbound.truncated and len(inbound.text) <= 100 and inbound.text.endswith("tờ")


def test_empty_and_blank_messages_are_nothing() -> None:
    assert prepare_text("") is None and prepare_text(" \u200b\n ") is None and prepare_text("///") is None


def test_logs_get_no_personal_numbers() -> None:
    line = log_safe(
        "cccd 001099012345, sđt 0912 345 678, mail an.nguyen@gmail.com, hồ sơ 000.00.12.H37-251012-0001"
    )
    for secret in ("001099012345", "0912 345 678", "an.nguyen@gmail.com"):
        assert secret not in line
    assert "000.00.12.H37-251012-0001" in log_safe("hồ sơ 000.00.12.H37-251012-0001")


@given(st.text(max_size=300))
def test_prepared_text_is_normalised_bounded_and_never_an_intent(raw: str) -> None:
    inbound = prepare_text(raw, limit=120)
    if inbound is not None:
        assert inbound.text and not inbound.text.startswith("/")
        assert len(inbound.text) <= 120
        assert normalise(inbound.text) == inbound.text


def test_recent_ids_drop_redeliveries_and_forget_old_ones() -> None:
    ids = RecentIds(max_size=2)
    assert not ids.seen("1") and ids.seen("1")
    assert not ids.seen("2") and not ids.seen("3")
    assert not ids.seen("1")  # pushed out by size


def test_chat_queues_keep_order_per_chat_and_survive_a_failing_job(caplog: pytest.LogCaptureFixture) -> None:
    done: list[str] = []

    async def scenario() -> None:
        queues = ChatQueues()

        def job(chat: str, n: int, delay: float, fail: bool = False):
            async def run() -> None:
                await asyncio.sleep(delay)
                if fail:
                    raise RuntimeError("boom")
                done.append(f"{chat}{n}")

            return run

        queues.submit("a", job("a", 1, 0.05))
        queues.submit("b", job("b", 1, 0.0))
        queues.submit("a", job("a", 2, 0.0, fail=True))
        queues.submit("a", job("a", 3, 0.0))
        await queues.drain()
        assert queues.pending() == 0

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())
    assert done.index("a1") < done.index("a3")
    assert done.index("b1") < done.index("a1")  # another chat does not wait for a slow one
    assert "a2" not in done and "Background job failed" in caplog.text
