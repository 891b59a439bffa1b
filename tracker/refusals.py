"""The one user-facing "no": every refusal a person can meet is a ``Refused``.

Saves, allocation actions, imports, user management and backups each raise a subclass of
``Refused`` when they will not do what was asked. Pages and commands catch this one type and
show ``.problems`` (every reason, each a sentence safe to show the user); nothing has been
written when it is raised. Access refusals stay ``tracker.access.AccessDenied``, a different
thing: they mean "not yours to ask", not "this request has a problem".
"""

from __future__ import annotations

from collections.abc import Sequence


class Refused(ValueError):
    """Nothing was done; ``problems`` lists every reason, each a sentence for the user."""

    def __init__(self, problems: str | Sequence[str] = ()) -> None:
        listed = [problems] if isinstance(problems, str) else [str(p) for p in problems]
        self.problems: list[str] = listed
        super().__init__("; ".join(listed))
