"""What a database holds: a real center's records, or a sandbox's (a demo organisation, a clock moved)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DatabaseMark(Model):
    """Set once, by the first serve, and never changed by the program: a production database is never
    served as a sandbox, and the database of a sandbox never becomes a production one."""

    id = fields.IntField(primary_key=True, generated=False)  # always 1
    mode = fields.CharField(max_length=16)  # "production" or "sandbox"
    marked_at = fields.DatetimeField()
    marked_by = fields.CharField(max_length=200, default="")  # host and command, for the operator

    class Meta:
        table = "database_mark"
