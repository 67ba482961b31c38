"""Periodic service-environment reports, the service-environment index and evidence packs."""
