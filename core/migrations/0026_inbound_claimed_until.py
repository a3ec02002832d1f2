from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Two workers share the stored messages instead of both taking each one: a worker's pass marks the events
    it hands to its handling pool (`claimed_until`), and another worker's pass leaves them alone until then
    (issue 20: two workers spent half again the CPU of one on the same stories, each reading, locking and
    answering for every event)."""

    dependencies = [('models', '0025_outbox_answer')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundEvent',
            name='claimed_until',
            field=fields.DatetimeField(null=True),
        ),
    ]
