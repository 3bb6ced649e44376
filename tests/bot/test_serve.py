"""bot/serve.py: the Rasa server's JWT secret from the environment or a private file, never from argv."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.serve import SecretError, rasa_arguments, read_secret

SECRET = "k" * 16 + "0123456789abcdef0123"


def test_the_secret_comes_from_the_environment_which_then_no_longer_holds_it() -> None:
    environ = {"RASA_JWT_SECRET": SECRET, "RASA_API_TOKEN": "old", "OTHER": "x"}
    assert read_secret(environ) == SECRET
    assert environ == {"OTHER": "x"}  # Rasa's own child processes inherit none of it
    assert read_secret({"RASA_API_TOKEN": SECRET}) == SECRET  # the deprecated name
    assert read_secret({}) == ""


def test_the_secret_comes_from_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    path = tmp_path / "jwt"
    path.write_text(SECRET + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    environ = {"RASA_JWT_SECRET_FILE": str(path), "RASA_JWT_SECRET": "ignored"}
    assert read_secret(environ) == SECRET
    assert environ == {}
    os.chmod(path, 0o640)  # a Kubernetes secret volume with fsGroup
    assert read_secret({"RASA_JWT_SECRET_FILE": str(path)}) == SECRET
    for mode in (0o604, 0o660, 0o644):
        os.chmod(path, mode)
        with pytest.raises(SecretError, match="open to other users"):
            read_secret({"RASA_JWT_SECRET_FILE": str(path)})
    with pytest.raises(SecretError, match="cannot read"):
        read_secret({"RASA_JWT_SECRET_FILE": str(tmp_path / "missing")})


def test_the_api_gets_the_secret_in_memory_and_never_runs_without_one() -> None:
    arguments = ["run", "--model", "m.tar.gz", "--enable-api", "--jwt-method", "HS256"]
    assert rasa_arguments(arguments, SECRET) == [*arguments, "--jwt-secret", SECRET]
    assert rasa_arguments(["run", "--enable-api"], SECRET)[-2:] == ["--jwt-method", "HS256"]
    assert rasa_arguments(["run", "--model", "m"], SECRET) == ["run", "--model", "m"]  # no API: no secret
    for secret in ("", "short"):
        with pytest.raises(SecretError, match="at least 32"):
            rasa_arguments(["run", "--enable-api"], secret)


@pytest.mark.parametrize("option", ["--jwt-secret", "--jwt-secret=abc", "--auth-token", "-t"])
def test_a_secret_on_the_command_line_is_refused(option: str) -> None:
    with pytest.raises(SecretError, match="command line"):
        rasa_arguments(["run", "--enable-api", option, SECRET], SECRET)
