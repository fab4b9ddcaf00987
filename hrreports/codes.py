"""The default code lists: absence types (KVTES-style, as municipalities set them up in Populus)
and salary types. HR administration may edit names and add codes; these are only created when missing."""

from .models.records import AbsenceCategory as C

# code, Finnish name, Swedish name, category, paid by default
ABSENCE_TYPES = (
    ("101", "Sairauspoissaolo, lääkärintodistus", "Sjukfrånvaro, läkarintyg", C.SICK_LEAVE, True),
    ("102", "Sairauspoissaolo, oma ilmoitus", "Sjukfrånvaro, egen anmälan", C.SICK_LEAVE, True),
    ("110", "Työtapaturma", "Olycksfall i arbetet", C.OCCUPATIONAL_ACCIDENT, True),
    ("111", "Ammattitauti", "Yrkessjukdom", C.OCCUPATIONAL_ACCIDENT, True),
    ("200", "Vuosiloma", "Semester", C.ANNUAL_LEAVE, True),
    ("201", "Säästövapaa", "Sparad ledighet", C.ANNUAL_LEAVE, True),
    ("300", "Tilapäinen hoitovapaa", "Tillfällig vårdledighet", C.CHILD_CARE, True),
    ("400", "Raskausvapaa", "Graviditetsledighet", C.FAMILY_LEAVE, True),
    ("410", "Vanhempainvapaa", "Föräldraledighet", C.FAMILY_LEAVE, True),
    ("420", "Hoitovapaa", "Vårdledighet", C.FAMILY_LEAVE, False),
    ("500", "Palkaton virkavapaa tai työloma", "Oavlönad tjänstledighet eller arbetsledighet", C.UNPAID_LEAVE, False),
    ("600", "Koulutus", "Utbildning", C.OTHER, True),
    ("700", "Kuntoutus", "Rehabilitering", C.OTHER, True),
)

SALARY_TYPES = (
    ("1001", "Tehtäväkohtainen palkka", "Uppgiftsrelaterad lön"),
    ("1101", "Henkilökohtainen lisä", "Personligt tillägg"),
    ("1201", "Kokemuslisä", "Erfarenhetstillägg"),
    ("2001", "Iltatyölisä", "Kvällstillägg"),
    ("2002", "Yötyölisä", "Nattillägg"),
    ("2003", "Lauantaityökorvaus", "Lördagsersättning"),
    ("2004", "Sunnuntaityökorvaus", "Söndagsersättning"),
    ("2101", "Ylityökorvaus", "Övertidsersättning"),
    ("3001", "Lomaraha", "Semesterpenning"),
    ("3101", "Lomakorvaus", "Semesterersättning"),
)
