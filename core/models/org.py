"""The organisation a center hands over: regions, departments, staff and their chat identities."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Region(Model):
    """A node of the tree 区/县 → 乡镇/街道 → 村/社区 → 网格.

    `path` holds the ids from the root, e.g. "/1/4/9/", so "is X inside Y" is a prefix test in SQL.
    `full_name` is the names from the root joined by "/" and is the stable identity of the node on import.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, db_index=True)
    full_name = fields.CharField(max_length=500, unique=True)
    level = fields.CharField(max_length=16)
    parent: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    path = fields.CharField(max_length=255, db_index=True, default="/")
    active = fields.BooleanField(default=True)

    class Meta:
        table = "region"


class Department(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="departments", on_delete=fields.RESTRICT
    )
    region_id: int
    role = fields.CharField(max_length=32, default="")  # "dispatch" for the center's command room
    # department (职能部门), committee (调委会), studio (品牌工作室), stationed (派驻); null read as department
    kind = fields.CharField(max_length=16, null=True, default="department")
    categories: list[str] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "department"
        unique_together = (("region", "name"),)


class Staff(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, null=True, unique=True)  # optional id from the org file
    name = fields.CharField(max_length=64, db_index=True)
    title = fields.CharField(max_length=64, default="")
    roles: list[str] = fields.JSONField(default=list)
    expertise: list[str] = fields.JSONField(default=list)  # categories an expert helps with
    # in the 专家库: found without reading all staff (nullable only so that adding it never rebuilt the table)
    is_expert = fields.BooleanField(default=False, null=True, db_index=True)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    region_id: int | None
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    active = fields.BooleanField(default=True)
    phone = fields.CharField(max_length=20, null=True)  # mobile from the org file: SMS reminders (提醒方式 短信)
    # AB岗: who takes this person's new tasks and reminders while they are away (请假)
    backup: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL)
    backup_id: int | None

    class Meta:
        table = "staff"


class Identity(Model):
    """The account of one staff member on one chat platform (its user id there)."""

    id = fields.IntField(primary_key=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="identities", on_delete=fields.CASCADE
    )
    staff_id: int
    platform = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=128)
    # The same account under a second id some of the platform's APIs want instead (looked up once, then kept).
    alias = fields.CharField(max_length=128, null=True)
    last_seen_at = fields.DatetimeField(null=True)  # replies go to the platform a person used last

    class Meta:
        table = "identity"
        unique_together = (("platform", "external_id"),)


class Liaison(Model):
    """联村领导 / 联村干部 of a village: copied on its general cases."""

    id = fields.IntField(primary_key=True)
    village: fields.OneToOneRelation[Region] = fields.OneToOneField(
        "models.Region", related_name="liaison", on_delete=fields.CASCADE
    )
    village_id: int
    leader: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    leader_id: int | None
    cadre: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    cadre_id: int | None

    class Meta:
        table = "liaison"


class GroupChat(Model):
    """A group chat that receives feeds: one chat, reached on each platform through its GroupAddress."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    receives: list[str] = fields.JSONField(default=list)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="groups", null=True, on_delete=fields.SET_NULL
    )
    region_id: int | None
    active = fields.BooleanField(default=True)
    # Who the chat is made with when the app creates it (`maotiao groups create`): roles and/or names, in order
    # (the first person found owns the chat); null: the center roles of the group's region (core/group_members.py)
    members: list[str] | None = fields.JSONField(null=True)

    addresses: fields.ReverseRelation[GroupAddress]

    class Meta:
        table = "group_chat"

    async def refs(self) -> dict[str, str]:
        """Platform value → the group's id on that platform, for the platforms it lives on."""
        return {a.platform: a.ref for a in await GroupAddress.filter(group_id=self.id) if a.ref}


class GroupAddress(Model):
    """Where one group chat lives on one chat platform (its chat or conversation id there)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[GroupChat] = fields.ForeignKeyField(
        "models.GroupChat", related_name="addresses", on_delete=fields.CASCADE
    )
    group_id: int
    platform = fields.CharField(max_length=16)
    ref = fields.CharField(max_length=128, db_index=True)

    class Meta:
        table = "group_address"
        unique_together = (("group", "platform"),)


class RosterEntry(Model):
    """One person on duty at the center on one day (轮流值班)."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(db_index=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="duties", on_delete=fields.RESTRICT
    )
    staff_id: int
    duty = fields.CharField(max_length=16)  # "leader" | "staff"

    class Meta:
        table = "roster_entry"
        unique_together = (("day", "staff", "duty"),)


class Setting(Model):
    """Center-wide settings from the org file (escalation limits, task defaults, follow-up)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value: dict[str, object] = fields.JSONField(default=dict)

    class Meta:
        table = "setting"


class CalendarDay(Model):
    """A correction of the working-day calendar made by the center."""

    day = fields.DateField(primary_key=True)
    workday = fields.BooleanField()
    name = fields.CharField(max_length=64, default="")

    class Meta:
        table = "calendar_day"


class RosterSwap(Model):
    """调班: who handed a duty day to whom, and who approved it."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(db_index=True)
    duty = fields.CharField(max_length=16)
    from_staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    from_staff_id: int
    to_staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    to_staff_id: int
    approved_by: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, on_delete=fields.RESTRICT
    )
    approved_by_id: int
    at = fields.DatetimeField()

    class Meta:
        table = "roster_swap"


class OrgVersion(Model):
    """One row that changes whenever the organisation does: database triggers (core/org_version.py) add 1 to
    `n` on every insert, update or delete of regions, departments, staff, liaisons and the policy setting,
    whoever writes them (org import, another process, a hand-made SQL fix). `epoch` is drawn when the row is
    made, so a new or restored database never matches what a process remembers of another."""

    id = fields.IntField(primary_key=True)
    epoch = fields.CharField(max_length=32)
    n = fields.BigIntField(default=0)

    class Meta:
        table = "org_version"
