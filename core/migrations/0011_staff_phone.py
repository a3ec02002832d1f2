from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """A person's mobile number from the org file, so a task's 提醒方式 短信 reaches them (issue 17 item 6).
    Nullable: most people have none, and adding it never rebuilds the table."""

    dependencies = [('models', '0010_group_members')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Staff',
            name='phone',
            field=fields.CharField(max_length=20, null=True),
        ),
    ]
