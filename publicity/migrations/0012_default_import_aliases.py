"""Header and wording aliases (0009) came with the 2011 preset fixture, so an installation that loaded the
preset before 0009 has none, and the tables offices keep (稿件标题, 撰稿人, 头条…) are refused there while a
fresh one reads them. For such an installation (a year exists already) insert the preset's aliases, with the
fixture's own primary keys so a later ``loaddata ankang_2011`` updates the same rows; rows the bureau added
or changed are kept (a clash on the word is skipped). A fresh database gets them from the fixture as before."""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ankang_2011.json"


def forward(apps, schema_editor):
    AssessmentYear = apps.get_model("publicity", "AssessmentYear")
    if not AssessmentYear.objects.exists() or not FIXTURE.exists():
        return
    models = {
        "publicity.headeralias": (apps.get_model("publicity", "HeaderAlias"), ("table", "word")),
        "publicity.wordalias": (apps.get_model("publicity", "WordAlias"), ("field", "word")),
    }
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for label, (model, key) in models.items():
        taken_pks = set(model.objects.values_list("pk", flat=True))
        taken_keys = set(model.objects.values_list(*key))
        new = []
        for row in rows:
            if row["model"] != label:
                continue
            fields = row["fields"]
            if row["pk"] in taken_pks or tuple(fields[k] for k in key) in taken_keys:
                continue
            new.append(model(pk=row["pk"], **fields))
        model.objects.bulk_create(new)
    if schema_editor.connection.vendor == "postgresql":
        # rows inserted with explicit keys: move the sequences past them
        for model, _key in models.values():
            table = model._meta.db_table
            schema_editor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


class Migration(migrations.Migration):
    dependencies = [("publicity", "0011_unit_kind_change_guard")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
