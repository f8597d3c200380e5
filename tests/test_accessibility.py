"""WCAG 2.1 AA: Deque's axe-core, in the real browser, on each role's main pages.

axe-core is the engine behind Lighthouse's accessibility audit; `make node`
installs it beside the credential verifier (tests/verifier/package.json). A
`serious` or `critical` finding fails the test; moderate and minor ones do not.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken
from selenium.webdriver.common.by import By

from accounts.people import services as people_services
from credentials import services as credential_services
from credentials.models import Award
from integrations.lti import registration as lti_registration
from integrations.models import LtiContext
from integrations.oauth import services as oauth_services
from integrations.ob3 import connections as ob3_connections
from integrations.ob3 import scopes as ob3_scopes
from integrations.ob3 import services as ob3_services
from integrations.oid4vci import services as oid4vci_services
from integrations.webhooks import services as webhooks
from pathways import services as pathway_services
from reviews import services as review_services
from tests import builders
from tests.test_browser import (  # noqa: F401
    browser,
    csp_violations,
    log_in,
    log_out,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.heavy(75),
]

DATA = Path(__file__).parent / "data"
AXE = Path(__file__).parent / "verifier" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
TARGETS_SHOWN = 3

# Runs in the page; the last argument is Selenium's callback. Only what the
# report needs comes back. axe leaves text exactly the colour of its background
# "to review" (it might be hidden on purpose); on these pages it never is, so
# that counts as the serious contrast violation it looks like.
RUN_AXE = """
const [tags, done] = arguments;
const brief = (v, nodes) => ({
  id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
  targets: nodes.map((n) => n.target.join(' ')),
});
axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations', 'incomplete'],
}).then((results) => {
  const found = results.violations.map((v) => brief(v, v.nodes));
  for (const v of results.incomplete.filter((v) => v.id === 'color-contrast')) {
    const invisible = v.nodes.filter(
      (n) => n.any.some((check) => check.data?.messageKey === 'equalRatio'));
    if (invisible.length) {
      const help = 'Text is the colour of its background';
      found.push({...brief(v, invisible), help});
    }
  }
  done(found);
}).catch((error) => done({error: String(error)}));
"""

# The page is ready when it has loaded and htmx has no request in flight
# (fragments loaded with hx-trigger="load" are part of the page).
PAGE_SETTLED = (
    "return document.readyState === 'complete'"
    " && !document.querySelector('.htmx-request');"
)

# An id given to two elements: a label's `for` or an aria reference then names
# the first one only (axe 4 no longer reports it outside ARIA).
DUPLICATE_IDS = """
const seen = new Set(), twice = new Set();
for (const el of document.querySelectorAll('[id]')) {
  (seen.has(el.id) ? twice : seen).add(el.id);
}
return [...twice];
"""


@dataclass
class Page:
    name: str
    path: str
    then: Callable | None = None  # what a visitor does on the page before the check


def axe_violations(driver) -> list[dict]:
    wait_until(driver, lambda d: d.execute_script(PAGE_SETTLED))
    driver.execute_script(AXE.read_text())
    driver.set_script_timeout(30)
    violations = driver.execute_async_script(RUN_AXE, WCAG_21_AA)
    assert not isinstance(violations, dict), f"axe failed: {violations}"
    return violations


def describe(page: Page, violations: list[dict]) -> str:
    lines = [f"{page.name} ({page.path}):"]
    for v in violations:
        shown = ", ".join(v["targets"][:TARGETS_SHOWN])
        if len(v["targets"]) > TARGETS_SHOWN:
            shown += f" and {len(v['targets']) - TARGETS_SHOWN} more"
        lines += [
            f"  [{v['impact']}] {v['id']}: {v['help']}",
            f"      at {shown}",
            f"      see {v['helpUrl']}",
        ]
    return "\n".join(lines)


def paste_credential(award: Award) -> Callable:
    """Check an award on the upload page, so its verdict is on the page too."""

    def paste(driver) -> None:
        field = driver.find_element(By.ID, "id_text")
        driver.execute_script(
            "arguments[0].value = arguments[1];", field, json.dumps(award.credential)
        )
        driver.find_element(By.XPATH, "//button[text()='Check']").click()
        driver.find_element(By.CSS_SELECTOR, "main .verdict")

    return paste


def submit_empty(button: str) -> Callable:
    """Send the form as it is, past the browser's own checks, so that the page
    comes back with the server's error messages."""

    def send(driver) -> None:
        driver.execute_script(
            "document.querySelectorAll('form').forEach((f) => f.noValidate = true)"
        )
        driver.find_element(By.XPATH, f"//button[text()='{button}']").click()
        driver.find_element(By.CSS_SELECTOR, "main .errorlist, main .error")

    return send


def paste_nonsense(driver) -> None:
    driver.find_element(By.ID, "id_text").send_keys("not a credential")
    driver.find_element(By.XPATH, "//button[text()='Check']").click()
    driver.find_element(By.CSS_SELECTOR, "main [role=alert], main .error")


@pytest.fixture
def site(settings):
    """One organization with something on every role's main page: a learner
    with an award and work waiting to be graded, a draft module being written
    and another before the board, whose reviewer has declared no conflict."""
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    learner = cast["learner"]
    pathway_services.enrol(learner, built.version)
    builders.submit_and_pass(built.tasks[0], learner, cast["faculty"])
    waiting = builders.submit(built.tasks[1], learner, "A pivot table, with notes.")
    draft_task = builders.make_module(cast, "D-201", publish=False)
    reviewed = builders.make_module(cast, "R-301", publish=False).version
    review = review_services.submit_for_review(
        reviewed, by=cast["designer"], board=builders.make_board(cast)
    )
    review_services.declare_interest(review, user=cast["reviewer"], has_conflict=False)
    award = Award.objects.get(learner=learner, kind="module")
    slug = cast.organization.slug
    _, invitation = people_services.invite_member(
        cast.organization, by=cast["admin"], email="new@example.edu", role="learner"
    )
    wallet, _ = oauth_services.register_client(
        cast.organization,
        by=cast["admin"],
        name="Data wallet",
        grant=oauth_services.AUTHORIZATION_CODE,
        redirect_uris=["https://wallet.example/callback"],
    )
    consent = "/oauth/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": wallet.application.client_id,
            "redirect_uri": "https://wallet.example/callback",
            "scope": "read",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    # An Open Badges 3.0 host: registered, allowed by the learner, who sees it
    # among their connected apps with a credential it stored.
    host, _ = ob3_services.register_host(
        {
            "client_name": "Backpack",
            "client_uri": "https://backpack.example/",
            "logo_uri": "https://backpack.example/logo.png",
            "tos_uri": "https://backpack.example/terms",
            "policy_uri": "https://backpack.example/privacy",
            "software_id": "backpack",
            "software_version": "1.0",
            "redirect_uris": ["https://backpack.example/callback"],
            "scope": " ".join(ob3_scopes.OB3_SCOPES),
        }
    )
    ob3_consent = "/oauth/authorize/?" + urlencode(
        {
            "response_type": "code",
            "client_id": host.application.client_id,
            "redirect_uri": "https://backpack.example/callback",
            "scope": " ".join(ob3_scopes.OB3_SCOPES),
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )
    ob3_connections.record_authorization(
        AccessToken.objects.create(
            user=cast["learner"],
            application=host.application,
            token="a11y",
            scope=" ".join(ob3_scopes.OB3_SCOPES),
            expires=timezone.now() + timedelta(hours=1),
        )
    )
    ob3_services.upsert_credential(
        cast["learner"],
        json.loads(
            (
                Path(__file__).parent / "data/openbadges3/dcpv-ob30-simple.json"
            ).read_text()
        ),
        application=host.application,
    )
    # An open offer to a wallet app, with the code to type.
    oid4vci_services.create_offer(award, by=learner, asks_tx_code=True)
    # A webhook whose receiver is down (nothing listens on port 9), paused.
    settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK = True
    hook, _ = webhooks.create_subscription(
        cast.organization,
        by=cast["admin"],
        url="http://127.0.0.1:9/hooks",
        events=["award.issued"],
    )
    webhooks.send_test_event(hook, by=cast["admin"])
    webhooks.pause_subscription(hook, by=cast["admin"], reason="Receiver moved.")
    certificate = credential_services.create_template(
        cast.organization, by=cast["admin"], name="Formal"
    )
    credential_services.set_signatory(
        certificate, by=cast["admin"], position=0, name="Ada Park", title="Dean"
    )
    credential_services.publish_template(certificate, by=cast["admin"])
    lms = lti_registration.register_platform(
        cast.organization,
        by=cast["admin"],
        name="Moodle",
        issuer="https://moodle.example.edu",
        client_id="cairn",
        deployment_ids=["1"],
        auth_login_url="https://moodle.example.edu/mod/lti/auth.php",
        auth_token_url="https://moodle.example.edu/mod/lti/token.php",
        key_set_url="https://moodle.example.edu/mod/lti/certs.php",
    )
    course = LtiContext.objects.create(
        platform=lms, context_id="42", title="Data Analysis 101"
    )
    pages = {
        None: [
            Page(
                "learning platform launch refused",
                reverse("integrations:lti-login", args=[slug]) + "?iss=unknown",
            ),
            Page("welcome", reverse("home")),
            Page("module catalogue", reverse("curriculum:catalogue")),
            Page("pathway catalogue", reverse("pathways:catalogue")),
            Page("award verification", award.get_absolute_url()),
            Page("verify an upload", reverse("credentials:verify-upload")),
            Page(
                "verify an upload: the verdict",
                reverse("credentials:verify-upload"),
                then=paste_credential(award),
            ),
            Page(
                "verify an upload: not a credential",
                reverse("credentials:verify-upload"),
                then=paste_nonsense,
            ),
            Page("log in", reverse("login")),
            Page("invitation", reverse("accounts:invitation", args=[invitation])),
            Page(
                "log in: wrong password", reverse("login"), then=submit_empty("Log in")
            ),
            Page("forgotten password", reverse("account_reset_password")),
            Page(
                "what a connected app sees",
                reverse("integrations:connected-apps-about"),
            ),
        ],
        "learner": [
            Page("learner dashboard", reverse("home")),
            Page("notifications", reverse("accounts:notifications")),
            Page("learner's credentials", reverse("credentials:mine")),
            Page(
                "add to a wallet app: an open offer",
                reverse("integrations:wallet-offer", args=[award.uuid]),
            ),
            Page("OAuth consent", consent),
            Page("API tokens", reverse("integrations:tokens")),
            Page("Open Badges 3.0 consent", ob3_consent),
            Page("connected apps", reverse("integrations:connected-apps")),
            Page("account", reverse("accounts:account")),
            Page("e-mail addresses", reverse("account_email")),
            Page("change password", reverse("account_change_password")),
        ],
        "faculty": [
            Page("faculty home", reverse("home")),
            Page("grading queue", reverse("assessments:queue")),
            Page("grading", reverse("assessments:grade", args=[waiting.pk])),
        ],
        "designer": [
            Page("designer home", reverse("home")),
            Page("competency frameworks", reverse("curriculum:framework-list")),
            Page("module draft", draft_task.version.get_absolute_url()),
            Page(
                "new module: with errors",
                reverse("curriculum:module-create"),
                then=submit_empty("Create draft"),
            ),
            Page(
                "rubric builder",
                reverse("assessments:rubric-builder", args=[draft_task.pk]),
            ),
            Page(
                "badge designer",
                reverse(
                    "curriculum:version-badge-designer",
                    args=[draft_task.version.pk],
                ),
            ),
        ],
        "admin": [
            Page("admin home", reverse("home")),
            Page("e-mail branding", reverse("accounts:branding", args=[slug])),
            Page("issuer", reverse("credentials:issuer", args=[slug])),
            Page(
                "certificate designs",
                reverse("credentials:certificate-gallery", args=[slug]),
            ),
            Page("certificate designer", certificate.get_absolute_url()),
            Page(
                "certificate template of each module",
                reverse("credentials:certificate-choices", args=[slug]),
            ),
            Page("renew a credential", reverse("credentials:renew", args=[award.uuid])),
            Page("analytics", reverse("analytics:organization", args=[slug])),
            Page("queued work", reverse("analytics:queued-work", args=[slug])),
            Page("audit trail", reverse("accounts:audit", args=[slug])),
            Page("people", reverse("accounts:people", args=[slug])),
            Page(
                "member",
                reverse("accounts:member-detail", args=[slug, cast["faculty"].pk]),
            ),
            Page("roster import", reverse("pathways:roster", args=[slug])),
            Page(
                "service accounts: with errors",
                reverse("integrations:service-accounts", args=[slug]),
                then=submit_empty("Make the service account"),
            ),
            Page("OAuth clients", reverse("integrations:oauth-clients", args=[slug])),
            Page("webhooks", reverse("integrations:webhook-list", args=[slug])),
            Page(
                "webhook and its deliveries",
                reverse("integrations:webhook-detail", args=[slug, hook.uuid]),
            ),
            Page(
                "new webhook: with errors",
                reverse("integrations:webhook-create", args=[slug]),
                then=submit_empty("Add the webhook"),
            ),
            Page(
                "learning platforms: with errors",
                reverse("integrations:lti-platforms", args=[slug]),
                then=submit_empty("Register the platform"),
            ),
            Page(
                "learning platform dynamic registration",
                reverse("integrations:lti-dynamic-registration", args=[slug]),
            ),
            Page(
                "course from a learning platform",
                reverse("integrations:lti-course", args=[course.pk]),
            ),
            Page("single sign-on", reverse("accounts:sso-providers", args=[slug])),
            Page(
                "new identity provider: with errors",
                reverse("accounts:sso-provider-add", args=[slug]),
                then=submit_empty("Add provider"),
            ),
            Page("self-registration", reverse("accounts:signup-policy", args=[slug])),
            Page("erasure requests", reverse("accounts:erasure-requests", args=[slug])),
        ],
        "reviewer": [
            Page("reviewer home", reverse("home")),
            Page("review", reverse("reviews:review-detail", args=[review.pk])),
        ],
    }
    return cast, pages


def test_main_pages_have_no_serious_accessibility_violations(
    browser,  # noqa: F811 (the real-browser fixture)
    live_server,
    site,
):
    assert AXE.exists(), "axe-core is missing: run `make node`"
    cast, pages = site
    failures = []
    for role, role_pages in pages.items():
        if role:
            log_in(browser, live_server, cast[role])
        for page in role_pages:
            browser.get(live_server.url + page.path)
            if page.then:
                page.then(browser)
            # Before axe runs: its script is the test's, not the page's.
            wait_until(browser, lambda d: d.execute_script(PAGE_SETTLED))
            refused = csp_violations(browser)
            if refused:
                failures.append(f"{page.name} ({page.path}): CSP refused {refused}")
            twice = browser.execute_script(DUPLICATE_IDS)
            if twice:
                failures.append(f"{page.name} ({page.path}): ids used twice {twice}")
            blocking = [v for v in axe_violations(browser) if v["impact"] in BLOCKING]
            if blocking:
                failures.append(describe(page, blocking))
        if role:
            log_out(browser)
    assert not failures, "WCAG 2.1 AA or CSP violations:\n" + "\n".join(failures)
