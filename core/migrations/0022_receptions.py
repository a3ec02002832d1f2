from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """领导接访 / 下访 (issue 22): receptions and visits with their reminders' claim columns, and each
    appointment or case taken along."""

    dependencies = [('models', '0021_emergencies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Reception',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('leader', fields.ForeignKeyField('models.Staff', source_field='leader_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('day', fields.DateField(db_index=True)),
                ('half', fields.CharField(default='', max_length=8)),
                ('place', fields.CharField(max_length=100)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('capacity', fields.IntField(default=0)),
                ('status', fields.CharField(default='planned', max_length=16)),
                ('remind_eve_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('remind_day_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception', 'app': 'models', 'unique_together': (('kind', 'leader', 'day', 'half'),), 'pk_attr': 'id', 'table_description': 'One 接访 (kind reception: from the `receptions:` of the org file, or arranged in chat) or 下访 (kind visit).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reception', fields.ForeignKeyField('models.Reception', source_field='reception_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('citizen', fields.CharField(default='', max_length=50)),
                ('matter', fields.CharField(default='', max_length=200)),
                ('outcome', fields.TextField(default='', unique=False)),
                ('outcome_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('booked_by', fields.ForeignKeyField('models.Staff', source_field='booked_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reception_item', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One appointment (预约接访: a citizen and their matter, maybe a case) or one case taken on a 下访. The'},
            bases=['Model'],
        ),
    ]
