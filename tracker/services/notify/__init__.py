"""E-mail notifications through a durable outbox.

``outbox`` writes messages in the caller's transaction (an event and its e-mail commit or
roll back together) and says who receives each kind; ``sender`` claims due messages and
sends them over SMTP with retries; ``digest`` gathers held messages into one a day;
``daily`` queues the reminders computed once a day (audits due, readiness expiring);
``events`` turns the events users named into messages.
"""
