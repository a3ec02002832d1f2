from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Answers first: a reply to someone's own message or click is marked, and sent by a pass of its own, not
    after a broadcast to every grid worker that happened to be written before it (issue 20, report → card p99).
    The index serves that pass: the pending answers, oldest first."""

    dependencies = [('models', '0024_org_version')]

    initial = False

    operations = [
        # Nullable: existing rows refuse a NOT NULL column without a database default (see 0002).
        ops.AddField(
            model_name='OutboxMessage',
            name='answer',
            field=fields.BooleanField(default=False, null=True),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['answer', 'status', 'id']),
        ),
    ]
