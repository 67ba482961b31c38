"""What a camera worker writes, as the JSON payloads of its spool and back, exactly.

Times are ISO 8601 with their offset and microseconds (``datetime.fromisoformat`` reads back the same
instant); floats are written by ``repr`` and read back bit for bit; enums as their values.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cvmon.figures import HISTOGRAMS
from cvmon.histogram import DurationHistogram
from cvmon.pipeline.staged_evidence import StagedSnapshot
from cvmon.types import AlertChange, CameraMinute, ChangeKind, MinuteRow, Rule, SourceEvent, SourceEventKind

T = TypeVar("T")
Json = dict[str, Any]


def _to_json(item: Any) -> Json:
    out: Json = {}
    for f in dataclasses.fields(item):
        value = getattr(item, f.name)
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise ValueError(f"{type(item).__name__}.{f.name} {value.isoformat()} must be timezone-aware")
            value = value.isoformat()
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        out[f.name] = value
    return out


def _from_json(cls: type[T], data: Json, times: tuple[str, ...]) -> T:
    values = dict(data)
    for name in times:
        values[name] = datetime.fromisoformat(values[name])
    return cls(**values)


def minute_row_to_json(row: MinuteRow) -> Json:
    return {**_to_json(row), **{name: getattr(row, name).to_json() for name in HISTOGRAMS}}


def minute_row_from_json(data: Json) -> MinuteRow:
    """A spooled row; one spooled by an older version lacks the newer figures, which are then zero."""
    hists = {name: DurationHistogram.from_json(data[name]) for name in HISTOGRAMS if name in data}
    return _from_json(MinuteRow, {**data, **hists}, ("minute",))


def camera_minute_to_json(cam: CameraMinute) -> Json:
    return _to_json(cam)


def camera_minute_from_json(data: Json) -> CameraMinute:
    return _from_json(CameraMinute, data, ("minute",))


def event_to_json(event: SourceEvent) -> Json:
    return {**_to_json(event), "kind": SourceEventKind(event.kind).value}


def event_from_json(data: Json) -> SourceEvent:
    event = _from_json(SourceEvent, data, ("ts",))
    return dataclasses.replace(event, kind=SourceEventKind(event.kind))


def change_to_json(change: AlertChange) -> Json:
    return {**_to_json(change), "rule": change.rule.value, "kind": change.kind.value}


def change_from_json(data: Json) -> AlertChange:
    change = _from_json(AlertChange, data, ("ts", "opened_at"))
    return dataclasses.replace(change, rule=Rule(change.rule), kind=ChangeKind(change.kind))


def staged_to_json(snap: StagedSnapshot) -> Json:
    """A staged snapshot; its staging folder is left out (the spool that holds it knows where that is)."""
    out = _to_json(snap)
    del out["staging"]
    if snap.alert_key is not None:
        rule, zone_id, opened_at = snap.alert_key
        out["alert_key"] = [rule, zone_id, opened_at.isoformat()]
    return out


def staged_from_json(data: Json, staging: Path) -> StagedSnapshot:
    values = {**data, "staging": staging, "counts": {str(k): int(v) for k, v in data["counts"].items()}}
    key = data.get("alert_key")
    values["alert_key"] = None if key is None else (str(key[0]), str(key[1]), datetime.fromisoformat(key[2]))
    return _from_json(StagedSnapshot, values, ("ts",))
