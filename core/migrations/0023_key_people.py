from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """重点人员 (issue 22): the register, its follow-ups (each one a 走访 log) and the reports naming a person."""

    dependencies = [('models', '0022_receptions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KeyPerson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=32)),
                ('category', fields.CharField(max_length=32)),
                ('grid', fields.ForeignKeyField('models.Region', source_field='grid_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('worker', fields.ForeignKeyField('models.Staff', source_field='worker_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('every_days', fields.IntField()),
                ('due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('next_follow_up_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_follow_up_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'key_person', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One registered person. `due_at` is the next follow-up and the claim column of its reminder (cleared by'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeyPersonCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.KeyPerson', source_field='person_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('tell_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'key_person_case', 'app': 'models', 'unique_together': (('person', 'case'),), 'pk_attr': 'id', 'table_description': 'A report whose words name a registered person of its region: linked when the case is made. `tell_at`'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KeyPersonFollowUp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.KeyPerson', source_field='person_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('visit', fields.ForeignKeyField('models.VisitLog', source_field='visit_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'key_person_follow_up', 'app': 'models', 'pk_attr': 'id', 'table_description': '随访: one follow-up of a registered person, its words kept in the 走访 log it also counts as.'},
            bases=['Model'],
        ),
    ]
