"""The console in headless Chromium, driven by Selenium, against a real `metl serve` on loopback.

A ledger is set up through the CLI (operators, a funded merchant, payments, a Positive Pay
exception, a cutoff that holds its file for two approvers), then each test acts as a person would:
sign in with a TOTP code, the maker's approval refused in the page, two approvers releasing the
file, an exception decided, an auditor who finds no button that acts, a form without its CSRF
token refused, an idle session sent to sign-in. Each test saves screenshots of the pages it checked.

Usage: browser_tests.py PATH/TO/metl   (screenshots into $BROWSER_TEST_OUTPUT)
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

METL = os.path.abspath(sys.argv[1])
OUTPUT = os.environ.get("BROWSER_TEST_OUTPUT", ".build/browser-tests")
PEOPLE = {"adam": "admin", "mia": "operator,approver", "april": "approver", "avery": "approver", "olga": "operator", "audrey": "auditor"}
FED_HOLIDAYS = {"2026-12-25", "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06",
                "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31", "2028-01-17", "2028-02-21", "2028-05-29",
                "2028-06-19", "2028-07-04", "2028-09-04", "2028-10-09", "2028-11-10", "2028-11-23", "2028-12-25"}


def totp(secret_base32, at=None):
    """RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    step = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ledger:
    """A directory with the configuration, keys, password files and database the tests share."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="metl-browser-")
        os.makedirs(self.path("bank"))
        # A zone where it is about noon now: the held file's approval window (the end of the
        # profile's day) stays open for the whole run, whenever it runs.
        offset = 12 - datetime.datetime.now(datetime.timezone.utc).hour
        offset = max(-12, min(14, offset))
        self.zone = "Etc/GMT%+d" % -offset if offset else "Etc/GMT"
        self.today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=offset))).date()
        for name in ("secrets.key", "audit.key"):
            self.write(name, base64.b64encode(os.urandom(32)).decode() + "\n")
        self.passwords = {name: secrets.token_urlsafe(18) for name in PEOPLE}
        for name, password in self.passwords.items():
            self.write("password-" + name, password + "\n")
        profile = {
            "odfi": {"routing": "121042882", "immediate_destination": "091000019", "origin_name": "PRIMARY BANK", "destination_name": "FED"},
            "destinations": {"ach": "file://" + self.path("bank")},
            "time_zone": self.zone,
            "windows": [{"name": "morning", "runs_at": "06:00", "bank_deadline": "11:00"},
                        {"name": "afternoon", "runs_at": "14:00", "bank_deadline": "17:00", "same_day": True}],
            "approvals": {"files": {"approvers": 2, "over_cents": 0}},
        }
        self.write("metl.json", json.dumps({"database": self.path("metl.sqlite"), "default_profile": "primary",
                                            "profiles": {"primary": profile}}))
        self.environment = dict(os.environ, METL_CONFIG=self.path("metl.json"), METL_SECRETS_KEY_FILE=self.path("secrets.key"),
                                METL_AUDIT_KEY_FILE=self.path("audit.key"), METL_LOG_LEVEL="error")
        self.environment.pop("METL_CLOCK", None)

    def path(self, name):
        return os.path.join(self.directory, name)

    def write(self, name, text):
        with open(self.path(name), "w") as handle:
            handle.write(text)
        os.chmod(self.path(name), 0o600)

    def metl(self, *arguments, stdin=None, actor="adam", expect=(0,)):
        result = subprocess.run([METL, *arguments], input=stdin, capture_output=True, text=True,
                                env=dict(self.environment, METL_OPERATOR=actor), timeout=120)
        if result.returncode not in expect:
            raise AssertionError("metl %s exited %d: %s %s" % (" ".join(arguments), result.returncode, result.stdout, result.stderr))
        return result.stdout

    def effective_date(self):
        day = self.today + datetime.timedelta(days=1)
        while day.weekday() >= 5 or day.isoformat() in FED_HOLIDAYS:
            day += datetime.timedelta(days=1)
        return day.isoformat()

    def populate(self):
        self.metl("operators", "add", "adam", "--role", "admin", "--password-file", self.path("password-adam"))
        for name, roles in PEOPLE.items():
            if name != "adam":
                self.metl("operators", "add", name, "--role", roles, "--password-file", self.path("password-" + name))
        uri = self.metl("operators", "totp", "enroll", "april").strip().splitlines()[-1]
        self.april_secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
        self.metl("merchants", "add", "acme", "--company-id", "1234567890", "--company-name", "ACME PAYROLL")
        self.metl("merchants", "fund", "acme", "100000000", "--reference", "browser test")
        self.payments = []
        for index, (name, cents) in enumerate([("JANE DOE", 125_000), ("JOHN ROE", 98_050), ("ACME SUPPLY", 310_000)]):
            document = {"amount": cents, "direction": "credit", "sec_code": "PPD", "description": "PAYROLL",
                        "effective_date": self.effective_date(),
                        "counterparty": {"name": name, "routing_number": "121042882", "account_number": "55500012%02d" % index,
                                         "account_type": "checking"}}
            created = self.metl("payments", "create", "--merchant", "acme", "--idempotency-key", str(uuid.uuid4()),
                                "--json", "-", stdin=json.dumps(document), actor="mia")
            self.payments.append(json.loads(created)["id"])
        self.metl("checks", "accounts", "add", "acme", "--routing", "121042882", "--account-number", "000123456789", "--layout", "arp")
        deadline = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.write("exceptions.csv", "exception_id,account_number,serial,presented_amount,issued_amount,payee,reason,default_decision,"
                   "decision_deadline\r\nEX-7001,000123456789,7001,50000,,UNKNOWN PAYEE,paid_not_issued,return,%s\r\n" % deadline)
        self.metl("ingest", self.path("exceptions.csv"), expect=(0, 1))
        # A stray file in the bank's drop: quarantined, and an open alert on Today.
        self.write("stray.txt", "not a bank file\n")
        self.metl("ingest", self.path("stray.txt"), expect=(1,))
        self.metl("cutoff", expect=(0, 1))
        held = json.loads(self.metl("files", "list", "--json"))["data"]
        assert [f["status"] for f in held] == ["awaiting_approval"], held
        self.file = held[0]
        self.metl("audit", "checkpoint")
        # A job's audit entry records the status it exits with: the exceptions opened are findings (1).
        log = self.metl("audit", "log", "--json")
        assert "ingest: exit 1" in log, log


class Server:
    def __init__(self, ledger, *extra):
        self.output = open(ledger.path("serve-%d.out" % free_port()), "w+")
        self.process = subprocess.Popen([METL, "serve", "--port", "0", "--no-webhooks", *extra], stdout=self.output,
                                        stderr=subprocess.STDOUT, env=ledger.environment)
        for _ in range(200):
            self.output.seek(0)
            found = re.search(r"console at (\S+)", self.output.read())
            if found:
                self.base = found.group(1).rstrip("/")
                return
            time.sleep(0.05)
        self.stop()
        raise AssertionError("metl serve did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()


class Browser:
    def __init__(self, server):
        options = Options()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--disable-gpu"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        self.driver.set_page_load_timeout(30)
        self.server = server

    def open(self, path):
        self.driver.get(self.server.base.replace("/console", "") + path)

    def sign_in(self, name, password, code=None):
        self.open("/console/sign-in")
        self.field("operator").send_keys(name)
        self.field("password").send_keys(password)
        if code:
            self.field("totp").send_keys(code)
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "main form"))

    def submit(self, form):
        """Clicks the form's button and waits for the page it leads to: until the form is gone.
        Chromium reports a form detached mid-check either as stale or as a node no longer in the
        document; both mean the next page is loading."""
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        def gone(_):
            try:
                form.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 15).until(gone)
        WebDriverWait(self.driver, 15).until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def field(self, name, form=None):
        return (form or self.driver).find_element(By.NAME, name)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def notice(self):
        notices = self.driver.find_elements(By.CSS_SELECTOR, "p.notice")
        return notices[0].text if notices else ""

    def screenshot(self, name):
        os.makedirs(OUTPUT, exist_ok=True)
        # The whole page, not only the window: the test's evidence is everything it checked.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1400, max(1000, min(height + 40, 6000)))
        self.driver.save_screenshot(os.path.join(OUTPUT, name + ".png"))
        self.driver.set_window_size(1400, 1000)

    def form(self, action_suffix):
        for form in self.driver.find_elements(By.TAG_NAME, "form"):
            if (form.get_attribute("action") or "").endswith(action_suffix):
                return form
        raise AssertionError("no form posting to …%s on %s" % (action_suffix, self.driver.current_url))

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.driver.quit()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def test_sign_in_page_and_a_refused_sign_in(ledger, server):
    with Browser(server) as browser:
        browser.open("/console/sign-in")
        check(browser.field("operator").get_attribute("autocomplete") == "username", "operator autocomplete")
        check(browser.field("password").get_attribute("autocomplete") == "current-password", "password autocomplete")
        check(browser.field("totp").get_attribute("autocomplete") == "one-time-code", "totp autocomplete")
        browser.screenshot("sign-in")
        browser.sign_in("olga", "not her password")
        check("was refused" in browser.text(), "a wrong password is refused in the page")
        browser.screenshot("sign-in-refused")


def test_sign_in_with_totp(ledger, server):
    with Browser(server) as browser:
        browser.sign_in("april", ledger.passwords["april"])
        check("refused" in browser.text(), "april is enrolled: her password alone is refused")
        browser.sign_in("april", ledger.passwords["april"], totp(ledger.april_secret))
        check(browser.heading() == "Today", "signed in with a code lands on Today, not %r" % browser.heading())
        check(ledger.file["name"] in browser.text(), "Today lists the held file")
        check("Open alerts" in browser.text() and "bank_file_quarantined" in browser.text(), "Today lists the open alert")
        browser.screenshot("today")
        # Every page an approver reads, screenshotted for the record.
        for page in ("files", "payments", "bank-files", "positive-pay", "approvals", "webhooks", "audit", "account"):
            browser.open("/console/" + page)
            check(browser.driver.title.endswith("· metl") and "Not allowed" not in browser.text(), page)
            browser.screenshot("page-" + page)


def approve(browser, ledger, name, password, code=None, approval_code=None, sign_in=True):
    if sign_in:
        browser.sign_in(name, password, code)
    browser.open("/console/files/" + ledger.file["id"])
    form = browser.form("/approve")
    browser.field("password", form).send_keys(password)
    if approval_code:
        browser.field("totp", form).send_keys(approval_code)
    browser.submit(form)
    return browser.notice()


def test_the_makers_approval_is_refused_and_two_approvers_release_the_file(ledger, server):
    with Browser(server) as browser:
        refused = approve(browser, ledger, "mia", ledger.passwords["mia"])
        check("maker never approves" in refused, "the maker's approval is refused in the page: %r" % refused)
        check("error" in browser.driver.find_element(By.CSS_SELECTOR, "p.notice").get_attribute("class"), "shown as an error")
        check("awaiting_approval" in browser.heading(), "the file is still held")
        browser.screenshot("file-maker-refused")
        browser.driver.delete_all_cookies()
        # april signs in again with the next code: a code is accepted once.
        time.sleep(31 - time.time() % 30)
        signed_in_with = totp(ledger.april_secret)
        # Enrolled in TOTP, her approval asks for a code too, as the CLI does, and not the one she signed in with.
        reused = approve(browser, ledger, "april", ledger.passwords["april"], signed_in_with, approval_code=signed_in_with)
        check("refused" in reused and "awaiting_approval" in browser.heading(), "the sign-in's code is refused for the approval: %r" % reused)
        check(browser.field("totp", browser.form("/approve")) is not None, "an enrolled approver's form asks for a code")
        browser.screenshot("file-approval-code")
        first = approve(browser, ledger, "april", ledger.passwords["april"], approval_code=totp(ledger.april_secret, time.time() + 30),
                        sign_in=False)
        check("(1 of 2)" in first and "awaiting_approval" in first, "the first approval counts: %r" % first)
        browser.driver.delete_all_cookies()
        second = approve(browser, ledger, "avery", ledger.passwords["avery"])
        check("(2 of 2)" in second and "released" in second, "the second approval releases the file: %r" % second)
        check("rendered" in browser.heading(), "the file is released")
        browser.screenshot("file-released")
        decisions = json.loads(ledger.metl("approvals", "list", "--json"))["decisions"]["data"]
        check(sorted(d["approver"] for d in decisions) == ["april", "avery"], decisions)
        check(all(d["sha256"] == ledger.file["sha256"] for d in decisions), "each approval is bound to the file's bytes")


def test_deciding_an_exception(ledger, server):
    with Browser(server) as browser:
        browser.sign_in("olga", ledger.passwords["olga"])
        browser.open("/console/positive-pay")
        check("UNKNOWN PAYEE" in browser.text() and "in 2 h" in browser.text(), "the open exception with its countdown")
        browser.screenshot("positive-pay-open")
        form = browser.form("/decide")
        form.find_element(By.CSS_SELECTOR, "select[name=decision] option[value=return]").click()
        browser.field("return_reason", form).send_keys("NOT OUR CHECK")
        browser.submit(form)
        check("return" in browser.notice() and "next decisions cutoff" in browser.notice(), browser.notice())
        browser.screenshot("positive-pay-decided")
        listed = json.loads(ledger.metl("checks", "exceptions", "--status", "decided", "--json"))["data"]
        check(len(listed) == 1, listed)


def test_an_auditor_sees_everything_and_finds_no_button_that_acts(ledger, server):
    with Browser(server) as browser:
        browser.sign_in("audrey", ledger.passwords["audrey"])
        pages = ["/console/today", "/console/files", "/console/files/" + ledger.file["id"], "/console/payments",
                 "/console/payments/" + ledger.payments[0], "/console/bank-files", "/console/positive-pay", "/console/approvals",
                 "/console/approvals?show=all", "/console/webhooks", "/console/audit", "/console/audit/verify", "/console/operators"]
        inbound = json.loads(ledger.metl("ingest", "list", "--json"))["data"]
        pages.append("/console/bank-files/" + inbound[0]["id"])
        for path in pages:
            browser.open(path)
            check("Not allowed" not in browser.text(), "%s is open to an auditor" % path)
            # Filters are GET forms that change nothing; every form that posts is an action, and only sign-out may show.
            posts = [f.get_attribute("action") for f in browser.driver.find_elements(By.CSS_SELECTOR, "form[method=post]")]
            check(all(action.endswith("/console/sign-out") for action in posts), "%s offers an auditor %s" % (path, posts))
            buttons = [b.text for b in browser.driver.find_elements(By.CSS_SELECTOR, "form[method=post] button")]
            check(buttons == ["Sign out"], "%s shows an auditor the buttons %s" % (path, buttons))
            check("Download" not in browser.text() and "Reveal" not in browser.text(), path)
            # Item pages by what they are, not their ids: /console/files/fil_… is auditor-files-item.
            name = re.sub(r"/[a-z]+_[0-9A-Za-z]+$", "-item", path.replace("/console/", "").split("?")[0])
            browser.screenshot("auditor-" + name.replace("/", "-"))
        browser.open("/console/audit/verify")
        check("everything holds" in browser.text(), "the audit log verifies: %s" % browser.text())
        browser.open("/console/files/%s/download" % ledger.file["id"])
        check("Not allowed" in browser.text(), "an auditor cannot download a file with account numbers")


def test_a_form_without_its_csrf_token_is_refused(ledger, server):
    with Browser(server) as browser:
        browser.sign_in("olga", ledger.passwords["olga"])
        browser.open("/console/files/" + ledger.file["id"])
        form = browser.form("/cancel")
        browser.field("reason", form).send_keys("testing the token")
        # What a forged cross-site form would lack: the page's token.
        browser.driver.execute_script("arguments[0].querySelector('input[name=csrf]').remove()", form)
        browser.submit(form)
        check("security token" in browser.text(), "refused for its missing token: %s" % browser.text())
        browser.screenshot("csrf-refused")
        status = json.loads(ledger.metl("files", "show", ledger.file["id"], "--json"))["status"]
        check(status == "rendered", "the file was not cancelled: %s" % status)


def test_an_idle_session_is_sent_to_sign_in(ledger, _):
    with Server(ledger, "--session-idle", "2s") as short, Browser(short) as browser:
        browser.sign_in("olga", ledger.passwords["olga"])
        check(browser.heading() == "Today", "signed in")
        time.sleep(3)
        browser.open("/console/payments")
        check(browser.driver.current_url.endswith("/console/sign-in") and browser.heading() == "Sign in to metl",
              "an idle session ends: %s" % browser.driver.current_url)
        browser.screenshot("session-expired")


def test_an_admin_enrols_an_operator(ledger, server):
    with Browser(server) as browser:
        browser.sign_in("adam", ledger.passwords["adam"])
        browser.open("/console/operators")
        form = browser.form("/console/operators")
        browser.field("name", form).send_keys("oscar")
        browser.field("password", form).send_keys(secrets.token_urlsafe(16))
        form.find_element(By.CSS_SELECTOR, "input[name=role_operator]").click()
        browser.submit(form)
        check("enrolled oscar as operator" in browser.notice(), browser.notice())
        browser.screenshot("operators")
        browser.open("/console/payments/" + ledger.payments[0])
        browser.submit(browser.form("/reveal"))
        check("5550001200" in browser.text() and "recorded in the audit log" in browser.text(), "an admin's reveal")
        browser.screenshot("payment-revealed")
        log = ledger.metl("audit", "log", "--json")
        check('"account_revealed"' in log and '"signed_in"' in log and '"sign_in_refused"' in log, "reveals and sign-ins are in the audit log")


def main():
    shutil.rmtree(OUTPUT, ignore_errors=True)
    ledger = Ledger()
    ledger.populate()
    server = Server(ledger)
    tests = [test_sign_in_page_and_a_refused_sign_in, test_sign_in_with_totp,
             test_the_makers_approval_is_refused_and_two_approvers_release_the_file, test_deciding_an_exception,
             test_an_auditor_sees_everything_and_finds_no_button_that_acts, test_a_form_without_its_csrf_token_is_refused,
             test_an_idle_session_is_sent_to_sign_in, test_an_admin_enrols_an_operator]
    failed = 0
    try:
        for test in tests:
            started = time.time()
            try:
                test(ledger, server)
                print("✔ %s (%.1f s)" % (test.__name__, time.time() - started), flush=True)
            except Exception:
                failed += 1
                print("✘ %s" % test.__name__, flush=True)
                traceback.print_exc()
    finally:
        server.stop()
        if failed == 0:
            shutil.rmtree(ledger.directory, ignore_errors=True)
        else:
            print("kept %s for a look" % ledger.directory)
    print("browser tests: %d passed, %d failed; screenshots in %s" % (len(tests) - failed, failed, OUTPUT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
