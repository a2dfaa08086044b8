"""Refused imports in the audit trail (issue 11 item 11).

A table import writes all or nothing: a report with errors wrote nothing and is recorded as a
refused import (the file's whole refusals, too big, unreadable, a zip bomb, are recorded by the
audit recorder's listener on sheets.tabular). Recorded through ``record_refusal``, so the row
survives the rollback of the transaction that found the errors.
"""

from __future__ import annotations

from functools import wraps

from audit.models import AuditAction
from audit.recorder import record_refusal


def audited_import(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        report = fn(*args, **kwargs)
        if report.errors:
            shown = ";".join(str(e) for e in report.errors[:3])
            more = f"(共{len(report.errors)}处)" if len(report.errors) > 3 else ""
            step = "预览" if report.dry_run else "导入"
            record_refusal(
                AuditAction.IMPORT_REFUSED,
                object_repr=f"{report.what}导入",
                message=f"{step}被拒,未写入任何数据:{shown}{more}",
            )
        return report

    return wrapper
