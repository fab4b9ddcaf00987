from django.urls import path

from .views import announcements, campaigns, consent, contacts, editor, sections

app_name = "surveys"
urlpatterns = [
    path("", editor.survey_list, name="index"),
    path("new/", editor.survey_create, name="survey-create"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<slug:slug>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("campaigns/<slug:slug>/checklist/", campaigns.campaign_checklist, name="campaign-checklist"),
    path("campaigns/<slug:slug>/status/", campaigns.campaign_status, name="campaign-status"),
    path("campaigns/<slug:slug>/progress.json", campaigns.campaign_progress_json, name="campaign-progress"),
    path("campaigns/<slug:slug>/contacts/", contacts.campaign_contacts, name="campaign-contacts"),
    path("campaigns/<slug:slug>/contacts/<int:pk>/", contacts.contact_import, name="contact-import"),
    path(
        "campaigns/<slug:slug>/contacts/<int:pk>/invalid-rows.csv",
        contacts.contact_import_problems_csv,
        name="contact-import-problems",
    ),
    path("consent/", consent.consent_log, name="consent-log"),
    path("consent/export.csv", consent.consent_export_csv, name="consent-export-csv"),
    path("consent/export.xlsx", consent.consent_export_xlsx, name="consent-export-xlsx"),
    path("announcements/", announcements.campaign_list, name="announcements"),
    path("announcements/<slug:slug>/", announcements.campaign_announcements, name="campaign-announcements"),
    path("announcements/<slug:slug>/publish/", announcements.campaign_publish, name="campaign-publish"),
    path("announcements/edit/<int:pk>/", announcements.announcement_edit, name="announcement"),
    path("results/", sections.results, name="results"),
    path("s/<slug:slug>/", editor.survey_detail, name="survey"),
    path("s/<slug:slug>/edit/", editor.survey_edit, name="survey-edit"),
    path("s/<slug:slug>/preview/", editor.survey_preview, name="survey-preview"),
    path("s/<slug:slug>/questions/new/", editor.question_create, name="question-create"),
    path("s/<slug:slug>/questions/<int:position>/", editor.question_edit, name="question"),
    path("s/<slug:slug>/questions/<int:position>/move/", editor.question_move, name="question-move"),
    path("s/<slug:slug>/questions/<int:position>/delete/", editor.question_delete, name="question-delete"),
]
