"""The residents' opt-out form: a number goes on the do-not-call registry, and every call to it stops.

Whatever the number, the resident sees the same confirmation: the form must not tell anyone
whether a number is on a contact list or on the registry already.
"""

import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from redis.exceptions import RedisError

from kuntaportaali.client_address import client_address
from kuntaportaali.ratelimit import rate_limit_exceeded
from surveys.contact_forms import OptOutForm
from surveys.models import ConsentChannel
from surveys.services.privacy import opt_out_request

logger = logging.getLogger(__name__)
OPT_OUT_WINDOW_SECONDS = 3600


@require_http_methods(["GET", "POST"])
def opt_out(request):
    form = OptOutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _limited(request):
            return render(request, "surveys/public/opt_out_limited.html", status=429)
        if form.is_valid():
            opt_out_request(raw_number=form.cleaned_data["phone"], source=ConsentChannel.WEB)
            logger.info("A web opt-out was registered.")
            return redirect("surveys-public:opt-out-done")
    return render(request, "surveys/public/opt_out.html", {"form": form})


def _limited(request) -> bool:
    """Whether this address posted too often. Without Redis the limit cannot be counted and the
    opt-out is let through: a resident must be able to opt out whatever the cache does."""
    try:
        return rate_limit_exceeded(
            scope="opt-out",
            key=client_address(request),
            limit=settings.OPT_OUT_LIMIT_PER_HOUR,
            window_seconds=OPT_OUT_WINDOW_SECONDS,
        )
    except RedisError as error:
        logger.warning("The opt-out limit was not counted, the opt-out let through: %s", error)
        return False


@require_http_methods(["GET"])
def opt_out_done(request):
    return render(request, "surveys/public/opt_out_done.html")
