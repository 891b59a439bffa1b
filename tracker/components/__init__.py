"""The one UI kit: everything pages draw with, and their way to the database.

Modules by what they make: ``guard`` (page guard, callback principal, page header),
``sessions`` (``reading()``/``writing()``: a callback's session), ``grids``, ``downloads``,
``charts`` (house chart style) with ``figures`` (pipeline) and ``capacity_figures``,
``cards``, ``alerts``, ``fields`` and ``pipeline_filters``, ``drawn`` (drawn content cached
beside the reports) and ``run_tokens``. Nothing here computes figures or decides access:
reports come from services and queries, permissions from ``tracker.access``.
"""

from tracker.components.alerts import message, notice, result_alert
from tracker.components.cards import (
    card,
    chart_card,
    format_count,
    format_rate,
    loading,
    stat_card,
    stat_row,
    table_card,
)
from tracker.components.charts import CHART_TEMPLATE, graph, plain_figure
from tracker.components.downloads import chosen_format, download_buttons, send_table
from tracker.components.guard import callback_principal, forbidden, page_guard, page_header
from tracker.components.sessions import reading, writing

__all__ = [
    "CHART_TEMPLATE",
    "callback_principal",
    "card",
    "chart_card",
    "chosen_format",
    "download_buttons",
    "forbidden",
    "format_count",
    "format_rate",
    "graph",
    "loading",
    "message",
    "notice",
    "page_guard",
    "page_header",
    "plain_figure",
    "reading",
    "result_alert",
    "send_table",
    "stat_card",
    "stat_row",
    "table_card",
    "writing",
]
