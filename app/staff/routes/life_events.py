"""Life events: the situations citizens come with and the procedures each calls for (editors and admins)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from app.staff.deps import EditorDep, SessionDep
from app.staff.schemas import LifeEventIn, LifeEventUpdateIn, RowId
from knowledge_base.staff import life_events_admin

router = APIRouter(tags=["staff: sự kiện cuộc sống"])


@router.get("/life-events")
def list_life_events(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Literal["all", "published", "draft"] = "all",
) -> list[dict[str, Any]]:
    """Life events, in the assistant's order."""
    return life_events_admin.list_events(session, q=q, status=status)


@router.get("/life-events/match")
def match_life_event(
    principal: EditorDep,
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=600)],
) -> dict[str, Any]:
    """Which published event a citizen's message would get ("Thử câu hỏi")."""
    return life_events_admin.try_message(session, q)


@router.get("/life-events/{event_id}")
def get_life_event(event_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """One life event."""
    return life_events_admin.get_event(session, event_id)


@router.post("/life-events", status_code=201)
def create_life_event(body: LifeEventIn, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Create an event (a draft unless `published`)."""
    view = life_events_admin.create_event(
        session,
        principal,
        slug=body.slug,
        title=body.title,
        triggers=body.triggers,
        excludes=body.excludes,
        steps=[step.model_dump() for step in body.steps],
        published=body.published,
    )
    session.commit()
    return view


@router.put("/life-events/{event_id}")
def update_life_event(
    event_id: RowId, body: LifeEventUpdateIn, principal: EditorDep, session: SessionDep
) -> dict[str, Any]:
    """Replace an event's title, triggers, excluded phrases and steps."""
    view = life_events_admin.update_event(
        session,
        principal,
        event_id,
        title=body.title,
        triggers=body.triggers,
        excludes=body.excludes,
        steps=[step.model_dump() for step in body.steps],
        expected_updated_at=body.updated_at,
    )
    session.commit()
    return view


@router.post("/life-events/{event_id}/publish")
def publish_life_event(event_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Publish: the assistant matches the event from the next message on."""
    view = life_events_admin.set_published(session, principal, event_id, True)
    session.commit()
    return view


@router.post("/life-events/{event_id}/unpublish")
def unpublish_life_event(event_id: RowId, principal: EditorDep, session: SessionDep) -> dict[str, Any]:
    """Unpublish: the assistant never matches the event."""
    view = life_events_admin.set_published(session, principal, event_id, False)
    session.commit()
    return view
