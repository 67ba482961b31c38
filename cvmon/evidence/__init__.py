"""Anonymised evidence: snapshots with people hidden, their store, and when a camera takes them."""

from cvmon.evidence.anonymise import AnonymisedJpeg, anonymise, boxes_for_evidence
from cvmon.evidence.errors import EvidenceError, EvidenceTampered, NotAnonymised
from cvmon.evidence.snapshots import EvidenceFrame, EvidenceRecorder, StepResult
from cvmon.evidence.store import EvidenceStore, StoredEvidence

__all__ = [
    "AnonymisedJpeg",
    "EvidenceError",
    "EvidenceFrame",
    "EvidenceRecorder",
    "EvidenceStore",
    "EvidenceTampered",
    "NotAnonymised",
    "StepResult",
    "StoredEvidence",
    "anonymise",
    "boxes_for_evidence",
]
