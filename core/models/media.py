"""Evidence media kept past the platform's expiry, and the count of metered platform API calls."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class MediaFile(Model):
    """A photo, voice message, video or file a person sent. Platform media ids die (within days), so the
    file is fetched soon after it arrives and kept in the media store, and the row remembers where."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=16)
    kind = fields.CharField(max_length=16)  # image, voice, video, file
    ref = fields.CharField(max_length=512)  # the platform's media id / download code
    staff_id = fields.IntField(null=True, db_index=True)
    draft_id = fields.IntField(null=True, db_index=True)
    case_id = fields.IntField(null=True, db_index=True)
    status = fields.CharField(max_length=16, default="pending")  # pending, stored, failed
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    error = fields.TextField(default="")
    path = fields.CharField(max_length=512, default="")  # inside the media store
    mime = fields.CharField(max_length=100, default="")
    name = fields.CharField(max_length=255, default="")
    size = fields.IntField(default=0)
    sha256 = fields.CharField(max_length=64, default="")
    received_at = fields.DatetimeField()
    stored_at = fields.DatetimeField(null=True)

    class Meta:
        table = "media_file"
        indexes = (("status", "next_attempt_at"),)


class ApiUsage(Model):
    """Metered API calls per platform per natural month (some platforms allow only so many a month)."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=16)
    month = fields.CharField(max_length=7)  # YYYY-MM, Beijing time
    calls = fields.IntField(default=0)

    class Meta:
        table = "api_usage"
        unique_together = (("platform", "month"),)
