"""The errors of the HR reports, and the reasons they give: a row rejected, a fetch run failed, a
setting, an alert or a subscription refused.

A reason is a code and its parameters (kuntaportaali.tabular.problems.Problem), stored as such and
worded in the reader's language only when it is shown, so the rejected rows of a run read in Finnish
on a Finnish page and in Swedish on a Swedish one. The reasons of the shared file reader (a cell that
is not a date, a file that is not UTF-8...) are registered there; the HR reports' own ones here.
"""

from django.utils.translation import gettext_noop

from kuntaportaali.tabular.problems import CodedError, Problem, problem_dates_register, problem_messages_register

# A fetch or delivery run the sweep ended; also the run's English error, for logs.
WORKER_STOPPED = gettext_noop("The worker stopped before the run finished; start it again.")


class HrError(CodedError):
    """Something a person must fix before the HR reports can do what was asked; `field` names the
    setting at fault when a form should show the error at its field."""

    def __init__(self, reason: Problem | str, *, field: str | None = None):
        super().__init__(reason)
        self.field = field


class PopulusError(HrError):
    """A source, its files or a fetch of them: a source's settings, a file, the organisation it gives."""


class TransientSourceError(PopulusError):
    """The source did not answer this time (timeout, connection refused, HTTP 5xx); retrying may help."""


class TeamsError(HrError):
    """A Teams channel was refused: its webhook address, or its unit."""


class AlertError(HrError):
    """An early-support alert could not be acknowledged."""


class SubscriptionError(HrError):
    """A subscription to a unit's reports, or the monthly delivery of them, was refused."""


problem_messages_register(
    {
        # A row as a whole
        "row_value_missing": gettext_noop("a required value is missing"),
        "row_end_before_start": gettext_noop("the end date is before the start date"),
        "row_not_json_object": gettext_noop("the row is not a JSON object"),
        "row_more_columns_than_header": gettext_noop("the row has %(found)s columns but the header has %(header)s"),
        "row_too_few_columns": gettext_noop(
            "the row has only %(found)s columns, %(needed)s are needed (is the file truncated?)"
        ),
        # One value
        "value_code_too_long": gettext_noop("longer than %(limit)s characters"),
        "value_unit_code_slash": gettext_noop("a unit code cannot contain a slash (/)"),
        "value_not_a_month": gettext_noop("not a real month"),
        "value_not_a_pay_period": gettext_noop("not a pay period in the form YYYY-MM, YYYYMM or m/yyyy"),
        "value_amount_out_of_range": gettext_noop("amount out of range"),
        "value_days_out_of_range": gettext_noop("the number of days must be between 0 and 10000"),
        "value_working_time_out_of_range": gettext_noop("working time must be more than 0 and at most 100 per cent"),
        "value_not_yes_or_no": gettext_noop("not yes or no (K/E, 1/0)"),
        "value_employment_kind_unknown": gettext_noop(
            "%(value)s is not an employment kind the portal knows; it reads these words: %(accepted)s"
        ),
        "value_employment_kind_contradictory": gettext_noop(
            "%(value)s says both permanent and fixed-term, or both public office and employment contract"
        ),
        "value_working_time_ambiguous": gettext_noop(
            "%(value)s could mean %(value)s %% or %(percent)s %%: write the working time in per cent "
            "(e.g. %(percent)s) or format the cell as a percentage"
        ),
        # What the row refers to
        "unit_duplicate": gettext_noop("duplicate row: this unit code appears twice"),
        "unit_parent_unknown": gettext_noop("unknown parent unit code"),
        "unit_unknown": gettext_noop("unknown work unit code"),
        "employment_unknown": gettext_noop("unknown employment"),
        "employment_of_another_person": gettext_noop("this employment id belongs to another person"),
        "unit_of_another_source": gettext_noop(
            "unit %(unit)s is supplied by the source %(source)s: a unit comes from one active source, so that "
            "its figures are neither counted twice nor replaced (switch that source off to move the unit here)"
        ),
        "employment_of_another_source": gettext_noop(
            "employment %(employment)s is supplied by the source %(source)s: an employment comes from one "
            "active source, so that its salaries are not counted twice nor its absences replaced"
        ),
        "employment_row_rejected": gettext_noop(
            "the employment's own row (row %(row)s of %(file)s) was rejected: fix that row, then fetch again"
        ),
        "employment_duplicate": gettext_noop("duplicate row: employment %(employment)s is already on row %(row)s"),
        "absence_code_unknown": gettext_noop("unknown absence code: add it to the absence types first"),
        "value_change_unknown": gettext_noop(
            "“%(value)s” does not say whether the record is added or deleted: U (uusi, added) or P (poisto, deleted)"
        ),
        "absence_duplicate": gettext_noop("duplicate row: the same absence is already on row %(row)s"),
        "absence_conflicting": gettext_noop(
            "another record of the same absence (its type and start) on row %(row)s ends on another day or gives "
            "other days: which one holds the file does not say (a change comes as the old record deleted and the "
            "new one added)"
        ),
        "salary_type_unknown": gettext_noop("unknown salary type code: add it to the salary types first"),
        "salary_repeated": gettext_noop(
            "the same payment (employment, pay period, payment date, salary type and amount) is already on row "
            "%(row)s of %(file)s: a repeated row is stored once"
        ),
        "absence_outside_month": gettext_noop(
            "the absence %(start)s–%(end)s has no day in %(month)s, the month fetched: it belongs to the file of "
            "its own month"
        ),
        "absence_before_months_corrected": gettext_noop(
            "the absence %(start)s–%(end)s ended before %(first_month)s, the earliest month whose figures the file "
            "of %(month)s may still correct"
        ),
        "salary_paid_outside_month": gettext_noop(
            "paid on %(payment_date)s, not in %(month)s, the month fetched: a payment belongs to the file of the "
            "month it was paid in"
        ),
        # Reasons of rows rejected before reasons were codes; no longer given
        "salary_duplicate": gettext_noop("duplicate row: the same payment is already on row %(row)s"),
        # A whole file
        "upload_too_large": gettext_noop("The file is larger than 50 MB."),
        "preview_database_error": gettext_noop(
            "The database refused the file's rows (%(error)s): a fetch of it would fail too. See the web server's log."
        ),
        "file_unreadable": gettext_noop("%(file)s: %(reason)s"),
        "file_change_column_unread": gettext_noop(
            "Column %(column)s of %(file)s holds only P and U, as Populus marks its deleted (P) and added (U) "
            "absence records, but the source does not read it: the deleted absences would be stored as absences. "
            "Read that column as the record kind (added or deleted) in the source's columns."
        ),
        "file_missing": gettext_noop(
            "No file of %(report)s for %(month)s in %(folder)s: expected a file named %(pattern)s."
        ),
        "file_os_error": gettext_noop("The file %(file)s cannot be read: %(error)s."),
        "folder_missing": gettext_noop("The folder %(folder)s does not exist or cannot be read."),
        "folder_outside_root": gettext_noop("The folder %(folder)s is outside the permitted file root %(root)s."),
        "file_outside_root": gettext_noop(
            "The file %(file)s leads outside the permitted file root %(root)s (a link to another file): it is "
            "not read. Put the export itself in the folder."
        ),
        "file_columns_missing": gettext_noop(
            "The file %(file)s has no column %(missing)s. Its header row has: %(found)s. "
            "Fix the source's column map or the export."
        ),
        "file_sheet_hidden": gettext_noop(
            "The sheet %(file)s holds the report's columns but is hidden, so the file does not say whether its "
            "rows belong to the report: show the sheet, or delete it, and try again."
        ),
        "file_column_twice": gettext_noop(
            "The file %(file)s has more than one column named “%(column)s” (columns %(columns)s), so it does "
            "not say which one is meant: give the column's number instead of its name in the source's column map."
        ),
        "file_no_sheet_with_header": gettext_noop(
            "No sheet of %(file)s has a header row with the columns %(expected)s (looked for in the first 20 rows "
            "of each sheet). Fix the source's column map or the export."
        ),
        "file_first_row_is_data": gettext_noop(
            "The file %(file)s has no header row: its first row is data. Untick “The files have a header row” "
            "in the source's settings and give the columns by number."
        ),
        "file_wrong_delimiter": gettext_noop(
            "The file %(file)s seems to be separated by %(found)s, but the source expects %(expected)s. "
            "Change the source's delimiter, or let the portal find it (Automatic)."
        ),
        "file_column_map_incomplete": gettext_noop(
            "The column map of %(report)s gives no column for %(field)s, which is required."
        ),
        "file_columns_by_name_without_header": gettext_noop(
            "The column map of %(report)s names %(field)s by header, but the source's files have no header row: "
            "give column numbers instead."
        ),
        # The integration endpoint of an HTTP source
        "http_no_hosts_allowed": gettext_noop(
            "No integration endpoint may be contacted: the setting POPULUS_HTTP_ALLOWED_HOSTS lists no hosts. "
            "Until the portal's administrator lists there the hosts of the Populus endpoints (comma-separated, "
            "with a port if needed), no HTTP source can be saved or fetched."
        ),
        "http_not_encrypted": gettext_noop(
            "The address %(url)s is plain http: the token and the payroll data would travel unencrypted. "
            "Use the endpoint's https address (plain http reaches only this machine, for a local endpoint)."
        ),
        "http_host_not_allowed": gettext_noop(
            "The host %(host)s is not among the endpoints the portal may contact (the setting "
            "POPULUS_HTTP_ALLOWED_HOSTS: %(allowed)s). Check the address, or ask the portal's administrator to "
            "add the host to the setting."
        ),
        "http_host_address_refused": gettext_noop(
            "The host %(host)s resolves to %(address)s, a loopback, link-local or otherwise reserved address: "
            "the portal contacts such an address only when the setting POPULUS_HTTP_ALLOWED_HOSTS names the "
            "address itself."
        ),
        "http_address_malformed": gettext_noop(
            "The address %(url)s is refused: an endpoint's address may not hold a backslash, a user name before "
            "the host (…@host), spaces or control characters, and must start with http:// or https://. Such "
            "characters can make the request go to another host than the one the address seems to name."
        ),
        "http_host_unresolved": gettext_noop("The host name %(host)s could not be resolved (%(error)s)."),
        "http_redirect_refused": gettext_noop(
            "The endpoint %(url)s redirected to %(location)s. The portal follows no redirects (the token would "
            "go along): if the new address is right, make it the source's address."
        ),
        # A source's settings, its column maps and the files uploaded to it
        "source_kind_unknown": gettext_noop("Unknown source kind '%(kind)s'; the known kinds are %(known)s."),
        "source_kind_demo_only": gettext_noop(
            "The source is the demo's simulator, whose employees and work units are made up: this site does not "
            "fetch it, so that they never mix with the real ones. Delete the source, or change its kind to export "
            "files or an integration endpoint."
        ),
        "source_name_taken": gettext_noop("Another source is already named '%(name)s'."),
        "source_encoding_unknown": gettext_noop("The encoding must be automatic, UTF-8, UTF-16 or Windows-1252."),
        "source_delimiter_unknown": gettext_noop(
            "The delimiter must be automatic, a semicolon, a comma, a tab or a vertical bar."
        ),
        "source_title_rows_out_of_range": gettext_noop("The number of title rows must be between 0 and %(limit)s."),
        "source_file_name_not_plain": gettext_noop(
            "The file name of %(report)s must be a plain name inside the folder."
        ),
        "source_file_name_missing": gettext_noop("The file name of %(report)s is required."),
        "source_file_report_unknown": gettext_noop(
            "A file name is given for '%(report)s', which is no report; the reports are %(known)s."
        ),
        "source_endpoint_address_invalid": gettext_noop(
            "The endpoint address must start with https:// (or http:// inside the network)."
        ),
        "source_timeout_or_retries_invalid": gettext_noop(
            "The timeout must be positive and the number of retries zero or more."
        ),
        "source_simulated_size_out_of_range": gettext_noop(
            "The simulated organisation must have 1 to 10,000 employees."
        ),
        "source_column_missing": gettext_noop("The column of %(field)s is required."),
        "source_column_number_needed": gettext_noop("The files have no header row: give %(field)s as a column number."),
        "upload_not_a_file_source": gettext_noop("Files can be uploaded only to a file source."),
        "upload_extension_refused": gettext_noop("Upload a .csv, .txt or .xlsx file."),
        "upload_no_file_pattern": gettext_noop("The source has no file name pattern for %(report)s."),
        # What the integration endpoint answered
        "http_no_base_url": gettext_noop("The source has no endpoint address (base URL starting with https://)."),
        "http_token_unreadable": gettext_noop(
            "The access token of source %(source)s cannot be decrypted with the keys of CREDENTIAL_ENCRYPTION_KEYS: "
            "put back the key it was encrypted with, or enter the token again in the source's settings."
        ),
        "http_token_refused": gettext_noop(
            "The endpoint %(url)s refused the token (HTTP %(status)s); check the source's token."
        ),
        "http_status_unexpected": gettext_noop("The endpoint %(url)s answered HTTP %(status)s."),
        "http_not_json": gettext_noop("The endpoint %(url)s did not answer JSON."),
        "http_page_too_large": gettext_noop(
            "The endpoint %(url)s answered a page larger than %(megabytes)s MB, which was not read. A smaller "
            "page size in the source's settings, or a larger POPULUS_HTTP_MAX_PAGE_BYTES, lets it through."
        ),
        "http_not_utf8": gettext_noop(
            "The endpoint %(url)s answered text that is not UTF-8 (JSON is always UTF-8): nothing was read."
        ),
        "http_no_results_list": gettext_noop("The endpoint %(url)s answered JSON without a list of results."),
        "http_no_answer": gettext_noop("The endpoint %(url)s did not answer after %(tries)s tries: %(reason)s."),
        "http_timeout": gettext_noop("no answer within %(seconds)s seconds"),
        "http_connection_failed": gettext_noop("the connection failed"),
        "http_answer_cut_off": gettext_noop("the answer was cut off"),
        "http_status_retried": gettext_noop("HTTP %(status)s"),
        "http_next_page_elsewhere": gettext_noop(
            "The endpoint's next-page link points to another server; refusing to send the token there."
        ),
        "http_next_page_circle": gettext_noop("The endpoint's next-page links go round in a circle."),
        "http_too_many_pages": gettext_noop("The endpoint returned more than %(limit)s pages."),
        "http_page_not_asked": gettext_noop(
            "The endpoint %(url)s answered page %(page)s when asked for page %(asked)s: its pages cannot be "
            "followed, and nothing was read."
        ),
        "http_page_repeated": gettext_noop(
            "The endpoint %(url)s answered page %(asked)s with the rows of page %(page)s: it does not follow the "
            "page asked for, and nothing was read."
        ),
        "http_paging_unreadable": gettext_noop(
            "The endpoint %(url)s gave its “%(key)s” as “%(value)s”, not a whole number: its pages cannot be "
            "followed, and nothing was read."
        ),
        "http_count_mismatch": gettext_noop(
            "The endpoint %(url)s said it has %(count)s rows but gave %(rows)s: nothing was stored. Fetch the "
            "month again, and if this recurs, check the endpoint's paging."
        ),
        # The organisation kept by hand, and the months asked for
        "unit_parent_cycle": gettext_noop("The work unit %(unit)s would be its own parent unit (a cycle)."),
        "unit_code_slash_refused": gettext_noop("A unit code cannot contain a slash (/)."),
        "assignment_ends_before_start": gettext_noop("The assignment cannot end before it starts."),
        "period_not_a_month": gettext_noop("The period '%(period)s' is not a month in the form YYYY-MM, e.g. 2026-03."),
        "run_period_not_first_day": gettext_noop("A fetch period is a month: give its first day."),
        # A whole fetch run
        "run_worker_stopped": WORKER_STOPPED,
        "run_not_queued": gettext_noop(
            "The run could not be handed to a worker (%(error)s): nothing was fetched. Try again once the queue "
            "(Redis) is back."
        ),
        "run_nothing_delivered": gettext_noop("The source delivered no rows at all for %(month)s."),
        "run_report_empty": gettext_noop(
            "The source delivered no %(report)s for %(month)s, while %(stored)s of them are stored from it: "
            "nothing was stored, so that they are not erased. Check the source's data for the month and fetch "
            "it again."
        ),
        "run_too_many_rejected": gettext_noop(
            "%(rejected)s of %(rows)s rows were rejected, more than the permitted %(threshold)s %%: "
            "nothing was stored for %(month)s. Correct the rows listed below, or the source's settings, "
            "and fetch again."
        ),
        "run_unexpected_error": gettext_noop(
            "The run stopped on an unexpected error (%(error)s); see the worker's log."
        ),
        "run_database_lost": gettext_noop(
            "The connection to the database was lost during the run (%(error)s): nothing was stored. A scheduled "
            "fetch is tried again the next day."
        ),
        "run_end_not_recorded": gettext_noop(
            "The rows were read, but the database refused to record the run's end (%(error)s): nothing was stored "
            "for %(month)s. See the worker's log."
        ),
        "run_rejected_rows_not_recorded": gettext_noop(
            "%(reason)s The %(rejected)s rejected rows could not be recorded (%(error)s); see the worker's log."
        ),
        # Alerts, subscriptions and the monthly delivery
        "alert_action_missing": gettext_noop("Describe the action taken."),
        "alert_action_in_future": gettext_noop("The date of the action cannot be in the future."),
        "alert_acknowledged_already": gettext_noop("This alert has already been acknowledged."),
        "subscription_unit_not_supervised": gettext_noop(
            "%(user)s is not a supervisor of %(unit)s, so cannot subscribe to its reports."
        ),
        "subscription_no_reports": gettext_noop("Choose at least one of the reports: absences, salaries, employments."),
        "subscription_category_unknown": gettext_noop("Unknown absence category."),
        "subscription_column_unknown": gettext_noop("Unknown report column: %(column)s."),
        "subscription_exists": gettext_noop("%(user)s already subscribes to %(unit)s."),
        "delivery_unit_unknown": gettext_noop("No work unit has the code %(code)s."),
        # The reports, as a reason names them
        "report_units": gettext_noop("work units"),
        "report_employments": gettext_noop("employments"),
        "report_absences": gettext_noop("absences"),
        "report_salaries": gettext_noop("salaries"),
    }
)

# The days and months the portal names in its reasons (the fetched month, an absence's dates as read),
# written in the reader's style when shown.
problem_dates_register(
    {
        "absence_outside_month": {"start": "day", "end": "day", "month": "month"},
        "absence_before_months_corrected": {"start": "day", "end": "day", "month": "month", "first_month": "month"},
        "salary_paid_outside_month": {"payment_date": "day", "month": "month"},
        "file_missing": {"month": "month"},
        "run_nothing_delivered": {"month": "month"},
        "run_report_empty": {"month": "month"},
        "run_too_many_rejected": {"month": "month"},
        "run_end_not_recorded": {"month": "month"},
    }
)


def report_problem(report_type: str) -> Problem:
    """A report's name as a quoted Problem, worded in the reader's language wherever a reason names it."""
    return Problem(f"report_{report_type}")
