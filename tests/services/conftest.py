"""Fixtures of the service tests: a real SMTP server for the notification tests."""

from tests.services.smtp_server import smtp_server

__all__ = ["smtp_server"]
