"""django-filter filter sets of the surveys app."""

import django_filters
from django.utils.translation import gettext_lazy as _

from surveys.models import Campaign, ConsentChannel, ConsentEvent, ConsentKind


class ConsentEventFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.order_by("slug"), empty_label=_("All campaigns")
    )
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=ConsentKind.choices, empty_label=_("All events"))
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=ConsentChannel.choices, empty_label=_("All channels")
    )

    class Meta:
        model = ConsentEvent
        fields = ("campaign", "kind", "channel")
