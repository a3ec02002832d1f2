from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """A meeting held in chat is opened (会商 周会商) and closed (散会): 议定事项 said in chat go to the one still
    open, and closing sends the 纪要. Nullable, so meetings recorded before are simply not closed."""

    dependencies = [('models', '0016_step_clock_pause')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Meeting',
            name='closed_at',
            field=fields.DatetimeField(null=True),
        ),
    ]
