from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    """Tasks mirrored into the to-do lists of platforms that have one (a state-sync outbox, one row per task),
    and the second account id such a platform wants for it, kept on the identity once looked up. Nullable,
    so adding it never rebuilds the identity table."""

    dependencies = [('models', '0011_staff_phone')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TaskMirror',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('task_id', fields.IntField(unique=True)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('version', fields.IntField(default=1)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('refs', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'task_mirror', 'app': 'models', 'pk_attr': 'id', 'table_description': "A task kept in sync with its copy in the to-do list of its assignee on platforms that have one."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Identity',
            name='alias',
            field=fields.CharField(null=True, max_length=128),
        ),
    ]
