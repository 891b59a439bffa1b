"""Property: whatever a spreadsheet holds, an import either succeeds or is rejected cleanly.

Malformed rows must never surface as a database error or a crash, and a rejected file must
leave nothing pending in the session.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.access import SYSTEM
from tracker.data.importers import KINDS, ImportRejected, read_table
from tracker.db import session_scope
from tracker.services.imports import apply_import

FILES = Path(__file__).parent / "files"

# Plausible codes and values from the example system mixed with junk a spreadsheet may hold.
plausible = st.sampled_from(
    [
        "",
        "UNI-A",
        "UNI-B",
        "TRUST-1",
        "BSC-ADULT",
        "NA-APP",
        "2023-09",
        "2024-01",
        "2025-B1",
        "T1-WARD12",
        "A23-0001",
        "2023-09-18",
        "2025-01-06",
        "started",
        "withdrew",
        "financial",
        "hei",
        "nursing",
        "acute",
        "degree",
        "*",
        "3",
        "0",
        "-1",
        "1.5",
        "53.8",
        "-1.55",
        "yes",
        "1e400",
        "nan",
        "2023-02-30",
        "9" * 30,
        "\x00",
        "NHS Trust",
    ]
)
cell = st.one_of(plausible, st.text(max_size=12))


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, pd.DataFrame]:
    kind = draw(st.sampled_from(list(KINDS)))
    names = list(KINDS[kind].names)
    extra = draw(st.lists(st.sampled_from([*names, "extra"]), max_size=2))
    # Half the tables have the full header, so the row checks (not the header check) are hit.
    if draw(st.booleans()):
        columns = names + extra
    else:
        columns = draw(st.permutations(names))[: draw(st.integers(1, len(names)))] + extra
    rows = draw(
        st.lists(
            st.lists(cell, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=4
        )
    )
    return kind, pd.DataFrame(rows, columns=columns, dtype=object)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=tables())
def test_random_rows_are_imported_or_rejected_never_crash(
    engine: Engine, table: tuple[str, pd.DataFrame]
) -> None:
    if not getattr(engine, "_examples_loaded", False):
        for kind in KINDS:
            with session_scope(engine) as session:
                frame = read_table(f"{kind}.csv", (FILES / f"{kind}.csv").read_bytes())
                apply_import(session, SYSTEM, kind, frame)
        engine._examples_loaded = True  # type: ignore[attr-defined]
    kind, frame = table
    with Session(engine) as session:
        try:
            apply_import(session, SYSTEM, kind, frame)
        except ImportRejected as rejected:
            assert rejected.report.problems
            assert not (session.new or session.dirty or session.deleted)
        else:
            session.flush()  # constraint failures would surface here
        finally:
            session.rollback()
