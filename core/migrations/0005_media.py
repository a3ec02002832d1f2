from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_security_integrity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiUsage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=16)),
                ('month', fields.CharField(max_length=7)),
                ('calls', fields.IntField(default=0)),
            ],
            options={'table': 'api_usage', 'app': 'models', 'unique_together': (('platform', 'month'),), 'pk_attr': 'id', 'table_description': 'Metered API calls per platform per natural month (the DingTalk standard edition allows 10,000).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MediaFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=16)),
                ('kind', fields.CharField(max_length=16)),
                ('ref', fields.CharField(max_length=512)),
                ('staff_id', fields.IntField(null=True, db_index=True)),
                ('draft_id', fields.IntField(null=True, db_index=True)),
                ('case_id', fields.IntField(null=True, db_index=True)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(default='', unique=False)),
                ('path', fields.CharField(default='', max_length=512)),
                ('mime', fields.CharField(default='', max_length=100)),
                ('name', fields.CharField(default='', max_length=255)),
                ('size', fields.IntField(default=0)),
                ('sha256', fields.CharField(default='', max_length=64)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('stored_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'media_file', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A photo, voice message, video or file a person sent. Platform media ids die (WeCom after 3 days), so the'},
            bases=['Model'],
        ),
    ]
