from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    """积案库 from chat: the 包案领导's monthly assessments, what 销号 said the case came to, and each task's latest
    反馈进展 (shown to the center and the partners of a 联合调处). New columns are nullable, so adding them never
    rebuilds a table. Depends on the latest migration on main when written (0010); renumber on merge."""

    dependencies = [('models', '0012_task_mirror')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BacklogAssessment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('leader', fields.ForeignKeyField('models.Staff', source_field='leader_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('month', fields.CharField(max_length=7)),
                ('progress', fields.TextField(unique=False)),
                ('next_step', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backlog_assessment', 'app': 'models', 'indexes': [Index(fields=['case_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '积案月度评估: the monthly word of the 包案领导 on a backlog case — how far it has come, what comes next.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Case',
            name='backlog_result',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Task',
            name='last_progress',
            field=fields.TextField(null=True, unique=False),
        ),
    ]
