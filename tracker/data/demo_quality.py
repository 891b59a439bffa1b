"""Demo placement evaluations and one setting under quality review.

Learners evaluate about three in five of their completed placements within a fortnight of the
block's end (NETS response rates are of that order), scoring the five items 1-5 around their
setting's quality: most settings do well (a mean near 4, as NETS reports), a few settings are
poor (near 2.4 on supervision and feeling valued), and the poorest of those with enough
responses is under quality review, so the quality page, its comments and the allocator's rule
all have something to show. Drawn from a generator of its own, so adding evaluations changes
no other demo table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

import numpy as np

from tracker.models.quality import ITEMS

#: How many settings are poor: the ones with most placements in their sector, one per sector.
POOR_SECTORS: Final = ("acute", "care_home", "primary_care", "community")
RESPONSE_RATE: Final = 0.6
COMMENT_RATE: Final = 0.35
GOOD: Final = (
    "Supportive team who made time to teach",
    "My practice supervisor was always available",
    "Great range of learning opportunities",
    "Induction covered everything I needed",
    "Felt part of the team from day one",
    "Would happily work here after qualifying",
)
POOR: Final = (
    "Often no supervisor on shift",
    "Induction was rushed and incomplete",
    "Felt like an extra pair of hands rather than a learner",
    "Hard to get my assessment signed off",
    "Staffing was too short for anyone to teach",
)
#: How far each item sits from the setting's quality in a poor setting (supervision and
#: feeling valued suffer most, as the published NETS themes say).
POOR_SHIFT: Final = {
    "supervision": -0.3,
    "learning_opportunities": 0.1,
    "induction": 0.0,
    "feeling_valued": -0.3,
    "would_recommend": -0.1,
}


def poor_settings(placed: Sequence[dict[str, Any]]) -> set[int]:
    """The setting with most completed placements in each of ``POOR_SECTORS``."""
    counts: dict[tuple[str, int], int] = {}
    for row in placed:
        key = (str(row["sector"]), int(row["setting_id"]))
        counts[key] = counts.get(key, 0) + 1
    poor = set()
    for sector in POOR_SECTORS:
        mine = [(n, sid) for (s, sid), n in counts.items() if s == sector]
        if mine:
            poor.add(max(mine)[1])
    return poor


def evaluation_rows(placed: Sequence[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Evaluations of completed named placements (``placement_id``, ``learner_hei``,
    ``setting_id``, ``block_id``, ``block_end``, ``sector``), one per responding learner."""
    rng = np.random.default_rng(seed)
    poor = poor_settings(placed)
    rows: list[dict[str, Any]] = []
    for row in placed:
        if rng.random() >= RESPONSE_RATE:
            continue
        bad = int(row["setting_id"]) in poor
        centre = 2.5 if bad else 4.1
        scores = {}
        for item in ITEMS:
            shift = POOR_SHIFT[item] if bad else 0.0
            value = int(np.clip(np.rint(rng.normal(centre + shift, 0.8)), 1, 5))
            scores[item] = None if rng.random() < 0.04 else value
        if all(v is None for v in scores.values()):
            scores["would_recommend"] = int(np.clip(np.rint(centre), 1, 5))
        comment = None
        if rng.random() < COMMENT_RATE:
            choices = POOR if bad or (scores["supervision"] or 3) <= 2 else GOOD
            comment = str(choices[int(rng.integers(len(choices)))])
        rows.append(
            {
                "hei_id": row["learner_hei"],
                "response_ref": f"NETS-{row['placement_id']:06d}",
                "placement_id": row["placement_id"],
                "setting_id": row["setting_id"],
                "block_id": row["block_id"],
                "submitted_on": row["block_end"] + timedelta(days=int(rng.integers(1, 15))),
                "comment": comment,
                "version": 1,
                **scores,
            }
        )
    return rows


def review_rows(
    placed: Sequence[dict[str, Any]], evaluations: Sequence[dict[str, Any]], as_of: date
) -> list[dict[str, Any]]:
    """One open review: the poor setting with most responses, from a month before ``as_of``."""
    poor = poor_settings(placed)
    answered: dict[int, int] = {}
    for row in evaluations:
        if int(row["setting_id"]) in poor:
            answered[int(row["setting_id"])] = answered.get(int(row["setting_id"]), 0) + 1
    if not answered:
        return []
    worst = max(answered, key=lambda sid: (answered[sid], sid))
    return [
        {
            "setting_id": worst,
            "reason": "Learners' scores for supervision and feeling valued below 2.5 for two "
            "terms; action plan agreed with the provider",
            "started_on": as_of - timedelta(days=30),
            "started_by": "demo-coordinator",
            "version": 1,
        }
    ]


def quality_rows(
    placements: tuple[list[dict[str, Any]], list[int]],
    *,
    learner_hei: dict[int, int],
    block_end: dict[int, date],
    setting_sector: dict[int, str],
    seed: int,
    as_of: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The evaluations and the review for the demo's completed placements (rows with their
    new ids)."""
    placed = [
        {
            "placement_id": pid,
            "learner_hei": learner_hei[row["learner_id"]],
            "setting_id": row["setting_id"],
            "block_id": row["block_id"],
            "block_end": block_end[row["block_id"]],
            "sector": setting_sector[row["setting_id"]],
        }
        for row, pid in zip(*placements, strict=True)
    ]
    evaluations = evaluation_rows(placed, seed)
    return evaluations, review_rows(placed, evaluations, as_of)
