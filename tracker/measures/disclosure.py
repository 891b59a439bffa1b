"""Statistical disclosure control for tables seen outside the owning HEI.

One policy object, one function. Counts are rounded and small counts hidden (primary
suppression); then further cells are hidden wherever a hidden cell could otherwise be
worked out by subtraction from a total (secondary suppression); rates are computed from
the shown counts at the shown precision, and hidden when too few learners stand behind
them or when their numerator or denominator is hidden.

Secondary suppression algorithm. The table's additive relations are collected:
  * margins: a row whose grouping value is TOTAL in column c equals the sum of the rows
    that match it elsewhere and take each specific value in c (so for hei x programme with
    full margins: each HEI subtotal, each programme subtotal and the grand total);
  * row identities: e.g. starters = withdrawn + transferred_out + interrupted + completed
    + active, used only when every part is shown.
In any relation, a single hidden cell can be recovered exactly, while two or more hidden
cells can only be recovered as a sum. So, repeatedly until nothing changes, each relation
holding exactly one hidden cell gets a second one: the smallest non-zero part still shown
(a zero part if none is non-zero, the total itself only if no part is left). Hiding only
ever grows, so this ends. It is the usual greedy method for linked tables: it prevents
exact recovery by subtraction along any one relation, not every bound an attacker could
get by combining many relations; together with rounding that is the accepted standard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tracker.measures.definitions import GROUP_COLUMNS, RATE_PARTS, TOTAL

#: Parts that add up to a total within one row of a cohort measures table.
ROW_IDENTITIES: dict[str, tuple[str, ...]] = {
    "starters": ("withdrawn", "transferred_out", "interrupted", "completed", "active"),
    "at_risk": ("on_programme_at_start", "started_in_year"),
}
#: Counts that are not about learners (published commissioning figures): never rounded.
PUBLIC_COUNTS = frozenset({"commissioned_places"})


@dataclass(frozen=True)
class DisclosurePolicy:
    """A disclosure convention: how counts are rounded and what is hidden.

    rounding_base: counts shown rounded to the nearest multiple (halves up); 1 = exact.
    small_max: counts from 1 to small_max are hidden and shown as small_label (0 = none).
    min_rate_denominator: rates on fewer learners than this are hidden.
    secondary: hide further cells so no hidden one can be recovered by subtraction.
    revision: the revision of the rules applied under the policy (2: rates from shown
    counts, curves from controlled counts). Policies are part of every report cache key,
    so figures cached under older rules are never served after an upgrade.
    """

    name: str
    rounding_base: int = 5
    small_max: int = 2
    small_label: str = "0"
    secondary_label: str = "*"
    min_rate_denominator: int = 23
    hidden_rate_label: str = ".."
    secondary: bool = True
    rate_decimals: int = 1
    revision: int = 2

    @property
    def exact(self) -> bool:
        """True when nothing is rounded or hidden (owning HEI and administrators)."""
        return (
            self.rounding_base <= 1
            and self.small_max <= 0
            and self.min_rate_denominator <= 1
            and not self.secondary
        )


#: HESA: round to 5 (so under 2.5 shows as 0); no percentages on fewer than 22.5 people.
HESA = DisclosurePolicy("HESA")
#: NHS hospital statistics: 1-7 shown as '*', other counts rounded to 5. The convention
#: sets no rate threshold; the HESA one is kept so rates never reveal small counts.
NHS = DisclosurePolicy("NHS", rounding_base=5, small_max=7, small_label="*")
#: Ofqual: 1-4 shown as "fewer than 5", others exact; rate threshold as HESA.
OFQUAL = DisclosurePolicy("Ofqual", rounding_base=1, small_max=4, small_label="fewer than 5")
#: Exact figures, for the owning HEI and administrators.
EXACT = DisclosurePolicy(
    "exact", rounding_base=1, small_max=0, min_rate_denominator=0, secondary=False
)
DEFAULT_POLICY = HESA
PRESETS: dict[str, DisclosurePolicy] = {p.name.lower(): p for p in (HESA, NHS, OFQUAL, EXACT)}


def make_policy(
    name: str = "hesa",
    *,
    rounding_base: int | None = None,
    small_max: int | None = None,
    min_rate_denominator: int | None = None,
) -> DisclosurePolicy:
    """The deployment's convention: a named preset with optional threshold overrides.

    ``exact`` is refused: it would switch disclosure control off for everyone outside the
    owning HEI, which no configuration should be able to do by accident.
    """
    key = name.strip().lower()
    if key == "exact" or key not in PRESETS:
        choices = ", ".join(k for k in PRESETS if k != "exact")
        raise ValueError(f"Unknown disclosure convention {name!r}; choose one of: {choices}.")
    for field, value, least in (
        ("rounding_base", rounding_base, 1),
        ("small_max", small_max, 0),
        ("min_rate_denominator", min_rate_denominator, 0),
    ):
        if value is not None and value < least:
            raise ValueError(f"Disclosure setting {field} must not be {value}.")
    policy = PRESETS[key]
    return replace(
        policy,
        rounding_base=policy.rounding_base if rounding_base is None else rounding_base,
        small_max=policy.small_max if small_max is None else small_max,
        min_rate_denominator=(
            policy.min_rate_denominator if min_rate_denominator is None else min_rate_denominator
        ),
    )


def disclosure_note(policy: DisclosurePolicy = DEFAULT_POLICY, *, exact_because: str = "") -> str:
    """One paragraph for the page, saying what was done to the figures and why; for exact
    figures, why this viewer sees them exactly (`exact_because`, said by the caller, who
    knows the viewer)."""
    if policy.exact:
        return f"Exact figures: {exact_because or 'disclosure control does not apply'}."
    parts = []
    if policy.rounding_base > 1:
        parts.append(f"counts are rounded to the nearest {policy.rounding_base}")
    if policy.small_max > 0:
        parts.append(f"counts of 1 to {policy.small_max} are shown as '{policy.small_label}'")
    if policy.secondary:
        parts.append(
            f"some other counts are shown as '{policy.secondary_label}' so that a hidden "
            "figure cannot be worked out from the totals"
        )
    if policy.min_rate_denominator > 1:
        parts.append(
            f"percentages are shown as '{policy.hidden_rate_label}' where fewer than "
            f"{policy.min_rate_denominator} learners stand behind them"
        )
    rule = "; ".join(parts)
    note = f"To protect individual learners ({policy.name} convention), {rule}."
    if policy.rounding_base > 1:
        note += " Totals are rounded separately, so parts may not add up to them."
    return note


def round_counts(values: np.ndarray, base: int) -> np.ndarray:
    """Round to the nearest multiple of `base`, halves up (7.5 -> 10), as HESA does."""
    if base <= 1:
        return values.astype(float)
    return np.floor(values.astype(float) / base + 0.5) * base


def _relations(
    table: pd.DataFrame, by: Sequence[str], counts: Sequence[str]
) -> list[list[tuple[int, int]]]:
    """Additive relations as lists of (row, column) cells, the total first."""
    rels: list[list[tuple[int, int]]] = []
    col_ix = {c: i for i, c in enumerate(counts)}
    keys = table[list(by)].astype(str).to_numpy() if by else np.empty((len(table), 0))
    is_total = keys == TOTAL
    for r in range(len(table)):
        for j in np.flatnonzero(is_total[r]):
            same = np.all((keys == keys[r]) | (np.arange(len(by)) == j), axis=1)
            child = same & ~is_total[:, j]
            rows = np.flatnonzero(child)
            if len(rows):
                for c in range(len(counts)):
                    rels.append([(r, c), *((int(k), c) for k in rows)])
    for total, parts in ROW_IDENTITIES.items():
        if total in col_ix and all(p in col_ix for p in parts):
            for r in range(len(table)):
                rels.append([(r, col_ix[total]), *((r, col_ix[p]) for p in parts)])
    return rels


def secondary_suppression(
    values: np.ndarray, hidden: np.ndarray, relations: Sequence[Sequence[tuple[int, int]]]
) -> np.ndarray:
    """Cells to hide besides `hidden` so no relation has exactly one hidden cell.

    `values` and `hidden` are (rows x count columns); each relation lists its total cell
    first, then its parts. Returns the new hidden mask (a superset of `hidden`).
    """
    hide = hidden.copy()
    changed = True
    while changed:
        changed = False
        for rel in relations:
            if sum(hide[cell] for cell in rel) != 1:
                continue
            total, *parts = rel
            shown = [c for c in parts if not hide[c]]
            positive = [c for c in shown if values[c] > 0]
            pool = positive or shown or ([total] if not hide[total] else [])
            if not pool:
                continue
            pick = min(pool, key=lambda c: (values[c], c))
            hide[pick] = True
            changed = True
    return hide


def apply_disclosure(
    table: pd.DataFrame,
    *,
    counts: Sequence[str],
    rates: Mapping[str, tuple[str, str]] | None = None,
    by: Sequence[str] | None = None,
    policy: DisclosurePolicy = DEFAULT_POLICY,
    as_text: bool = True,
) -> pd.DataFrame:
    """The table as it may be shown under `policy`.

    counts: columns of learner counts to round and protect. Other columns (grouping
    columns, commissioned places) pass through unchanged.
    rates: rate column -> (numerator, denominator) columns; defaults to the known rates
    (RATE_PARTS) present in the table. Outside exact viewing a rate is the ratio of its
    shown (rounded) parts at the shown precision (see `_shown_rate`), and it is hidden
    when the exact denominator is under the threshold or either part is hidden.
    by: grouping columns; rows holding TOTAL there are margins (see module docstring).
    Defaults to the standard grouping columns present.
    as_text: strings ready to display ("15", "*", "32.5%"); otherwise numbers with NaN
    where hidden, for charts.

    Adds `suppressed` (any cell in the row hidden) and `disclosure_flags` (which cells
    and why, e.g. "withdrawn: small; completed: secondary; attrition_rate: base < 23").
    """
    counts = [c for c in counts if c in table.columns]
    if rates is None:
        rates = {k: v for k, v in RATE_PARTS.items() if k in table.columns}
    if by is None:
        by = [c for c in GROUP_COLUMNS if c in table.columns]
    out = table.reset_index(drop=True).copy()
    exact = out[counts].astype(float).fillna(0).to_numpy() if counts else np.zeros((len(out), 0))
    primary = (exact >= 1) & (exact <= policy.small_max)
    hidden = primary.copy()
    if policy.secondary and counts:
        hidden = secondary_suppression(exact, primary, _relations(out, by, counts))
    flags: list[list[str]] = [[] for _ in range(len(out))]
    rounded = round_counts(exact, policy.rounding_base)
    col_ix = {c: i for i, c in enumerate(counts)}
    for i, col in enumerate(counts):
        missing = table[col].reset_index(drop=True).isna().to_numpy()
        if as_text:
            text = pd.Series([_count_text(v) for v in rounded[:, i]], dtype=object)
            text[primary[:, i]] = policy.small_label
            text[hidden[:, i] & ~primary[:, i]] = policy.secondary_label
            text[missing] = ""
            out[col] = text
        else:
            out[col] = np.where(hidden[:, i] | missing, np.nan, rounded[:, i])
        for r in np.flatnonzero(hidden[:, i]):
            flags[r].append(f"{col}: {'small' if primary[r, i] else 'secondary'}")
    shown = {c: np.where(hidden[:, i], np.nan, rounded[:, i]) for c, i in col_ix.items()}
    for rate, (num, den) in rates.items():
        if rate not in out.columns:
            continue
        base = table[den].reset_index(drop=True).astype(float).fillna(0).to_numpy()
        value = _shown_rate(table, rate, (num, den), shown, policy)
        low = base < policy.min_rate_denominator
        hide_rate = low.copy()
        for part in (num, den):
            if part in col_ix:
                hide_rate |= hidden[:, col_ix[part]]
        hide_rate &= table[rate].reset_index(drop=True).notna().to_numpy()
        for r in np.flatnonzero(hide_rate):
            why = f"base < {policy.min_rate_denominator}" if low[r] else "part hidden"
            flags[r].append(f"{rate}: {why}")
        if as_text:
            text = pd.Series([_rate_text(v, policy.rate_decimals) for v in value], dtype=object)
            text[hide_rate] = policy.hidden_rate_label
            out[rate] = text
        else:
            out[rate] = np.where(hide_rate, np.nan, value)
    if as_text:  # published counts are shown as they are, written like every other count
        for col in PUBLIC_COUNTS.intersection(out.columns):
            out[col] = [_count_text(v) for v in out[col].astype(float)]
    out["suppressed"] = [bool(f) for f in flags]
    out["disclosure_flags"] = ["; ".join(f) for f in flags]
    return out


def _shown_rate(
    table: pd.DataFrame,
    rate: str,
    parts: tuple[str, str],
    shown: Mapping[str, np.ndarray],
    policy: DisclosurePolicy,
) -> np.ndarray:
    """A rate as it may be shown: exact for exact viewers; otherwise the ratio of the
    *shown* numerator and denominator, rounded to the shown precision.

    A rate of exact counts gives the counts away (6/58 = 0.10344827586206896), and sits
    badly beside its rounded parts ("5 withdrawn of 35" next to 8.1%). Parts that are not
    protected counts of the table are rounded the same way, except published figures
    (`PUBLIC_COUNTS`); a rate whose parts are not in the table is not shown at all.
    """
    exact = np.asarray(table[rate].astype(float), dtype=float)
    if policy.exact:
        return exact
    values = []
    for part in parts:
        if part in shown:
            values.append(shown[part])
        elif part not in table.columns:
            return np.full(len(exact), np.nan)
        else:
            raw = table[part].reset_index(drop=True).astype(float).to_numpy()
            values.append(raw if part in PUBLIC_COUNTS else round_counts(raw, policy.rounding_base))
    num, den = values
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
    return np.where(np.isnan(exact), np.nan, round_rate(ratio, policy.rate_decimals))


def round_rate(values: np.ndarray, decimals: int) -> np.ndarray:
    """Fractions rounded to the precision a percentage with `decimals` places shows, halves
    up (0.14285 -> 0.143 for one decimal place), so the number and its text agree."""
    scale = 10.0 ** (decimals + 2)
    return np.floor(np.asarray(values, dtype=float) * scale + 0.5) / scale


def _count_text(value: float) -> str:
    return "" if np.isnan(value) else f"{int(value):,}"


def _rate_text(value: float, decimals: int) -> str:
    return "" if np.isnan(value) else f"{value * 100:.{decimals}f}%"
