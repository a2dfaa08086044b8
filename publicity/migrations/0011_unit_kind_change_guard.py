"""The other half of 0006's guard: a unit's kind cannot change while an open or draft year holds one of its
targets for an indicator of another kind (the targets scoring would then silently ignore). Unit.clean()
says so in Chinese on the form (publicity.models.refuse_kind_change_with_targets); this trigger refuses the
same at every other door (shell, raw SQL, a bulk update). A closed year's targets do not block: its
results stand in the year's snapshot."""

from django.db import migrations

MESSAGE = "unit kind change with targets of the old kind in an open year: 请先把按原类型下达的任务数恢复默认"

CONDITION = """EXISTS (
    SELECT 1 FROM publicity_unittarget t
    JOIN publicity_indicator i ON i.id = t.indicator_id
    JOIN publicity_assessmentyear y ON y.id = i.year_id
    WHERE t.unit_id = NEW.id AND i.unit_kind_id {ne} NEW.kind_id AND y.status IN ('draft', 'open'))"""

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION unit_kind_change_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.kind_id IS DISTINCT FROM OLD.kind_id AND {CONDITION.format(ne="IS DISTINCT FROM")} THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER unit_kind_change BEFORE UPDATE OF kind_id ON units_unit
  FOR EACH ROW EXECUTE FUNCTION unit_kind_change_guard();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS unit_kind_change ON units_unit;
DROP FUNCTION IF EXISTS unit_kind_change_guard();
"""
SQLITE_FORWARD = f"""
CREATE TRIGGER unit_kind_change BEFORE UPDATE OF kind_id ON units_unit
WHEN NEW.kind_id IS NOT OLD.kind_id AND {CONDITION.format(ne="IS NOT")}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS unit_kind_change;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0010_reminder_deadline_email"), ("units", "0003_no_control_chars")]

    operations = [migrations.RunPython(forward, reverse)]
