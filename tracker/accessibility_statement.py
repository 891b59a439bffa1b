"""The accessibility statement, a public page in the GOV.UK model statement's structure.

Public-sector services in England must publish one (Public Sector Bodies Accessibility
Regulations 2018). It is plain HTML like the sign-in page, so anyone can read it before, or
without, signing in; every page's footer and the sign-in page link to it.
"""

from __future__ import annotations

from flask import Response

PATH = "/accessibility"
PREPARED = "1 December 2026"

_STATEMENT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accessibility statement · Placement &amp; Pipeline Tracker</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/50_tracker.css">
</head><body>
<header class="tracker-nav navbar navbar-dark mb-3"><div class="container">
<a class="navbar-brand" href="/">Placement &amp; Pipeline Tracker</a></div></header>
<main class="container statement" id="main">
<h1 class="page-title">Accessibility statement for the Placement &amp; Pipeline Tracker</h1>
<p>This statement applies to the Placement &amp; Pipeline Tracker, a web service for
placement capacity, allocation and the learner pipeline in health and social care
education. It is run by the organisation that hosts it for your integrated care system.</p>
<p>We want as many people as possible to be able to use this service. For example, that
means you should be able to:</p>
<ul>
<li>sign in, filter a dashboard, edit a capacity count and run and approve an allocation
with a keyboard only, and see where the focus is on every page</li>
<li>find every page's title, main landmark and language with a screen reader</li>
<li>read every chart without telling colours apart: points outside the funnel plot's limits
also differ in marker shape, and the legend says so</li>
</ul>
<h2>How accessible this service is</h2>
<p>We know some parts of this service are not fully accessible:</p>
<ul>
<li>charts are drawn with Plotly: a screen reader reads their title and legend, not every
point; the same figures are in the tables and the downloads beside them</li>
<li>the data grids (AG Grid) are large: moving between cells with the arrow keys works, but
a screen reader announces a long grid slowly</li>
</ul>
<h2>Feedback and contact information</h2>
<p>If you need information on this service in a different format, or find a problem not
listed on this page, contact the administrator of your tracker (the person who set up your
account). Tell us the address of the page, what you were trying to do and what went wrong.
You can also report a problem to the open-source project's issue tracker.</p>
<h2>Enforcement procedure</h2>
<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the
accessibility regulations). If you are not happy with how we respond to your complaint,
contact the Equality Advisory and Support Service (EASS).</p>
<h2>Technical information about this service's accessibility</h2>
<p>We are committed to making this service accessible, in accordance with the accessibility
regulations.</p>
<h3>Compliance status</h3>
<p>This service is partially compliant with the
<a href="https://www.w3.org/TR/WCAG22/">Web Content Accessibility Guidelines version 2.2</a>
AA standard, due to the limitations listed below.</p>
<h2>Non-accessible content</h2>
<h3>Non-compliance with the accessibility regulations</h3>
<ul>
<li>Chart points are not each announced to screen readers (1.1.1 Non-text content); the
figures are available in the tables and downloads on the same page.</li>
</ul>
<h3>Disproportionate burden</h3>
<p>We are not claiming disproportionate burden for any content.</p>
<h3>Content that is not within the scope of the accessibility regulations</h3>
<p>Files you download (CSV and Excel) are data files for your own tools.</p>
<h2>What we are doing to improve accessibility</h2>
<p>Every page is checked for every role with the axe-core accessibility engine (WCAG 2.0,
2.1 and 2.2 A and AA rules) in the automated tests, which fail on any serious or critical
finding; every page passes for every role. Every control has a label tied to it. Signing in,
filtering a dashboard, editing a capacity count and running and approving an allocation are
tested with a keyboard only.</p>
<h2>Preparation of this accessibility statement</h2>
<p>This statement was prepared on {prepared}. It was last reviewed on {prepared}.</p>
<p>This service was last tested on {prepared}. The test was carried out by the project's
developers with automated checks (axe-core) on every page for every role, and keyboard-only
tests of the main journeys.</p>
</main>
<footer class="container tracker-footer"><a href="/login">Sign in</a></footer>
</body></html>"""


def accessibility_statement() -> Response:
    """The statement page (public: served without sign-in)."""
    return Response(_STATEMENT.format(prepared=PREPARED), mimetype="text/html")
