"""How long each kind of refused sign-in takes: ``python -m bench.sign_in``.

A refusal must not tell an attacker which usernames exist or which accounts are switched off
or waiting out a throttle, so every refusal does one password-hash check of the same kind
(``tests/test_users.py`` checks that structurally, by counting the checks). This prints the
time the checks take, which is what an attacker would measure: medians of a few attempts per
kind on a migrated in-memory SQLite database, and each median against the fastest. A kind
tens of times faster than the others would be a refusal without a hash check. A timing, not
a test: on a loaded machine the figures swing, so no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlmodel import Session

from tracker.access import Principal
from tracker.db import make_engine, upgrade
from tracker.models import Role
from tracker.services.sign_in_throttle import ThrottlePolicy
from tracker.services.users import authenticate, create_user, set_active

#: A throttle whose wait outlasts the run however slow the machine.
_HOUR = ThrottlePolicy(first_wait_seconds=3600)
_CLIENT = "198.51.100.1"


def _cases(session: Session) -> dict[str, tuple[str, str]]:
    """(username, password) for every kind of sign-in, refused or not."""
    create_user(session, username="admin1", password="admin password", role="admin")
    create_user(session, username="dee", password="dee password", role="coordinator")
    set_active(session, username="dee", active=False, actor=Principal("admin1", Role.ADMIN))
    create_user(session, username="wren", password="wren password", role="coordinator")
    for _ in range(3):
        authenticate(session, "wren", "nope", demo_mode=False, client=_CLIENT, throttle=_HOUR)
    return {
        "signed in": ("admin1", "admin password"),
        "unknown user": ("nobody", "dee password"),
        "wrong password": ("admin1", "wrong password"),
        "deactivated, right password": ("dee", "dee password"),
        "waiting, right password": ("wren", "wren password"),
    }


def measure(repeats: int) -> dict[str, float]:
    """Median seconds per kind of sign-in over `repeats` attempts."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    medians: dict[str, float] = {}
    with Session(engine, expire_on_commit=False) as session:
        for case, (username, password) in _cases(session).items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                authenticate(
                    session, username, password, demo_mode=False, client=_CLIENT, throttle=_HOUR
                )
                times.append(time.perf_counter() - start)
            medians[case] = statistics.median(times)
    engine.dispose()
    return medians


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="attempts per kind (default 7)")
    args = parser.parse_args(argv)
    medians = measure(args.repeats)
    fastest = min(medians.values())
    print("| sign-in | median s | x fastest |")
    print("|---|---|---|")
    for case, seconds in medians.items():
        print(f"| {case} | {seconds:.3f} | {seconds / fastest:.1f} |")


if __name__ == "__main__":
    main()
