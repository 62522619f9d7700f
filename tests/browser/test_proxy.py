"""Identity from a real authenticating proxy, in Chromium: nginx with basic authentication (a reviewer and a lead)
forwards the signed-in user as X-Remote-User to `workbench serve --user-header X-Remote-User --roles FILE`.
The reviewer decides, her sign-off is refused, the lead's is recorded with the right identities, the lead cannot
sign off his own decision; a request straight to the app's port, without the header, cannot record anything.
Screenshots in test-artifacts/browser/ show the identity, not a text box."""
from __future__ import annotations

import base64
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nginx_proxy import NGINX, nginx_proxy

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
SUBMISSION = "rct-ucmsc-koa"
USERS = {"alice": "alice-pw-1", "bob": "bob-pw-2"}
ROLES = """\
identities:
  alice: {role: reviewer, name: "王审评 Alice Wang"}
  bob: {role: lead, name: "李组长 Bob Li"}
"""


@pytest.fixture(scope="module")
def proxied(serve_with, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (scripts/setup.sh --test installs it)")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh --test installs it)")
    tmp = tmp_path_factory.mktemp("proxied")
    (tmp / "roles.yaml").write_text(ROLES, encoding="utf-8")
    with serve_with(tmp, "--user-header=X-Remote-User", f"--roles={tmp / 'roles.yaml'}",
                    log_name="voila-proxy.log") as app:
        with nginx_proxy(tmp, urlsplit(app["base"]).port, USERS) as proxy:
            yield {"app": app, "proxy": proxy}


def _context(browser, user: str | None = None, **kw):
    creds = {"http_credentials": {"username": user, "password": USERS[user]}} if user else {}
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="en-US", **creds, **kw)
    ctx.set_default_timeout(120_000)
    return ctx


def _open_tier_tab(page, url: str):
    page.goto(url, wait_until="commit")
    for attempt in range(2):   # the rare first-load stall of docs/app.md: reload once
        try:
            page.locator("text=Key-information scorecard >> visible=true").first.wait_for(timeout=120_000)
            break
        except Exception:  # noqa: BLE001
            if attempt:
                raise AssertionError(f"the app never loaded: {page.inner_text('body')[-1500:]}") from None
            page.reload(wait_until="commit")
    page.get_by_role("tab", name="Evidence tier").click()
    panel = page.locator(".wb-tier-panel")
    panel.wait_for()
    return panel


def _shot(page, name: str) -> None:
    """The page scrolled to the end of the tier panel: identity, buttons, message and audit history in view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".wb-audit-history").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / name))


def test_proxy_requires_a_password(proxied):
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{proxied['proxy']['base']}/voila/render/index.ipynb", timeout=10)
    assert exc.value.code == 401
    req = urllib.request.Request(f"{proxied['proxy']['base']}/voila/render/index.ipynb", headers={
        "Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode(), "X-Remote-User": "alice"})
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert exc.value.code == 401


def test_reviewer_decides_lead_signs_off_four_eyes(proxied, browser):
    from workbench.store import DecisionStore

    url = f"{proxied['proxy']['base']}/voila/render/review.ipynb?submission={SUBMISSION}&lang=en"
    # alice, whose browser also sends a forged X-Remote-User: bob (the proxy replaces it)
    ctx_a = _context(browser, "alice", extra_http_headers={"X-Remote-User": "bob"})
    try:
        page = ctx_a.new_page()
        panel = _open_tier_tab(page, url)
        who = panel.locator(".wb-identity").inner_text()
        assert "王审评 Alice Wang" in who and "alice" in who and "header:X-Remote-User" in who and "reviewer" in who
        assert "bob" not in who
        assert panel.locator("input[type=text]").count() == 0        # the identity is shown, not typed
        panel.get_by_role("button", name="Confirm proposal").click()
        panel.locator(".wb-recorded").wait_for()
        panel.get_by_role("button", name="Sign off").click()
        refusal = panel.locator(".wb-refused")
        refusal.wait_for()
        assert "only a lead may sign off" in refusal.inner_text() and "four-eyes" in refusal.inner_text()
        _shot(page, "proxy-reviewer-alice-signoff-refused.png")
    finally:
        ctx_a.close()

    ctx_b = _context(browser, "bob")
    try:
        page = ctx_b.new_page()
        panel = _open_tier_tab(page, url)
        who = panel.locator(".wb-identity").inner_text()
        assert "李组长 Bob Li" in who and "bob" in who and "lead" in who
        assert "王审评 Alice Wang (alice)" in panel.inner_text()         # the decision in force is alice's
        panel.get_by_role("button", name="Sign off").click()
        panel.locator(".wb-recorded").wait_for()
        panel.locator(".wb-signed-off").wait_for()
        assert "李组长 Bob Li (bob)" in panel.locator(".wb-signed-off").inner_text()
        history = panel.locator(".wb-audit-history").inner_text()
        assert "Sign-off (approves decision #" in history and "alice" in history and "bob" in history
        _shot(page, "proxy-lead-bob-signoff-recorded.png")
        # the lead decides himself: his own sign-off is refused (four-eyes)
        panel.get_by_role("button", name="Confirm proposal").click()
        page.wait_for_function("document.querySelectorAll('.wb-recorded').length > 0 && "
                               "document.querySelector('.wb-recorded').innerText.includes('confirm')")
        panel.get_by_role("button", name="Sign off").click()
        refusal = panel.locator(".wb-refused")
        refusal.wait_for()
        assert "four-eyes" in refusal.inner_text() and "only a lead" not in refusal.inner_text()
        _shot(page, "proxy-lead-bob-own-decision-refused.png")
    finally:
        ctx_b.close()

    with DecisionStore(f"sqlite:///{proxied['app']['db']}") as store:
        history = [e for e in store.entries() if e.action != "role"]
        assert store.verify_chain().ok
    acts = [(e.action, e.identity, e.identity_source, e.reviewer) for e in history]
    assert acts == [("confirm", "alice", "header:X-Remote-User", "王审评 Alice Wang"),
                    ("signoff", "bob", "header:X-Remote-User", "李组长 Bob Li"),
                    ("confirm", "bob", "header:X-Remote-User", "李组长 Bob Li")]
    assert history[1].signs_hash == history[0].entry_hash


def test_direct_request_without_the_header_cannot_record(proxied, browser):
    from workbench.store import DecisionStore

    with DecisionStore(f"sqlite:///{proxied['app']['db']}") as store:
        before = store.entries()
    ctx = _context(browser)
    try:
        page = ctx.new_page()
        panel = _open_tier_tab(page, f"{proxied['app']['base']}/voila/render/review.ipynb?"
                                     f"submission={SUBMISSION}&lang=en")
        missing = panel.locator(".wb-identity-missing")
        missing.wait_for()
        assert "X-Remote-User" in missing.inner_text() and "未通过身份认证" in missing.inner_text()
        for name in ("Confirm proposal", "Override", "Sign off"):
            assert panel.get_by_role("button", name=name).is_disabled()
        _shot(page, "proxy-direct-no-header-cannot-record.png")
    finally:
        ctx.close()
    with DecisionStore(f"sqlite:///{proxied['app']['db']}") as store:
        assert store.entries() == before


def test_under_a_url_prefix_with_a_jupyterhub_user_record(serve_with, browser, tmp_path):
    """What JupyterHub does (jhsingle-native-proxy --forward-user-info): the app under /user/NAME/, the prefix
    stripped before forwarding, and the user as a JSON record in X-CDSDASHBOARDS-JH-USER. Here nginx plays that
    part: `workbench serve --base-url /user/alice/ --user-header X-CDSDASHBOARDS-JH-USER`."""
    if not Path(NGINX).exists() or not Path("/usr/bin/chromium").exists():
        pytest.skip("nginx and Debian chromium are needed (scripts/setup.sh --test installs them)")
    record = '{"kind": "user", "name": "$remote_user", "admin": false, "groups": ["reviewers"]}'
    with serve_with(tmp_path, "--user-header=X-CDSDASHBOARDS-JH-USER", "--base-url=/user/alice/",
                    log_name="voila-prefix.log") as app:
        with nginx_proxy(tmp_path, urlsplit(app["base"]).port, USERS, header="X-CDSDASHBOARDS-JH-USER",
                         value=record, prefix="/user/alice/") as proxy:
            ctx = _context(browser, "alice")
            try:
                page = ctx.new_page()
                outside = []
                page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
                    (proxy["base"] + "/user/alice/", "data:", "blob:", "about:")) else None)
                panel = _open_tier_tab(page, f"{proxy['base']}/user/alice/voila/render/review.ipynb?"
                                             f"submission={SUBMISSION}&lang=en")
                who = panel.locator(".wb-identity").inner_text()
                assert "alice" in who and "header:X-CDSDASHBOARDS-JH-USER" in who, who
                panel.get_by_role("button", name="Confirm proposal").click()
                panel.locator(".wb-recorded").wait_for()
                _shot(page, "proxy-prefix-jupyterhub-style.png")
                page.wait_for_function("() => !!window.Plotly", timeout=30_000)   # the overview's heatmap drawn
                assert not outside, outside[:5]               # every request stayed under the prefix, plotly.js too
            finally:
                ctx.close()
    from workbench.store import DecisionStore

    with DecisionStore(f"sqlite:///{app['db']}") as store:
        [e] = store.entries()
    assert (e.identity, e.identity_source) == ("alice", "header:X-CDSDASHBOARDS-JH-USER")
