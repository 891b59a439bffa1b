"""Load test of the documented deployment (gunicorn + PostgreSQL + Celery on Redis)."""
