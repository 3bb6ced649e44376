"""Performance fixes to Rasa 3.6 internals, applied when the Rasa server loads `bot`.

Rasa 3.6 validates every action server response against a fixed JSON schema with
``jsonschema.validate(result, schema)``, which checks the schema itself and builds a new validator on
every call. Profiling the running server (py-spy, `make bench`) put ~60 % of its CPU per REST message
there: ~80 ms a response on this 2-core machine against ~3 ms with one validator built once. The
patch keeps Rasa's behaviour (the same schema, the same `ValidationError` with Rasa's hint appended),
only without rebuilding the validator. Rasa 3.6.21 is the last release, so the patched code will not
move under us; `tests/bot/test_rasa_patches.py` checks the patch is in place and still refuses an
invalid response.
"""

from __future__ import annotations

from typing import Any

_APPLIED = False


def apply() -> None:
    """Install the patches once (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except jsonschema.ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    _APPLIED = True
