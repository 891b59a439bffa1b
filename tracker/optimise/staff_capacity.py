"""Supervision capacity derived from named staff: the places stage 2 can always staff.

A setting that lists its practice staff for a profession group offers, in a block, as many
places as those staff can support at once, counted so that *any* learners stage 1 sends
there (any mix of the fields it offers, from any requests, on any dates inside the block) can
be given a supervisor and an assessor (or an educator) by ``optimise.practice.assign_staff``:

* **who counts** in a block: staff listed at the setting, in the group, active, with room
  for learners (``max_learners`` above 0), prepared for their role on or before the block's
  first day (stage 2 asks for preparation by the placement's start, which is inside the block);
* **a person at several settings** shares their learner limit between them (``shares``: the
  limit split as evenly as whole learners allow, the remainder to the settings first by code),
  so no person is counted twice; stage 2 may use their whole limit wherever it is needed;
* **per field** ``f``: an educator field (allied health, social work) takes the sum of its
  educators' shares; an NMC field (nursing, midwifery) takes the largest ``L`` for which ``L``
  learners each get a practice supervisor (any field) and a different practice assessor in
  ``f``, with person ``k`` supporting at most ``c_k`` (their share) in both roles together.
  With ``m_k = min(c_k, L)`` that is ``sum of m_k over supervisors >= L``, ``sum of m_k over
  assessors in f >= L`` and ``sum of m_k over both >= 2 L`` (Hall's condition for the two
  roles; capping at ``L`` is "different people": nobody can fill both roles for more than
  ``L`` learners);
* **the setting's places** are the smallest of its offered fields' figures, because a place
  in stage 1 is open to every programme of the group the setting hosts; a field nobody listed
  there can assess or educate at all is not offered (its programmes leave the setting), so
  one missing field does not close the others.

Everything is counted per block as if all its learners were there at once, which is never
less than stage 2's "at any moment" rule needs. ``tests/optimise/test_staff_capacity.py``
checks the guarantee against ``assign_staff`` on random settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.optimise.staff import (
    ASSESSOR,
    EDUCATOR,
    SUPERVISOR,
    canonical_field,
    needs_supervisor_and_assessor,
)


@dataclass(frozen=True)
class CountedStaff:
    """One person as the capacity count sees them at one setting.

    ``share`` is the part of their learner limit counted at this setting (see ``shares``);
    ``field`` is canonical (``staff.canonical_field``); ``prepared_on`` None: not prepared.
    """

    roles: frozenset[str]
    field: str
    prepared_on: date | None
    share: int

    def counts_on(self, first_day: date) -> bool:
        """Able to take learners in a block that starts on ``first_day``."""
        return self.share > 0 and self.prepared_on is not None and self.prepared_on <= first_day


def shares(limit: int, settings: Iterable[str]) -> dict[str, int]:
    """A person's learner limit split between their settings, as evenly as whole learners
    allow, the remainder going to the settings first in code order (5 over 2 settings: 3, 2)."""
    ordered = sorted(set(settings))
    if not ordered:
        return {}
    base, extra = divmod(max(limit, 0), len(ordered))
    return {s: base + int(i < extra) for i, s in enumerate(ordered)}


def offered_fields(people: Sequence[CountedStaff], fields: Iterable[str]) -> list[str]:
    """The hosted fields a named setting still offers: those whose learners someone listed
    there can assess (NMC) or educate, whatever their preparation or room today."""
    role_of = {True: ASSESSOR, False: EDUCATOR}
    kept = []
    for field in dict.fromkeys(canonical_field(f) for f in fields):
        role = role_of[needs_supervisor_and_assessor(field)]
        if any(role in p.roles and p.field == field for p in people):
            kept.append(field)
    return kept


def _nmc_learners(counted: Sequence[tuple[int, bool, bool]]) -> int:
    """Largest L meeting the three Hall inequalities (see the module docstring), for people
    given as (share, supervises, assesses in the field)."""
    top = min(sum(c for c, s, _ in counted if s), sum(c for c, _, a in counted if a))
    for learners in range(top, 0, -1):
        room = [(min(c, learners), s, a) for c, s, a in counted]
        if (
            sum(m for m, s, _ in room if s) >= learners
            and sum(m for m, _, a in room if a) >= learners
            and sum(m for m, _, _ in room) >= 2 * learners
        ):
            return learners
    return 0


def field_places(people: Sequence[CountedStaff], field: str, first_day: date) -> int:
    """Learners of one (canonical) field that the counted staff can always support in a block
    starting on ``first_day``."""
    ready = [p for p in people if p.counts_on(first_day)]
    if not needs_supervisor_and_assessor(field):
        return sum(p.share for p in ready if EDUCATOR in p.roles and p.field == field)
    counted = [
        (p.share, SUPERVISOR in p.roles, ASSESSOR in p.roles and p.field == field) for p in ready
    ]
    return _nmc_learners([c for c in counted if c[1] or c[2]])


def named_places(people: Sequence[CountedStaff], fields: Sequence[str], first_day: date) -> int:
    """The places a named setting offers a profession group in a block: the smallest of its
    offered fields' figures (``fields`` as ``offered_fields`` returns them); 0 if none."""
    return min((field_places(people, f, first_day) for f in fields), default=0)


def named_block_places(
    people: Sequence[CountedStaff], hosted_fields: Sequence[str], first_days: Mapping[str, date]
) -> tuple[list[str], dict[str, int]]:
    """The fields a named setting offers and its places per block (``first_days``: each
    block's first day, by block code)."""
    fields = offered_fields(people, hosted_fields)
    return fields, {b: named_places(people, fields, d) for b, d in first_days.items()}
