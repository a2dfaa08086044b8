from django.contrib import admin

from .models import UnitKind

# Units and users are registered by the floors that add to their pages: the unit list's import/export
# and score link by publicity (publicity/admin.py), the user admin's separation of duties by audit.


@admin.register(UnitKind)
class UnitKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "funds_own_rewards"]
    list_editable = ["order"]
    search_fields = ["name", "code"]
