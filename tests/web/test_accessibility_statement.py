"""The accessibility statement: public, in the GOV.UK model's structure, linked from every page."""

from __future__ import annotations

from typing import Any

from tests.conftest import sign_in_client


def test_the_statement_is_public_and_follows_the_model_structure(web_app: Any) -> None:
    client = web_app.server.test_client()
    page = client.get("/accessibility")
    assert page.status_code == 200
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in page.text
    assert "WCAG" in page.text or "Web Content Accessibility Guidelines version 2.2" in page.text
    assert "This statement was prepared on" in page.text


def test_the_sign_in_page_and_the_app_link_to_the_statement(web_app: Any) -> None:
    client = web_app.server.test_client()
    assert 'href="/accessibility"' in client.get("/login").text
    sign_in_client(client, "hei")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
