"""A camera's flow figures of one minute: journey counts as ``cvmon.figures.ZoneFigures``.

Only counts of journeys and a histogram of journey times, never a path, a track id or a coordinate, so
the figures of two cameras add up like those of two minutes: an office whose entrance and counters are
on different cameras gets its flow by adding the door camera's arrivals to the counter camera's
customers served, never by following a person from one camera to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cvmon.figures import ZoneFigures


@dataclass(frozen=True, slots=True)
class FlowMinute:
    """The flow figures of one UTC minute of a camera (only the ``FLOW_COUNTS`` and journey times set)."""

    minute: datetime
    figures: ZoneFigures
