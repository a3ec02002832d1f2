from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_media')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IntakeCorrection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='intake_corrections', on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('predicted_category', fields.CharField(max_length=32)),
                ('predicted_severity', fields.CharField(max_length=16)),
                ('predicted_flags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('category', fields.CharField(db_index=True, max_length=32)),
                ('severity', fields.CharField(max_length=16)),
                ('flags', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('model_version', fields.CharField(default='', max_length=32)),
                ('by', fields.ForeignKeyField('models.Staff', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('by_name', fields.CharField(default='', max_length=64)),
                ('source', fields.CharField(max_length=16)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'intake_correction', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The center corrected the category or severity intake gave a report: a labelled example to retrain on'},
            bases=['Model'],
        ),
    ]
