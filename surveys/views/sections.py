from django.shortcuts import render

from kuntaportaali.decorators import staff_permission_required
from surveys.reports.selectors import campaigns_with_complete_counts, campaigns_with_results


@staff_permission_required("surveys.view_results")
def results(request):
    """The results section: every campaign that has called, newest first."""
    campaigns = campaigns_with_complete_counts(campaigns_with_results())
    return render(request, "surveys/results.html", {"campaigns": campaigns})
