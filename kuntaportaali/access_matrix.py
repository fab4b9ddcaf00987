"""Who may open each address of the portal: the expected answer per role, kept as data.

Every URL pattern the portal resolves is declared here by its name, with what it is and who may
open it; Django admin (the RQ dashboard included) is declared by one rule. Nothing is implicit:
tests/security/test_access_matrix.py walks Django's URL resolver and fails on a pattern this file
does not declare, then requests every pattern with real objects as each role, as a signed-in user
without a role and anonymously, and checks each answer against this table. tests/security/test_csrf.py
posts to every address that takes a POST without the CSRF token.

Who may open an address (`Page.audience`):
- PUBLIC: anyone, signed in or not.
- SIGNED_IN: any signed-in user, with or without a role.
- CARRIER: the telephony or SMS provider only. No session opens these: each request must carry the
  provider's signature over its address and parameters (tests/security/test_webhooks.py).
- a set of roles: the users with one of them. Any other signed-in user gets 403 and an anonymous
  visitor is sent to the login page. Django admin sends both to its own login page instead.

`scope` narrows a page to some of its objects: "unit", the objects of the work units the user
supervises (HR administration and administrators see every unit); "own", the user's own objects
(HR administration and administrators see everyone's). An object outside the scope answers 404,
as one that does not exist, so nobody learns which ids exist in other units.
"""

from dataclasses import dataclass

from .roles import Role

PUBLIC = "public"
SIGNED_IN = "signed-in"
CARRIER = "carrier"

GET, POST = "GET", "POST"


@dataclass(frozen=True)
class Page:
    about: str
    audience: frozenset[Role] | str
    # The methods the page answers; a page that takes POST changes something (and needs the CSRF token).
    methods: tuple[str, ...] = (GET,)
    scope: str = ""
    # What a permitted GET gets (only when it is not 200).
    answers: tuple[int, ...] = (200,)
    # What a refused signed-in user gets (only when it is not the usual one).
    refused: int | None = None

    @property
    def takes_post(self) -> bool:
        return POST in self.methods


A, SM, C, CO, HR, SU = (
    Role.ADMIN,
    Role.SURVEY_MANAGER,
    Role.COMMUNICATIONS,
    Role.COUNCILLOR,
    Role.HR_ADMIN,
    Role.SUPERVISOR,
)
SURVEY_MANAGERS = frozenset({A, SM})
COMMUNICATIONS = frozenset({A, C})
RESULT_READERS = frozenset({A, SM, CO})
HR_ADMINISTRATION = frozenset({A, HR})
REPORT_READERS = frozenset({A, HR, SU})
ADMINISTRATORS = frozenset({A})
FORM = (GET, POST)
ACTION = (POST,)

PAGES: dict[str, Page] = {
    # --- Anyone: the residents' pages, signing in, the health check -------------------------------
    "public-home": Page("the residents' front page", PUBLIC),
    "surveys-public:index": Page("the residents' list of campaigns", PUBLIC),
    "surveys-public:campaign": Page("one campaign for residents: questions, number, notice", PUBLIC),
    "surveys-public:opt-out": Page("a resident puts their number on the do-not-call registry", PUBLIC, FORM),
    "surveys-public:opt-out-done": Page("the opt-out's confirmation", PUBLIC),
    # A contact's personal link (its unguessable token in the address) opens their survey on the web;
    # an unknown link answers 404 and a closed one 410, neither saying whose or which survey it was.
    "surveys-public:web-survey": Page(
        "a contact's web survey: introduction, notice, the choice to answer", PUBLIC, FORM
    ),
    "surveys-public:web-question": Page("one question of a contact's web survey", PUBLIC, FORM),
    "surveys-public:web-opt-out": Page("a contact opts out from their web survey's page", PUBLIC, FORM),
    "set_language": Page("choose the language (the visitor's own cookie)", PUBLIC, FORM, answers=(302,)),
    "healthz": Page("ok or fail for a load balancer; details only to internal networks", PUBLIC, answers=(200, 503)),
    "login": Page("sign in (a signed-in user is sent on to the staff home)", PUBLIC, FORM, answers=(200, 302)),
    "logout": Page("sign out: ends the caller's own session", PUBLIC, ACTION),
    # --- Any signed-in user -------------------------------------------------------------------------
    "staff-home": Page("the staff home: the sections of the user's roles", SIGNED_IN),
    "password_change": Page("change one's own password", SIGNED_IN, FORM),
    "password_change_done": Page("the password change's confirmation", SIGNED_IN),
    # The second login factor: asked after the password (a verified session is sent on), set up by a
    # user who has none (one who has is sent to the settings page), managed by its owner.
    "two-factor-verify": Page("give the authenticator's code or a recovery code", SIGNED_IN, FORM, answers=(302,)),
    "two-factor-set-up": Page("set up an authenticator app", SIGNED_IN, FORM, answers=(302,)),
    "two-factor": Page("one's own second factor: state, new recovery codes, on or off", SIGNED_IN, FORM),
    "two-factor-recovery-codes": Page("new recovery codes, shown once", SIGNED_IN),
    # --- Administrators -----------------------------------------------------------------------------
    "system-status": Page("queues, workers and heartbeats; ask the workers for a heartbeat", ADMINISTRATORS, FORM),
    "surveys:consent-log": Page("the consent evidence log", ADMINISTRATORS),
    "surveys:consent-export-csv": Page("the consent log as CSV", ADMINISTRATORS),
    "surveys:consent-export-xlsx": Page("the consent log as XLSX", ADMINISTRATORS),
    "surveys:results_targets": Page("the population shares results are weighted to", ADMINISTRATORS, FORM),
    # --- Survey managers: surveys, campaigns, contact lists -----------------------------------------
    "surveys:index": Page("the surveys", SURVEY_MANAGERS),
    "surveys:survey-create": Page("create a survey", SURVEY_MANAGERS, FORM),
    "surveys:survey": Page("one survey and its questions", SURVEY_MANAGERS),
    "surveys:survey-edit": Page("edit a survey's texts", SURVEY_MANAGERS, FORM),
    "surveys:survey-preview": Page("what the bot says, per language", SURVEY_MANAGERS),
    "surveys:question-create": Page("add a question", SURVEY_MANAGERS, FORM),
    "surveys:question": Page("edit a question", SURVEY_MANAGERS, FORM),
    "surveys:question-move": Page("move a question up or down", SURVEY_MANAGERS, ACTION),
    "surveys:question-delete": Page("delete a question (a confirmation page, then POST)", SURVEY_MANAGERS, FORM),
    "surveys:campaigns": Page("the campaigns", SURVEY_MANAGERS),
    "surveys:campaign-create": Page("create a campaign", SURVEY_MANAGERS, FORM),
    "surveys:campaign": Page("one campaign: settings, launch problems, progress", SURVEY_MANAGERS),
    "surveys:campaign-edit": Page("edit a campaign", SURVEY_MANAGERS, FORM),
    "surveys:campaign-checklist": Page("confirm the launch checklist", SURVEY_MANAGERS, FORM),
    "surveys:campaign-status": Page("start, pause, end or cancel a campaign", SURVEY_MANAGERS, ACTION),
    "surveys:campaign-status-confirm": Page("confirm ending or cancelling a campaign", SURVEY_MANAGERS),
    "surveys:campaign-launch": Page(
        "start a campaign: what still stops it, or what the start will do and its confirmation",
        SURVEY_MANAGERS,
        FORM,
    ),
    "surveys:campaign-notify-communications": Page(
        "email communications what of a campaign's launch gate is theirs to fix", SURVEY_MANAGERS, ACTION
    ),
    "surveys:campaign-progress": Page("a campaign's live progress as JSON", SURVEY_MANAGERS),
    "surveys:campaign-predict": Page(
        "ask for a prediction of a campaign before its launch (a simulation in the background)",
        SURVEY_MANAGERS,
        ACTION,
    ),
    "surveys:campaign-prediction-status": Page("a campaign's latest prediction's status as JSON", SURVEY_MANAGERS),
    "surveys:campaign-contacts": Page("upload a contact file; the imports", SURVEY_MANAGERS, FORM),
    "surveys:contact-import": Page("one import: progress, invalid rows, phone columns", SURVEY_MANAGERS, FORM),
    "surveys:contact-import-status": Page("one import's progress as JSON", SURVEY_MANAGERS),
    "surveys:contact-import-problems": Page("one import's invalid rows as CSV", SURVEY_MANAGERS),
    "surveys:campaign_result_settings": Page("a campaign's weighting and fixed costs", SURVEY_MANAGERS, FORM),
    # --- Communications: pre-announcements and published results ------------------------------------
    "surveys:announcements": Page("campaigns to announce", COMMUNICATIONS),
    "surveys:campaign-announcements": Page("one campaign's pre-announcements", COMMUNICATIONS),
    "surveys:campaign-publish": Page("publish a campaign's questions for residents", COMMUNICATIONS, ACTION),
    "surveys:announcement": Page("edit or record the publication of an announcement", COMMUNICATIONS, FORM),
    "surveys:announcement-replace": Page("replace an announcement with the current facts", COMMUNICATIONS, ACTION),
    "surveys:announcement-keep": Page("keep an announcement's text as checked", COMMUNICATIONS, ACTION),
    "surveys:summaries": Page("results that may be published", COMMUNICATIONS),
    "surveys:summary": Page("publish a campaign's results summary for residents", COMMUNICATIONS, FORM),
    "surveys:summary-unpublish": Page("take a results summary off the residents' page", COMMUNICATIONS, ACTION),
    # --- Results: councillors and survey managers ---------------------------------------------------
    "surveys:results": Page("campaigns with results", RESULT_READERS),
    "surveys:campaign-results": Page("one campaign's results", RESULT_READERS),
    "surveys:report-download": Page("a small campaign's report, built in the request", RESULT_READERS),
    "surveys:report-file-create": Page("ask a worker for a report file", RESULT_READERS, ACTION),
    "surveys:report-file": Page("download a generated report file", RESULT_READERS),
    "surveys:report-file-status": Page("a report file's progress as JSON", RESULT_READERS),
    "surveys:responses-download": Page(
        "the anonymous responses row by row (finish day only, rare combinations hidden)", SURVEY_MANAGERS
    ),
    # --- Unit reports: supervisors (their units), HR administration (every unit) --------------------
    "hrreports:reports": Page("the supervisor's home: the month, open cases, the units' reports", REPORT_READERS),
    "hrreports:unit-report": Page("a unit's monthly report, table and downloads", REPORT_READERS, scope="unit"),
    "hrreports:alert-acknowledge": Page(
        "record the action taken on an alert (and the person's other open ones)", REPORT_READERS, ACTION, scope="unit"
    ),
    "hrreports:subscriptions": Page("report subscriptions (one's own; HR: everyone's)", REPORT_READERS),
    "hrreports:subscription-create": Page("subscribe to a unit's reports", REPORT_READERS, FORM),
    "hrreports:subscription-edit": Page("edit a subscription", REPORT_READERS, FORM, scope="own"),
    "hrreports:subscription-delete": Page("remove a subscription", REPORT_READERS, ACTION, scope="own"),
    # --- HR administration --------------------------------------------------------------------------
    "hrreports:admin": Page("the HR administration home", HR_ADMINISTRATION),
    "hrreports:units": Page("the work units", HR_ADMINISTRATION),
    "hrreports:unit-create": Page("create a work unit", HR_ADMINISTRATION, FORM),
    "hrreports:unit-detail": Page("one unit; assign a supervisor", HR_ADMINISTRATION, FORM),
    "hrreports:unit-edit": Page("edit a work unit", HR_ADMINISTRATION, FORM),
    "hrreports:assignment-end": Page("end a supervisor's assignment", HR_ADMINISTRATION, ACTION),
    "hrreports:employees": Page("search employees (an identity code by POST only)", HR_ADMINISTRATION, FORM),
    "hrreports:employee-detail": Page(
        "one employee's employments, absences, salaries; a POST shows the full identity code (logged)",
        HR_ADMINISTRATION,
        FORM,
    ),
    "hrreports:codes": Page("absence and salary codes", HR_ADMINISTRATION),
    "hrreports:absence-type-create": Page("add an absence code", HR_ADMINISTRATION, FORM),
    "hrreports:absence-type-edit": Page("edit an absence code", HR_ADMINISTRATION, FORM),
    "hrreports:salary-type-create": Page("add a salary code", HR_ADMINISTRATION, FORM),
    "hrreports:salary-type-edit": Page("edit a salary code", HR_ADMINISTRATION, FORM),
    "hrreports:rules": Page("the early-support rules", HR_ADMINISTRATION),
    "hrreports:rule-create": Page("add an early-support rule", HR_ADMINISTRATION, FORM),
    "hrreports:rule-edit": Page("edit an early-support rule", HR_ADMINISTRATION, FORM),
    "hrreports:access-log": Page("who viewed and downloaded which report", HR_ADMINISTRATION),
    "hrreports:sources": Page("the Populus sources", HR_ADMINISTRATION),
    "hrreports:source-create": Page("add a source", HR_ADMINISTRATION, FORM),
    "hrreports:source-edit": Page("edit a source and its settings", HR_ADMINISTRATION, FORM),
    "hrreports:source-columns": Page("a file source's column map", HR_ADMINISTRATION, FORM),
    "hrreports:source-preview": Page("preview an export file against a source", HR_ADMINISTRATION, FORM),
    "hrreports:source-upload": Page("store an export file for a file source", HR_ADMINISTRATION, FORM),
    "hrreports:runs": Page("the fetch runs", HR_ADMINISTRATION),
    "hrreports:run-create": Page("start a fetch", HR_ADMINISTRATION, ACTION),
    "hrreports:run-detail": Page("one fetch run and its rejected rows (also as a file)", HR_ADMINISTRATION),
    "hrreports:run-status": Page("a fetch run's progress as JSON", HR_ADMINISTRATION),
    "hrreports:delivery-runs": Page("the monthly delivery runs", HR_ADMINISTRATION),
    "hrreports:delivery-run": Page("one delivery run", HR_ADMINISTRATION),
    "hrreports:teams-channels": Page("the Teams channels told of delivered reports", HR_ADMINISTRATION),
    "hrreports:teams-channel-create": Page("add a Teams channel", HR_ADMINISTRATION, FORM),
    "hrreports:teams-channel-edit": Page("edit a Teams channel", HR_ADMINISTRATION, FORM),
    "hrreports:teams-channel-delete": Page("remove a Teams channel", HR_ADMINISTRATION, ACTION),
    # --- The telephony and SMS providers' webhooks --------------------------------------------------
    "telephony:ivr-start": Page("the call is answered: what the bot says first", CARRIER, ACTION),
    "telephony:ivr-intro": Page("the answer to the introduction (consent)", CARRIER, ACTION),
    "telephony:ivr-answer": Page("the answer to one question", CARRIER, ACTION),
    "telephony:call-status": Page("a call's status and answering machine callbacks", CARRIER, ACTION),
    "telephony:sms-status": Page("a sent text message's status reports", CARRIER, ACTION),
    "telephony:sms-inbound": Page("a text message a resident sent to the sender number (STOP)", CARRIER, ACTION),
    # --- Django admin's exceptions to ADMIN_SITE ----------------------------------------------------
    "admin:login": Page("Django admin's sign-in page", PUBLIC, FORM, answers=(200, 302)),
    # Anyone else is sent to admin's index, which sends them on to admin's login page.
    "admin:logout": Page("Django admin's sign-out", ADMINISTRATORS, ACTION, refused=302),
    # RQ's statistics for monitoring take a bearer token instead of a session (RQ_API_TOKEN, unset
    # here): without it they answer 401 and show nothing.
    "admin:django_rq_home_json": Page("the RQ statistics as JSON", ADMINISTRATORS, refused=401),
    # The RQ dashboard's page of a worker that is no longer running (kuntaportaali/admin.py).
    "admin:django_rq_worker_details": Page("an RQ worker (this one has stopped)", ADMINISTRATORS, answers=(404,)),
    # A user's authenticator key as text and QR code: refused to everyone (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": Page("an authenticator's key (never shown)", ADMINISTRATORS, answers=(403,)),
    "admin:otp_totp_totpdevice_qrcode": Page(
        "an authenticator's QR code (never shown)", ADMINISTRATORS, answers=(403,)
    ),
}

# Every other address under /admin/: Django admin's pages of every model, and the RQ dashboard inside
# it (including the patterns Django admin leaves unnamed: its old change-page redirect and its
# catch-all). The administrator's pages answer as Django admin does (a page, a redirect, 404 for a
# missing object); everyone else is sent to admin's login page.
ADMIN_PREFIX = "admin:"
ADMIN_SITE = Page("Django admin and the RQ dashboard", ADMINISTRATORS, FORM)


def page_of(url_name: str) -> Page | None:
    """The declared access of a named URL pattern; None when it is not declared."""
    if url_name in PAGES:
        return PAGES[url_name]
    if url_name.startswith(ADMIN_PREFIX):
        return ADMIN_SITE
    return None
