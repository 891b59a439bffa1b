"""``allocate``: the fair placement allocator from CSV files, thin over ``tracker.optimise``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from tracker.commands import SettingsFile
from tracker.optimise import InputError, allocate
from tracker.optimise.audit_filter import allocate_with_audits, read_block_dates
from tracker.optimise.io import read_policy, read_table, write_outputs
from tracker.optimise.model import AllocationResult, Policy, Problem


def register(app: typer.Typer) -> None:
    @app.command("allocate")
    def allocate_command(
        settings: SettingsFile,
        capacity: Annotated[
            Path,
            typer.Option(
                help="capacity.csv: setting_id, block (or start_date, end_date), places "
                "(or supervisors, learners_per_supervisor)"
            ),
        ],
        demand: Annotated[
            Path,
            typer.Option(
                help="demand.csv: request_id, hei, programme, block and/or start_date, end_date, "
                "learners, sector, lat, lon"
            ),
        ],
        out: Annotated[
            Path, typer.Option(help="Folder for placements.csv, unmet.csv and summary.json")
        ],
        policy: Annotated[Path | None, typer.Option(help="policy.json (optional)")] = None,
        solver: Annotated[
            str | None,
            typer.Option(
                help="highs or cbc: the LP/MIP solver; choosing one solves the levels as a PuLP "
                "model instead of the (default, faster, equal) network method"
            ),
        ] = None,
        method: Annotated[
            str | None, typer.Option(help="network (default) or lp; overrides the policy file")
        ] = None,
        audits: Annotated[
            Path | None,
            typer.Option(
                help="audits.csv: setting_id, audited_on, expires_on, outcome, programmes; a "
                "setting offers places to a programme only in blocks, or on a dated "
                "request's dates, an approved, in-date audit covers (block requests need "
                "--blocks)"
            ),
        ] = None,
        blocks: Annotated[
            Path | None,
            typer.Option(help="blocks.csv: block, start_date, end_date (with --audits)"),
        ] = None,
    ) -> None:
        """Allocate learners to placement settings: most placed, then fair between HEIs, then
        fair between sectors, then least travel. Exits 0 whenever a plan was produced."""
        try:
            chosen = read_policy(policy)
            if solver is not None:
                if solver not in ("highs", "cbc"):
                    raise typer.BadParameter("must be highs or cbc", param_hint="--solver")
                chosen = replace(chosen, solver=solver, method="lp")  # type: ignore[arg-type]
            if method is not None:
                if method not in ("network", "lp"):
                    raise typer.BadParameter("must be network or lp", param_hint="--method")
                chosen = replace(chosen, method=method)  # type: ignore[arg-type]
            result = _solve(settings, capacity, demand, chosen, audits, blocks)
        except InputError as exc:
            typer.echo(f"Invalid input: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        paths = write_outputs(result, out)
        lv = result.levels
        typer.echo(
            f"{result.status}: placed {lv.placed} of {lv.requested} learners; lowest HEI "
            f"fill {lv.min_hei_fill:.1%}; highest sector use "
            f"{lv.max_sector_utilisation:.1%}; {lv.learner_km:,.0f} learner-km; "
            f"{result.seconds:.2f} s ({result.solver})"
        )
        for message in result.messages:
            typer.echo(message, err=True)
        typer.echo(f"wrote {', '.join(str(p) for p in paths.values())}")
        if result.status == "failed":
            raise typer.Exit(code=1)


def _solve(
    settings: Path,
    capacity: Path,
    demand: Path,
    policy: Policy,
    audits: Path | None,
    blocks: Path | None,
) -> AllocationResult:
    """``allocate``, or with ``--audits`` the same allocator behind the audit rule."""
    frames = (
        read_table(settings, "settings"),
        read_table(capacity, "capacity"),
        read_table(demand, "demand"),
    )
    if audits is None:
        if blocks is not None:
            raise InputError(
                [Problem("blocks", None, None, str(blocks), "is used only with --audits")]
            )
        return allocate(*frames, policy)
    # dated requests are checked on their own dates; --blocks gives the others' dates
    dates = {} if blocks is None else read_block_dates(read_table(blocks, "blocks"))
    return allocate_with_audits(*frames, read_table(audits, "audits"), dates, policy)
