"""Reference greetings in the database: one per staff zone, replaced by a new recording, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cvmon.behaviour.reference import GreetingReference, learn_reference
from cvmon.config import Config
from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor
from cvmon.storage.config_history import sync_config
from cvmon.storage.greetings import load_references, save_reference
from cvmon.storage.models import AuditRecord
from tests.behaviour.poses import greeting, script
from tests.storage.conftest import MINUTE

ADMIN = AuditActor("admin", "127.0.0.1")


def reference(bow_deg: float = 30.0) -> GreetingReference:
    samples = script(greeting(3.0, 1.5, 3.3, 0.8, bow_deg), end=8.0)
    return learn_reference(samples, [(2.85, 4.65)], GreetingConfig(), GreetingReferenceConfig())


def staff_zone(config: Config) -> tuple[str, str]:
    for cam in config.cameras:
        for zone in cam.zones:
            if zone.kind.measures_staffing:
                return cam.id, zone.id
    raise AssertionError("the test configuration has no staff zone")


def test_a_reference_is_stored_read_back_replaced_and_audited(database: Database, config: Config) -> None:
    sync_config(database, config)
    camera_id, zone_id = staff_zone(config)
    first, second = reference(30.0), reference(40.0)
    save_reference(database, camera_id, zone_id, first.to_json(), len(first.greeting), MINUTE, ADMIN)
    (stored,) = load_references(database, camera_id).values()
    assert (stored.zone_id, stored.created_by, stored.frames) == (zone_id, "admin", len(first.greeting))
    assert GreetingReference.from_json(stored.reference_json).to_json() == first.to_json()

    later = MINUTE + timedelta(days=1)
    save_reference(database, camera_id, zone_id, second.to_json(), len(second.greeting), later, ADMIN)
    (replaced,) = load_references(database, camera_id).values()
    assert replaced.created_at == later
    assert GreetingReference.from_json(replaced.reference_json).to_json() == second.to_json()
    assert load_references(database, "no-such-camera") == {}
    with database.transaction("read", write=False) as session:
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.action == "greeting.reference")).all()
    assert len(actions) == 2
