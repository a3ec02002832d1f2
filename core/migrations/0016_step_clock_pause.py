from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def pause_returned_cases(apps: Any, schema_editor: Any) -> None:
    """Cases already waiting on their reporter stop their step clock from the moment they were sent back."""
    await schema_editor.client.execute_script(
        "UPDATE \"case\" SET step_paused_at = updated_at, step_due_at = NULL WHERE status = 'returned'"
    )


class Migration(migrations.Migration):
    """A case sent back to its reporter (退回补充) no longer runs its 三级四步 step clock: when the pause began,
    and how long the step has been paused in all, so the step's limit is counted without that time."""

    dependencies = [('models', '0015_meeting_item_overdue')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Case',
            name='step_paused_at',
            field=fields.DatetimeField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='step_paused_seconds',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(pause_returned_cases, ops.RunPython.noop),
    ]
