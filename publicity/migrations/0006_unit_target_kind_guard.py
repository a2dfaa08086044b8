"""A database-level guard behind UnitTarget.clean(): a unit's target must be for an indicator of the
unit's own kind (a county bureau cannot be given 办公室's D1). Scoring reads only the unit kind's
indicators, so such a row would be silently ignored; the trigger refuses it whichever door it comes by
(service, admin, import, shell, raw SQL).

Why a trigger and not a composite foreign key: Django 5.2 has no composite foreign keys, and copying the
kind onto UnitTarget would need it kept in step with Unit.kind and Indicator.unit_kind anyway. The
trigger checks the two rows it joins on every INSERT and UPDATE of a target, on PostgreSQL and SQLite.
"""

from django.db import migrations

MESSAGE = "unit target for an indicator of another unit kind: 指标不属于该单位的类型"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION unit_target_kind_guard() RETURNS trigger AS $$
BEGIN
  IF (SELECT kind_id FROM units_unit WHERE id = NEW.unit_id)
     IS DISTINCT FROM (SELECT unit_kind_id FROM publicity_indicator WHERE id = NEW.indicator_id) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER unit_target_kind BEFORE INSERT OR UPDATE ON publicity_unittarget
  FOR EACH ROW EXECUTE FUNCTION unit_target_kind_guard();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS unit_target_kind ON publicity_unittarget;
DROP FUNCTION IF EXISTS unit_target_kind_guard();
"""
SQLITE_CHECK = """
WHEN (SELECT kind_id FROM units_unit WHERE id = NEW.unit_id)
     IS NOT (SELECT unit_kind_id FROM publicity_indicator WHERE id = NEW.indicator_id)
BEGIN SELECT RAISE(ABORT, '{message}'); END;
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER unit_target_kind_insert BEFORE INSERT ON publicity_unittarget {SQLITE_CHECK.format(message=MESSAGE)}",
    f"CREATE TRIGGER unit_target_kind_update BEFORE UPDATE ON publicity_unittarget {SQLITE_CHECK.format(message=MESSAGE)}",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS unit_target_kind_insert;",
    "DROP TRIGGER IF EXISTS unit_target_kind_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0005_evidence_reading")]

    operations = [migrations.RunPython(forward, reverse)]
