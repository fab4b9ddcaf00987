from django.shortcuts import render

from kuntaportaali.decorators import staff_permission_required


@staff_permission_required("surveys.manage_surveys")
def index(request):
    return render(request, "surveys/index.html")


@staff_permission_required("surveys.publish_announcements")
def announcements(request):
    return render(request, "surveys/announcements.html")


@staff_permission_required("surveys.view_results")
def results(request):
    return render(request, "surveys/results.html")
