from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def arm_open_items(apps: Any, schema_editor: Any) -> None:
    """Items recorded before the column existed: an open one is still to be reported overdue."""
    await schema_editor.client.execute_script("UPDATE meeting_item SET overdue_at = deadline WHERE status = 'open'")


class Migration(migrations.Migration):
    """议定事项 past their deadline are told once (the owner and the chair): their own due column, cleared by
    the claim, so the sweep scans what is due and nothing else. Nullable, so adding it never rebuilds a table."""

    dependencies = [('models', '0014_intake_timers_status_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MeetingItem',
            name='overdue_at',
            field=fields.DatetimeField(null=True, db_index=True),
        ),
        ops.RunPython(arm_open_items, ops.RunPython.noop),
    ]
