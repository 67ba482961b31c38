"""The HTTP API of cvmon (FastAPI): sessions, roles and unit scopes, audit log, figures, alerts, evidence.

Import ``create_app`` from ``cvmon.api.app``; this package's import stays light so the CLI starts fast.
"""
