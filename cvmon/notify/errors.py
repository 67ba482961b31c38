"""Exceptions of the notification channels."""

from __future__ import annotations

from cvmon.errors import CvmonError


class DeliveryError(CvmonError):
    """A notification could not be delivered now (receiver down, refused, timed out); it will be retried.

    The message is one line and never holds a secret (webhook key, broker password).
    """
