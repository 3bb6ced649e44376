"""The public procedure API through FastAPI's test client, on the seeded database."""

from __future__ import annotations

import pytest


def test_health(client) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_search_finds_birth_registration_without_diacritics(client) -> None:
    response = client.get("/api/v1/procedures/search", params={"q": "dang ky khai sinh", "limit": 3})
    assert response.status_code == 200
    hits = response.json()
    assert hits[0]["code"] == "1.001193"
    assert set(hits[0]) >= {"code", "name", "level", "score"}
    assert len(hits) <= 3


def test_search_places_a_life_event_and_a_long_letter(client) -> None:
    # A situation names no procedure: its life event's procedures come first, in the event's order.
    hits = client.get("/api/v1/procedures/search", params={"q": "bố tôi mới mất hôm qua", "limit": 3}).json()
    assert "khai tử" in hits[0]["name"].lower()
    letter = (
        "Kính gửi Quý cơ quan, tôi tên là Trần Văn An, hiện cư trú tại phường 5. Năm ngoái tôi làm mất "
        "thẻ căn cước khi đi công tác. Nay tôi muốn được cấp lại thì cần chuẩn bị những giấy tờ gì? "
        "Xin trân trọng cảm ơn."
    )
    hits = client.get("/api/v1/procedures/search", params={"q": letter, "limit": 3}).json()
    assert any("cấp lại thẻ căn cước" in hit["name"].lower() for hit in hits)


def test_procedure_record(client) -> None:
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["code"] == "1.001193"
    assert body["documents"] and body["channels"]


def test_unknown_procedure_is_404(client) -> None:
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x" * 2001}, {"q": "khai sinh", "limit": 0}, {"q": "khai sinh", "limit": "abc"}],
)
def test_bad_search_input_is_422(client, params) -> None:
    assert client.get("/api/v1/procedures/search", params=params).status_code == 422


def test_the_schema_documents_the_unknown_procedure_404(client) -> None:
    # Found by tests/fuzz: the 404 was answered but not in the OpenAPI schema.
    responses = client.get("/openapi.json").json()["paths"]["/api/v1/procedures/{code}"]["get"]["responses"]
    assert "404" in responses
