"""Questions about one procedure: which procedure a message means, and the answer to its aspects.

`answer_procedure` is the whole path: a button choice, a procedure the message names (or a
clarifying question when several are close), a general question the FAQ answers, or the procedure
the conversation is already about; then one combined answer of every aspect asked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from answers.coverage import not_covered_reply
from answers.faq import faq_reply
from answers.formatting import (
    CASE_ASPECT,
    FULL_ASPECTS,
    answer_card,
    format_answer,
    hours_lines,
    is_overview,
    local_desk,
    more_buttons,
    procedure_title,
)
from answers.life_event import available_codes, life_event_reply
from answers.reply import RATING_BUTTONS, Reply
from answers.variants import variant_question
from knowledge_base.coverage import UncoveredTopic, uncovered_topic
from knowledge_base.faq import MIN_FAQ_SCORE, FaqHit, search_faq
from knowledge_base.life_events import MIN_SCORE as MIN_LIFE_EVENT_SCORE
from knowledge_base.life_events import LifeEventMatch, match_life_event
from knowledge_base.queries import get_procedure
from knowledge_base.schemas import ProcedureOut
from knowledge_base.search import SearchHit, normalise_query, search_procedures
from knowledge_base.workdays import expected_result_date, load_calendar
from vntext import fold
from vntext.dates import parse_submission_date
from vntext.need import CUE_WEIGHT, analyse, qualifiers_of

ASPECT_BY_INTENT = {
    "ask_documents": "documents",
    "ask_processing_time": "processing_time",
    "ask_fee": "fee",
    "ask_submission": "submission",
    "ask_online": "online",
    "ask_payment": "payment",
    "ask_steps": "steps",
    "ask_forms": "forms",
    "ask_conditions": "conditions",
    "ask_result": "result",
    "ask_legal_basis": "legal_basis",
}
ASPECT_ORDER = list(ASPECT_BY_INTENT.values())
# What "tell me about procedure X" answers.
OVERVIEW = ["documents", "processing_time", "fee", "submission"]
# Below this search score the message is taken to name no procedure.
MIN_SCORE = 0.5
# Candidates with different names scoring within this margin of the best one are "close": the
# citizen is asked which one they mean, unless the best one matches (nearly) exactly.
CLARIFY_MARGIN = 0.2
CLEAR_MATCH = 0.9
# A matter outside the list (lexicon/not_covered.yml) is said so unless a procedure matches this well.
TOPIC_BELOW = 0.6
# A life event's checklist gives way to a procedure that search matches this well and the event lacks.
EVENT_YIELDS = 0.65
# How many procedures search found beyond a life event's checklist are offered beside it.
EVENT_EXTRA = 2
# When nothing fits well, procedures scoring at least this are offered as suggestions (up to
# WEAK_SUGGESTIONS), with the honest "not found in my data".
WEAK_SCORE = 0.3
WEAK_SUGGESTIONS = 3
# A single candidate scoring below this is offered with the next ones instead of answered.
ANSWER_SCORE = 0.75
# Procedures offered beside a general FAQ answer, and the floor of those offered beside an
# uncovered matter.
FAQ_SUGGESTIONS = 1
TOPIC_SUGGESTION_SCORE = 0.35
# "còn X thì sao?" after an answer: the margin within which X's candidates are still asked about.
SWITCH_MARGIN = 0.1
# With a procedure already under discussion, a message not naming another one (no procedure entity)
# switches only on a search score this high.
SWITCH_SCORE = 0.8
MAX_CANDIDATES = 4
# Aspects that are often asked in general ("nộp online thế nào?", "thanh toán bằng gì?"): without a
# procedure in sight the FAQ is tried at its usual threshold. A question about documents, time, fee …
# without a procedure needs the procedure, unless an FAQ entry matches it very well.
GENERAL_ASPECTS = {"online", "payment", "submission"}
STRONG_FAQ_SCORE = 0.6
#: A procedure matched this much better than the best FAQ entry wins over it.
FAQ_BEATEN_BY = 0.1
# Answers whose procedure match or intent is below this go to the staff inbox for review.
REVIEW_BELOW = 0.6
VIETNAM = dt.timezone(dt.timedelta(hours=7))  # no daylight saving time in Vietnam: "today" is counted here


@dataclass
class Resolution:
    """What a message's procedure lookup found."""

    procedure: ProcedureOut | None = None
    candidates: list[SearchHit] = field(default_factory=list)
    score: float = 0.0
    faq: FaqHit | None = None
    due_dates: dict[str, dt.date] = field(default_factory=dict)
    # A matter outside the procedure list (a court divorce, a theft), with who handles it.
    uncovered: UncoveredTopic | None = None
    # The message says what it wants, and nothing in the data fits it well.
    nothing_fits: bool = False
    # A situation ("mẹ tôi mới mất") that calls for several procedures, in order.
    life_event: LifeEventMatch | None = None


@dataclass(frozen=True)
class ProcedureQuestion:
    """What a message asks about a procedure, as the dialogue layer read it.

    Attributes:
        text: The message as typed ("" when a candidate was chosen).
        intent: The classifier's intent.
        confidence: The classifier's confidence in it.
        aspects: The aspects asked, the main one first (see `asked_aspects`).
        named: Procedure names the NLU matcher found in the message.
        chosen_code: The candidate the citizen pressed or typed, if any.
        current_code: The procedure the conversation is already about, if any.
        submitted: The day the citizen says they submit (for the expected result date), if any.
        previous_aspects: The aspects of the latest answer, which "còn X thì sao?" asks again.
        offered: The procedures the latest offer's buttons showed (none once one was answered).
    """

    text: str
    intent: str = ""
    confidence: float = 1.0
    aspects: list[str] = field(default_factory=lambda: list(OVERVIEW))
    named: list[str] = field(default_factory=list)
    chosen_code: str | None = None
    current_code: str | None = None
    submitted: dt.date | None = None
    previous_aspects: list[str] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProcedureAnswer:
    """The reply to a procedure question and what the conversation should remember.

    Attributes:
        reply: The message to send.
        kind: "answer" (a procedure's aspects), "faq" (a general question), "clarify" (which one?),
            "not_covered" (not in the data: said so, with where to ask).
        procedure_code: The procedure answered ("" unless `kind` is "answer").
        aspects: The aspects answered (or still pending when `kind` is "clarify").
        needs_review: Whether the match or the intent was weak enough for staff to look at it.
    """

    reply: Reply
    kind: str
    procedure_code: str = ""
    aspects: list[str] = field(default_factory=list)
    needs_review: bool = False


def asked_aspects(intent: str, aspect_values: list[str], pending: list[str] | None = None) -> list[str]:
    """The aspects a message asks about: its intent's plus every aspect entity, in order.

    Args:
        intent: The message's intent (ask_fee, ...).
        aspect_values: Values of its aspect entities.
        pending: Aspects asked earlier while the procedure was unknown, used when the message asks none.

    Returns:
        The intent's own aspect first (it is what the question is mainly about), then the usual order;
        else the pending aspects; else the overview.
    """
    asked = {ASPECT_BY_INTENT[intent]} if intent in ASPECT_BY_INTENT else set()
    asked |= {value for value in aspect_values if value in ASPECT_ORDER}
    # A button for the complete list, or one case's documents, asks only that.
    listed = [v for v in aspect_values if v in FULL_ASPECTS or CASE_ASPECT.fullmatch(v)]
    if listed:
        return listed[:1]
    first = ASPECT_BY_INTENT.get(intent)
    ordered = sorted(asked, key=lambda aspect: (aspect != first, ASPECT_ORDER.index(aspect)))
    if ordered:
        return ordered
    kept = [aspect for aspect in pending or [] if aspect in ASPECT_ORDER]
    return kept or list(OVERVIEW)


# "còn tạm trú thì sao?", "thế còn cấp lại?", "vậy làm hộ chiếu thì thế nào": the same question again,
# about another procedure (folded).
_ASKS_AGAIN_RE = re.compile(r"\b(?:thi|the|vay)\s+(?:sao|the nao|ra sao)\s*\W*$")
# Typed with diacritics, a leading "còn" is unambiguous ("con" unaccented may be "child").
_LEADING_CON_RE = re.compile(r"^\W*(?:(?:thế|vậy|the|vay)\s+)?còn\b", re.IGNORECASE)


# "cà vẹt xe nữa", "bằng lái nữa": a short message that adds one more thing to the same question.
_TRAILING_NUA_RE = re.compile(
    r"(?<!thêm )(?<!hỏi )\bnữa(?:\s+(?:ạ|nhé|nha|nhe|thì sao))?\s*\W*$", re.IGNORECASE
)
_MAX_NUA_WORDS = 6


# "có cần giấy chứng tử không", "phải mang bản gốc ko", "cần dịch công chứng không": whether a paper or
# a step is needed, asked yes or no (folded).
_ASKS_IF_NEEDED_RE = re.compile(
    r"^\W*(?:(?:vay|the|thi|cho (?:em|toi|minh) hoi|a|da)\s+)?(?:co\s+)?(?:can|phai|bat buoc)\b"
    r"(?:\s+\S+){1,8}?\s+(?:khong|ko|k|hong|hok|khum)\s*\W*$"
)
_MAX_IF_NEEDED_WORDS = 12


def asks_if_needed(text: str) -> bool:
    """Whether a short message asks yes or no whether something is needed ("có cần … không")."""
    folded = fold(text).strip()
    return len(folded.split()) <= _MAX_IF_NEEDED_WORDS and bool(_ASKS_IF_NEEDED_RE.match(folded))


def asks_again(text: str) -> bool:
    """Whether a message asks the previous question again about something else ("còn X thì sao?")."""
    if _TRAILING_NUA_RE.search(text) and len(text.split()) <= _MAX_NUA_WORDS:
        return True
    return bool(_LEADING_CON_RE.search(text) or _ASKS_AGAIN_RE.search(fold(text).strip()))


#: Name openings that say which variant of a paper the conversation is about (folded); a citizen who
#: lost everything asks "cấp lại" of the ID card, then "còn bằng lái thì sao?" of the licence.
_CARRIED_QUALIFIERS = ("cap lai", "cap doi", "doi", "gia han")
#: Words by which a message says a variant itself (folded): then nothing is carried over.
_SAID_VARIANTS = (*_CARRIED_QUALIFIERS, "cap moi", "lan dau", "moi")
#: How many of the plain search's hits the qualified one's best must be among (the same paper).
_QUALIFIED_AMONG = 5


def with_carried_qualifier(
    session: Session, text: str, current_code: str, hits: list[SearchHit]
) -> list[SearchHit]:
    """Hits for "còn X thì sao?" with the current procedure's variant carried over to X, when X has one.

    The qualified search is kept only when its best hit is among the plain search's first hits (a
    sibling of the same paper: "cấp lại giấy phép lái xe" beside "cấp giấy phép lái xe"), and when
    the message does not say a variant itself.
    """
    current = get_procedure(session, code=current_code)
    if current is None or not hits:
        return hits
    name, said = fold(current.name), fold(text)
    qualifier = next((q for q in _CARRIED_QUALIFIERS if name.startswith(q + " ")), None)
    if qualifier is None or any(f" {q} " in f" {said} " for q in _SAID_VARIANTS):
        return hits
    qualified = search_procedures(session, f"{qualifier} {text}", limit=8)
    siblings = {hit.code for hit in hits[:_QUALIFIED_AMONG]}
    if qualified and qualified[0].code in siblings and qualified[0].code != current_code:
        return qualified
    return hits


def switched_aspects(
    intent: str, aspect_values: list[str], text: str, previous: list[str]
) -> list[str] | None:
    """The previous answer's aspects when a message asks them again of another procedure, else None."""
    if intent in ASPECT_BY_INTENT or any(value in ASPECT_ORDER for value in aspect_values):
        return None
    kept = [aspect for aspect in previous if aspect in ASPECT_ORDER]
    return kept if kept and asks_again(text) else None


# "(thực hiện tại cấp tỉnh)": the national base's way of naming the same procedure at another level.
_LEVEL_SUFFIX_RE = re.compile(r"\(\s*thuc hien tai cap[^)]*\)")


def _distinct(hits: list[SearchHit]) -> list[SearchHit]:
    """One hit per procedure name: the same name at several levels is one choice for a citizen."""
    seen: set[str] = set()
    result = []
    for hit in hits:
        key = _LEVEL_SUFFIX_RE.sub("", fold(hit.name)).strip()
        if key not in seen:
            seen.add(key)
            result.append(hit)
    return result


def _name_words(name: str) -> set[str]:
    return set(re.findall(r"\w+", _LEVEL_SUFFIX_RE.sub("", fold(name)))) - {"thu", "tuc"}


def _said_words(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def said_whole_name(hit: SearchHit, text: str) -> bool:
    """Whether the message holds every word of the procedure's name ("đăng ký kết hôn nộp hôm nay …")."""
    return bool(text) and _name_words(hit.name) <= _said_words(text)


_FOREIGN_NAME_RE = re.compile(r"\bnuoc ngoai\b|\bquoc te\b")


def without_unasked_cases(hits: list[SearchHit], text: str) -> list[SearchHit]:
    """Drop the best hit's special cases the message does not ask: "Đăng ký kết hôn lưu động" is
    "Đăng ký kết hôn" plus words the citizen did not say, so it is not a choice to offer them; and
    a foreigner's or foreign-element variant is no choice for a message with no foreign element."""
    if not hits or not text:
        return hits
    said = _said_words(text)
    base = _name_words(hits[0].name)
    foreign_said = qualifiers_of(" ".join(re.findall(r"\w+", fold(text)))).foreign
    domestic = not foreign_said and not _FOREIGN_NAME_RE.search(fold(hits[0].name))

    def unasked(hit: SearchHit) -> bool:
        words = _name_words(hit.name)
        extra = {word for word in words - base if len(word) >= 3}
        if base < words and not extra & said:
            return True
        return domestic and bool(_FOREIGN_NAME_RE.search(fold(hit.name)))

    return [hits[0], *(hit for hit in hits[1:] if not unasked(hit))]


def close_candidates(hits: list[SearchHit], text: str = "", margin: float | None = None) -> list[SearchHit]:
    """The candidates too close to the best one to pick silently (empty when the best is clear)."""
    margin = CLARIFY_MARGIN if margin is None else margin
    distinct = without_unasked_cases(_distinct(hits), text)
    if len(distinct) < 2 or distinct[0].score >= CLEAR_MATCH:
        return []
    best = distinct[0].score
    close = [hit for hit in distinct if hit.score >= max(MIN_SCORE, best - margin)]
    return close[:MAX_CANDIDATES] if len(close) > 1 else []


def _due_dates(session: Session, procedure: ProcedureOut, submitted: dt.date) -> dict[str, dt.date]:
    calendar = load_calendar(session)
    dates: dict[str, dt.date] = {}
    for channel in procedure.channels:
        if channel.channel in dates:
            continue
        due = expected_result_date(submitted, channel.time_value, channel.time_unit, calendar=calendar)
        if due is not None:
            dates[channel.channel] = due
    return dates


_ORDINALS = {
    "nhat": 1,
    "dau": 1,
    "dau tien": 1,
    "mot": 1,
    "1": 1,
    "hai": 2,
    "nhi": 2,
    "2": 2,
    "ba": 3,
    "3": 3,
    "bon": 4,
    "thu tu": 4,
    "4": 4,
}


def typed_choice(text: str, candidates: list[str]) -> str | None:
    """The candidate a typed answer picks ("cái thứ hai", "số 1", "cái cuối"), or None."""
    if not candidates:
        return None
    words = fold(text).replace(".", " ").split()
    if "cuoi" in words:
        return candidates[-1]
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            number = _ORDINALS.get(" ".join(words[i : i + size]))
            if number and number <= len(candidates):
                return candidates[number - 1]
    return None


# Intents a legal-interpretation question is mistaken for ("... có được ... không theo luật").
LEGAL_PRONE_INTENTS = {"ask_legal_basis", "ask_conditions", "ask_procedure", "ask_result", "nlu_fallback"}
# Folded words that ask for a judgement on a personal legal situation, not how a procedure works.
_LEGAL_ADVICE_RE = re.compile(
    r"\b(?:thua ke|ly hon|tranh chap|bi phat|phat bao nhieu|khoi kien|kien ai|kien nguoi|hop phap khong|"
    r"dung luat khong|sai luat|trai luat|mang ho|quyen nuoi con|chia tai san|boi thuong|ngoai gia thu|"
    r"ngoai hon nhan)\b"
)


# "Thủ tục ghi chú ly hôn", "hồ sơ bồi thường nhà nước": asking for the procedure itself, not a judgement.
# "… thì phải làm gì", "làm ở đâu", "cần những gì": how to get something done, not a judgement.
_PROCEDURAL_FRAMING_RE = re.compile(
    r"\b(?:thu tuc|ho so|giay to|mau don|to khai|phai lam gi|can lam gi|lam the nao|lam sao|lam o dau|"
    r"nop o dau|can nhung gi|can gi|xin o dau|dang ky o dau)\b"
)


def looks_like_legal_advice(text: str) -> bool:
    """Whether a message asks for a legal judgement (inheritance, divorce, penalties, disputes ...)."""
    folded = fold(text)
    return bool(_LEGAL_ADVICE_RE.search(folded)) and not _PROCEDURAL_FRAMING_RE.search(folded)


def says_something(text: str) -> bool:
    """Whether a message says more than an aspect question ("cần giấy tờ gì?", "nộp online được không").

    A bare follow-up like that needs a procedure, not a general FAQ entry that happens to share its words.
    """
    return sum(1 for _word, soft in normalise_query(text) if not soft) >= 2


def _named_in_the_need(text: str, named: list[str]) -> list[str]:
    """The names the NLU matcher found, without those said only in the background of a message that
    says its need elsewhere: "… tên đệm bị ghi sai so với căn cước. Chúng tôi muốn đề nghị đính chính
    giấy chứng nhận" names "căn cước" but asks for a correction of the land certificate."""
    need = analyse(text)
    wanted = [clause for clause, weight in need.clauses if weight >= CUE_WEIGHT]
    if not need.cues_found or not wanted:
        return named
    return [name for name in named if any(fold(name) in clause for clause in wanted)]


def resolve(
    session: Session,
    *,
    text: str,
    chosen_code: str | None,
    current_code: str | None,
    named: list[str],
    try_faq: bool,
    submitted: dt.date | None,
    faq_min_score: float = MIN_FAQ_SCORE,
    asks_aspect: bool = False,
) -> Resolution:
    """Find the procedure a message is about.

    Order: a button choice; a procedure the message names (a clear search hit, or a clarifying question
    when several are close); else, for questions that may be general, the FAQ; else the procedure the
    conversation is already about.
    """
    resolution = Resolution()
    code: str | None = chosen_code
    if code is None and text:
        hits = search_procedures(session, text, limit=8)
        if not hits or hits[0].score < MIN_SCORE:
            for name in _named_in_the_need(text, named):
                # The name the NLU matcher found, searched alone, when the whole message finds
                # nothing good. It is no more than that: the matcher sees "đăng ký khai sinh" in
                # "khai sinh cho bé có bố người Nhật", and search reads the rest (the foreign
                # element, "đăng ký lại", an age …) that picks the variant (issue 15).
                alone = search_procedures(session, name, limit=8)
                if alone and (not hits or alone[0].score > hits[0].score):
                    hits = alone
        if current_code and asks_again(text):
            hits = with_carried_qualifier(session, text, current_code, hits)
        # The matcher's names still tell a new question from a follow-up (below).
        switching, named = bool(named), []
        found = hits
        hits = hits if hits and hits[0].score >= MIN_SCORE else []
        clearly_named = bool(hits) and hits[0].score >= CLEAR_MATCH and not close_candidates(hits, text)
        best = found[0].score if found else 0.0
        topic = uncovered_topic(text)
        if topic is not None and not named and best < TOPIC_BELOW:
            # A court divorce is not "ghi vào sổ hộ tịch việc ly hôn": never answer with a neighbour.
            # (A procedure matched well beats the topic words in its background: "ly hôn rồi, giờ
            # muốn đổi họ cho con" asks a civil-status change.)
            resolution.uncovered = topic
            # Procedures that come near (legal aid for a lawsuit, a court's copy of a judgment) are
            # offered beside "not a procedure": what the data has for the citizen's situation.
            resolution.candidates = [h for h in _distinct(found) if h.score >= TOPIC_SUGGESTION_SCORE][:2]
            return resolution
        event = match_life_event(session, text)
        if (
            event is not None
            and event.score >= MIN_LIFE_EVENT_SCORE
            and not event.names_specific
            and not named
            and not (
                found
                and found[0].score >= EVENT_YIELDS
                and found[0].code not in event.event.procedure_codes()
            )
        ):
            # A situation, not a procedure's name: the checklist of what it calls for, in order —
            # unless it asks a fact (documents, fee …) of the procedure search finds among the
            # event's own: "kết hôn cần giấy tờ gì" wants the marriage registration's documents.
            own = bool(hits) and asks_aspect and hits[0].code in event.event.procedure_codes()
            if not own:
                resolution.life_event = event
                # What search found beyond the checklist goes beside it ("hoặc bạn hỏi về …").
                own_codes = set(event.event.procedure_codes())
                extra = [h for h in _distinct(found) if h.code not in own_codes and h.score >= WEAK_SCORE]
                resolution.candidates = extra[:EVENT_EXTRA]
                return resolution
        if try_faq and not clearly_named and says_something(text):
            # "toàn trình là gì" also matches procedures that have "toàn trình" in their names: a question
            # that names no procedure clearly is a general one when an FAQ entry answers it.
            faq_hits = search_faq(session, text, limit=1)
            # An entry that matches worse than a procedure does is not the answer ("ông bà muốn làm
            # người giám hộ cho cháu": the guardianship registration, not the FAQ on filing for parents).
            beaten = bool(found) and faq_hits and found[0].score > faq_hits[0].score + FAQ_BEATEN_BY
            if faq_hits and faq_hits[0].score >= faq_min_score and not beaten:
                resolution.faq = faq_hits[0]
                # The procedures the question may also be about go beside the general answer.
                resolution.candidates = _distinct(hits)[:FAQ_SUGGESTIONS]
                return resolution
        if current_code and asks_if_needed(text) and not asks_again(text):
            # "có cần giấy chứng tử không" while the conversation is about removing a residence: a
            # question about this procedure's papers, not a switch to the procedure that issues one.
            hits = []
        if hits and current_code and not switching and hits[0].score < SWITCH_SCORE and not asks_again(text):
            # A follow-up ("thanh toán trực tuyến được không?") shares words with some procedure names;
            # only a clearly named procedure takes the conversation elsewhere.
            hits = []
        if hits:
            resolution.score = hits[0].score
            # "còn tạm trú thì sao?" names the next procedure in a word or two: only a near tie is asked.
            close = close_candidates(hits, text, SWITCH_MARGIN if asks_again(text) else None)
            # Staying on the current procedure beats asking, when it is among the close ones.
            if close and current_code in {hit.code for hit in close} and not switching:
                code = current_code
            elif close:
                resolution.candidates = close
                return resolution
            elif hits[0].score < ANSWER_SCORE and not (
                named or asks_again(text) or said_whole_name(hits[0], text)
            ):
                # One candidate ahead, but not sure enough to answer: offer it with the next ones.
                nearest = without_unasked_cases(_distinct(found), text)
                nearest = [h for h in nearest if h.score >= WEAK_SCORE][:MAX_CANDIDATES]
                if current_code in {hit.code for hit in nearest}:
                    code = current_code
                elif len(nearest) > 1:
                    resolution.candidates = nearest
                    return resolution
                else:
                    code = hits[0].code
            else:
                code = hits[0].code
    if code is None and text and not current_code and says_something(text):
        # The message says what it wants and nothing in the data fits it well: say so, never guess;
        # the nearest procedures, if any come near, are offered as suggestions, not answered.
        resolution.nothing_fits = True
        resolution.candidates = [h for h in _distinct(found) if h.score >= WEAK_SCORE][:WEAK_SUGGESTIONS]
        return resolution
    if code is None:
        code = current_code
    if code:
        resolution.procedure = get_procedure(session, code=code)
        if resolution.procedure is not None and submitted is not None:
            resolution.due_dates = _due_dates(session, resolution.procedure, submitted)
    return resolution


def names_procedure_clearly(session: Session, text: str) -> bool:
    """Whether `text` names one procedure without doubt (used to rescue misrouted questions)."""
    if not text:
        return False
    hits = search_procedures(session, text, limit=8)
    return bool(hits) and hits[0].score >= CLEAR_MATCH and not close_candidates(hits, text)


#: A declined or misunderstood message is answered from the data when its best match scores this much.
PLACE_SCORE = 0.5
#: The same for a message the classifier could not place at all (nlu_fallback): "I did not
#: understand" helps less than the nearest procedures offered with "tôi chưa chắc" (dev split: six
#: questions moved from found to not understood when this was 0.5).
UNPLACED_SCORE = 0.4


#: A message with the words of a legal judgement ("ly hôn", "thừa kế") is still answered from the
#: data when a procedure matches it this well ("ly hôn rồi, giờ đổi họ cho con thì làm gì").
LEGAL_YIELDS = 0.8


def declines_as_legal(session: Session, text: str) -> bool:
    """Whether a message asks a legal judgement and names no procedure well enough to answer instead."""
    if not looks_like_legal_advice(text):
        return False
    hits = search_procedures(session, text, limit=1)
    return not (hits and hits[0].score >= LEGAL_YIELDS)


#: A legal question is declined plainly; the procedures its words match this well are offered beside
#: the decline ("mẹ tôi mất không để lại di chúc, chia đất thế nào": the inheritance registration).
LEGAL_SUGGESTION_SCORE = 0.5


def legal_suggestions(session: Session, text: str) -> list[SearchHit]:
    """Procedures to offer beside a declined legal question (none when nothing matches well)."""
    if not text or text.startswith("/"):
        return []
    hits = search_procedures(session, text, limit=WEAK_SUGGESTIONS)
    return [hit for hit in hits if hit.score >= LEGAL_SUGGESTION_SCORE]


def retrieval_places(session: Session, text: str, *, min_score: float | None = None) -> bool:
    """Whether the data can place a message the classifier could not: a procedure it names well
    enough (`min_score`, PLACE_SCORE by default), a life event, or a matter outside the list (then
    "not in my data, ask …" is the answer)."""
    if not text or text.startswith("/"):
        return False
    if uncovered_topic(text) is not None:
        return True
    event = match_life_event(session, text)
    if event is not None and event.score >= MIN_LIFE_EVENT_SCORE:
        return True
    hits = search_procedures(session, text, limit=1)
    return bool(hits) and hits[0].score >= (PLACE_SCORE if min_score is None else min_score)


def with_suggestions(reply: Reply, hits: list[SearchHit]) -> Reply:
    """`reply` with procedures offered beside it (after its own procedure buttons, before the rest;
    their codes join the payload's `candidates`, so a typed "cái thứ hai" picks in button order)."""
    if not hits:
        return reply
    buttons = [
        {"title": hit.name, "payload": f'/choose_procedure{{"procedure_code": "{hit.code}"}}'} for hit in hits
    ]
    procedure_buttons = [b for b in reply.buttons if b["payload"].startswith("/choose_procedure")]
    other_buttons = [b for b in reply.buttons if not b["payload"].startswith("/choose_procedure")]
    candidates = [*reply.custom.get("candidates", []), *(hit.code for hit in hits)]
    return dataclasses.replace(
        reply,
        buttons=[*procedure_buttons, *buttons, *other_buttons],
        custom={**reply.custom, "candidates": candidates},
    )


def _offered_hit(session: Session, code: str) -> SearchHit | None:
    procedure = get_procedure(session, code=code)
    return SearchHit(code=code, name=procedure.name, level="", score=0.0) if procedure else None


def faq_with_procedures(session: Session, text: str, hit: FaqHit) -> Reply:
    """A general FAQ answer, with the procedure the question may also be about as a button
    ("tài khoản VNeID bị khóa, mở lại thế nào": the FAQ on accounts, and "Mở khóa tài khoản định
    danh điện tử")."""
    hits = [h for h in _distinct(search_procedures(session, text, limit=4)) if h.score >= MIN_SCORE]
    return with_suggestions(faq_reply(hit), hits[:FAQ_SUGGESTIONS])


def clarify_reply(candidates: list[SearchHit]) -> Reply:
    """Ask which of several close procedures the citizen means, one button each."""
    return Reply(
        response="utter_ask_which_procedure",
        buttons=[
            {"title": hit.name, "payload": f'/choose_procedure{{"procedure_code": "{hit.code}"}}'}
            for hit in candidates
        ],
        custom={"type": "clarify", "candidates": [hit.code for hit in candidates]},
    )


def procedure_reply(
    procedure: ProcedureOut,
    aspects: list[str],
    *,
    source_name: str,
    submitted: dt.date | None = None,
    due_dates: dict[str, dt.date] | None = None,
) -> Reply:
    """The combined answer of `aspects` of one procedure: buttons to what it left out, then the
    rating buttons; the first reply (overview) carries its card, which the widget shows instead of
    the same text."""
    custom: dict[str, object] = {
        "type": "procedure_answer",
        "procedure_code": procedure.code,
        "aspects": aspects,
    }
    if is_overview(aspects):
        custom["card"] = answer_card(procedure, source_name)
    return Reply(
        text=format_answer(
            procedure, aspects, source_name=source_name, submitted_on=submitted, due_dates=due_dates or None
        ),
        buttons=[*more_buttons(procedure, aspects), *RATING_BUTTONS],
        custom=custom,
    )


# "mấy giờ làm việc", "làm việc giờ nào", "thứ bảy có làm không", "mở cửa lúc mấy giờ", "nghỉ trưa
# mấy giờ" (folded): when the desk works, not how long a procedure takes ("bao giờ có kết quả").
_HOURS_RE = re.compile(
    r"\b(?:gio lam viec|thoi gian lam viec|lam viec (?:luc |vao )?(?:may gio|gio nao|khi nao|nhung gio nao)|"
    r"may gio(?! (?:thi |se |moi )?(?:co|xong|nhan|lay|tra))|gio nao|gio mo cua|mo cua|dong cua|nghi trua|"
    r"(?:thu (?:bay|7)|chu nhat|cuoi tuan|ngay le|ngay tet|buoi (?:sang|trua|chieu|toi)|"
    r"(?:sang|trua|chieu|toi) (?:nay|mai|thu (?:bay|7)))"
    r"(?: \w+){0,3} (?:co )?(?:lam|lam viec|tiep nhan|nhan ho so|mo cua|nghi)(?: \w+)? "
    r"(?:khong|k|ko|hok|hong)\b)"
)
# A question the hours do not answer, though it has their words ("giờ nào thì có kết quả").
_NOT_HOURS_RE = re.compile(r"\b(?:ket qua|bao lau|may ngay|tra ket qua|lay ket qua|nhan ket qua)\b")


def asks_opening_hours(text: str) -> bool:
    """Whether a message asks when the desk works ("mấy giờ làm việc", "thứ 7 có làm không")."""
    if not text or text.startswith("/"):
        return False
    folded = " ".join(re.findall(r"\w+", fold(text)))
    return bool(_HOURS_RE.search(folded)) and not _NOT_HOURS_RE.search(folded)


def opening_hours_reply(procedure: ProcedureOut) -> Reply | None:
    """The opening hours of the desk that receives `procedure` (its office's, or its own), with the
    desk's address and phone; None when the province set no hours for it."""
    desk = local_desk(procedure)
    if not desk.hours:
        return None
    lines = [
        procedure_title(procedure),
        f"Nơi tiếp nhận hồ sơ: {desk.name}" if desk.name else "",
        *hours_lines(desk.hours),
        f"Địa chỉ: {desk.address}" if desk.address else "",
        f"Điện thoại: {desk.phone}" if desk.phone else "",
    ]
    return Reply(
        text="\n".join(line for line in lines if line),
        buttons=list(RATING_BUTTONS),
        # Recorded as the submission aspect (where and when to submit), so "còn X thì sao?" asks it
        # of the next procedure; `topic` tells the hours apart for the channels that care.
        custom={
            "type": "procedure_answer",
            "procedure_code": procedure.code,
            "aspects": ["submission"],
            "topic": "opening_hours",
        },
    )


def opening_hours_answer(session: Session, text: str, current_code: str | None) -> ProcedureAnswer | None:
    """The desk's hours for an hours question about the procedure under discussion (or one the
    message names without doubt); None when the message asks something else or the province set
    no hours for that procedure (then the general FAQ answers, as before)."""
    if not asks_opening_hours(text):
        return None
    hits = search_procedures(session, text, limit=8)
    clear = bool(hits) and hits[0].score >= CLEAR_MATCH and not close_candidates(hits, text)
    code = hits[0].code if clear else current_code
    if not code:
        return None
    procedure = get_procedure(session, code=code)
    reply = opening_hours_reply(procedure) if procedure is not None else None
    if reply is None:
        return None
    return ProcedureAnswer(reply, "answer", procedure_code=code, aspects=["submission"])


def answer_procedure(
    session: Session, question: ProcedureQuestion, *, source_name: str, hotline: str = ""
) -> ProcedureAnswer:
    """Answer a question about a procedure: the answer, a clarifying question, or an FAQ entry.

    Args:
        session: A short-lived database session (the caller runs this off the event loop).
        question: What the message asks.
        source_name: Where the national data comes from, for the source line.
        hotline: The desk's hotline, for "not in my data".

    Returns:
        The reply and what the conversation should remember of it.
    """
    aspects = question.aspects
    chosen = question.chosen_code
    if not chosen and (set(aspects) <= {"submission"} or aspects == OVERVIEW):
        # "mấy giờ làm việc" after an answer, read as a submission question or none in particular.
        hours = opening_hours_answer(session, question.text, question.current_code)
        if hours is not None:
            return hours
    resolution = resolve(
        session,
        text="" if chosen else question.text,
        chosen_code=chosen,
        current_code=question.current_code,
        named=question.named,
        # Aspect questions with no procedure in sight may be general ("nộp online thế nào?").
        try_faq=not question.current_code and not chosen,
        submitted=question.submitted,
        faq_min_score=MIN_FAQ_SCORE if GENERAL_ASPECTS & set(aspects) else STRONG_FAQ_SCORE,
        asks_aspect=aspects != OVERVIEW,
    )
    if resolution.life_event is not None:
        event = resolution.life_event.event
        reply = with_suggestions(
            life_event_reply(event, available_codes(session, event)), resolution.candidates
        )
        return ProcedureAnswer(reply, "clarify", aspects=aspects)
    reoffer = (
        question.offered and not chosen and resolution.procedure is None and resolution.uncovered is None
    )
    if reoffer and resolution.life_event is None and (resolution.nothing_fits or not resolution.candidates):
        # "hồ sơ gồm những gì?" right after the buttons, without pressing one: the same choice again.
        hits = [_offered_hit(session, code) for code in question.offered[:MAX_CANDIDATES]]
        return ProcedureAnswer(clarify_reply([hit for hit in hits if hit]), "clarify", aspects=aspects)
    if resolution.uncovered is not None or resolution.nothing_fits:
        suggested = bool(resolution.candidates)
        reply = not_covered_reply(resolution.uncovered, hotline=hotline, suggestions=suggested)
        return ProcedureAnswer(with_suggestions(reply, resolution.candidates), "not_covered", aspects=aspects)
    if resolution.faq is not None:
        return ProcedureAnswer(with_suggestions(faq_reply(resolution.faq), resolution.candidates), "faq")
    if resolution.candidates:
        reply = variant_question(resolution.candidates) or clarify_reply(resolution.candidates)
        return ProcedureAnswer(reply, "clarify", aspects=aspects)
    procedure = resolution.procedure
    if procedure is None:
        reply = Reply(response="utter_ask_procedure_name", custom={"type": "clarify", "candidates": []})
        return ProcedureAnswer(reply, "clarify", aspects=aspects)
    weak = question.confidence < REVIEW_BELOW or bool(resolution.score and resolution.score < REVIEW_BELOW)
    return ProcedureAnswer(
        procedure_reply(
            procedure,
            aspects,
            source_name=source_name,
            submitted=question.submitted,
            due_dates=resolution.due_dates,
        ),
        "answer",
        procedure_code=procedure.code,
        aspects=aspects,
        needs_review=not chosen and weak,
    )


def submission_day(text: str, aspects: list[str], today: dt.date) -> dt.date | None:
    """The day the citizen says they submit ("nộp hôm nay", "thứ 2 tuần sau"), for time questions only."""
    return parse_submission_date(text, today) if "processing_time" in aspects else None
