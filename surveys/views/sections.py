from django.shortcuts import render

from kuntaportaali.decorators import staff_permission_required


@staff_permission_required("surveys.view_results")
def results(request):
    return render(request, "surveys/results.html")
