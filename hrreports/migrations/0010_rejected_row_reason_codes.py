"""Rejection reasons are stored as a code and its parameters (worded in the reader's language when shown)
instead of English text. The English reasons stored so far are read back into codes once; a reason that
named several fields ("start: not a real calendar date; paid: not yes or no (K/E, 1/0)") becomes one
rejected row per field, as the fetch now records them; text that is no known reason is kept as it is."""

import re

from django.db import migrations, models

# The English reasons the portal stored before this migration, and their codes.
FIXED = {
    "not a real calendar date": "value_not_a_real_date",
    "not a date in the form d.m.yyyy, YYYYMMDD or YYYY-MM-DD": "value_not_a_date",
    "not a real month": "value_not_a_month",
    "not a pay period in the form YYYY-MM, YYYYMM or m/yyyy": "value_not_a_pay_period",
    "not a number": "value_not_a_number",
    "not a number (use a decimal comma, e.g. 1234,50)": "value_not_a_number",
    "not a finite number": "value_not_a_number",
    "amount out of range": "value_amount_out_of_range",
    "working time must be more than 0 and at most 100 per cent": "value_working_time_out_of_range",
    "not yes or no (K/E, 1/0)": "value_not_yes_or_no",
    "a unit code cannot contain a slash (/)": "value_unit_code_slash",
    "a required value is missing": "row_value_missing",
    "the end date is before the start date": "row_end_before_start",
    "the row is not a JSON object": "row_not_json_object",
    "duplicate row: this unit code appears twice": "unit_duplicate",
    "unknown parent unit code": "unit_parent_unknown",
    "unknown work unit code": "unit_unknown",
    "unknown employment": "employment_unknown",
    "this employment id belongs to another person": "employment_of_another_person",
    "unknown absence code: add it to the absence types first": "absence_code_unknown",
    "unknown salary type code: add it to the salary types first": "salary_type_unknown",
}
PATTERNS = (
    (re.compile(r"^longer than (?P<limit>\d+) characters$"), "value_code_too_long"),
    (
        re.compile(r"^duplicate row: employment (?P<employment>.+) is already on row (?P<row>\d+)$"),
        "employment_duplicate",
    ),
    (re.compile(r"^duplicate row: the same absence is already on row (?P<row>\d+)$"), "absence_duplicate"),
    (re.compile(r"^duplicate row: the same payment is already on row (?P<row>\d+)$"), "salary_duplicate"),
    (
        re.compile(r"^the row has (?P<found>\d+) columns but the header has (?P<header>\d+)$"),
        "row_more_columns_than_header",
    ),
    (
        re.compile(
            r"^the row has only (?P<found>\d+) columns, (?P<needed>\d+) are needed \(is the file truncated\?\)$"
        ),
        "row_too_few_columns",
    ),
)
EMPLOYMENT_KIND = "not an employment kind (vakinainen or määräaikainen)"
_PART = re.compile(r"^(?P<field>[a-z_]+): (?P<reason>.+)$")


def reason_code(reason: str, value: str) -> tuple[str, dict]:
    """One stored English reason as (code, parameters)."""
    if reason in FIXED:
        return FIXED[reason], {}
    if reason == EMPLOYMENT_KIND:
        # The words the portal read at the time.
        return "value_employment_kind_unknown", {"value": value, "accepted": "vakinainen, määräaikainen"}
    for pattern, code in PATTERNS:
        match = pattern.match(reason)
        if match:
            return code, {name: int(text) if text.isdigit() else text for name, text in match.groupdict().items()}
    return "reason_as_stored", {"text": reason}


def reason_parts(field: str, reason: str) -> list[tuple[str, str]]:
    """[(field, reason)]: a reason naming several fields split into one per field."""
    parts = [_PART.match(part) for part in reason.split("; ")]
    if len(parts) > 1 and all(parts):
        return [(match["field"], match["reason"]) for match in parts]
    return [(field, reason)]


def reasons_to_codes(apps, schema_editor):
    RejectedRow = apps.get_model("hrreports", "RejectedRow")
    for rejected in RejectedRow.objects.order_by("pk").iterator():
        parts = reason_parts(rejected.field, rejected.reason)
        for index, (field, reason) in enumerate(parts):
            code, params = reason_code(reason, rejected.value if index == 0 else "")
            if index == 0:
                rejected.field, rejected.code, rejected.params = field, code, params
                rejected.save(update_fields=["field", "code", "params"])
            else:
                RejectedRow.objects.create(
                    run_id=rejected.run_id,
                    report_type=rejected.report_type,
                    file=rejected.file,
                    row=rejected.row,
                    field=field,
                    value="",
                    reason="",
                    code=code,
                    params=params,
                )


def codes_to_reasons(apps, schema_editor):
    """Back to English text: the codes' reasons as the portal worded them."""
    from django.utils import translation

    import hrreports.errors  # noqa: F401 (registers the codes)
    from kuntaportaali.tabular.problems import problem_message

    RejectedRow = apps.get_model("hrreports", "RejectedRow")
    with translation.override("en"):
        for rejected in RejectedRow.objects.order_by("pk").iterator():
            rejected.reason = problem_message(rejected.code, rejected.params)[:500]
            rejected.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [("hrreports", "0009_rule_names_alert_reached_on")]

    operations = [
        migrations.AddField(
            model_name="rejectedrow",
            name="code",
            field=models.CharField(default="", max_length=64, verbose_name="reason code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rejectedrow",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="reason parameters"),
        ),
        migrations.AlterField(
            model_name="rejectedrow",
            name="reason",
            field=models.CharField(blank=True, default="", max_length=500, verbose_name="reason"),
        ),
        migrations.RunPython(reasons_to_codes, codes_to_reasons),
    ]
