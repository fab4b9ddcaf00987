from django.urls import path

from . import views

app_name = "hrreports"
urlpatterns = [
    path("", views.admin, name="admin"),
    path("reports/", views.reports, name="reports"),
]
