"""One-stop desks that procedures inherit (issue 18, point 5): an office typed once, assigned in bulk
by implementing agency, previewed, used by the next answer (line breaks kept) unless the procedure
has its own address or hours, and every change audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from answers.formatting import answer_card, format_answer
from knowledge_base.db import session_scope
from knowledge_base.models import AuditLog, LocalOverride, Office
from knowledge_base.queries import get_procedure
from tests.staff.conftest import API, SignIn, Staff

SOURCE = "Cổng DVC quốc gia"
OFFICE = {
    "name": "Bộ phận Một cửa UBND xã Tân Lập",
    "address": "Số 5 đường Lê Lợi, xã Tân Lập",
    # Typed with Windows line ends and a blank line: stored one line each.
    "opening_hours": "Sáng: 7h30 – 11h30 (thứ Hai đến thứ Sáu)\r\nChiều: 13h30 – 17h00\n\n"
    "Sáng thứ Bảy: 8h00 – 11h00",
    "phone": "0203 3822 111",
    "note": "Tầng 1, nhà A",
}
HOURS = ["Sáng: 7h30 – 11h30 (thứ Hai đến thứ Sáu)", "Chiều: 13h30 – 17h00", "Sáng thứ Bảy: 8h00 – 11h00"]
AGENCY = "Ủy ban nhân dân cấp xã"
# Implementing agency "Uỷ ban Nhân dân cấp xã, phường, thị trấn" (old tone mark, other capitals).
COOPERATIVE = "1.004901"
# Implementing agency "Ủy ban Nhân dân xã, phường, thị trấn.": not "cấp xã".
BIRTH = "1.001193"


def _answer(url: str, code: str, aspects: list[str]) -> str:
    with session_scope(url) as session:
        record = get_procedure(session, code=code)
    assert record is not None
    return format_answer(record, aspects, source_name=SOURCE)


def _card(url: str, code: str) -> dict[str, Any]:
    with session_scope(url) as session:
        record = get_procedure(session, code=code)
    assert record is not None
    return answer_card(record, SOURCE)


def _create(editor: Staff, **changes: str) -> dict[str, Any]:
    response = editor.post("/offices", {**OFFICE, **changes})
    assert response.status_code == 201, response.text
    return response.json()


def _audit(url: str, entity: str = "office") -> list[AuditLog]:
    with session_scope(url) as session:
        return list(session.scalars(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)))


def test_an_office_assigned_by_agency_reaches_the_next_answer_with_its_lines(
    editor: Staff, staff_db: str
) -> None:
    before = _answer(staff_db, COOPERATIVE, ["submission"])
    office = _create(editor)
    assert office["opening_hours"] == "\n".join(HOURS)  # blank line and \r gone, lines kept
    assert office["procedure_count"] == 0 and office["updated_by"] == "bien.tap"

    preview = editor.post(f"/offices/{office['id']}/assign/preview", {"agency": AGENCY}).json()
    assert preview["count"] >= 20 and preview["already"] == 0 and preview["moving"] == 0
    assert COOPERATIVE in {row["code"] for row in preview["sample"]}
    assert all(row["levels_label"].startswith("cấp") for row in preview["sample"])  # words, not "xa,bo"
    with session_scope(staff_db) as session:  # a preview changes nothing
        assert session.scalars(select(LocalOverride)).first() is None

    done = editor.post(f"/offices/{office['id']}/assign", {"agency": AGENCY, "expected": preview["count"]})
    assert done.status_code == 200, done.text
    assert done.json() == {"office": OFFICE["name"], "count": preview["count"], "assigned": preview["count"]}

    answer = _answer(staff_db, COOPERATIVE, ["submission"])
    assert answer != before
    lines = answer.split("\n")
    assert f"- Nơi tiếp nhận: {OFFICE['name']}" in lines
    assert f"- Địa chỉ: {OFFICE['address']}" in lines
    start = lines.index("- Giờ làm việc:")
    assert lines[start + 1 : start + 4] == [f"+ {line}" for line in HOURS]  # one line each, in order
    assert f"- Điện thoại: {OFFICE['phone']}" in lines
    overview = _answer(staff_db, COOPERATIVE, ["documents", "processing_time", "fee", "submission"])
    assert f"Nơi nộp: {OFFICE['name']}, {OFFICE['address']}" in overview
    assert "+ Chiều: 13h30 – 17h00" in overview.split("\n")
    card = _card(staff_db, COOPERATIVE)
    assert card["where"] == OFFICE["address"] and card["office_hours"] == HOURS
    assert (card["office_name"], card["office_phone"]) == (OFFICE["name"], OFFICE["phone"])
    # A procedure of another agency is untouched.
    assert "Giờ làm việc" not in _answer(staff_db, BIRTH, ["submission"])
    assert _card(staff_db, BIRTH)["office_hours"] == []

    rows = _audit(staff_db)
    assert [r.action for r in rows] == ["office_create", "office_assign"]
    assert rows[0].after["opening_hours"] == "\n".join(HOURS) and rows[0].actor == "bien.tap"
    assert rows[1].after["count"] == preview["count"] and COOPERATIVE in rows[1].after["procedures"]
    listed = editor.get("/offices").json()
    assert [(o["name"], o["procedure_count"]) for o in listed] == [(OFFICE["name"], preview["count"])]
    detail = editor.get(f"/offices/{office['id']}").json()
    assert COOPERATIVE in {p["code"] for p in detail["procedures"]}


def test_the_procedure_s_own_address_and_hours_win_and_survive_the_office(
    editor: Staff, staff_db: str
) -> None:
    office = _create(editor)
    editor.post(f"/offices/{office['id']}/assign", {"agency": AGENCY})
    own = {"agency_address": "Phòng 3, Trung tâm Phục vụ hành chính công huyện", "opening_hours": "7h–17h"}
    assert editor.put(f"/procedures/{COOPERATIVE}/override", own).status_code == 200
    lines = _answer(staff_db, COOPERATIVE, ["submission"]).split("\n")
    assert f"- Địa chỉ: {own['agency_address']}" in lines and "- Giờ làm việc: 7h–17h" in lines
    assert f"- Điện thoại: {OFFICE['phone']}" in lines and "+ Chiều: 13h30 – 17h00" not in lines
    # Saving the procedure's own texts kept its office.
    detail = editor.get(f"/procedures/{COOPERATIVE}").json()
    assert detail["override"]["office"]["name"] == OFFICE["name"]

    changed = editor.put(f"/offices/{office['id']}", {**OFFICE, "phone": "0203 3999 999"})
    assert changed.status_code == 200, changed.text
    assert "- Điện thoại: 0203 3999 999" in _answer(staff_db, COOPERATIVE, ["submission"]).split("\n")

    assert editor.delete(f"/offices/{office['id']}").json() == {"deleted": office["id"]}
    text = _answer(staff_db, COOPERATIVE, ["submission"])
    assert "0203 3999 999" not in text and own["agency_address"] in text  # its own texts stay
    assert editor.get("/offices").json() == []
    actions = [r.action for r in _audit(staff_db)]
    assert actions == ["office_create", "office_assign", "office_update", "office_delete"]
    assert COOPERATIVE in _audit(staff_db)[-1].before["procedures"]


def test_one_procedure_gets_or_leaves_an_office_on_its_page(editor: Staff, staff_db: str) -> None:
    office = _create(editor)
    before = _answer(staff_db, BIRTH, ["submission"])
    response = editor.put(f"/procedures/{BIRTH}/office", {"office_id": office["id"]})
    assert response.status_code == 200, response.text
    assert response.json()["override"]["office"]["name"] == OFFICE["name"]
    detail = editor.get(f"/procedures/{BIRTH}").json()
    assert detail["national"]["levels_label"] == "cấp xã"
    assert detail["offices"] == [{"id": office["id"], "name": OFFICE["name"]}]
    assert OFFICE["address"] in _answer(staff_db, BIRTH, ["submission"])
    hits = editor.get("/procedures", params={"q": "đăng ký khai sinh"}).json()
    assert hits[0]["level_label"] == "cấp xã"

    assert editor.put(f"/procedures/{BIRTH}/office", {"office_id": None}).status_code == 200
    assert _answer(staff_db, BIRTH, ["submission"]) == before  # back to the national text alone
    rows = _audit(staff_db, "procedure")
    assert [r.action for r in rows] == ["override_update", "override_update"]
    assert rows[0].after["office_id"] == office["id"] and rows[1].after["office_id"] is None

    editor.put(f"/procedures/{BIRTH}/office", {"office_id": office["id"]})
    removed = editor.delete(f"/offices/{office['id']}/procedures/{BIRTH}")
    assert removed.status_code == 200 and "Tân Lập" not in _answer(staff_db, BIRTH, ["submission"])
    assert _audit(staff_db)[-1].action == "office_unassign"


def test_the_preview_shows_the_citizen_s_answers_and_changes_nothing(editor: Staff, staff_db: str) -> None:
    office = _create(editor)
    preview = editor.get(f"/offices/{office['id']}/preview", params={"code": BIRTH})
    assert preview.status_code == 200, preview.text
    data = preview.json()
    assert data["code"] == BIRTH and data["assigned"] is False
    first, where, hours = (item["text"] for item in data["answers"])
    assert f"Nơi nộp: {OFFICE['name']}, {OFFICE['address']}" in first
    assert "+ Chiều: 13h30 – 17h00" in where.split("\n")
    assert hours.split("\n")[2:6] == ["Giờ làm việc:", *(f"+ {line}" for line in HOURS)]
    assert data["card"]["office_hours"] == HOURS
    with session_scope(staff_db) as session:
        assert session.scalars(select(LocalOverride)).first() is None
    missing = editor.get(f"/offices/{office['id']}/preview", params={"code": "9.999999"})
    assert missing.status_code == 404 and missing.json()["detail"] == "Không tìm thấy thủ tục mã 9.999999."


def test_refusals_are_clear_vietnamese(editor: Staff, staff_db: str) -> None:
    office = _create(editor)
    cases = [
        (editor.post("/offices", {**OFFICE, "name": "  "}), 422, "Cần ghi tên văn phòng"),
        (
            editor.post("/offices", {**OFFICE, "name": "bộ phận một cửa ubnd xã tân lập"}),
            409,
            "Đã có văn phòng",
        ),
        (
            editor.post("/offices", {**OFFICE, "name": "BO PHAN MOT CUA UBND XA TAN LAP"}),
            409,
            "Đã có văn phòng",
        ),
        (editor.post("/offices", {**OFFICE, "name": "Khác", "phone": "gọi anh Nam"}), 422, "Số điện thoại"),
        (
            editor.post("/offices", {"name": "Trống", "address": "", "opening_hours": "", "phone": ""}),
            422,
            "Cần ghi ít nhất địa chỉ, giờ làm việc hoặc số điện thoại",
        ),
        (editor.post("/offices", {**OFFICE, "name": "x" * 256}), 422, "Tên văn phòng tối đa 255 ký tự."),
        (editor.post("/offices", {**OFFICE, "ten": "x"}), 422, "không được chấp nhận"),
        (editor.post(f"/offices/{office['id']}/assign/preview", {"agency": "xã"}), 422, "ít nhất 4 ký tự"),
        (
            editor.post(f"/offices/{office['id']}/assign/preview", {"agency": AGENCY, "level": "huyen"}),
            422,
            "Cấp thực hiện không hợp lệ",
        ),
        (
            editor.post(f"/offices/{office['id']}/assign", {"agency": AGENCY, "expected": 1}),
            409,
            "Số thủ tục đã thay đổi",
        ),
        (
            editor.post(f"/offices/{office['id']}/assign", {"agency": "Cơ quan không có"}),
            422,
            "Không có thủ tục",
        ),
        (editor.get("/offices/999"), 404, "Không tìm thấy văn phòng"),
        (editor.put(f"/procedures/{BIRTH}/office", {"office_id": 999}), 404, "Không tìm thấy văn phòng"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, response.text
        assert message in response.json()["detail"], response.json()
    with session_scope(staff_db) as session:
        assert len(session.scalars(select(Office)).all()) == 1
        assert session.scalars(select(LocalOverride)).first() is None


def test_offices_need_a_signed_in_officer_and_the_csrf_token(sign_in: SignIn, editor: Staff) -> None:
    anonymous = sign_in.anonymous()
    assert anonymous.get(f"{API}/offices").status_code == 401
    no_token = editor.client.post(f"{API}/offices", json=OFFICE)
    assert no_token.status_code == 403
    assert editor.get("/offices").json() == []
