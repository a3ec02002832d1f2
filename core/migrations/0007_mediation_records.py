from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from typing import Any


async def backfill_backlog_at(apps: Any, schema_editor: Any) -> None:
    """Cases put into the 积案库 before the column existed: when, from the audit trail (else when reported)."""
    await schema_editor.client.execute_script(
        'UPDATE "case" SET backlog_at = COALESCE((SELECT MAX(a.at) FROM audit_event a WHERE a.case_id = "case".id '
        "AND a.action = 'add_to_backlog'), created_at) WHERE backlog")


async def backfill_recent_repeat(apps: Any, schema_editor: Any) -> None:
    """Whether each existing case had another at its place and category in the 30 days before it."""
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        before, window = 'p.created_at < "case".created_at', "p.created_at >= \"case\".created_at - INTERVAL '30 days'"
    else:
        before = 'datetime(julianday(p.created_at)) < datetime(julianday("case".created_at))'
        window = 'datetime(julianday(p.created_at)) >= datetime(julianday("case".created_at) - 30)'
    await client.execute_script(
        'UPDATE "case" SET recent_repeat = EXISTS (SELECT 1 FROM "case" p WHERE p.region_id = "case".region_id '
        f"AND p.category = \"case\".category AND {before} AND {window})")


class Migration(migrations.Migration):
    dependencies = [('models', '0006_intake_corrections')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseMediator',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='mediators', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('lead', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case_mediator', 'app': 'models', 'unique_together': (('case', 'staff'),), 'indexes': [Index(fields=['staff_id', 'case_id'])], 'pk_attr': 'id', 'table_description': 'A 人民调解员 who mediated a case (one lead 主调, any number assisting), counted for 以奖代补.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('ok', fields.BooleanField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_attempt', 'app': 'models', 'indexes': [Index(fields=['key', 'at'])], 'pk_attr': 'id', 'table_description': 'A sign-in to the 综合信息指挥室 screen, by a hash of the client address (no address is stored).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Meeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=24)),
                ('day', fields.DateField(db_index=True)),
                ('number', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('place', fields.CharField(default='', max_length=100)),
                ('chair', fields.ForeignKeyField('models.Staff', source_field='chair_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('recorder', fields.ForeignKeyField('models.Staff', source_field='recorder_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('attendees', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('guests', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('agenda', fields.TextField(default='', unique=False)),
                ('summary', fields.TextField(default='', unique=False)),
                ('created_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting', 'app': 'models', 'unique_together': (('kind', 'day'),), 'pk_attr': 'id', 'table_description': 'A 会商研判 meeting: the weekly 党政联席周会商, the monthly 维稳形势分析会, or a special one.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('models.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('content', fields.TextField(unique=False)),
                ('owner', fields.ForeignKeyField('models.Staff', source_field='owner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('remind_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='open', max_length=16)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'meeting_item', 'app': 'models', 'unique_together': (('meeting', 'seq'),), 'indexes': [Index(fields=['status', 'remind_at']), Index(fields=['status', 'deadline'])], 'pk_attr': 'id', 'table_description': '议定事项: what the meeting decided, whose it is and by when, tracked until done.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Case',
            name='backlog_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Case',
            name='difficulty',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Case',
            name='mediation_method',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Case',
            name='mediation_org',
            field=fields.ForeignKeyField('models.Department', source_field='mediation_org_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Case',
            name='recent_repeat',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='performance',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Department',
            name='kind',
            field=fields.CharField(null=True, default='department', max_length=16),
        ),
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['backlog_at']),
        ),
        # Every new column is nullable: adding a NOT NULL one rebuilds the table on SQLite, whose ON DELETE
        # CASCADE would empty the tables under it (see 0002).
        ops.RunPython(backfill_backlog_at, ops.RunPython.noop),
        ops.RunPython(backfill_recent_repeat, ops.RunPython.noop),
    ]
