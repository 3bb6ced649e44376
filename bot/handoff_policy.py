"""Keep the bot quiet while a one-stop-desk officer has a conversation.

Asking for a person only opens a ticket (`action_handoff` sets `handoff_ticket`): the assistant keeps
answering. When an officer *takes* the conversation in the staff workspace (claims the ticket or sends
the first reply), the app sets the slot `handoff_until` (Unix time) through the Rasa HTTP API
(`POST /conversations/{id}/tracker/events`); releasing the ticket clears it. Until then, every new user
message gets `action_handoff_wait` (one short "an officer is helping you" note, then a bare receipt,
never an empty reply; it ends the pause itself if the ticket was released or closed meanwhile); after
the timeout the bot answers normally again. Rasa's own `ConversationPaused` event would stop
predictions altogether and has no timeout, so a citizen could be left unanswered for good.
"""

from __future__ import annotations

import time
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

#: Intents that servers inject through the HTTP API (staff replies); citizens never type them.
EXTERNAL_PREFIX = "EXTERNAL_"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(Policy):
    """Predict the wait action for every user message while a handoff is open."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The policy's defaults."""
        return {
            # Above RulePolicy (6): a paused conversation must not be answered by a rule.
            "priority": 7,
            # The slot holding the Unix time until which an officer has the conversation (set by the app).
            "slot": "handoff_until",
            # The action run for each message meanwhile.
            "wait_action": "action_handoff_wait",
        }

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn."""
        return self._resource

    @staticmethod
    def _is_external(tracker: DialogueStateTracker) -> bool:
        """Whether the latest "user" event was injected by a server (EXTERNAL_ intents), not typed."""
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        return bool(intent) and str(intent).startswith(EXTERNAL_PREFIX)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """While the handoff lasts: the wait action after a user message, then listen."""
        latest = tracker.latest_action_name
        until = tracker.get_slot(self.config["slot"])
        active = isinstance(until, (int, float)) and float(until) > time.time()
        if latest == self.config["wait_action"]:
            # Also when the wait action just ended the pause: the message was for staff, now listen.
            action = ACTION_LISTEN_NAME
        elif active and latest == ACTION_LISTEN_NAME and self._is_external(tracker):
            # A staff reply (or another server-side event) during the handoff: the rules relay it.
            return self._prediction(self._default_predictions(domain))
        elif active and latest == ACTION_LISTEN_NAME:
            action = self.config["wait_action"]
        elif active:
            action = ACTION_LISTEN_NAME
        else:
            return self._prediction(self._default_predictions(domain))
        # A "no user" prediction outranks every other, including an active form's loop.
        return self._prediction(confidence_scores_for(action, 1.0, domain), is_no_user_prediction=True)
