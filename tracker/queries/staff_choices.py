"""Who could take over as a named learner's practice supervisor or assessor: the active
staff listed at the placement's setting, for the hand change (``services.staff_changes``)."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session, col, select

from tracker.access import STAFF, Principal, require_role
from tracker.models import Placement, PracticeStaff, PracticeStaffSetting
from tracker.queries.options import frame_of
from tracker.queries.staff import roles_of

CHOICE_COLUMNS = ["staff_id", "name", "roles", "field", "prepared_on", "max_learners"]


def named_staff_choices(
    session: Session, *, principal: Principal, placement_id: int
) -> pd.DataFrame:
    """Active staff at the placement's setting (by display name, else reference), with their
    roles, field, preparation date and learner limit; empty for an unknown placement. The
    change itself checks every rule, so this only narrows the list to the setting."""
    require_role(principal, STAFF, "change a learner's practice supervisor or assessor")
    placement = session.get(Placement, placement_id)
    if placement is None:
        return frame_of([], CHOICE_COLUMNS)
    query = (
        select(PracticeStaff)
        .join(PracticeStaffSetting, col(PracticeStaffSetting.staff_id) == PracticeStaff.id)
        .where(
            PracticeStaffSetting.setting_id == placement.setting_id,
            col(PracticeStaff.active).is_(True),
        )
        .order_by(col(PracticeStaff.staff_ref))
    )
    rows = [
        {
            "staff_id": p.id,
            "name": p.display_name or p.staff_ref,
            "roles": roles_of(p),
            "field": p.field or "",
            "prepared_on": p.prepared_on,
            "max_learners": p.max_learners,
        }
        for p in session.exec(query).all()
    ]
    return frame_of(rows, CHOICE_COLUMNS)
