from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_outbox_maybe_sent_staff_is_expert')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['resolved_at']),
        ),
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['supervised_at']),
        ),
        ops.AddIndex(
            model_name='Task',
            index=Index(fields=['assignee_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Task',
            index=Index(fields=['case_id']),
        ),
        ops.AddIndex(
            model_name='Task',
            index=Index(fields=['status', 'deadline']),
        ),
        ops.AddIndex(
            model_name='Task',
            index=Index(fields=['created_at']),
        ),
    ]
