"""An anonymised snapshot: the only image the evidence store takes."""

from __future__ import annotations

from dataclasses import dataclass, field

from cvmon.errors import EvidenceError

ANONYMISED = object()
"""The seal only ``cvmon.evidence.anonymise`` hands to ``AnonymisedJpeg``."""


@dataclass(frozen=True, slots=True)
class AnonymisedJpeg:
    """JPEG bytes of an anonymised snapshot; made only by ``anonymise``.

    Attributes:
        data: the JPEG file's bytes.
        width: image width in pixels.
        height: image height in pixels.
    """

    data: bytes
    width: int
    height: int
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not ANONYMISED:
            raise EvidenceError("an AnonymisedJpeg is made only by cvmon.evidence.anonymise()")

    def __len__(self) -> int:
        return len(self.data)
