"""The one UI kit: everything pages draw with, and their way to the database.

Pages import it as one namespace (``from tracker import components as ui``) and call
``ui.page_header(...)``, ``ui.reading()``, ``ui.grid(...)``: everything a page uses is named
here, so no page repeats a list of the kit's modules. Modules by what they make: ``guard``
(page guard, callback principal, page header, app settings), ``sessions``
(``reading()``/``writing()``: a callback's session), ``grids`` (``column_chooser`` above
wide ones), ``downloads``, ``charts``
(house chart style) with ``figures`` (pipeline, as ``ui.figures``), ``capacity_figures``
and ``outlook_figures``, ``cards``, ``alerts``, ``fields``, ``pipeline_filters`` and
``dashboards`` (the pipeline dashboards' shared path), ``registers`` (the register pages'
skeleton), ``filtered_views`` and ``register_tables`` (filters that load a page's views and
downloads), ``actions`` (buttons that change records, with their outcome line), ``drawn``
(drawn content cached beside the reports), ``staff_change`` (the hand change of a named
learner's supervisor or assessor) and ``run_tokens``. Nothing here computes figures or
decides access: reports come from services and queries, permissions from ``tracker.access``.
"""

from tracker.components import capacity_figures, figures
from tracker.components.actions import action, fill_form, lock, opened, picked, require
from tracker.components.alerts import (
    disclosure_notice,
    message,
    notice,
    notice_empty,
    refused_alert,
    result_alert,
)
from tracker.components.capacity_figures import (
    calendar_timeline,
    coverage_figure,
    heatmap,
    settings_map,
)
from tracker.components.cards import (
    card,
    chart_card,
    chart_row,
    form_card,
    format_count,
    format_money,
    format_rate,
    graph_card,
    loading,
    rate_text,
    scrolling_box,
    stat_card,
    stat_row,
    table_card,
)
from tracker.components.charts import CHART_TEMPLATE, graph, plain_figure, ratio_bars
from tracker.components.dashboards import PipelineReport, pipeline_report
from tracker.components.downloads import (
    chosen_format,
    download_buttons,
    file_button,
    report_download,
    send_table,
    table_download,
)
from tracker.components.drawn import drawn, drawn_capacity
from tracker.components.fields import (
    block_choices,
    button,
    choice,
    choice_field,
    code_options,
    coded_options,
    confirm_dialog,
    dropdown,
    dropdown_filter,
    field,
    filter_field,
    group_options,
    hei_filter,
    named,
    sector_options,
)
from tracker.components.filtered_views import FilteredView
from tracker.components.grids import (
    COUNT_RANGE,
    column_defs,
    editable_number,
    grid,
    records,
    scrolling_table,
    table,
)
from tracker.components.guard import (
    app_audit_interval,
    app_disclosure_policy,
    app_import_limits,
    app_mail_server,
    app_quality_min_responses,
    app_secret,
    app_single_sign_on,
    callback_principal,
    forbidden,
    page_guard,
    page_header,
)
from tracker.components.outlook_figures import (
    comparison_figure,
    outlook_figure,
    shortfall_heatmap,
)
from tracker.components.pipeline_filters import (
    FilterValue,
    dashboard,
    filter_inputs,
    filter_states,
    filters_from_values,
)
from tracker.components.quality_figures import quality_trend_figure
from tracker.components.register_tables import RegisterTable
from tracker.components.registers import (
    CHOOSE_TO_EDIT,
    children,
    clicks,
    edit_form,
    follow_search,
    grid_rows,
    inputs,
    learner_filters,
    refused,
    register_grid,
    register_layout,
    saved,
    search_box,
    shown,
    states,
    stored,
    stores,
)
from tracker.components.run_tokens import run_token, token_run_id
from tracker.components.sessions import DbSession, job_database, reading, writing
from tracker.components.staff_change import (
    chosen_id,
    chosen_placement,
    staff_change_card,
    staff_options,
)

__all__ = [
    "CHART_TEMPLATE",
    "CHOOSE_TO_EDIT",
    "COUNT_RANGE",
    "DbSession",
    "FilterValue",
    "FilteredView",
    "PipelineReport",
    "RegisterTable",
    "action",
    "app_audit_interval",
    "app_disclosure_policy",
    "app_import_limits",
    "app_mail_server",
    "app_quality_min_responses",
    "app_secret",
    "app_single_sign_on",
    "block_choices",
    "button",
    "calendar_timeline",
    "callback_principal",
    "capacity_figures",
    "card",
    "chart_card",
    "chart_row",
    "children",
    "choice",
    "choice_field",
    "chosen_format",
    "chosen_id",
    "chosen_placement",
    "clicks",
    "code_options",
    "coded_options",
    "column_defs",
    "comparison_figure",
    "confirm_dialog",
    "coverage_figure",
    "dashboard",
    "disclosure_notice",
    "download_buttons",
    "drawn",
    "drawn_capacity",
    "dropdown",
    "dropdown_filter",
    "edit_form",
    "editable_number",
    "field",
    "figures",
    "file_button",
    "fill_form",
    "filter_field",
    "filter_inputs",
    "filter_states",
    "filters_from_values",
    "follow_search",
    "forbidden",
    "form_card",
    "format_count",
    "format_money",
    "format_rate",
    "graph",
    "graph_card",
    "grid",
    "grid_rows",
    "group_options",
    "heatmap",
    "hei_filter",
    "inputs",
    "job_database",
    "learner_filters",
    "loading",
    "lock",
    "message",
    "named",
    "notice",
    "notice_empty",
    "opened",
    "outlook_figure",
    "page_guard",
    "page_header",
    "picked",
    "pipeline_report",
    "plain_figure",
    "quality_trend_figure",
    "rate_text",
    "ratio_bars",
    "reading",
    "records",
    "refused",
    "refused_alert",
    "register_grid",
    "register_layout",
    "report_download",
    "require",
    "result_alert",
    "run_token",
    "saved",
    "scrolling_box",
    "scrolling_table",
    "search_box",
    "sector_options",
    "send_table",
    "settings_map",
    "shortfall_heatmap",
    "shown",
    "staff_change_card",
    "staff_options",
    "stat_card",
    "stat_row",
    "states",
    "stored",
    "stores",
    "table",
    "table_card",
    "table_download",
    "token_run_id",
    "writing",
]
