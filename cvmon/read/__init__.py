"""Scoped reads of the stored figures, alerts, snapshots and audit rows, for the API, the viewer, the
reports and the CLI alike.

Every read takes the units the caller may see and keeps to them. Nothing here knows HTTP: the API
turns a read's "not found" into a 404, the CLI into a one-line error.
"""
