"""Action buttons: a page's buttons that change records, in one callback with its outcome.

Calendar, requests, capacity, placements and the registers with an edit form each have
buttons that read a few form controls, call one service in a ``writing()`` session and answer
on the page's message line: what was done and a bumped counter (the grid reloads), or why
nothing was (the counter as it was). ``action`` registers that callback; the page writes only
what the buttons do. ``fill_form`` fills an edit form from the grid's picked row, ``lock``
and ``opened`` carry the record it is on to the services and back.

The callback-input guard (``tracker.callback_inputs``) checks each posted value against the
callback's parameter hints, so the callback made here carries the action's own hints for the
form's values (and click counts and the counter around them).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import dash
from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from tracker.components.alerts import message, refused_alert, result_alert
from tracker.components.filtered_views import Count, register
from tracker.components.guard import callback_principal
from tracker.components.registers import clicks
from tracker.components.sessions import writing
from tracker.refusals import Refused

#: How the outcome is said: the registers' result and refusal alerts, or a one-line message
#: (green when done, amber when refused) as the allocation workspace says it.
Style = Literal["alert", "message"]
Act = Callable[..., Any]


def _said(style: Style, text: str | None, refusal: Refused | None) -> Any:
    if style == "message":
        return message(str(refusal), "warning") if refusal else message(str(text), "success")
    return refused_alert(refusal) if refusal else result_alert(text)


def _value_hints(act: Act, count: int) -> list[tuple[str, Any]]:
    """The (name, hint) of each of `count` form values `act` takes after its session,
    principal and button (a ``*values`` parameter takes the rest, each with its hint)."""
    hints = typing.get_type_hints(act, include_extras=True)
    named: list[tuple[str, Any]] = []
    for parameter in list(inspect.signature(act).parameters.values())[3:]:
        hint = hints.get(parameter.name, Any)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            named += [(f"{parameter.name}_{i}", hint) for i in range(count - len(named))]
        else:
            named.append((parameter.name, hint))
    return named


def action(
    page: str,
    buttons: Sequence[str],
    form: Sequence[State] = (),
    *,
    counter: str = "refresh",
    style: Style = "alert",
    edits: bool = False,
) -> Callable[[Act], Act]:
    """Register `act(session, principal, button, *values) -> what was done` for the buttons
    ``<page>-<button>``: `button` is the one clicked (its name), `values` the `form`'s. The
    outcome goes to ``<page>-message`` and bumps ``<page>-<counter>``; a ``Refused`` raised
    by `act` (nothing is written) is said instead, the counter left as it was.

    With `edits`, the page's edit form stays on one record (``<page>-editing``: its id and
    version, or none): `act` gets it as its last value and returns what was done and the
    record now open (``opened``), which the store keeps (a refusal leaves it as it was)."""
    kept = [State(f"{page}-editing", "data")] if edits else []

    def decorate(act: Act) -> Act:
        def run(*args: Any) -> Any:
            values, count = args[len(buttons) : -1], args[-1]
            principal = callback_principal(page)
            button = str(ctx.triggered_id).removeprefix(f"{page}-")
            try:
                with writing() as session:
                    done = act(session, principal, button, *values)
            except Refused as refusal:
                return _said(style, None, refusal), *[dash.no_update] * (1 + len(kept))
            text, *open_record = done if edits else (done,)
            return _said(style, text, None), (count or 0) + 1, *open_record

        pressed = [(f"_{name.replace('-', '_')}", Count) for name in buttons]
        register(
            run,
            act.__name__,
            [*pressed, *_value_hints(act, len(form) + len(kept)), (counter, Count)],
            Output(f"{page}-message", "children"),
            Output(f"{page}-{counter}", "data"),
            *[Output(f"{page}-editing", "data", allow_duplicate=True) for _ in kept],
            *clicks(page, *buttons),
            *form,
            *kept,
            State(f"{page}-{counter}", "data"),
            prevent_initial_call=True,
        )
        return act

    return decorate


def opened(saved: Any) -> dict[str, Any]:
    """The record an edit form stays on after a save: its id and the version the next save
    must find (optimistic locking)."""
    return {"id": saved.id, "version": saved.version}


def picked(row: Mapping[str, Any]) -> dict[str, Any]:
    """The record an edit form opens on from the grid's picked row: its id and the version
    the user loaded (``lock`` hands both to the service)."""
    return {"id": row["id"], "version": row["version"]}


def lock(editing: Mapping[str, int] | None, key: str, *, what: str | None = None) -> dict[str, Any]:
    """The record the edit form is on as a service's optimistic lock: ``{key: its id,
    "version": the version loaded}``, both none for a new record; an action that needs a
    record (`what` it is: "a setting") is refused without one."""
    if editing:
        return {key: editing["id"], "version": editing["version"]}
    if what:
        raise Refused([f"select {what} in the table first"])
    return {key: None, "version": None}


def require(fields: Mapping[str, object]) -> None:
    """Refuse, naming each, the form fields (label -> value) left empty."""
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise Refused([f"{name}: required" for name in missing])


def fill_form(
    page: str,
    fields: Sequence[str],
    selected: Any,
    fill: Callable[[Any], tuple[Any, ...]],
    *,
    also: Sequence[Output] = (),
    editable: Callable[[Any], bool] | None = None,
) -> None:
    """Register the callback that puts the row picked in ``<page>-grid`` into the edit form,
    or blanks the form for a new record (``<page>-new`` clicked, or no row picked).
    `fill(row, or None for a new record)` gives the values of the form's controls
    ``<page>-<field>`` and `also`, then the record now open (``<page>-editing``) and the mode
    line (``<page>-form-mode``). `selected` is the hint of the grid's selected rows (the
    guard checks it); where `editable` says the user may not edit, nothing is filled
    (readers have no form to fill)."""

    def fill_from_grid(rows: Any, _new: Count) -> Any:
        principal = callback_principal(page)
        if editable is not None and not editable(principal):
            raise PreventUpdate
        new = ctx.triggered_id == f"{page}-new" or not rows
        return fill(None if new else rows[0])

    register(
        fill_from_grid,
        f"fill_{page.replace('-', '_')}_form",
        [("selected", selected), ("_new", Count)],
        *[Output(f"{page}-{name}", "value") for name in fields],
        *also,
        Output(f"{page}-editing", "data"),
        Output(f"{page}-form-mode", "children"),
        Input(f"{page}-grid", "selectedRows"),
        *clicks(page, "new"),
        prevent_initial_call=True,
    )
