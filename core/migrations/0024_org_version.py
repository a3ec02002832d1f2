from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


async def install_triggers(apps: Any, schema_editor: Any) -> None:
    """The triggers that keep org_version (core/org_version.py), and its row."""
    from core.org_version import install

    await install(schema_editor.client)


class Migration(migrations.Migration):
    """The organisation's version, kept by triggers, so processes may remember organisation rows across
    messages (issue 20 #7)."""

    dependencies = [('models', '0023_key_people')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OrgVersion',
            fields=[
                ('id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('epoch', fields.CharField(max_length=32)),
                ('n', fields.BigIntField(default=0)),
            ],
            options={'table': 'org_version', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row that changes whenever the organisation does: database triggers (core/org_version.py) add 1 to'},
            bases=['Model'],
        ),
        ops.RunPython(install_triggers, ops.RunPython.noop),
    ]
