from .access import AccessKind, ReportAccess
from .delivery import Delivery, DeliveryFormat, DeliveryRun, DeliveryStatus, ReportKind, Subscription
from .early_support import Alert, Rule, RuleKind
from .fetching import FetchRun, RejectedRow, Source
from .organisation import SupervisorAssignment, WorkUnit
from .records import (
    Absence,
    AbsenceCategory,
    AbsenceDeletion,
    AbsenceType,
    Employee,
    Employment,
    EmploymentMonth,
    SalaryPayment,
    SalaryType,
)
from .section import Section
from .teams import TeamsChannel

__all__ = [
    "Absence",
    "AbsenceCategory",
    "AbsenceDeletion",
    "AbsenceType",
    "AccessKind",
    "Alert",
    "Delivery",
    "DeliveryFormat",
    "DeliveryRun",
    "DeliveryStatus",
    "Employee",
    "Employment",
    "EmploymentMonth",
    "FetchRun",
    "RejectedRow",
    "ReportAccess",
    "ReportKind",
    "Rule",
    "RuleKind",
    "SalaryPayment",
    "SalaryType",
    "Section",
    "Source",
    "Subscription",
    "SupervisorAssignment",
    "TeamsChannel",
    "WorkUnit",
]
