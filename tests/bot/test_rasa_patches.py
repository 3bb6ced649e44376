"""The Rasa performance patch keeps Rasa's validation of action server responses."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot  # noqa: F401  (importing bot applies the patches, as the Rasa server does)
from bot import rasa_patches


def test_patch_is_installed_by_importing_bot() -> None:
    assert RemoteAction._validate_action_result.__module__ == rasa_patches.__name__


def test_a_valid_response_passes() -> None:
    action = RemoteAction("action_answer_procedure", None)
    response = {
        "events": [{"event": "slot", "name": "procedure_code", "value": "1.001193"}],
        "responses": [{"text": "Thủ tục đăng ký khai sinh", "custom": {"type": "procedure_answer"}}],
    }
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": "not a list"},
        {"events": [{"event": "slot"}], "responses": ["not an object"]},
        {"responses": [1]},
    ],
)
def test_an_invalid_response_is_refused_with_rasas_hint(response: dict) -> None:
    action = RemoteAction("action_answer_procedure", None)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(response)


def test_applying_twice_changes_nothing() -> None:
    patched = RemoteAction._validate_action_result
    rasa_patches.apply()
    assert RemoteAction._validate_action_result is patched
