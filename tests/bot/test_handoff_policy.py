"""HandoffPolicy: while staff have a conversation, the bot's only move is the quiet wait action."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff_policy import HandoffPolicy

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> HandoffPolicy:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("storage")))
    context = ExecutionContext(GraphSchema({}), "test")
    return HandoffPolicy.create(HandoffPolicy.get_default_config(), storage, Resource("handoff"), context)


def _tracker(domain: Domain, until: float | None, *events) -> DialogueStateTracker:  # type: ignore[no-untyped-def]
    base = [ActionExecuted("action_listen")]
    if until is not None:
        base.append(SlotSet("handoff_until", until))
    return DialogueStateTracker.from_events("citizen", [*base, *events], slots=domain.slots)


def _predicted(prediction: PolicyPrediction, domain: Domain) -> str | None:
    if max(prediction.probabilities) == 0:
        return None
    return domain.action_names_or_texts[prediction.max_confidence_index]


def test_no_handoff_no_opinion(policy: HandoffPolicy, domain: Domain) -> None:
    tracker = _tracker(domain, None, UserUttered("xin chào", {"name": "greet"}))
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) is None


def test_open_handoff_waits_then_listens(policy: HandoffPolicy, domain: Domain) -> None:
    tracker = _tracker(domain, time.time() + 600, UserUttered("xin chào", {"name": "greet"}))
    prediction = policy.predict_action_probabilities(tracker, domain)
    assert _predicted(prediction, domain) == "action_handoff_wait"
    assert prediction.is_no_user_prediction, "must outrank rules and active forms"
    tracker.update(ActionExecuted("action_handoff_wait"))
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) == "action_listen"


def test_expired_handoff_lets_the_bot_answer(policy: HandoffPolicy, domain: Domain) -> None:
    tracker = _tracker(domain, time.time() - 1, UserUttered("xin chào", {"name": "greet"}))
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) is None


def test_wins_over_a_rule_prediction(policy: HandoffPolicy, domain: Domain) -> None:
    tracker = _tracker(domain, time.time() + 600, UserUttered("xin chào", {"name": "greet"}))
    rule = PolicyPrediction.for_action_name(domain, "utter_greet", "RulePolicy", 1.0)
    rule.policy_priority = 6
    ours = policy.predict_action_probabilities(tracker, domain)
    best = DefaultPolicyPredictionEnsemble._pick_best_policy([rule, ours])
    assert best.policy_name == "HandoffPolicy"


def test_an_open_ticket_not_yet_taken_does_not_pause(policy: HandoffPolicy, domain: Domain) -> None:
    # Asking for a person sets only the ticket: the assistant answers until an officer takes it.
    tracker = DialogueStateTracker.from_events(
        "citizen",
        [
            ActionExecuted("action_listen"),
            SlotSet("handoff_ticket", 7.0),
            UserUttered("làm căn cước cần giấy tờ gì", {"name": "ask_documents"}),
        ],
        slots=domain.slots,
    )
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) is None


def test_taken_by_an_officer_through_the_api_pauses(policy: HandoffPolicy, domain: Domain) -> None:
    # What the staff app appends (POST /conversations/{id}/tracker/events) when an officer claims.
    tracker = DialogueStateTracker.from_events(
        "citizen",
        [
            ActionExecuted("action_listen"),
            SlotSet("handoff_ticket", 7.0),
            SlotSet("handoff_until", time.time() + 600),
            UserUttered("làm căn cước cần giấy tờ gì", {"name": "ask_documents"}),
        ],
        slots=domain.slots,
    )
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) == "action_handoff_wait"


def test_a_staff_reply_during_the_pause_is_left_to_the_rules(policy: HandoffPolicy, domain: Domain) -> None:
    tracker = _tracker(
        domain, time.time() + 600, UserUttered("EXTERNAL: x", {"name": "EXTERNAL_staff_reply"})
    )
    assert _predicted(policy.predict_action_probabilities(tracker, domain), domain) is None
