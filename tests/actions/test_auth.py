"""actions/auth.py: every action call but /health needs the Rasa servers' token (constant-time check).

The real action server's answers (401, 403, conversations still working) are checked in
tests/production/test_processes.py, started by scripts/run.sh.
"""

from __future__ import annotations

import pytest

from actions.auth import TokenCheck, configured_token, install, presented_token, refusal

TOKEN = "0123456789abcdef" * 4


def test_the_action_server_does_not_start_without_a_long_token() -> None:
    for environ in ({}, {"ACTION_SERVER_TOKEN": ""}, {"ACTION_SERVER_TOKEN": "short-token"}):
        with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN"):
            configured_token(environ)
    assert configured_token({"ACTION_SERVER_TOKEN": f" {TOKEN}\n"}) == TOKEN


def test_calls_without_the_token_are_refused() -> None:
    assert refusal("/webhook", None, TOKEN) == 401
    assert refusal("/webhook", "Basic abc", TOKEN) == 401
    assert refusal("/webhook", "Bearer ", TOKEN) == 401
    assert refusal("/webhook", f"Bearer {TOKEN[:-1]}x", TOKEN) == 403
    assert refusal("/actions", f"Bearer {TOKEN}x", TOKEN) == 403
    assert refusal("/webhook", f"Bearer {TOKEN}", TOKEN) is None
    assert refusal("/webhook", f"bearer  {TOKEN}", TOKEN) is None
    assert refusal("/health", None, TOKEN) is None  # the probes
    assert refusal("/health/", None, TOKEN) == 401
    assert presented_token("Bearer  abc ") == "abc"


def test_the_check_is_registered_with_rasa_sdk_once() -> None:
    from rasa_sdk.plugin import plugin_manager

    install()
    install()
    plugins = [p for p in plugin_manager().get_plugins() if isinstance(p, TokenCheck)]
    assert len(plugins) == 1
