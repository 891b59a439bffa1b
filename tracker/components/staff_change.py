"""The hand change of a named learner's practice supervisor or assessor (someone is off
sick), drawn the same wherever a named learner's row can be picked: *Placements* (published)
and the allocation workspace's *Named learners* tab (a proposed plan).

The form is `<prefix>-slot` (supervisor or assessor), `<prefix>-person` (who takes over,
listed by ``staff_options`` from ``queries.staff_choices``) and the `<prefix>-change-staff`
button; the page's callback calls ``services.staff_changes.change_named_staff``, which checks
every rule. Nothing here decides who may change: the page shows the card to those
``access.may_edit_registers`` allows, and the service refuses anyone else.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from tracker.components.cards import form_card
from tracker.components.fields import button, choice_field
from tracker.vocabulary import STAFF_ROLE_SETS, STAFF_SLOTS, options

#: What the card says the change must keep (the rules of ``services.staff_changes``).
RULES_NOTE = (
    "Everyone active at the learner's setting is listed; the change must keep every stage 2 "
    "rule (different people, assessor in the learner's field, prepared before the placement "
    "starts, nobody over their learner limit, learner ready), or it is refused with the "
    "rule's name."
)


def staff_change_card(prefix: str, *, visible: bool = True) -> Any:
    """The card: change which slot, to whom, and the button (hidden where not `visible`)."""
    card = form_card(
        "Change a learner's practice supervisor or assessor",
        [
            choice_field(
                "Change", f"{prefix}-slot", options(STAFF_SLOTS), value="supervisor", width=5
            ),
            choice_field(
                "To", f"{prefix}-person", [], "Select a learner's placement first", width=5
            ),
        ],
        html.P(RULES_NOTE, className="small text-muted"),
        button("Change staff", f"{prefix}-change-staff", "primary", outline=True),
    )
    return html.Div(card, className="mt-2", style={} if visible else {"display": "none"})


def staff_options(people: pd.DataFrame) -> list[dict[str, Any]]:
    """The people who could take over, as dropdown options: name · roles · field."""
    return [
        {
            "label": f"{p.name} · {STAFF_ROLE_SETS.get(p.roles, p.roles)}"
            + (f" · {p.field}" if p.field else ""),
            "value": int(p.staff_id),
        }
        for p in people.itertuples(index=False)
    ]


def chosen_id(value: Any) -> int | None:
    """A dropdown's or a grid row's id, or none for anything else a crafted request sends."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def chosen_placement(rows: Any) -> int | None:
    """The selected grid row's placement id, or none (nothing chosen, or a crafted value)."""
    chosen = rows[0].get("placement_id") if rows and isinstance(rows[0], dict) else None
    return chosen_id(chosen)
