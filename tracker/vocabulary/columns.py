"""Column headings of every grid, chart table and download, and the pipeline filters.

Two kinds of table share some codes with different meanings: register and allocation grids
(``COLUMNS``: ``active`` is a setting's flag) and pipeline figure tables (``FIGURE_COLUMNS``:
``active`` is the "On programme" measure, ``reason`` a reason for withdrawal). A figure table
asks with ``label(code, figures=True)``; its measures keep their definition labels.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from tracker.measures import MEASURE_LABELS
from tracker.vocabulary.words import as_words

#: Pipeline filters, in the order of the filter bar.
FILTERS: Final = MappingProxyType(
    {
        "profession_group": "Profession group",
        "programme": "Programme",
        "hei": "HEI",
        "intake_year": "Intake year",
        "route": "Route",
    }
)

#: Column headers of register, allocation and placement grids and their downloads.
COLUMNS: Final = MappingProxyType(
    {
        "at": "When",
        "username": "User",
        "action": "Action",
        "entity": "Record type",
        "entity_id": "Record",
        "old_text": "Before",
        "new_text": "After",
        "detail": "Detail",
        **FILTERS,
        # organisations and settings
        "setting": "Setting",
        "setting_id": "Setting code",
        "setting_name": "Setting name",
        "name": "Name",
        "organisation": "Organisation",
        "organisation_name": "Organisation name",
        "sector": "Sector",
        "programmes": "Programmes hosted",
        "postcode_district": "Postcode district",
        "contact_email": "Contact e-mail",
        "notification": "Notification",
        "outbox_status": "Status",
        "attempts": "Attempts",
        "queued_at": "Queued",
        "next_attempt_at": "Next attempt",
        "last_error": "Last error",
        "sent_at": "Sent",
        "address": "To",
        "subject": "Subject",
        "active": "Active",
        "has_history": "Has placements",
        # capacity
        "block": "Block",
        "block_start": "Starts",
        "block_end": "Ends",
        "practice_supervisors": "Practice supervisors",
        "practice_assessors": "Practice assessors",
        "practice_educators": "Practice educators",
        "learners_per_supervisor": "Learners per supervisor",
        "places": "Places",
        "spare": "Spare places",
        "shortfall": "Shortfall",
        "places_per_learner": "Places per learner requested",
        # requests and calendars
        "request_id": "Request",
        "intake": "Intake",
        "learners": "Learners",
        "status": "Status",
        "created_at": "Submitted at",
        "created_by": "Submitted by",
        "requested": "Learners requested",
        "year_of_study": "Year of study",
        "start_date": "Start",
        "end_date": "End",
        "hei_a": "HEI",
        "programme_a": "Programme",
        "hei_b": "Overlaps HEI",
        "programme_b": "Its programme",
        "overlap_start": "From",
        "overlap_end": "To",
        "overlap_days": "Days shared",
        # educational audits
        "audited_on": "Audited on",
        "outcome": "Outcome",
        "expires_on": "Expires on",
        "audit_status": "Audit status",
        "approved_programmes": "Programmes approved",
        "action_plan": "Action plan",
        "action_due_on": "Actions due",
        # practice staff and academic assessors
        "staff_ref": "Staff reference",
        "display_name": "Display name",
        "settings": "Settings",
        "roles": "Roles",
        "field": "Field",
        "prepared_on": "Prepared on",
        "preparation": "Preparation",
        "max_learners": "Learners at once",
        "assessed_programmes": "Programmes assessed",
        "named_staff": "Named supervisors / assessors",
        "capacity_kind": "Places from",
        "named_places": "Places from named staff",
        "practice_supervisor": "Practice supervisor",
        "practice_assessor": "Practice assessor",
        "part": "Part of programme",
        "academic_assessor": "Academic assessor",
        "previous_academic_assessor": "Previous part's academic assessor",
        # learner readiness
        "learner_ref": "Learner",
        "dbs_valid_until": "DBS check valid until",
        "occupational_health_valid_until": "Occupational health valid until",
        "mandatory_training_valid_until": "Mandatory training valid until",
        "ready_until": "Ready until",
        "first_to_expire": "Expires first",
        "not_recorded": "Not recorded",
        "readiness_status": "Readiness",
        "note": "Note",
        "updated_at": "Updated at",
        # practice hours
        "worked_on": "Day or week starting",
        "period": "Record of",
        "hours": "Hours attended",
        "births": "Births",
        "absence_hours": "Hours absent",
        "absence_reason": "Reason for absence",
        "sign_off": "Sign-off",
        "signed_off_by": "Signed off by",
        "unit": "Counted in",
        "required": "Required",
        "completed": "Completed",
        "signed_off": "Of it signed off",
        "queried": "Queried",
        "expected": "Expected by now",
        "hours_status": "Hours",
        "behind": "Behind",
        "behind_share": "Share behind",
        "year_split": "By year of study",
        "behind_margin": "Behind margin",
        # education and training tariff
        "financial_year": "Financial year",
        "rate": "Rate (£)",
        "weeks_per_year": "Weeks per placement year",
        "source": "Source",
        "eligible_weeks": "Eligible placement weeks",
        "ineligible_weeks": "Weeks not eligible",
        "unrated_weeks": "Eligible weeks without a rate",
        "tariff": "Expected tariff",
        # placement quality (learners' evaluations, 1-5)
        "supervision": "Supervision",
        "supervision_low": "Supervision (low)",
        "supervision_high": "Supervision (high)",
        "learning_opportunities": "Learning opportunities",
        "learning_opportunities_low": "Learning opportunities (low)",
        "learning_opportunities_high": "Learning opportunities (high)",
        "induction": "Induction",
        "induction_low": "Induction (low)",
        "induction_high": "Induction (high)",
        "feeling_valued": "Feeling valued",
        "feeling_valued_low": "Feeling valued (low)",
        "feeling_valued_high": "Feeling valued (high)",
        "would_recommend": "Would recommend",
        "would_recommend_low": "Would recommend (low)",
        "would_recommend_high": "Would recommend (high)",
        "responses": "Responses",
        "term": "Term",
        "comment": "Comment",
        "started_on": "Under review since",
        "started_by": "Put under review by",
        "ended_on": "Review ended",
        "ended_by": "Ended by",
        # allocation runs
        "run_id": "Run",
        "what_if": "What-if",
        "min_hei_fill": "Lowest HEI fill",
        "fill_ratio": "Fill ratio",
        "makeup_learners": "Make-up hours learners",
        "makeup_placed": "Make-up learners placed",
        "reason_code": "Reason code",
        "reason": "Reason",
        "unmet_in_reach": "Could place here",
        "extra_with_1": "+1 supervisor places",
        "extra_with_2": "+2 supervisors place",
        "extra_with_5": "+5 supervisors place",
        "supervisors_to_add": "Supervisors to place all",
        "distance_km": "Distance (km)",
        "learner_km": "Learner km",
        "max_sector_utilisation": "Highest sector use",
        # workforce outlook and placement growth
        "year": "Year",
        "completions": "Completions",
        "completions_low": "Completions (low)",
        "completions_high": "Completions (high)",
        "local_posts": "Taking a local post",
        "predicted": "Predicted completions",
        "actual": "Recorded completions",
        "mape": "Mean absolute percentage error",
        "placements": "Placements needed",
        "supervisors_added": "Extra supervisors",
        "places_added": "Places added",
        "learners_let_in": "Learners it lets in",
        "cost": "Cost",
        "blocks": "Blocks",
        "explanation": "Why",
    }
)
#: Column headers of pipeline figure tables and their downloads: measures by definition.
FIGURE_COLUMNS: Final = MappingProxyType(
    {
        **FILTERS,
        "intake": "Intake",
        "academic_year": "Academic year",
        "reason": "Reason for withdrawal",
        "share": "Share of withdrawals",
        "flag": "Funnel position",
        "learner_ref": "Learner",
        "status": "Status",
        "status_date": "Since",
        "year_of_study": "Year of study",
        "withdrawal_reason": "Reason for withdrawal",
        "disclosure_flags": "Hidden cells (why)",
        **MEASURE_LABELS,
    }
)
#: Columns holding a share (0 to 1) that grids show as a percentage.
RATIOS: Final = frozenset({"fill_ratio", "utilisation", "min_hei_fill", "max_sector_utilisation"})
#: Columns of pounds, which grids show as £12,345 (downloads keep the numbers).
MONEY: Final = frozenset({"tariff", "rate"})
#: Columns of placement weeks, shown to one decimal place.
WEEKS: Final = frozenset({"eligible_weeks", "ineligible_weeks", "unrated_weeks"})
#: Columns of learner counts that may hold a disclosure marker where a count is hidden ("*"),
#: shown as whole numbers; without a formatter a grid read the column as numbers and drew the
#: marker as "Invalid Number".
COUNTS: Final = frozenset({"learners"})
#: Figure-table columns that are numbers (right-aligned even when shown as text).
FIGURE_NUMBERS: Final = frozenset({*MEASURE_LABELS, "share"})


def label(code: str, *, figures: bool = False) -> str:
    """The header for a column code; codes without an entry read as words."""
    known = FIGURE_COLUMNS if figures else COLUMNS
    return known.get(code, as_words(code))
