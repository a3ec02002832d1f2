from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """应急处置 (issue 22 #6): emergencies with their checklist, team and 续报 clock, and every report sent."""

    dependencies = [('models', '0020_referrals')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Emergency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('grade', fields.CharField(max_length=8)),
                ('status', fields.CharField(default='open', db_index=True, max_length=8)),
                ('checklist', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('team', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('report_minutes', fields.IntField(default=120)),
                ('next_report_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('reports', fields.IntField(default=0)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('opened_by', fields.ForeignKeyField('models.Staff', source_field='opened_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_by', fields.ForeignKeyField('models.Staff', source_field='closed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('summary', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'emergency', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One emergency on a case, open until a leader closes it. `next_report_at` is the claim column of the next'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmergencyReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('emergency', fields.ForeignKeyField('models.Emergency', source_field='emergency_id', db_constraint=True, to_field='id', related_name='report_rows', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('kind', fields.CharField(max_length=8)),
                ('text', fields.TextField(unique=False)),
                ('author', fields.ForeignKeyField('models.Staff', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'emergency_report', 'app': 'models', 'unique_together': (('emergency', 'seq'),), 'pk_attr': 'id', 'table_description': 'A report about an emergency: 首报 when it opens, timed 续报, 续报 written on site in chat, 终报.'},
            bases=['Model'],
        ),
    ]
