"""A group's chat ids move from one column per platform (group_chat.wecom_chatid, .dingtalk_conversation) to
group_address rows keyed by platform value, so that a further platform needs no new column.

The columns are dropped with ALTER TABLE ... DROP COLUMN on SQLite too: Tortoise's default there rebuilds
group_chat (create, copy, DROP TABLE, rename), and that DROP TABLE fires group_address's ON DELETE CASCADE,
which would delete every address just moved. An empty string was never an address (nothing sent to it) and
is not carried over.
"""
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

MOVED = (("wecom", "wecom_chatid"), ("dingtalk", "dingtalk_conversation"))  # platform value, old column


async def move_addresses(apps: Any, schema_editor: Any) -> None:
    for platform, column in MOVED:
        await schema_editor.client.execute_script(
            f"INSERT INTO group_address (group_id, platform, ref) SELECT id, '{platform}', {column} "
            f"FROM group_chat WHERE {column} IS NOT NULL AND {column} <> ''")


async def restore_columns(apps: Any, schema_editor: Any) -> None:
    for platform, column in MOVED:
        await schema_editor.client.execute_script(
            f"UPDATE group_chat SET {column} = (SELECT a.ref FROM group_address a "
            f"WHERE a.group_id = group_chat.id AND a.platform = '{platform}')")


class DropColumn(ops.RemoveField):
    """RemoveField that never rebuilds the table on SQLite (see the module docstring)."""

    async def database_forward(self, app_label: str, old_state: Any, new_state: Any,
                               state_editor: Any = None) -> None:
        if state_editor is None or state_editor.client.capabilities.dialect != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        await state_editor.client.execute_script(
            f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{self.name}"')


class Migration(migrations.Migration):
    dependencies = [('models', '0007_mediation_records')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GroupAddress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('models.GroupChat', source_field='group_id', db_constraint=True, to_field='id', related_name='addresses', on_delete=OnDelete.CASCADE)),
                ('platform', fields.CharField(max_length=16)),
                ('ref', fields.CharField(db_index=True, max_length=128)),
            ],
            options={'table': 'group_address', 'app': 'models', 'unique_together': (('group', 'platform'),), 'pk_attr': 'id', 'table_description': 'Where one group chat lives on one chat platform (its chat or conversation id there).'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='GroupChat',
            options={'table': 'group_chat', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A group chat that receives feeds: one chat, reached on each platform through its GroupAddress.'},
        ),
        ops.RunPython(move_addresses, restore_columns),
        DropColumn(model_name='GroupChat', name='dingtalk_conversation'),
        DropColumn(model_name='GroupChat', name='wecom_chatid'),
        ops.AlterModelOptions(
            name='Identity',
            options={'table': 'identity', 'app': 'models', 'unique_together': (('platform', 'external_id'),), 'pk_attr': 'id', 'table_description': 'The account of one staff member on one chat platform (its user id there).'},
        ),
        ops.AlterModelOptions(
            name='ApiUsage',
            options={'table': 'api_usage', 'app': 'models', 'unique_together': (('platform', 'month'),), 'pk_attr': 'id', 'table_description': 'Metered API calls per platform per natural month (some platforms allow only so many a month).'},
        ),
        ops.AlterModelOptions(
            name='MediaFile',
            options={'table': 'media_file', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A photo, voice message, video or file a person sent. Platform media ids die (within days), so the'},
        ),
    ]
