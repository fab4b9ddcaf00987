"""Contact lists: a data broker's file becomes encrypted, deduplicated contacts of one campaign."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.contact_files import ContactRow, birth_year_clean, contact_file_read, language_clean, postal_code_clean
from surveys.errors import SurveyError
from surveys.models import Campaign, CampaignStatus, Contact, ContactImport, DoNotCall
from surveys.phone_numbers import InvalidPhoneNumber, phone_encrypt, phone_hash, phone_normalise

from .privacy import do_not_call_lock

IMPORTABLE_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.READY, CampaignStatus.PAUSED)
# The report keeps the first problems; the counts keep counting past them.
MAX_PROBLEMS_KEPT = 1_000
MAX_PROBLEM_VALUE_CHARS = 100
BULK_BATCH_SIZE = 1_000
HASH_LOOKUP_CHUNK = 5_000


def contacts_import(
    *, campaign: Campaign, data: bytes, filename: str, by: AbstractBaseUser | None = None
) -> ContactImport:
    """Import a contact file into `campaign` in one transaction and return its report.

    Raises SurveyError, with nothing written, when the campaign takes no contacts or the file is
    unusable as a whole. Row by row, numbers are normalised to E.164; invalid ones, duplicates
    (in the file or already in the campaign) and numbers on the do-not-call registry are counted
    and left out, so that rows_read == imported + duplicates + invalid + opted_out.
    """
    _check_campaign_takes_contacts(campaign)
    parsed = contact_file_read(data, max_bytes=settings.CONTACT_FILE_MAX_BYTES)
    this_year = timezone.localdate().year

    with transaction.atomic():
        # One import at a time per campaign, so two uploads of the same file cannot both pass the dedupe.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _check_campaign_takes_contacts(campaign)
        do_not_call_lock()
        report = ContactImport(campaign=campaign, filename=filename[:255], imported_by=by)
        normalised = _normalise_rows(parsed.rows, report)
        hashes = {number_hash for _row, _number, number_hash in normalised}
        in_campaign = _existing_hashes(Contact.objects.filter(campaign=campaign), hashes)
        do_not_call = _existing_hashes(DoNotCall.objects.all(), hashes)

        seen: set[str] = set()
        contacts = []
        for row, number, number_hash in normalised:
            if number_hash in seen or number_hash in in_campaign:
                report.duplicates += 1
            elif number_hash in do_not_call:
                report.opted_out += 1
            else:
                contacts.append(
                    Contact(
                        campaign=campaign,
                        phone_encrypted=phone_encrypt(number),
                        phone_hash=number_hash,
                        birth_year=birth_year_clean(birth_year=row.birth_year, age=row.age, this_year=this_year),
                        postal_code=postal_code_clean(row.postal_code),
                        language=language_clean(row.language),
                    )
                )
            seen.add(number_hash)
        Contact.objects.bulk_create(contacts, batch_size=BULK_BATCH_SIZE)
        report.imported = len(contacts)
        report.rows_read = len(parsed.rows)
        report.save()
    return report


def _check_campaign_takes_contacts(campaign: Campaign) -> None:
    if campaign.status not in IMPORTABLE_STATUSES:
        raise SurveyError(
            _("The campaign is %(status)s: contacts can be added only to a draft, ready or paused campaign.")
            % {"status": campaign.get_status_display().lower()}
        )


def _normalise_rows(rows: list[ContactRow], report: ContactImport) -> list[tuple[ContactRow, str, str]]:
    """(row, E.164 number, keyed hash) of each valid row; invalid rows are counted and described."""
    valid = []
    problems = []
    for row in rows:
        try:
            number = phone_normalise(row.phone, region=settings.PHONE_REGION)
        except InvalidPhoneNumber as error:
            report.invalid += 1
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append({"row": row.row, "value": row.phone[:MAX_PROBLEM_VALUE_CHARS], "reason": str(error)})
            continue
        valid.append((row, number, phone_hash(number)))
    report.problems = problems
    return valid


def _existing_hashes(queryset, hashes: Iterable[str]) -> set[str]:
    wanted = list(hashes)
    found: set[str] = set()
    for start in range(0, len(wanted), HASH_LOOKUP_CHUNK):
        chunk = wanted[start : start + HASH_LOOKUP_CHUNK]
        found.update(queryset.filter(phone_hash__in=chunk).values_list("phone_hash", flat=True))
    return found
