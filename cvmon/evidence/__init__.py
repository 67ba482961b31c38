"""Anonymised evidence: snapshots with people hidden, and when a camera takes them (stored by
``cvmon.storage.evidence_files``)."""

from cvmon.evidence.anonymise import anonymise, boxes_for_evidence
from cvmon.evidence.snapshots import EvidenceFrame, EvidenceRecorder, StepResult

__all__ = ["EvidenceFrame", "EvidenceRecorder", "StepResult", "anonymise", "boxes_for_evidence"]
