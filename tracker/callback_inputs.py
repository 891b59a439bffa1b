"""One guard in front of every server-side callback: its inputs must have the declared types.

Dash hands a callback whatever a ``/_dash-update-component`` body says, so a crafted post (a
string where a page expects a row id, a list where it expects a date, a body that is a list or
names no callback) used to reach the callback and end as HTTP 500. Rather than hardening each
callback, this guard checks every request before Dash runs anything:

- the body is a JSON object of the shape the Dash renderer posts (else 400);
- ``output`` names a server-side callback of this app (else 400);
- its inputs and state are the callback's declared ones, in order, and its outputs match the
  declared outputs (else 400; pattern-matching ids match by their fixed keys);
- every value has the type of the callback function's parameter (its Python type hint, Dash's
  wrapper unwrapped), validated strictly with pydantic: ``"x"`` is not an ``int``, ``1`` is not
  a ``str``, ``None`` only where the hint allows it (else 400 with a short plain message).

Parameters hinted ``Any`` are not checked; a parameter without a hint is checked only where
the property is one of Dash's own with a known type (``PROPERTY_TYPES``: the pages router's
path and query string, click counts). A hint may carry a content check with
``Annotated`` (``IsoDate`` below): the callback still receives the value as posted, the guard
only decides whether it may run. Whether a well-typed value names something the user may touch
(another HEI's row id) stays the callbacks' and services' job.
"""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from dash import Dash, Output
from dash._validate import validate_output_spec
from dash.exceptions import CallbackException
from flask import Response, request
from pydantic import AfterValidator, BaseModel, ConfigDict, TypeAdapter, ValidationError

CALLBACK_PATH = "_dash-update-component"


def _iso_date(text: str) -> str:
    if text:  # a cleared date input posts an empty string: no date, not a bad one
        date.fromisoformat(text)  # raises ValueError, which pydantic reports as invalid
    return text


def _url_path(text: str) -> str:
    if not text.startswith("/"):
        raise ValueError("a path must start with /")
    return text


#: A date as Dash's date pickers and date inputs post it: an ISO ``YYYY-MM-DD`` string.
IsoDate = Annotated[str, AfterValidator(_iso_date)]
#: A page path as ``dcc.Location`` posts it.
UrlPath = Annotated[str, AfterValidator(_url_path)]

#: What a property of Dash's own components holds, for parameters without a hint (Dash's
#: pages router, its cancel buttons): a page path, a query string, a click count.
PROPERTY_TYPES: dict[str, Any] = {
    "pathname": UrlPath | None,
    "search": str | None,
    "hash": str | None,
    "href": str | None,
    "n_clicks": int | None,
}


class _Dependency(BaseModel):
    """One output, input or state as the Dash renderer posts it."""

    model_config = ConfigDict(extra="allow")
    id: str | dict[str, str | int | float | bool]
    property: str


class _Value(_Dependency):
    value: Any = None


class CallbackBody(BaseModel):
    """The shape of a ``/_dash-update-component`` body; anything else is refused."""

    model_config = ConfigDict(extra="allow")
    output: str
    outputs: _Dependency | list[_Dependency | list[_Dependency]] = []
    inputs: list[_Value | list[_Value]] = []
    state: list[_Value | list[_Value]] = []
    changedPropIds: list[str] = []  # Dash's own key


class Refusal(Exception):
    """Why a callback request was refused (a short message the user may read)."""


@dataclass(frozen=True)
class Declared:
    """What a server-side callback expects: its declared inputs and the type of each value."""

    output: Any
    items: tuple[tuple[str, str], ...]  # (component id as Dash stores it, property)
    types: tuple[TypeAdapter[Any] | None, ...]  # None: not checked (Any or not hinted)
    names: tuple[str, ...]


def _hint_adapter(hint: Any) -> TypeAdapter[Any] | None:
    if hint is inspect.Parameter.empty or hint is Any:
        return None
    return TypeAdapter(hint)


def _parameter_hints(func: Callable[..., Any], count: int, skip: int) -> list[tuple[str, Any]]:
    """The (name, hint) of each of ``count`` positional values, after ``skip`` leading
    parameters the callback receives from Dash itself (``set_progress``)."""
    target = inspect.unwrap(func)
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except (NameError, TypeError):  # an unresolvable hint declares nothing we can check
        hints = {}
    result: list[tuple[str, Any]] = []
    for parameter in list(inspect.signature(target).parameters.values())[skip:]:
        hint = hints.get(parameter.name, inspect.Parameter.empty)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            result.extend((parameter.name, hint) for _ in range(count - len(result)))
            break
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            result.append((parameter.name, hint))
    return (result + [("", inspect.Parameter.empty)] * count)[:count]


def _keyword_hints(func: Callable[..., Any], indices: Mapping[str, Any], count: int) -> list[Any]:
    """Hints for a callback with a flexible (keyword) signature: by name, where a name maps to
    one value; nested groupings are not checked."""
    hints = typing.get_type_hints(inspect.unwrap(func), include_extras=True)
    result: list[tuple[str, Any]] = [("", inspect.Parameter.empty)] * count
    for name, index in indices.items():
        if isinstance(index, int) and 0 <= index < count:
            result[index] = (name, hints.get(name, inspect.Parameter.empty))
    return result


def declared(callback: Mapping[str, Any]) -> Declared:
    """Read a Dash callback-map entry into what the guard checks."""
    items = tuple((d["id"], d["property"]) for d in [*callback["inputs"], *callback["state"]])
    background = callback.get("background") or {}
    skip = 1 if background.get("progress") else 0
    indices = callback.get("inputs_state_indices")
    if isinstance(indices, int):  # a single input not given as a list
        indices = [indices]
    if isinstance(indices, dict):
        named = _keyword_hints(callback["callback"], indices, len(items))
    elif indices == list(range(len(items))):
        named = _parameter_hints(callback["callback"], len(items), skip)
    else:  # a grouping Dash flattens in its own way: check the shape only
        named = [("", inspect.Parameter.empty)] * len(items)
    hints = [
        PROPERTY_TYPES.get(prop, hint) if hint is inspect.Parameter.empty else hint
        for (_component, prop), (_name, hint) in zip(items, named, strict=True)
    ]
    return Declared(
        output=None if callback.get("no_output") else callback.get("output"),
        items=items,
        types=tuple(_hint_adapter(hint) for hint in hints),
        names=tuple(name for name, _hint in named),
    )


def _wildcard(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], str)


def _id_matches(declared_id: str, posted: str | dict[str, Any]) -> bool:
    """A posted id is the declared one; a pattern-matching id matches on its fixed keys."""
    if not declared_id.startswith("{"):
        return posted == declared_id
    pattern = json.loads(declared_id)
    if not isinstance(posted, dict) or set(posted) != set(pattern):
        return False
    return all(_wildcard(v) or posted[k] == v for k, v in pattern.items())


def _values(expected: Declared, posted: Sequence[_Value | list[_Value]]) -> list[Any]:
    """The values Dash would pass, after checking they are the declared inputs in order."""
    if len(posted) != len(expected.items):
        raise Refusal("The callback's inputs do not match its declaration.")
    values = []
    for (component, prop), item in zip(expected.items, posted, strict=True):
        group = item if isinstance(item, list) else [item]
        is_pattern = component.startswith("{")
        if isinstance(item, list) and not is_pattern:
            raise Refusal("The callback's inputs do not match its declaration.")
        for one in group:
            if one.property != prop or not _id_matches(component, one.id):
                raise Refusal("The callback's inputs do not match its declaration.")
        values.append([one.value for one in group] if isinstance(item, list) else item.value)
    return values


def _check_types(expected: Declared, values: Sequence[Any]) -> None:
    for name, adapter, value in zip(expected.names, expected.types, values, strict=True):
        if adapter is None:
            continue
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            detail = f"{name}{'.' + where if where else ''}: {first['msg']}"
            raise Refusal(f"An input of this callback has the wrong type ({detail}).") from None


def _plain(spec: _Dependency | list[_Dependency]) -> Any:
    return [one.model_dump() for one in spec] if isinstance(spec, list) else spec.model_dump()


def _check_outputs(expected: Declared, body: CallbackBody) -> None:
    """The posted outputs are the declared ones (Dash checks the same, but with a 500)."""
    spec = body.outputs
    if spec == [] or expected.output is None:
        return  # older renderers leave outputs out; Dash reads them from ``output``
    posted = [_plain(one) for one in spec] if isinstance(spec, list) else _plain(spec)
    try:
        validate_output_spec(expected.output, posted, Output)
    except (CallbackException, KeyError, TypeError):
        raise Refusal("The callback's outputs do not match its declaration.") from None


def _check_triggers(body: CallbackBody) -> None:
    """Dash parses a pattern-matching trigger id as JSON: it must be JSON."""
    for prop_id in body.changedPropIds:
        component = prop_id.rpartition(".")[0]
        if component.startswith("{"):
            try:
                parsed = json.loads(component)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise Refusal("The callback request names an unknown trigger.")


def check_request(
    raw: object,
    callbacks: Mapping[str, Mapping[str, Any]],
    known: dict[str, Declared] | None = None,
) -> None:
    """Raise ``Refusal`` unless ``raw`` is a callback request Dash can run as declared
    (``known`` keeps what each callback declares between requests)."""
    if not isinstance(raw, dict):
        raise Refusal("A callback request must be a JSON object.")
    try:
        body = CallbackBody.model_validate(raw)
    except ValidationError:
        raise Refusal("The callback request is malformed.") from None
    callback = callbacks.get(body.output)
    if callback is None or "callback" not in callback:
        raise Refusal("The callback request names no callback of this app.")
    expected = known.get(body.output) if known is not None else None
    if expected is None:
        expected = declared(callback)
        if known is not None:
            known[body.output] = expected
    _check_outputs(expected, body)
    _check_triggers(body)
    _check_types(expected, _values(expected, [*body.inputs, *body.state]))


def install_callback_guard(app: Dash) -> None:
    """Check every callback request before Dash runs it (registered after Dash's own
    start-up hook, so ``app.callback_map`` holds every page's callbacks by then)."""
    path = f"{app.config.routes_pathname_prefix}{CALLBACK_PATH}"
    # What each callback declares, read from its code on first use (reading type hints and
    # building validators takes milliseconds): derived from the code alone, the same for
    # every user and process, never holding anything of a request.
    known: dict[str, Declared] = {}

    def guard_callback_inputs() -> Response | None:
        if request.path != path or request.method != "POST":
            return None
        try:
            check_request(request.get_json(silent=True), app.callback_map, known)
        except Refusal as refusal:
            return Response(str(refusal), status=400, mimetype="text/plain")
        return None

    app.server.before_request(guard_callback_inputs)
