"""``assign``: named learners with their practice supervisor and assessor, from CSV files.

Thin over ``tracker.optimise.practice``; the optimiser is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.commands import SettingsFile


def register(app: typer.Typer) -> None:
    @app.command("assign")
    def assign_command(
        placements: Annotated[
            Path,
            typer.Option(
                help="placements.csv: request_id, setting_id, block, learners[, start_date, "
                "end_date], programme"
            ),
        ],
        learners: Annotated[
            Path,
            typer.Option(
                help="learners.csv: learner_id, request_id, programme, field, lat, lon, "
                "max_distance_km, sectors_had, ready_until"
            ),
        ],
        settings: SettingsFile,
        staff: Annotated[
            Path,
            typer.Option(
                help="staff.csv: staff_id, setting_id, roles, field, prepared_on, max_learners"
            ),
        ],
        out: Annotated[Path, typer.Option(help="Folder for assignments.csv and unassigned.csv")],
        audits: Annotated[
            Path | None,
            typer.Option(
                help="audits.csv: setting_id, audited_on, expires_on, outcome, programmes"
            ),
        ] = None,
        time_limit: Annotated[
            float, typer.Option(help="Seconds the solver may take in all")
        ] = 300.0,
    ) -> None:
        """Give each placed learner a place, a practice supervisor and a practice assessor (or a
        practice educator), obeying audits, readiness, fields, preparation and staff limits.
        Exits 0 whenever it produced assignments, 2 on invalid input."""
        # Every column of the contract is required in each file (placements' start_date and
        # end_date only where audits, readiness or preparation dates are checked).
        from tracker.optimise.io import read_table
        from tracker.optimise.model import InputError
        from tracker.optimise.practice import assign_staff
        from tracker.optimise.practice_tables import require_contract_columns

        try:
            p, lr, s, st = (
                read_table(path, name)
                for path, name in (
                    (placements, "placements"),
                    (learners, "learners"),
                    (settings, "settings"),
                    (staff, "staff"),
                )
            )
            a = None if audits is None else read_table(audits, "audits")
            tables = {"placements": p, "learners": lr, "settings": s, "staff": st, "audits": a}
            require_contract_columns(tables)
            result = assign_staff(p, lr, s, st, a, time_limit_s=time_limit)
        except InputError as exc:
            typer.echo(f"Invalid input: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        out.mkdir(parents=True, exist_ok=True)
        result.assignments.to_csv(out / "assignments.csv", index=False)
        result.unassigned.to_csv(out / "unassigned.csv", index=False)
        total = len(result.assignments) + len(result.unassigned)
        typer.echo(
            f"{result.status}: assigned {len(result.assignments)} of {total} learners with "
            f"named staff; {len(result.unassigned)} unassigned; {result.seconds:.2f} s"
        )
        typer.echo(f"wrote {out / 'assignments.csv'}, {out / 'unassigned.csv'}")
