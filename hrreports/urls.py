from django.urls import path

from . import views

app_name = "hrreports"
urlpatterns = [
    path("", views.admin, name="admin"),
    path("reports/", views.reports, name="reports"),
    path("sources/", views.sources, name="sources"),
    path("sources/new/", views.source_edit, name="source-create"),
    path("sources/<int:pk>/", views.source_edit, name="source-edit"),
    path("sources/<int:pk>/columns/<slug:report_type>/", views.source_columns, name="source-columns"),
    path("sources/<int:pk>/preview/", views.source_preview, name="source-preview"),
    path("sources/<int:pk>/upload/", views.source_upload, name="source-upload"),
    path("runs/", views.runs, name="runs"),
    path("runs/new/", views.run_create, name="run-create"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run-status"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_edit, name="unit-create"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("employees/", views.employees, name="employees"),
    path("employees/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("codes/", views.codes, name="codes"),
    path("codes/absence-types/new/", views.absence_type_edit, name="absence-type-create"),
    path("codes/absence-types/<int:pk>/", views.absence_type_edit, name="absence-type-edit"),
    path("codes/salary-types/new/", views.salary_type_edit, name="salary-type-create"),
    path("codes/salary-types/<int:pk>/", views.salary_type_edit, name="salary-type-edit"),
]
