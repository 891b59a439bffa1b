"""The claims mapping: which provider group or e-mail domain grants which role and HEI (or,
for placement provider users, which organisation).

Configured as JSON (``TRACKER_OIDC_CLAIM_RULES``), read and checked when the app starts so a
mistyped rule stops the start rather than granting the wrong access, and applied only to an
account's first sign-ins while it has no access yet: later changes of role are the
administrators' (and audited). The first rule that matches wins, so specific rules go first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.models import Role
from tracker.vocabulary import ROLES

_KEYS = frozenset({"group", "domain", "role", "hei", "organisation"})


@dataclass(frozen=True)
class ClaimRule:
    """Grant ``role`` (and ``hei_code`` for HEI users, ``organisation_code`` for placement
    provider users) to members of ``group`` or to e-mail addresses at ``domain``; exactly one
    of the two is given."""

    role: Role
    hei_code: str | None = None
    organisation_code: str | None = None
    group: str | None = None
    domain: str | None = None

    def matches(self, *, email: str | None, groups: Sequence[str]) -> bool:
        if self.group is not None:
            return self.group in groups
        return email is not None and email.lower().rpartition("@")[2] == self.domain

    def describe(self) -> str:
        """The rule in words, as administrators see it and the audit log records it."""
        who = f"group {self.group}" if self.group is not None else f"e-mail at {self.domain}"
        grant = ROLES.get(self.role.value, self.role.value)
        of = self.hei_code or self.organisation_code
        return f"{who} → {grant}" + (f" of {of}" if of else "")


def _rule(index: int, item: Any) -> ClaimRule | str:
    """One rule, or the sentence saying what is wrong with it."""
    where = f"Claims rule {index + 1}"
    if not isinstance(item, dict) or set(item) - _KEYS or "role" not in item:
        return (
            f"{where}: give an object with group or domain, role and (HEI users) hei or "
            "(placement provider users) organisation."
        )
    if ("group" in item) == ("domain" in item):
        return f"{where}: give either a group or an e-mail domain, not both or neither."
    values = {key: item[key] for key in _KEYS & set(item)}
    if not all(isinstance(value, str) and value.strip() for value in values.values()):
        return f"{where}: every value must be non-empty text."
    if values["role"] not in ROLES:
        return f"{where}: {values['role']!r} is not a role ({', '.join(ROLES)})."
    role = Role(values["role"])
    if (role is Role.HEI) != ("hei" in values):
        return f"{where}: HEI users, and only they, name their HEI (hei)."
    if (role is Role.PROVIDER) != ("organisation" in values):
        return f"{where}: placement provider users, and only they, name their organisation."
    domain = values.get("domain")
    return ClaimRule(
        role=role,
        hei_code=values.get("hei"),
        organisation_code=values.get("organisation"),
        group=values.get("group"),
        domain=domain.strip().lower().lstrip("@") if domain else None,
    )


def parse_claim_rules(text: str) -> tuple[ClaimRule, ...]:
    """The configured rules, in order; ValueError naming every bad rule."""
    if not text.strip():
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        raise ValueError("TRACKER_OIDC_CLAIM_RULES is not valid JSON.") from None
    if not isinstance(items, list):
        raise ValueError("TRACKER_OIDC_CLAIM_RULES must be a JSON list of rules.")
    parsed = [_rule(index, item) for index, item in enumerate(items)]
    problems = [item for item in parsed if isinstance(item, str)]
    if problems:
        raise ValueError(" ".join(problems))
    return tuple(item for item in parsed if isinstance(item, ClaimRule))


def first_match(
    rules: Sequence[ClaimRule], *, email: str | None, groups: Sequence[str]
) -> ClaimRule | None:
    return next((rule for rule in rules if rule.matches(email=email, groups=groups)), None)
