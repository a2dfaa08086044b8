"""A database-level guard behind AuditEvent.save/delete: the table is append-only.

PostgreSQL: a trigger refuses every UPDATE, and every DELETE of a row younger than 185 days
(the retention period; purge_audit deletes only older rows). TRUNCATE, an owner-only
operation used by test flushes and ``restore``, is not a row operation and stays possible.
SQLite: a trigger refuses every UPDATE (SQLite's flush deletes rows, so DELETE stays open there).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit_auditevent is append-only: 审计日志不可修改';
  END IF;
  IF OLD.at > now() - interval '185 days' THEN
    RAISE EXCEPTION 'audit_auditevent rows are kept 185 days: 审计日志至少保留185天,不能删除';
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_guard();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_event_append_only;"


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
    dependencies = [("audit", "0001_audit_event")]

    operations = [migrations.RunPython(forward, reverse)]
