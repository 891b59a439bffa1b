"""Register reads narrowed by register codes: said once, not once per filter per register.

Each register names its keyword filters in a table (filter -> the column whose codes it
chooses) and hands the caller's choices to ``narrowed``. A filter left out or chosen empty keeps
every row; a filter the register does not have is refused with ``TypeError``, as a misspelt
keyword argument would be, so a typo never silently widens a read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import col


def narrowed(query: Any, columns: Mapping[str, Any], chosen: Mapping[str, Sequence[str]]) -> Any:
    """``query`` kept to the rows whose code is among those chosen, filter by filter."""
    unknown = sorted(set(chosen) - set(columns))
    if unknown:
        raise TypeError(f"no filter {unknown}; this register filters by {list(columns)}")
    for name, codes in chosen.items():
        if codes:
            query = query.where(col(columns[name]).in_(list(codes)))
    return query
