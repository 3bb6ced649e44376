"""Command line of the staff workspace (run in the app environment, `.venv`).

    python -m knowledge_base.staff create-admin                  # asks for the username and password
    STAFF_ADMIN_USERNAME=... STAFF_ADMIN_PASSWORD=... python -m knowledge_base.staff create-admin
    python -m knowledge_base.staff create-admin --reset-password # new password for an existing admin
    python -m knowledge_base.staff create-admin --reset-password --reset-totp   # ... and a lost phone

`make admin` runs the first form. There is no default password: without the environment variables,
the password is asked twice on the terminal, and the command fails when there is no terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from knowledge_base.db import session_scope
from knowledge_base.maintenance import migrate
from knowledge_base.staff.auth import ensure_admin, password_problem, username_problem
from knowledge_base.staff.common import StaffError


def _ask(prompt: str, *, secret: bool = False) -> str:
    if not sys.stdin.isatty():
        raise StaffError(
            "No terminal to ask on: set STAFF_ADMIN_USERNAME and STAFF_ADMIN_PASSWORD (there is no default "
            "password)."
        )
    return getpass.getpass(prompt) if secret else input(prompt)


def _credentials() -> tuple[str, str]:
    username = os.environ.get("STAFF_ADMIN_USERNAME", "").strip().lower()
    password = os.environ.get("STAFF_ADMIN_PASSWORD", "")
    if not username:
        username = _ask("Admin username (tên đăng nhập): ").strip().lower()
    problem = username_problem(username)
    if problem:
        raise StaffError(problem)
    if not password:
        password = _ask(f"Password for {username} (mật khẩu, ≥ 10 ký tự): ", secret=True)
        problem = password_problem(password, username)
        if problem:
            raise StaffError(problem)
        if _ask("Repeat the password (nhập lại): ", secret=True) != password:
            raise StaffError("The two passwords differ (hai lần nhập không khớp).")
    return username, password


def _cmd_create_admin(args: argparse.Namespace) -> int:
    try:
        username, password = _credentials()
        migrate()
        with session_scope() as session:
            user, created = ensure_admin(
                session,
                username=username,
                password=password,
                display_name=os.environ.get("STAFF_ADMIN_NAME", ""),
                reset_password=args.reset_password,
                reset_totp=args.reset_totp,
            )
            session.commit()
    except StaffError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("error: cancelled", file=sys.stderr)
        return 2
    what = "created" if created else "password reset"
    print(f"Admin {user.username}: {what}. Sign in at /staff/login.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base.staff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-admin", help="create the first admin (or reset an admin's password)")
    create.add_argument(
        "--reset-password", action="store_true", help="set a new password for an existing admin"
    )
    create.add_argument(
        "--reset-totp",
        action="store_true",
        help="with --reset-password: turn two-step sign-in off (lost phone); enrol again at the next sign-in",
    )
    create.set_defaults(func=_cmd_create_admin)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
