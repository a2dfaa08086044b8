def test_preset_loads(preset):
    from publicity.models import Outlet

    assert preset.status == "open"
    assert Outlet.objects.filter(is_own_website=True).get().name == "局网站"
