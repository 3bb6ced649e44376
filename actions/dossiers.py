"""The dossier status form: asks for the code and the phone check, then tells where the dossier is.

The form never holds the citizen: "không nhớ mã" (or a second answer that is not a code) explains
where the code is written and offers a person, and leaves the form; a clearly different question
leaves the form and is answered as it would be outside it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import ACTION_LISTEN, intent_of, send, track, user_text
from answers.dossier import (
    ask_code_reply,
    ask_phone_reply,
    bad_code_reply,
    bad_phone_reply,
    cannot_give,
    code_help_reply,
    desk_reply,
    dossier_code_in,
    needs_code_help,
    not_found_reply,
    phone_help_reply,
    phone_last4_in,
    retry_reply,
    status_reply,
    unavailable_reply,
)
from answers.procedure import ASPECT_BY_INTENT
from knowledge_base.dossiers import (
    DossierLocked,
    DossierNotFound,
    DossierSourceError,
    get_dossier_source,
    validate_lookup,
)
from knowledge_base.settings import get_settings

FORM = "dossier_form"
REQUESTED_SLOT = "requested_slot"
#: Intents that leave the form when the citizen asks them in it: the rules answer them as anywhere else.
#: (A dossier code in the message keeps the form; "cảm ơn", a greeting or a rating do not leave it.)
LEAVING_INTENTS = frozenset(
    {
        *ASPECT_BY_INTENT,
        "ask_procedure",
        "ask_general",
        "ask_human",
        "choose_procedure",
        "bot_capabilities",
        "complaint",
        "legal_advice",
        "out_of_scope",
        "goodbye",
    }
)


def _failures(tracker: Tracker) -> int:
    return int(tracker.get_slot("dossier_failures") or 0)


def _previous_format_error(tracker: Tracker, slot: str) -> bool:
    """Whether the bot's answer to the citizen's previous message explained the format of `slot`."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get("error") == "format" and custom.get("slot") == slot:
                return True
    return False


def _leave_form(*, answered: bool) -> list[EventType]:
    """End the form: the citizen was answered here (then the turn ends), or the rules answer the message.

    When the rules should answer, the form rejects its own execution and deactivates: Rasa logs no
    form action, so the message is predicted on as if no form had been active.
    """
    clear: list[EventType] = [
        SlotSet("dossier_code", None),
        SlotSet("phone_last4", None),
        SlotSet(REQUESTED_SLOT, None),
    ]
    if answered:
        return [*clear, ActiveLoop(None), FollowupAction(ACTION_LISTEN)]
    return [ActionExecutionRejected(FORM), ActiveLoop(None), *clear]


class ValidateDossierForm(FormValidationAction):
    """Check the dossier code's format and the phone check; count wrong tries."""

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_dossier_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Leave the form when the citizen cannot give what it asks, or asks something else; else validate."""
        text = user_text(tracker)
        requested = tracker.get_slot(REQUESTED_SLOT) if tracker.active_loop.get("name") == FORM else None
        asking_code = requested in (None, "dossier_code")
        if dossier_code_in(text) is None:
            hotline = get_settings().desk_hotline
            if asking_code and (needs_code_help(text) or _previous_format_error(tracker, "dossier_code")):
                # "Không nhớ mã", "mã xem ở đâu", or a second answer that is no code: say where the code
                # is written and offer a person, instead of explaining the format again.
                send(dispatcher, code_help_reply(hotline=hotline))
                return _leave_form(answered=True)
            if requested == "phone_last4" and (
                cannot_give(text) or _previous_format_error(tracker, "phone_last4")
            ):
                send(dispatcher, phone_help_reply(hotline=hotline))
                return _leave_form(answered=True)
            if requested is not None and intent_of(tracker)[0] in LEAVING_INTENTS:
                # Only once the form runs (not on the message that started it).
                return _leave_form(answered=False)
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No more questions once the tries are used up (the submit action sends the citizen to the desk)."""
        if _failures(tracker) >= get_settings().dossier_max_tries:
            return []
        return domain_slots

    async def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the code found in the text; explain the format otherwise."""
        code = dossier_code_in(str(value or ""))
        if code is None:
            send(dispatcher, bad_code_reply())
        return {"dossier_code": code}

    async def validate_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Take exactly four digits, then check them with the code against the dossier system.

        A wrong check keeps the code (the citizen retypes only the four digits); a new code typed
        instead of the digits replaces it, and the digits are asked again.
        """
        new_code = dossier_code_in(str(value or ""))
        if new_code is not None:
            # Its last group is four digits too: never read as the phone check.
            return {"dossier_code": new_code, "phone_last4": None}
        last4 = phone_last4_in(str(value or ""))
        if last4 is None:
            send(dispatcher, bad_phone_reply())
            return {"phone_last4": None}
        code = str(tracker.get_slot("dossier_code") or "")
        try:
            validate_lookup(code, last4)
            await asyncio.to_thread(get_dossier_source().lookup, code, last4)
        except (DossierSourceError, DossierLocked):
            # Let the submit action say the system is down, or that the code is locked (wrong checks
            # are counted per code over every conversation and the API): no try counted here.
            return {"phone_last4": last4}
        except (DossierNotFound, ValueError):
            failures = _failures(tracker) + 1
            max_tries = get_settings().dossier_max_tries
            if failures < max_tries:
                send(dispatcher, retry_reply(max_tries - failures, code=code))
            # The code stays until the citizen gives another one: only the digits are asked again.
            return {"phone_last4": None, "dossier_failures": float(failures)}
        return {"phone_last4": last4}


class ActionDossierStatus(Action):
    """Tell the status of the dossier the form collected (or send the citizen to the desk)."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_dossier_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Look the dossier up and answer; the code and phone slots are cleared for the next lookup."""
        reset: list[EventType] = [SlotSet("dossier_code", None), SlotSet("phone_last4", None)]
        await track(tracker, "dossier")
        settings = get_settings()
        if _failures(tracker) >= settings.dossier_max_tries:
            send(dispatcher, desk_reply(hotline=settings.desk_hotline, hours=settings.desk_hours))
            return reset
        code = str(tracker.get_slot("dossier_code") or "")
        last4 = str(tracker.get_slot("phone_last4") or "")
        try:
            status = await asyncio.to_thread(get_dossier_source().lookup, code, last4)
        except DossierSourceError:
            send(dispatcher, unavailable_reply(code, hotline=settings.desk_hotline))
            return reset
        except DossierLocked:
            # Too many wrong checks of this code, in any conversation or through the API: the same
            # answer whether this check was right or not, and the citizen is sent to the desk.
            send(dispatcher, desk_reply(hotline=settings.desk_hotline, hours=settings.desk_hours))
            return reset
        except (DossierNotFound, ValueError):
            send(dispatcher, not_found_reply(code))
            return reset
        send(dispatcher, status_reply(status))
        return reset


class ActionAskDossierCode(Action):
    """The form's question for the dossier code."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_ask_dossier_code"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the code, with where to find it."""
        send(dispatcher, ask_code_reply())
        return []


class ActionAskPhoneLast4(Action):
    """The form's question for the phone check."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_ask_phone_last4"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the last four digits of the applicant's phone."""
        send(dispatcher, ask_phone_reply())
        return []
