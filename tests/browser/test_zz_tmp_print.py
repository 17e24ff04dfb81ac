from tests.browser.test_field_handoff import *

def test_print_view(live_app, live_server, page):
    tip = make_tip(live_app, language="vi", province_code="17", district_code="1701", commune_code="170101",
                   village_code="17010101", latitude=11.6, longitude=103.0, uncertainty_m=200,
                   what_seen=VIETNAMESE + "\n" + KHMER, fallen_names="Nguyễn Văn An, Lê Văn Bình", fallen_unit="Trung đoàn 2",
                   local_name="Xóm Bến Đá", place_description="Cạnh con suối, phía sau trường học cũ",
                   contact_name="Trần Thị Hoa", contact_phone="0912 345 678", consent=True).tip_id
    account = create_staff(live_app, "moderator", username="lan", language="km")
    sign_in(page, live_server, account, "km")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.goto(f"{live_server.url}/km/staff/tips/{tip}/field-sheet")
    page.emulate_media(media="print")
    screenshot(page, "tmp-print-km")
