from .access import AccessKind, ReportAccess
from .delivery import Delivery, DeliveryFormat, DeliveryStatus, ReportKind, Subscription
from .early_support import Alert, Rule, RuleKind
from .fetching import FetchRun, RejectedRow, Source
from .organisation import SupervisorAssignment, WorkUnit
from .records import Absence, AbsenceCategory, AbsenceType, Employee, Employment, SalaryPayment, SalaryType
from .section import Section

__all__ = [
    "Absence",
    "AbsenceCategory",
    "AbsenceType",
    "AccessKind",
    "Alert",
    "Delivery",
    "DeliveryFormat",
    "DeliveryStatus",
    "Employee",
    "Employment",
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
    "WorkUnit",
]
