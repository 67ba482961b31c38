"""Who may do what: the roles allowed on each kind of route (every route also limits data to the user's units)."""

from __future__ import annotations

from cvmon.storage.users import Role

# Figures, units, cameras, series and alert lists: every role.
READ_FIGURES: tuple[Role, ...] = (Role.ADMIN, Role.MANAGER, Role.PIC, Role.AUDITOR, Role.VIEWER)
# Anonymised snapshots (listing and images): not viewers, who see figures only.
READ_EVIDENCE: tuple[Role, ...] = (Role.ADMIN, Role.MANAGER, Role.PIC, Role.AUDITOR)
# Acknowledge and resolve alerts with their follow-up.
FOLLOW_UP_ALERTS: tuple[Role, ...] = (Role.ADMIN, Role.MANAGER, Role.PIC)
# Import customer ratings and mystery-shopper scores of one's units.
IMPORT_FIGURES: tuple[Role, ...] = (Role.ADMIN, Role.MANAGER)
# The audit log and its export; user administration.
ADMINISTER: tuple[Role, ...] = (Role.ADMIN,)


def capabilities(role: Role) -> dict[str, bool]:
    """What a role may do, for a client that shows or hides controls."""
    return {
        "read_evidence": role in READ_EVIDENCE,
        "follow_up_alerts": role in FOLLOW_UP_ALERTS,
        "administer": role in ADMINISTER,
    }
