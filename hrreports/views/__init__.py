"""The HR pages under /staff/hr/. Views parse input, check permission, call one service or selector, render."""

from .codes import absence_type_edit, codes, salary_type_edit
from .employees import employee_detail, employees
from .home import admin, reports
from .organisation import assignment_end, unit_detail, unit_edit, units
from .runs import run_create, run_detail, run_status, runs
from .sources import source_columns, source_edit, source_preview, source_upload, sources

__all__ = [
    "absence_type_edit",
    "admin",
    "assignment_end",
    "codes",
    "employee_detail",
    "employees",
    "reports",
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
    "unit_detail",
    "unit_edit",
    "units",
]
