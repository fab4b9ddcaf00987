from ..codes import ABSENCE_TYPES, SALARY_TYPES
from ..models import AbsenceType, SalaryType


def code_lists_ensure() -> tuple[int, int]:
    """Create the default absence and salary types that are missing; never overwrite edits.

    Returns how many absence and salary types were created.
    """
    have = set(AbsenceType.objects.values_list("code", flat=True))
    absence = [
        AbsenceType(code=code, name_fi=fi, name_sv=sv, category=category, paid_by_default=paid)
        for code, fi, sv, category, paid in ABSENCE_TYPES
        if code not in have
    ]
    AbsenceType.objects.bulk_create(absence)
    have = set(SalaryType.objects.values_list("code", flat=True))
    salary = [SalaryType(code=code, name_fi=fi, name_sv=sv) for code, fi, sv in SALARY_TYPES if code not in have]
    SalaryType.objects.bulk_create(salary)
    return len(absence), len(salary)
