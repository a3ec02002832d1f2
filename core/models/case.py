"""Cases (矛盾纠纷), the tasks they are dispatched as, and the 三级四步 registration records."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from core.models.org import Department, Region, Staff


class Case(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)  # e.g. 2026-0042
    year = fields.IntField()
    seq = fields.IntField()
    source = fields.CharField(max_length=24)
    external_ref = fields.CharField(max_length=128, null=True)  # id in the feeding system (12345, 四平台)
    api_client = fields.CharField(max_length=32, null=True)  # the intake API key's label that sent it
    status = fields.CharField(max_length=24, db_index=True)
    category = fields.CharField(max_length=32, db_index=True)
    severity = fields.CharField(max_length=16)
    flags: list[str] = fields.JSONField(default=list)
    people = fields.IntField(null=True)
    content = fields.TextField()
    parties: list[dict[str, str]] = fields.JSONField(default=list)
    location_text = fields.CharField(max_length=200, default="")
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="cases", on_delete=fields.RESTRICT
    )
    region_id: int
    # 三级四步: the level now holding the case, the node at that level, and since when.
    step = fields.CharField(max_length=16)
    handling_region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="handled_cases", on_delete=fields.RESTRICT
    )
    handling_region_id: int
    step_started_at = fields.DatetimeField()
    step_due_at = fields.DatetimeField(null=True, db_index=True)  # when the step's time limit runs out
    step_limits: dict[str, str] = fields.JSONField(default=dict)  # frozen at report
    # The step's clock stops while the case waits on its reporter (退回补充): since when, and how long it has
    # stood still in this step so far (core/step_clock.py adds it to the step's limit).
    step_paused_at = fields.DatetimeField(null=True)
    step_paused_seconds = fields.IntField(default=0, db_default=0)
    reporter: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="reported_cases", null=True, on_delete=fields.RESTRICT
    )
    reporter_id: int | None
    reporter_contact: dict[str, str] = fields.JSONField(default=dict)
    first_receiver: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    first_receiver_id: int | None
    accepted_at = fields.DatetimeField(null=True)
    accept_remind_at = fields.DatetimeField(null=True, db_index=True)  # 受理时限: remind the center, until accepted
    plan = fields.TextField(default="")
    plan_approved_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    plan_approved_by_id: int | None
    return_note = fields.TextField(default="")
    resolved_at = fields.DatetimeField(null=True)
    resolved_level = fields.CharField(max_length=16, null=True)
    result_type = fields.CharField(max_length=24, null=True)
    result_note = fields.TextField(default="")
    settled_on_spot = fields.BooleanField(default=False)
    follow_up_due_at = fields.DatetimeField(null=True, db_index=True)  # cleared once the visit is asked for
    follow_up_sent_at = fields.DatetimeField(null=True)
    satisfaction = fields.CharField(max_length=16, null=True)
    closed_at = fields.DatetimeField(null=True)
    reopen_count = fields.IntField(default=0)
    repeat_count = fields.IntField(default=0)  # later reports confirmed as the same matter
    # another case at this place and category in the 30 days before this one came in: fixed at intake, so
    # reports over a province-half-year count repeats without a window over every case
    recent_repeat = fields.BooleanField(null=True)
    # 信访代办: an agent carries the matter upward and must report back to the citizen by a deadline
    proxy_agent: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    proxy_agent_id: int | None
    proxy_due_at = fields.DatetimeField(null=True, db_index=True)  # cleared once feedback is recorded
    proxy_remind_at = fields.DatetimeField(null=True, db_index=True)
    proxy_feedback = fields.TextField(default="")
    supervised_at = fields.DatetimeField(null=True)
    supervisor: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    supervisor_id: int | None
    meeting_date = fields.DateField(null=True)  # 党政联席周会商 agenda
    backlog = fields.BooleanField(default=False)
    backlog_leader: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="backlog_cases", null=True, on_delete=fields.RESTRICT
    )
    backlog_leader_id: int | None
    backlog_struck_at = fields.DatetimeField(null=True)
    backlog_at = fields.DatetimeField(null=True)  # when it entered the 积案库 (新增积案率)
    backlog_result = fields.TextField(null=True)  # what 销号 said it came to (已化解……)
    # 人民调解台账: the body that mediated (调委会 / 品牌工作室 / 派驻), how, how hard (以奖代补 grade), and
    # whether the agreement was performed. The mediators themselves are CaseMediator rows.
    mediation_org: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    mediation_org_id: int | None
    mediation_method = fields.CharField(max_length=16, null=True)
    difficulty = fields.CharField(max_length=16, null=True)
    performance = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(db_index=True)
    updated_at = fields.DatetimeField()

    tasks: fields.ReverseRelation[Task]

    class Meta:
        table = "case"
        unique_together = (("year", "seq"), ("source", "external_ref"))
        # (region, category, created_at) serves repeat detection and early warning without scanning history
        indexes = (("status", "step_due_at"), ("region_id", "category", "created_at"),
                   # period KPIs and the 书记督办 list, without reading a year of closed cases
                   ("resolved_at",), ("supervised_at",),
                   # 1减2降1升: the 积案库 by the month a case entered it (null for every other case)
                   ("backlog_at",))


class Task(Model):
    """One "钉" task: 执行人, 抄送人, 截止时间, 提醒时间, 诉求内容, 提醒方式."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="tasks", on_delete=fields.RESTRICT
    )
    case_id: int
    assignee: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="tasks", on_delete=fields.RESTRICT
    )
    assignee_id: int
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="tasks", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    cc: list[int] = fields.JSONField(default=list)  # staff ids
    content = fields.TextField()
    deadline = fields.DatetimeField(db_index=True)
    remind_at = fields.DatetimeField(null=True, db_index=True)
    reminder_method = fields.CharField(max_length=16, default="card")
    status = fields.CharField(max_length=16, db_index=True)
    is_lead = fields.BooleanField(default=True)
    dispatched_by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    dispatched_by_id: int | None
    created_at = fields.DatetimeField()
    signed_at = fields.DatetimeField(null=True)
    last_progress_at = fields.DatetimeField(null=True)
    progress_count = fields.IntField(default=0)
    last_progress = fields.TextField(null=True)  # the latest 反馈进展, shown to the center and the partners
    resolved_at = fields.DatetimeField(null=True)
    result_type = fields.CharField(max_length=24, null=True)
    result_note = fields.TextField(default="")
    return_reason = fields.TextField(default="")
    extension_days = fields.IntField(null=True)  # pending request, in working days
    extension_reason = fields.TextField(default="")
    extensions_granted = fields.IntField(default=0)
    reminded_at = fields.DatetimeField(null=True)
    overdue_notified_at = fields.DatetimeField(null=True)
    # What the scheduler still owes this task, each cleared or moved on once done: scans stay small.
    overdue_at = fields.DatetimeField(null=True)  # the deadline, until the overdue notice went out
    supervise_at = fields.DatetimeField(null=True)  # deadline + grace, until 书记督办
    nudge_at = fields.DatetimeField(null=True)  # 签收不办: next nudge if no progress by then
    sign_remind_at = fields.DatetimeField(null=True, db_index=True)  # 签收时限: remind once if still unsigned

    class Meta:
        table = "task"
        indexes = (("status", "remind_at"), ("status", "overdue_at"), ("status", "supervise_at"),
                   ("status", "nudge_at"),
                   # a person's open tasks (every chat message), a case's tasks, overdue counts, period KPIs:
                   # PostgreSQL does not index foreign keys by itself (measured in bench/scale.py)
                   ("assignee_id", "status"), ("case_id",), ("status", "deadline"), ("created_at",))


class EscalationRecord(Model):
    """《矛盾纠纷调处三级四步登记表》: one row each time a case moves up a step."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="escalations", on_delete=fields.RESTRICT
    )
    case_id: int
    from_level = fields.CharField(max_length=16)
    to_level = fields.CharField(max_length=16)
    from_region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, on_delete=fields.RESTRICT
    )
    from_region_id: int
    to_region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, on_delete=fields.RESTRICT
    )
    to_region_id: int
    reason = fields.CharField(max_length=16)
    tried = fields.TextField(default="")  # what was done at the step it leaves
    by: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    by_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "escalation_record"


class Counter(Model):
    """Per-center, per-year sequence for human case numbers."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "counter"
