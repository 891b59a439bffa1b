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


def test_the_security_tables_cannot_be_changed_at_run_time() -> None:
    """Who may open a page, who is staff, a principal, what a grid filter may do, which runs
    may be edited: read-only values, so no code path can widen them while the app runs."""
    import dataclasses

    import pytest

    from tracker import access, jobs
    from tracker.services import allocation, capacity, grid_rows

    with pytest.raises(TypeError):
        access.PAGE_ROLES["users"] = access.ALL_ROLES  # type: ignore[index]
    with pytest.raises(TypeError):
        del access.PAGE_ROLES["users"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        access.PAGE_ROLES["users"].add(Role.HEI)  # type: ignore[attr-defined]
    for roles in (access.ALL_ROLES, access.STAFF, *access.PAGE_ROLES.values()):
        assert isinstance(roles, frozenset)
    with pytest.raises(dataclasses.FrozenInstanceError):
        HEI.role = Role.ADMIN  # type: ignore[misc]
    with pytest.raises(TypeError):
        grid_rows._TEXT_TESTS["regex"] = lambda s, v: s  # type: ignore[index]
    with pytest.raises(TypeError):
        capacity.CAPACITY_FIELDS["version"] = "version"  # type: ignore[index]
    with pytest.raises(TypeError):
        jobs.CELERY_RELIABILITY["task_acks_late"] = False  # type: ignore[index]
    assert isinstance(allocation.EDITABLE_STATUSES, frozenset)
