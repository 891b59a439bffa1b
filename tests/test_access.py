"""The access rules themselves: plain values in, decisions out (no database, no web app)."""

from __future__ import annotations

from tracker.access import (
    PAGE_ROLES,
    Principal,
    may_call,
    page_of_component,
    sees_learner_rows,
)
from tracker.models import Role

HEI = Principal("hei", Role.HEI, hei_id=1, hei_code="UNI-A")
COLLABORATIVE = Principal("collab", Role.COLLABORATIVE)
COORDINATOR = Principal("coord", Role.COORDINATOR)


def test_components_belong_to_the_page_named_by_their_prefix() -> None:
    assert page_of_component("allocation-done") == "allocation"
    assert page_of_component("capacity-demand-map") == "capacity-demand"
    assert page_of_component("capacity-grid") == "capacity"
    assert page_of_component("settings-grid") == "settings"
    assert page_of_component("nav-collapse") is None
    assert page_of_component("_pages_content") is None
    assert page_of_component("allocation") is None  # a page key alone is no component


def test_callbacks_are_refused_for_pages_the_role_may_not_open() -> None:
    assert not may_call(HEI, ["allocation-done", "allocation-run-message"])
    assert not may_call(COLLABORATIVE, ["allocation-done"])
    assert may_call(COORDINATOR, ["allocation-done", "allocation-run-message"])
    assert may_call(HEI, ["placements-grid"])
    assert not may_call(HEI, ["placements-grid", "users-grid"])  # every output must be allowed
    assert may_call(HEI, ["nav-collapse", "_pages_content"])
    assert may_call(HEI, [])
    for page, roles in PAGE_ROLES.items():
        for role in Role:
            principal = Principal("x", role, hei_id=1 if role is Role.HEI else None)
            assert may_call(principal, [f"{page}-thing"]) == (role in roles)


def test_only_the_collaborative_role_never_reads_learner_rows() -> None:
    assert not sees_learner_rows(COLLABORATIVE)
    assert sees_learner_rows(HEI) and sees_learner_rows(COORDINATOR)
    assert sees_learner_rows(Principal("admin", Role.ADMIN))
