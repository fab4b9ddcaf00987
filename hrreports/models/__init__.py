from .fetching import FetchRun, RejectedRow, Source
from .organisation import SupervisorAssignment, WorkUnit
from .records import Absence, AbsenceCategory, AbsenceType, Employee, Employment, SalaryPayment, SalaryType
from .section import Section

__all__ = [
    "Absence",
    "AbsenceCategory",
    "AbsenceType",
    "Employee",
    "Employment",
    "FetchRun",
    "RejectedRow",
    "SalaryPayment",
    "SalaryType",
    "Section",
    "Source",
    "SupervisorAssignment",
    "WorkUnit",
]
