"""Form and filter fields: a labelled column, dropdowns, and options from the vocabulary.

Pages build every choice list here (sectors, profession groups, statuses, blocks,
organisations), so a code reads the same in every dropdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from tracker.vocabulary import PROFESSION_GROUPS, SECTORS, options

Layout = Any


def label_for(label_text: str, control: Layout, class_name: str) -> Layout:
    """A label tied to its control by id (``for``), so a screen reader names the control and
    clicking the label focuses it; WCAG 2.2 AA asks that every control has one."""
    ident = getattr(control, "id", None)
    return dbc.Label(
        label_text, html_for=ident if isinstance(ident, str) else None, class_name=class_name
    )


def field(label_text: str, control: Layout, width: int = 3) -> Layout:
    """A form control under its label, `width` twelfths of the row on medium screens."""
    return dbc.Col(
        [label_for(label_text, control, "small mb-1"), control], md=width, class_name="mb-2"
    )


def filter_field(label_text: str, control: Layout, *, width: int = 3) -> Layout:
    """A filter control under its (muted) label; full width on phones."""
    return dbc.Col(
        [label_for(label_text, control, "small text-muted mb-1"), control],
        xs=12,
        md=6,
        lg=width,
        className="mb-2",
    )


def dropdown(
    component_id: str,
    choices: Sequence[Mapping[str, Any]],
    *,
    multi: bool = True,
    value: Any = None,
    placeholder: str = "All",
    clearable: bool = True,
    class_name: str | None = None,
) -> Layout:
    props: dict[str, Any] = {"className": class_name} if class_name else {}
    return dcc.Dropdown(
        id=component_id,
        options=list(choices),
        multi=multi,
        value=value,
        placeholder=placeholder,
        clearable=clearable,
        **props,
    )


def dropdown_filter(
    label_text: str, component_id: str, choices: Sequence[Mapping[str, Any]], *, width: int = 3
) -> Layout:
    """A filter of many values (none chosen: all) under its label: the register and report
    filter bars' usual control."""
    return filter_field(label_text, dropdown(component_id, choices), width=width)


def hei_filter(page: str, heis: pd.DataFrame, *, own_hei: str | None) -> Layout:
    """The HEI filter ``<page>-hei`` of a learner register: hidden (and empty) for an HEI
    user, whose HEI access fixes, so one callback serves every role."""
    if own_hei is not None:
        return html.Div(dropdown(f"{page}-hei", []), hidden=True)
    return dropdown_filter("HEI", f"{page}-hei", code_options(heis), width=2)


def choice(
    component_id: str,
    choices: Sequence[Mapping[str, Any]],
    placeholder: str = "Choose",
    *,
    value: Any = None,
) -> Layout:
    """A dropdown that picks one value (forms and bulk changes), not a filter of many."""
    return dropdown(component_id, choices, multi=False, value=value, placeholder=placeholder)


def choice_field(
    label_text: str,
    component_id: str,
    choices: Sequence[Mapping[str, Any]],
    placeholder: str = "Choose",
    *,
    value: Any = None,
    width: int = 3,
) -> Layout:
    """A labelled single choice (``choice`` under its ``filter_field`` label): the form
    fields and bulk-change fields that pick one block, programme, sector, ..."""
    return filter_field(
        label_text, choice(component_id, choices, placeholder, value=value), width=width
    )


def sector_options() -> list[dict[str, str]]:
    return options(SECTORS)


def group_options() -> list[dict[str, str]]:
    return options(PROFESSION_GROUPS)


def code_options(frame: pd.DataFrame, *, value: str = "code", name: str = "name") -> list[dict]:
    """ "Name (code)" choices from a frame of codes and names."""
    return [
        {"label": f"{row[name]} ({row[value]})", "value": row[value]}
        for row in frame.to_dict("records")
    ]


def coded_options(frame: pd.DataFrame, *, value: str = "code", name: str = "name") -> list[dict]:
    """ "code (name)" choices: for blocks and programmes, whose codes people know."""
    return [
        {"label": f"{code} ({text})", "value": code}
        for code, text in zip(frame[value], frame[name], strict=True)
    ]


def block_choices(blocks: pd.DataFrame) -> list[dict]:
    """Placement blocks from ``queries.capacity.block_options`` as choices."""
    return coded_options(blocks, value="block", name="name")


def button(
    text: str | list[Layout],
    component_id: str,
    color: str = "primary",
    *,
    outline: bool = False,
    class_name: str | None = None,
) -> Layout:
    """A small action button, the size every page's actions use; only the properties given
    are set, so it draws exactly as a hand-written ``dbc.Button`` would."""
    props: dict[str, Any] = {"outline": True} if outline else {}
    if class_name:
        props["className"] = class_name
    return dbc.Button(text, id=component_id, color=color, size="sm", **props)


def named(control: Layout, name: str, class_name: str = "") -> Layout:
    """A control a library draws without an accessible name (a progress bar, an upload's file
    input), wrapped so the page's accessibility script gives it ``name`` (WCAG 4.1.2)."""
    attributes: dict[str, Any] = {"data-a11y-name": name}
    return html.Div(control, className=class_name, **attributes)


def confirm_dialog(prefix: str, title: str, confirm_text: str, color: str) -> Layout:
    """A dialog that shows what an action would do (``<prefix>-preview``) and does it only on
    ``<prefix>-confirm``; ``<prefix>-cancel`` closes it. For changes that are hard to undo."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(title)),
            dbc.ModalBody(id=f"{prefix}-preview"),
            dbc.ModalFooter(
                [
                    button("Cancel", f"{prefix}-cancel", "secondary", outline=True),
                    button(confirm_text, f"{prefix}-confirm", color),
                ]
            ),
        ],
        id=f"{prefix}-modal",
        is_open=False,
    )
