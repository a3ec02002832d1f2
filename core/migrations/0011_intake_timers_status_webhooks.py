from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """受理时限 and 签收时限 each get their own due column (the sweep's rules scan what is due, nothing else);
    nullable, so adding them never rebuilds a table."""

    dependencies = [('models', '0010_group_members')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Case',
            name='accept_remind_at',
            field=fields.DatetimeField(null=True, db_index=True),
        ),
        ops.AddField(
            model_name='Task',
            name='sign_remind_at',
            field=fields.DatetimeField(null=True, db_index=True),
        ),
    ]
