from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """The grid's routine (issue 22): rounds of 排查 and each grid worker's answer, 走访 / 巡查 logs, 请假 and
    each person's AB岗 backup (nullable, so adding it never rebuilds the staff table)."""

    dependencies = [('models', '0018_card_link_shown')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Absence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('first_day', fields.DateField()),
                ('last_day', fields.DateField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'absence', 'app': 'models', 'pk_attr': 'id', 'table_description': '请假 (AB岗): a person away from the first to the last day (Beijing dates, both included).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScreeningRound',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('topic', fields.CharField(default='', max_length=200)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('started_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('close_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'screening_round', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One round of 排查: the weekly one (opened by the scheduler on the day and at the time the org file gives) or a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Screening',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('models.ScreeningRound', source_field='round_id', db_constraint=True, to_field='id', related_name='screenings', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('grid', fields.ForeignKeyField('models.Region', source_field='grid_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharField(default='open', max_length=16)),
                ('findings', fields.IntField(default=0)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('remind_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'screening', 'app': 'models', 'unique_together': (('round', 'staff'),), 'pk_attr': 'id', 'table_description': 'The answer of one grid worker to one round: open until 零报告 or a finding, missed when the round closes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VisitLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('grid', fields.ForeignKeyField('models.Region', source_field='grid_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(max_length=8)),
                ('text', fields.TextField(unique=False)),
                ('photos', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'visit_log', 'app': 'models', 'pk_attr': 'id', 'table_description': '走访 / 巡查: one visit a grid worker recorded in one message. The text may name residents: it is shown'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Staff',
            name='backup',
            field=fields.ForeignKeyField('models.Staff', source_field='backup_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
    ]
