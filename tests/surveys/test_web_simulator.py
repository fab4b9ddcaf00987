"""The simulated residents' visits to their links leave the process as they found it."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from surveys.synthetic_population import ContactFacts
from surveys.web_simulator import CLOSED, Browser, LinkVisit


@pytest.mark.django_db
def test_a_swedish_residents_visit_leaves_the_language_it_found():
    """A planner's run plays its residents' web visits in the worker's own thread: a Swedish resident's
    pages left Swedish active, so the prediction's panel, drawn after the run, came out in Swedish."""
    with translation.override("sv"):
        link = settings.PUBLIC_BASE_URL + reverse("surveys-public:web-survey", args=["vanhentunut"])
    visit = LinkVisit(
        moment=datetime(2026, 3, 2, 10, tzinfo=UTC),
        link=link,
        contact=ContactFacts(pseudonym="p1", birth_year=1990, postal_code="00100", language="sv"),
        version_id=0,
        year=2026,
        seed=1,
    )

    assert Browser().visit(visit) == CLOSED
    assert translation.get_language() == "fi"
