"""Issue 16: the audit trail chained per center with a head row per chain, the database's mark
(production or sandbox), and the intake API key that sent a case.

On SQLite, dropping audit_event.seq's UNIQUE rebuilds that table (nothing refers to it, so no cascade
can fire); the rebuild does not carry the case_id index over, so it is made again here. The one global
head becomes chain 0's head: every event before this migration belongs to chain 0 and keeps its hash.
Cases sent through the API before it get their key's label back from their audit event (`接口:<label>`).
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint


async def carry_over(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    await client.execute_script('CREATE INDEX IF NOT EXISTS "idx_audit_event_case_id_ede5a5" ON "audit_event" ("case_id")')
    rows = await client.execute_query_dict('SELECT seq, hash FROM audit_head WHERE id = 1')
    if rows and int(rows[0]["seq"]) > 0:
        seq, digest = int(rows[0]["seq"]), str(rows[0]["hash"])
        await client.execute_query('INSERT INTO audit_chain_head (chain, seq, hash) VALUES (0, $1, $2)'
                                   if schema_editor.DIALECT == "postgres" else
                                   'INSERT INTO audit_chain_head (chain, seq, hash) VALUES (0, ?, ?)', [seq, digest])
    await client.execute_script(
        "UPDATE \"case\" SET api_client = (SELECT substr(a.actor_name, 4) FROM audit_event a "
        "WHERE a.case_id = \"case\".id AND a.action = 'report' AND a.actor_name LIKE '接口:%' LIMIT 1) "
        "WHERE api_client IS NULL AND reporter_id IS NULL")


class Migration(migrations.Migration):
    dependencies = [('models', '0003_indexes_for_history')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditChainHead',
            fields=[
                ('chain', fields.IntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('seq', fields.IntField(default=0)),
                ('hash', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'audit_chain_head', 'app': 'models', 'pk_attr': 'chain', 'table_description': 'The last link of one chain, locked while appending: one lock per center, so two townships never'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DatabaseMark',
            fields=[
                ('id', fields.IntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('mode', fields.CharField(max_length=16)),
                ('marked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('marked_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'database_mark', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Set once, by the first serve, and never changed by the program: a production database is never'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='chain',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AlterModelOptions(
            name='AuditEvent',
            options={'table': 'audit_event', 'app': 'models', 'unique_together': (('chain', 'seq'),), 'pk_attr': 'id', 'table_description': 'One change. `chain` is the center whose trail it belongs to (the township, or the district for a'},
        ),
        ops.AlterField(
            model_name='AuditEvent',
            name='seq',
            field=fields.IntField(),
        ),
        ops.AddConstraint(
            model_name='AuditEvent',
            constraint=UniqueConstraint(fields=('chain', 'seq'), name=None),
        ),
        ops.AddField(
            model_name='Case',
            name='api_client',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.RunPython(carry_over, ops.RunPython.noop),
        ops.DeleteModel(name='AuditHead'),
    ]
