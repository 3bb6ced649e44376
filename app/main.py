"""The FastAPI app: the public procedure API, the web widget and its demo page, the staff workspace.

Run: ``uvicorn app.main:app --port 8000`` (``make run`` does it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.api_docs import install_docs
from app.limits import BodyLimitMiddleware
from app.schemas import DossierEventOut, DossierOut, SearchHitOut
from app.staff.workspace import install_staff
from app.widget import router as widget_router
from knowledge_base.db import session_scope
from knowledge_base.dossiers import DossierLocked, DossierNotFound, DossierSourceError, get_dossier_source
from knowledge_base.life_events import search_with_life_events
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ProcedureOut
from knowledge_base.settings import check_production, get_settings

PROCEDURE_CODE_PATTERN = r"^[0-9]\.[0-9]{6}(\.[0-9]{6})?$|^[0-9A-Za-z.\-_]{3,32}$"


def get_session() -> Iterator[Session]:
    """One short-lived session per request."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def create_app() -> FastAPI:
    """Build the application (in the prod profile, only with strong settings: `check_production`)."""
    if get_settings().profile == "prod":
        check_production()
    app = FastAPI(
        title="tthc-assistant API",
        version="0.1.0",
        description="Thủ tục hành chính: tra cứu thủ tục, hồ sơ và trợ lý hội thoại.",
        # /docs and /redoc: pinned, integrity-checked assets and a CSP, never in prod (app/api_docs.py).
        docs_url=None,
        redoc_url=None,
    )

    @app.get("/health", tags=["ops"])
    def health(session: SessionDep) -> dict[str, str]:
        """Liveness and database reachability."""
        session.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/api/v1/procedures/search", response_model=list[SearchHitOut], tags=["procedures"])
    def search(
        session: SessionDep,
        q: Annotated[str, Query(min_length=1, max_length=2000, description="Câu hỏi hoặc tên thủ tục")],
        limit: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> list[SearchHitOut]:
        """Search procedures by a citizen's words, best first."""
        return [SearchHitOut(**hit.__dict__) for hit in search_with_life_events(session, q, limit)]

    @app.get(
        "/api/v1/procedures/{code}",
        response_model=ProcedureOut,
        tags=["procedures"],
        responses={404: {"description": "Không tìm thấy thủ tục với mã đã cho"}},
    )
    def procedure(
        session: SessionDep,
        code: Annotated[str, Path(max_length=32, pattern=PROCEDURE_CODE_PATTERN)],
    ) -> ProcedureOut:
        """The full structured record of one procedure."""
        found = get_procedure(session, code=code)
        if found is None:
            raise HTTPException(status_code=404, detail=f"Không tìm thấy thủ tục mã {code}")
        return found

    @app.get(
        "/api/v1/dossiers/{code}",
        response_model=DossierOut,
        tags=["dossiers"],
        responses={
            404: {"description": "Không tìm thấy hồ sơ (mã sai hoặc số điện thoại không khớp)"},
            429: {
                "description": "Mã hồ sơ tạm khóa tra cứu sau nhiều lần nhập sai (xem Retry-After)",
                "headers": {
                    "Retry-After": {"description": "Số giây đến khi hết khóa", "schema": {"type": "integer"}}
                },
            },
        },
    )
    def dossier(
        code: Annotated[str, Path(min_length=6, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]+$")],
        phone_last4: Annotated[
            str, Query(pattern=r"^[0-9]{4}$", description="4 chữ số cuối số điện thoại người nộp hồ sơ")
        ],
    ) -> DossierOut:
        """A dossier's status; unknown code and wrong phone check both answer 404.

        Wrong checks are counted per dossier code (with the chat's): after too many the code answers
        429, right check or wrong, until the lock ends.
        """
        try:
            found = get_dossier_source().lookup(code, phone_last4)
        except DossierLocked as exc:
            raise HTTPException(
                status_code=429,
                detail=(
                    "Mã hồ sơ này đang tạm khóa tra cứu vì thông tin nhập sai nhiều lần. Để bảo vệ hồ sơ, "
                    f"vui lòng thử lại sau {exc.minutes} phút, hoặc liên hệ bộ phận Một cửa nơi nộp hồ sơ "
                    f"(gọi {get_settings().desk_hotline}) để được hỗ trợ."
                ),
                headers={"Retry-After": str(exc.retry_after)},
            ) from None
        except DossierNotFound:
            raise HTTPException(
                status_code=404, detail="Không tìm thấy hồ sơ với mã và số điện thoại đã cho"
            ) from None
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except DossierSourceError:
            raise HTTPException(
                status_code=503, detail="Hệ thống tra cứu hồ sơ tạm thời không trả lời, vui lòng thử lại sau"
            ) from None
        return DossierOut(
            code=found.code,
            procedure_code=found.procedure_code,
            procedure_name=found.procedure_name,
            status=found.status,
            status_label=found.status_label,
            received_at=found.received_at,
            due_at=found.due_at,
            finished_at=found.finished_at,
            overdue=found.overdue(),
            note=found.note,
            history=[DossierEventOut(status=e.status, note=e.note, at=e.at) for e in found.history],
        )

    app.include_router(widget_router)
    install_staff(app)
    install_docs(app, enabled=get_settings().profile != "prod")
    # Outermost: an oversized body is refused before any route or middleware reads it.
    app.add_middleware(BodyLimitMiddleware)
    return app


app = create_app()
