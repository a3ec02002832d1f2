from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    """诉调 / 警调 / 访调 / 检调对接 (issue 22): referrals out to and in from partner bodies with their deadline and
    outcome, and the 司法确认 status of a case's agreement."""

    dependencies = [('models', '0019_grid_routine')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JudicialConfirmation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', unique=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharField(max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('updated_by', fields.ForeignKeyField('models.Staff', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'judicial_confirmation', 'app': 'models', 'pk_attr': 'id', 'table_description': '司法确认 of the agreement of a case, after its application (司法确认申请书) was generated and filed: the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Referral',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='referrals', on_delete=OnDelete.RESTRICT)),
                ('direction', fields.CharField(max_length=8)),
                ('kind', fields.CharField(max_length=16)),
                ('partner', fields.CharField(max_length=64)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('remind_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.TextField(default='', unique=False)),
                ('outcome_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'referral', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One docking with a partner body. `direction` out: the center sent the case (移送), in: the partner sent it'},
            bases=['Model'],
        ),
    ]
