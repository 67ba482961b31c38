"""Staff or customer by appearance (issue 17, item 1): a camera's aggregate staff model and each live
track's vote, pure logic in memory; only the staff model's aggregate looks are ever stored."""

from cvmon.staff.looks import torso_look
from cvmon.staff.model import StaffModel
from cvmon.staff.roles import RoleVerdict, TrackRoles

__all__ = ["RoleVerdict", "StaffModel", "TrackRoles", "torso_look"]
