from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """What each person's card last showed (bot/cards/shown.py): a re-render that shows the same is not sent, and
    one that cannot update the card in place is sent as a short change line. Nullable: cards made before it
    are sent once more, then tracked."""

    dependencies = [('models', '0017_meeting_closed')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CardLink',
            name='shown',
            field=fields.JSONField(null=True),
        ),
    ]
