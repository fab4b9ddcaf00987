from django.contrib import admin

from .models import (
    Announcement,
    Campaign,
    CampaignFixedCost,
    CampaignResultSettings,
    CampaignStatusChange,
    ConsentEvent,
    Contact,
    ContactImport,
    DoNotCall,
    PopulationTarget,
    Survey,
    SurveyVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to administrators, changed only through the portal's own services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    """Consent evidence is append-only: no add, change or delete, not even for a superuser."""

    list_display = ("occurred_at", "kind", "channel", "campaign", "contact_ref", "intro_hash")
    list_filter = ("kind", "channel", "campaign")
    search_fields = ("=contact_ref", "=intro_hash")
    date_hierarchy = "occurred_at"
    list_select_related = ("campaign",)
    actions = None


@admin.register(DoNotCall)
class DoNotCallAdmin(ReadOnlyAdmin):
    list_display = ("phone_hash", "source", "created_at")
    list_filter = ("source",)
    actions = None


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    """Pseudonyms and demographics only: the encrypted number and its hash are never shown."""

    list_display = ("pseudonym", "campaign", "status", "birth_year", "postal_code", "language", "purged_at")
    list_filter = ("campaign", "status", "language")
    fields = ("pseudonym", "campaign", "status", "birth_year", "postal_code", "language", "imported_at", "purged_at")
    search_fields = ("=pseudonym",)
    list_select_related = ("campaign",)
    actions = None


@admin.register(ContactImport)
class ContactImportAdmin(ReadOnlyAdmin):
    list_display = (
        "imported_at",
        "campaign",
        "filename",
        "rows_read",
        "imported",
        "duplicates",
        "invalid",
        "opted_out",
    )
    list_filter = ("campaign",)
    exclude = ("problems",)
    list_select_related = ("campaign",)
    actions = None


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("slug", "organiser", "created_by", "created_at")
    search_fields = ("slug", "organiser")


@admin.register(SurveyVersion)
class SurveyVersionAdmin(ReadOnlyAdmin):
    list_display = ("survey", "number", "title_fi", "frozen_at")
    list_filter = ("survey",)


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "status", "start_date", "end_date", "caller_number", "is_demo_window")
    list_filter = ("status", "is_demo_window")
    search_fields = ("slug", "name")


@admin.register(CampaignStatusChange)
class CampaignStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "from_status", "to_status", "changed_by", "changed_at", "note")
    list_filter = ("campaign",)


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "channel", "language", "published_on", "published_by")
    list_filter = ("channel", "language", "campaign")


@admin.register(PopulationTarget)
class PopulationTargetAdmin(ReadOnlyAdmin):
    """Edited on the portal's targets page, which checks that each dimension's shares add up to 1."""

    list_display = ("dimension", "category", "share", "updated_by", "updated_at")
    list_filter = ("dimension",)


@admin.register(CampaignFixedCost)
class CampaignFixedCostAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "description", "amount", "created_by", "created_at")
    list_filter = ("campaign",)
    list_select_related = ("campaign", "created_by")


@admin.register(CampaignResultSettings)
class CampaignResultSettingsAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "eligibility_e", "weighting_dimensions", "trim_cap", "updated_at")
    list_select_related = ("campaign",)
