"""The HR pages under /staff/hr/. Views parse input, check permission, call one service or selector, render."""

from .alerts import access_log, alert_acknowledge_view, rule_edit, rules
from .codes import absence_type_edit, codes, salary_type_edit
from .deliveries import delivery_run, delivery_runs, teams_channel_delete, teams_channel_edit, teams_channels
from .employees import employee_detail, employees
from .home import admin
from .organisation import assignment_end, unit_detail, unit_edit, units
from .runs import run_create, run_detail, run_status, runs
from .sources import source_columns, source_edit, source_preview, source_upload, sources
from .subscriptions import subscription_delete, subscription_edit, subscriptions
from .unit_reports import reports, unit_report

__all__ = [
    "absence_type_edit",
    "access_log",
    "admin",
    "alert_acknowledge_view",
    "assignment_end",
    "codes",
    "delivery_run",
    "delivery_runs",
    "employee_detail",
    "employees",
    "reports",
    "rule_edit",
    "rules",
    "run_create",
    "run_detail",
    "run_status",
    "runs",
    "salary_type_edit",
    "source_columns",
    "source_edit",
    "source_preview",
    "source_upload",
    "sources",
    "subscription_delete",
    "subscription_edit",
    "subscriptions",
    "teams_channel_delete",
    "teams_channel_edit",
    "teams_channels",
    "unit_detail",
    "unit_edit",
    "unit_report",
    "units",
]
