"""Two-factor login in a real browser: a supervisor sets up an authenticator app at the first login, keeps
the recovery codes, and later logs in with a recovery code and with the app's code."""

from base64 import b32decode
from pathlib import Path
from urllib.parse import quote

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from kuntaportaali.roles import Role
from tests.browser.conftest import assert_accessible
from tests.conftest import TEST_PASSWORD, totp_code


def password_login(page: Page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}?next={quote(next_url)}")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(TEST_PASSWORD)
    form.locator("button[type=submit]").click()


def log_out(page: Page, live_server) -> None:
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_url(f"{live_server.url}/")


def test_set_up_then_log_in_with_a_recovery_code_and_with_the_app(
    page: Page, live_server, create_role_user, axe_path: Path
):
    user = create_role_user(Role.SUPERVISOR)
    reports = reverse("hrreports:reports")
    set_up_url = f"{live_server.url}{reverse('two-factor-set-up')}?next={quote(reports, safe='')}"

    # First login: the password, then the set-up of the app, which is all a supervisor may open.
    password_login(page, live_server, user.username, reports)
    page.wait_for_url(set_up_url)
    expect(page.locator(".qr-code svg")).to_be_visible()
    code_input = page.locator("#authenticator-code-form input[name=code]")
    expect(code_input).to_be_focused()
    expect(code_input).to_have_attribute("autocomplete", "one-time-code")
    assert_accessible(page, live_server, axe_path)
    page.goto(f"{live_server.url}{reports}")
    page.wait_for_url(set_up_url)

    # The key typed into the app by hand, as someone without a camera would.
    key = b32decode(page.locator("#authenticator-secret").inner_text().replace(" ", ""))
    code_input.fill("000000")
    page.locator("#authenticator-code-form button[type=submit]").click()
    expect(code_input).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_code_error")).to_be_visible()
    page.wait_for_timeout(1_100)  # django-otp's wait after one wrong code
    code_input.fill(f"{TOTP(key).token():06d}")
    page.locator("#authenticator-code-form button[type=submit]").click()

    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery_codes = codes.all_inner_texts()
    assert_accessible(page, live_server, axe_path)
    page.locator("#recovery-codes-continue").click()
    page.wait_for_url(f"{live_server.url}{reports}")
    log_out(page, live_server)

    # Second login: the phone is not at hand, a recovery code opens the page.
    password_login(page, live_server, user.username, reports)
    page.wait_for_url(f"{live_server.url}{reverse('two-factor-verify')}?**")
    assert_accessible(page, live_server, axe_path)
    page.locator("#recovery-code-form input[name=recovery_code]").fill(recovery_codes[0])
    page.locator("#recovery-code-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reports}")
    expect(page.locator(".message--warning")).to_contain_text("9")
    log_out(page, live_server)

    # Third login: the app's code.
    password_login(page, live_server, user.username, reports)
    page.wait_for_url(f"{live_server.url}{reverse('two-factor-verify')}?**")
    page.locator("#authenticator-code-form input[name=code]").fill(totp_code(TOTPDevice.objects.get(user=user)))
    page.locator("#authenticator-code-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reports}")
