"""The HTTP API of cvmon (FastAPI): sessions, roles and unit scopes, audit log, figures, alerts, evidence.

Import ``create_api`` from ``cvmon.api.app`` (the server with pages is ``cvmon.server.create_app``); this
package's import stays light so the CLI starts fast. It imports nothing of the web viewer.
"""
