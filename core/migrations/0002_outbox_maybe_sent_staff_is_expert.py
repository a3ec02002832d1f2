import json
from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def mark_experts(apps: Any, schema_editor: Any) -> None:
    """Staff imported before the column existed: experts are those holding the role."""
    client = schema_editor.client
    rows = await client.execute_query_dict("SELECT id, roles FROM staff")
    ids = [int(r["id"]) for r in rows
           if "expert" in (json.loads(r["roles"]) if isinstance(r["roles"], str) else (r["roles"] or []))]
    await client.execute_script("UPDATE staff SET is_expert = FALSE")
    if ids:
        await client.execute_script(f"UPDATE staff SET is_expert = TRUE WHERE id IN ({','.join(map(str, ids))})")


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='maybe_sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Nullable: existing rows refuse a NOT NULL column without a database default, and making it NOT NULL
        # afterwards rebuilds the table on SQLite, whose ON DELETE CASCADE would empty every table under staff.
        ops.AddField(
            model_name='Staff',
            name='is_expert',
            field=fields.BooleanField(default=False, null=True, db_index=True),
        ),
        ops.RunPython(mark_experts, ops.RunPython.noop),
    ]
