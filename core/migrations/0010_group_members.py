from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Group chats are made by the app itself where a platform's group messages reach no other chat, so a group
    says who is put in it: roles and/or names from the org file. Nullable, so adding it never rebuilds the table."""

    dependencies = [('models', '0009_outbox_card_order_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='GroupChat',
            name='members',
            field=fields.JSONField(null=True),
        ),
    ]
