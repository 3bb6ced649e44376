"""The dossier status form: asks for the code and the phone check, then tells where the dossier is."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import send, track
from answers.dossier import (
    ask_code_reply,
    ask_phone_reply,
    bad_code_reply,
    bad_phone_reply,
    desk_reply,
    dossier_code_in,
    not_found_reply,
    phone_last4_in,
    retry_reply,
    status_reply,
    unavailable_reply,
)
from knowledge_base.dossiers import DossierNotFound, DossierSourceError, get_dossier_source, validate_lookup
from knowledge_base.settings import get_settings


def _failures(tracker: Tracker) -> int:
    return int(tracker.get_slot("dossier_failures") or 0)


class ValidateDossierForm(FormValidationAction):
    """Check the dossier code's format and the phone check; count wrong tries."""

    def name(self) -> str:
        """The domain name of this action."""
        return "validate_dossier_form"

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
        """Take exactly four digits, then check them with the code against the dossier system."""
        last4 = phone_last4_in(str(value or ""))
        if last4 is None:
            send(dispatcher, bad_phone_reply())
            return {"phone_last4": None}
        code = str(tracker.get_slot("dossier_code") or "")
        try:
            validate_lookup(code, last4)
            await asyncio.to_thread(get_dossier_source().lookup, code, last4)
        except DossierSourceError:
            # Let the submit action say the system is down; this is not the citizen's mistake.
            return {"phone_last4": last4}
        except (DossierNotFound, ValueError):
            failures = _failures(tracker) + 1
            max_tries = get_settings().dossier_max_tries
            if failures < max_tries:
                send(dispatcher, retry_reply(max_tries - failures))
            return {"dossier_code": None, "phone_last4": None, "dossier_failures": float(failures)}
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
