"""Wiring the staff workspace into the FastAPI app: API routers, pages, assets, errors, headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from app.staff.deps import record_denied
from app.staff.routes import admin, auth, content, dashboard, fees, inbox, life_events, offices, pages, users
from app.staff.schemas import StaffErrorOut
from knowledge_base.settings import get_settings
from knowledge_base.staff.common import StaffError

API_PREFIX = "/api/staff/v1"
# The refusals every staff API route may answer, documented with the body the handlers below send
# (FastAPI would otherwise document its own 422 body, which the staff API never sends).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": StaffErrorOut, "description": description}
    for status, description in (
        (400, "Nội dung yêu cầu không đọc được (không phải UTF-8 hoặc multipart hỏng)"),
        (401, "Chưa đăng nhập, phiên đã hết, hoặc sai tên đăng nhập/mật khẩu"),
        (403, "Không đủ quyền, thiếu mã CSRF, hoặc tài khoản bị khóa"),
        (404, "Không tìm thấy"),
        (409, "Xung đột với dữ liệu hiện có"),
        (413, "Nội dung gửi lên quá lớn"),
        (422, "Dữ liệu không hợp lệ"),
        (429, "Đăng nhập sai quá nhiều lần"),
        (503, "Hệ thống đang bận (quá nhiều lượt đăng nhập cùng lúc)"),
    )
}

# Field names in the API -> what the officer calls them.
FIELD_LABELS = {
    "username": "Tên đăng nhập",
    "password": "Mật khẩu",
    "current_password": "Mật khẩu hiện tại",
    "new_password": "Mật khẩu mới",
    "totp_code": "Mã xác thực",
    "reset_totp": "Cài lại xác thực hai bước",
    "display_name": "Tên hiển thị",
    "role": "Vai trò",
    "active": "Trạng thái tài khoản",
    "questions": "Các cách hỏi",
    "question": "Câu hỏi thử",
    "answer": "Câu trả lời",
    "procedure_code": "Mã thủ tục",
    "code": "Mã thủ tục",
    "published": "Trạng thái đăng",
    "source_question_id": "Câu hỏi gốc",
    "updated_at": "Phiên bản",
    "agency_address": "Địa chỉ nơi tiếp nhận",
    "opening_hours": "Giờ làm việc",
    "fee_note": "Ghi chú lệ phí",
    "notes": "Ghi chú thêm",
    "not_offered": "Không thực hiện tại địa phương",
    "name": "Tên văn phòng",
    "address": "Địa chỉ",
    "phone": "Số điện thoại",
    "agency": "Cơ quan thực hiện",
    "level": "Cấp thực hiện",
    "expected": "Số thủ tục đã xác nhận",
    "office_id": "Văn phòng",
    "slug": "Mã sự kiện",
    "title": "Tên sự kiện",
    "triggers": "Cách nói của người dân",
    "excludes": "Cụm từ loại trừ",
    "steps": "Các bước",
    "label": "Tên bước",
    "codes": "Mã thủ tục",
    "where": "Nơi làm",
    "condition": "Điều kiện",
    "message": "Nội dung trả lời",
    "remove_missing": "Xóa thủ tục không còn trong tệp",
    "day": "Ngày",
    "kind": "Loại ngày",
    "note": "Ghi chú",
    "file": "Tệp",
    "source_date": "Ngày lấy dữ liệu",
    "q": "Từ khóa",
    "limit": "Số dòng",
    "offset": "Vị trí bắt đầu",
    "days": "Số ngày",
    "start": "Từ ngày",
    "end": "Đến ngày",
    "status": "Trạng thái",
    "actor": "Người thực hiện",
    "entity": "Đối tượng",
    "action": "Thao tác",
}


def _field(loc: tuple[Any, ...]) -> str:
    names = [
        str(part)
        for part in loc
        if not isinstance(part, int) and part not in ("body", "query", "path", "form")
    ]
    return names[0] if names else ""


def vietnamese_message(error: dict[str, Any]) -> str:
    """One pydantic validation error, said in Vietnamese."""
    field = _field(tuple(error.get("loc", ())))
    label = FIELD_LABELS.get(field, field or "Dữ liệu")
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"{label}: bắt buộc phải có."
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return f"{label} không được để trống." if minimum == 1 else f"{label} cần ít nhất {minimum} ký tự."
    if kind == "string_too_long":
        return f"{label} tối đa {ctx.get('max_length')} ký tự."
    if kind == "too_short":
        return f"{label} cần ít nhất {ctx.get('min_length')} mục."
    if kind == "too_long":
        return f"{label} tối đa {ctx.get('max_length')} mục."
    if kind == "string_type":
        return f"{label} phải là văn bản."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label} phải là số nguyên."
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} phải là đúng hoặc sai."
    if kind.startswith("date_"):
        return f"{label} phải là ngày hợp lệ (năm-tháng-ngày, ví dụ 2026-12-31)."
    if kind.startswith("datetime_"):
        return f"{label} phải là thời điểm hợp lệ."
    if kind in ("literal_error", "enum"):
        return f"{label} không hợp lệ (chọn một trong: {ctx.get('expected', '')})."
    if kind == "extra_forbidden":
        return f"Trường “{field}” không được chấp nhận."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label} phải từ {ctx.get('ge', ctx.get('gt'))} trở lên."
    if kind in ("less_than_equal", "less_than"):
        return f"{label} tối đa là {ctx.get('le', ctx.get('lt'))}."
    if kind == "string_pattern_mismatch":
        return f"{label} không đúng định dạng."
    if kind == "json_invalid":
        return "Dữ liệu gửi lên không phải JSON hợp lệ."
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "Dữ liệu gửi lên phải là một đối tượng JSON."
    if kind == "list_type":
        return f"{label} phải là một danh sách."
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{label} không hợp lệ."


def _is_staff(request: Request) -> bool:
    return request.url.path.startswith((API_PREFIX, "/staff"))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_staff(request):
        return await request_validation_exception_handler(request, exc)
    errors = [
        {"field": _field(tuple(e.get("loc", ()))), "message": vietnamese_message(e)} for e in exc.errors()
    ]
    messages = list(dict.fromkeys(e["message"] for e in errors))
    return JSONResponse(status_code=422, content={"detail": " ".join(messages), "errors": errors})


async def _staff_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StaffError)
    principal = getattr(request.state, "staff_principal", None)
    if exc.status == 403 and principal is not None:
        # A signed-in officer refused (another officer's ticket ...): on record like every 403.
        await run_in_threadpool(record_denied, request, principal, "refused")
    content: dict[str, Any] = {"detail": exc.message}
    if exc.field:
        content["errors"] = [{"field": exc.field, "message": exc.message}]
    headers = {}
    if exc.status == 429:
        headers["Retry-After"] = str(int(get_settings().staff_login_window_minutes * 60))
    return JSONResponse(status_code=exc.status, content=content, headers=headers)


# The pages load only their own scripts and styles and talk only to this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    if _is_staff(request):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/staff/assets/"):
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def install_staff(app: FastAPI) -> None:
    """Add the staff workspace to `app`: /api/staff/v1 (JSON API) and /staff (pages)."""
    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for module in (auth, users, content, life_events, fees, offices, inbox, dashboard, admin):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(pages.router)
    app.mount("/staff/assets", StaticFiles(directory=pages.WEB_DIR / "assets"), name="staff-assets")
    app.add_exception_handler(StaffError, _staff_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.middleware("http")(_security_headers)
