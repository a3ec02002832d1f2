from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """受理时限 and 签收时限 each get their own due column (the sweep's rules scan what is due, nothing else);
    nullable, so adding them never rebuilds a table. Status webhooks to API senders are persisted like the
    outbox, so a receiver that is down gets them later."""

    dependencies = [('models', '0013_joint_backlog')]

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
        ops.CreateModel(
            name='StatusWebhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=64)),
                ('api_client', fields.CharField(max_length=32)),
                ('case_id', fields.IntField(db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('payload', fields.JSONField()),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False, db_index=True)),
                ('last_error', fields.TextField(default='')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'status_webhook', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
