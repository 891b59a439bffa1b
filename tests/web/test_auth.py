"""Sign-in and the route guard, through Flask's test client against the real app."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.conftest import sign_in_client
from tracker.access import Principal
from tracker.models import AuditLog, Role
from tracker.services.users import create_user, set_active, set_password


@pytest.fixture
def client(web_app: Any) -> Any:
    return web_app.server.test_client()


def test_pages_redirect_and_dash_endpoints_refuse_when_signed_out(client: Any) -> None:
    page = client.get("/pipeline?hei=UNI-A")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=/pipeline")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_sign_in_sets_a_hardened_session_cookie(client: Any) -> None:
    response = sign_in_client(client, "coordinator")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200


def test_sign_in_without_the_form_token_is_refused(client: Any) -> None:
    response = client.post("/login", data={"username": "admin", "password": "demo-admin-pass"})
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


def test_next_parameter_cannot_redirect_off_site(client: Any) -> None:
    response = sign_in_client(client, "admin")
    assert response.headers["Location"] == "/"
    page = client.get("/login?next=https://evil.example/")
    assert page.status_code == 302
    assert page.headers["Location"] == "/"


def _form_token(client: Any) -> str:
    """The session's form token, as the sign-out confirmation page carries it."""
    page = client.get("/logout")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the sign-out form has no token"
    return token.group(1)


def sign_out_client(client: Any) -> Any:
    return client.post("/logout", data={"csrf_token": _form_token(client)})


def test_sign_out_ends_the_session_and_is_audited(client: Any, web_engine: Any) -> None:
    sign_in_client(client, "collaborative")
    assert client.get("/_dash-layout").status_code == 200
    response = sign_out_client(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    with Session(web_engine) as session:
        actions = [
            row.action
            for row in session.exec(select(AuditLog).where(AuditLog.username == "collaborative"))
        ]
    assert "signin" in actions
    assert "signout" in actions


@pytest.mark.parametrize("path", ["/loginX", "/login/x", "/healthzX", "/favicon.icoX", "/assets"])
def test_public_paths_are_matched_exactly(client: Any, path: str) -> None:
    """Only the exact public paths (and the assets folder) are served without sign-in."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def _inline_scripts(html: str) -> list[str]:
    """Bodies of the page's inline scripts that a browser runs (not JSON data blocks, nor the
    Internet Explorer warning inside a conditional comment)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, flags=re.S)
    return [body for attrs, body in scripts if "src=" not in attrs and "json" not in attrs]


def test_security_headers_allow_only_the_apps_own_scripts(client: Any) -> None:
    signin = client.get("/login")
    assert signin.headers["X-Content-Type-Options"] == "nosniff"
    assert signin.headers["Referrer-Policy"] == "same-origin"
    assert signin.headers["X-Frame-Options"] == "DENY"
    sign_in_client(client, "coordinator")
    page = client.get("/")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    script_src = policy["script-src"].split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert not [source for source in script_src if source.startswith(("http", "*", "data:"))]
    inline = _inline_scripts(page.text)
    assert inline, "Dash starts its renderer with an inline script"
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src
    assert signin.headers["Content-Security-Policy"] == page.headers["Content-Security-Policy"]


def _copy_session(source: Any, target: Any) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def _layout_and_callback_and_page(client: Any) -> tuple[int, int, Any]:
    callback = client.post(
        "/_dash-update-component",
        json={"output": "nav-collapse.is_open", "inputs": [], "state": [], "changedPropIds": []},
    )
    return client.get("/_dash-layout").status_code, callback.status_code, client.get("/pipeline")


def test_a_copied_session_cookie_stops_working_at_sign_out(web_app: Any) -> None:
    """Sign-out ends the session server-side: the old cookie, replayed, is refused."""
    browser = web_app.server.test_client()
    sign_in_client(browser, "coordinator")
    thief = web_app.server.test_client()
    _copy_session(browser, thief)
    assert thief.get("/_dash-layout").status_code == 200
    assert sign_out_client(browser).status_code == 302
    layout, callback, page = _layout_and_callback_and_page(thief)
    assert (layout, callback) == (401, 401)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=")


def test_sign_out_is_a_post_with_the_form_token(client: Any) -> None:
    sign_in_client(client, "collaborative")
    token = _form_token(client)  # GET /logout only shows the form
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def _find(component: Any, component_id: str) -> dict[str, Any] | None:
    if isinstance(component, list):
        for child in component:
            if found := _find(child, component_id):
                return found
    if not isinstance(component, dict):
        return None
    props = component.get("props", {})
    if props.get("id") == component_id:
        return component
    return _find(props.get("children"), component_id)


def test_the_navigation_signs_out_with_a_form_carrying_the_token(client: Any) -> None:
    sign_in_client(client, "hei")
    layout = client.get("/_dash-layout").get_json()
    button = _find(layout, "nav-signout")
    assert button is not None and button["type"] == "Button"
    assert button["props"]["type"] == "submit" and button["props"]["name"] == "csrf_token"
    assert '"action": "/logout"' in json.dumps(layout) and '"method": "post"' in json.dumps(layout)
    response = client.post("/logout", data={"csrf_token": button["props"]["value"]})
    assert response.status_code == 302
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_deactivation_and_a_new_password_end_the_users_sessions(
    web_app: Any, web_engine: Any, change: str
) -> None:
    username = f"sessions-{change}"
    with Session(web_engine) as session:
        create_user(session, username=username, password="first passphrase", role="coordinator")
        session.commit()
    client = web_app.server.test_client()
    assert sign_in_client(client, username, "first passphrase").status_code == 302
    assert client.get("/_dash-layout").status_code == 200
    admin = Principal("admin", Role.ADMIN)
    with Session(web_engine) as session:
        if change == "deactivate":
            set_active(session, username=username, active=False, actor=admin)
            set_active(session, username=username, active=True, actor=admin)
        else:
            set_password(session, username=username, password="second passphrase", actor=admin)
        session.commit()
    layout, callback, page = _layout_and_callback_and_page(client)
    assert (layout, callback, page.status_code) == (401, 401, 302)


SHARED_LINK = "/concerns?profession_group=nursing&hei=UNI-A&intake_year=2022/23"


def test_a_shared_links_whole_query_survives_the_sign_in_redirect(client: Any) -> None:
    page = client.get(SHARED_LINK)
    assert page.status_code == 302
    signin = client.get(page.headers["Location"])
    assert f'name="next" value="{SHARED_LINK.replace("&", "&amp;")}"' in signin.text
    response = sign_in_client(client, "admin", next_path=SHARED_LINK)
    assert response.headers["Location"] == SHARED_LINK


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_next_cannot_leave_the_site_by_any_spelling(client: Any, target: str) -> None:
    response = sign_in_client(client, "admin", next_path=target)
    assert response.headers["Location"] == "/"
