"""Generate the NLU training examples (``nlu_data/nlu/*.yml``) from hand-written phrasings.

The phrasings below are written the way citizens type in chat; this script fills each phrasing
that names a procedure with a different procedure (everyday and official names from the national
base, across civil status, residence, land, construction, business, social insurance, transport
...), then varies the surface the way real messages vary: about half lose their diacritics,
some get shorthand (ko, đc, j, bn, ntn, cccd, dvc, onl ...), polite particles, a typo or a
capital letter. The randomness is seeded, so the output is the same on every run.

Checks made before anything is written: every example is unique, no example (compared folded,
without diacritics or trailing punctuation) appears under two intents, every dossier code is a
whole ``DOSSIER_CODE`` span of ``vntext.patterns`` and is matched by the regex written to
``dossier.yml``.

Usage (from the repository root, in the bot environment)::

    .venv-bot/bin/python scripts/gen_nlu_examples.py          # write nlu_data/nlu/*.yml
    .venv-bot/bin/python scripts/gen_nlu_examples.py --check  # exit 1 if the files are stale
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402  (PyYAML comes with Rasa)

from vntext import fold  # noqa: E402
from vntext.patterns import DATE, DOSSIER_CODE, PHONE, find_protected  # noqa: E402

NLU_DIR = ROOT / "nlu_data" / "nlu"
SEED = 20251012
# Share of each intent's examples typed without diacritics (hand-written unaccented ones on top).
FOLD_RATE = 0.45
ABBREVIATE_RATE = 0.35
PREFIX_RATE = 0.2
SUFFIX_RATE = 0.3
TYPO_RATE = 0.08
CAPITALISE_RATE = 0.35

# Examples per procedure-aspect intent (see `IntentSpec.target`).
ASPECT_TARGET = 80

P = "{p}"
CODE = "{code}"

# --------------------------------------------------------------------------------------------
# Procedures, as citizens name them: official names and everyday aliases from the national base
# (looked up with `python -m knowledge_base search`), and a few provincial or sector ones it does
# not hold (labour permits, school transfers) that citizens ask about all the same. Phrased as
# actions, so that every phrasing below reads naturally with any of them.
# --------------------------------------------------------------------------------------------
PROCEDURES: tuple[str, ...] = (
    # Hộ tịch
    "đăng ký khai sinh",
    "làm giấy khai sinh cho con",
    "đăng ký kết hôn",
    "đăng ký kết hôn với người nước ngoài",
    "đăng ký khai tử",
    "cấp giấy xác nhận tình trạng hôn nhân",
    "xin giấy xác nhận độc thân",
    "trích lục khai sinh",
    "cấp bản sao giấy khai sinh",
    "cải chính hộ tịch",
    "đổi họ tên cho con",
    "đăng ký nhận cha mẹ con",
    "đăng ký giám hộ",
    "đăng ký việc nuôi con nuôi",
    "đăng ký lại khai sinh",
    "ghi vào sổ hộ tịch việc ly hôn ở nước ngoài",
    "nhập quốc tịch Việt Nam",
    "xin giấy xác nhận có quốc tịch Việt Nam",
    # Căn cước, cư trú, xuất nhập cảnh
    "làm căn cước",
    "làm cccd cho con dưới 14 tuổi",
    "cấp đổi thẻ căn cước",
    "cấp lại căn cước bị mất",
    "tích hợp thông tin lên thẻ căn cước",
    "xác nhận số chứng minh nhân dân cũ",
    "đăng ký thường trú",
    "nhập hộ khẩu cho vợ",
    "đăng ký tạm trú",
    "gia hạn tạm trú",
    "khai báo tạm vắng",
    "tách hộ",
    "xóa đăng ký thường trú",
    "xin giấy xác nhận cư trú",
    "thông báo lưu trú",
    "làm hộ chiếu",
    "làm hộ chiếu cho trẻ em",
    "cấp thẻ tạm trú cho người nước ngoài",
    "cấp thị thực cho người nước ngoài",
    "cấp phiếu lý lịch tư pháp",
    # Giao thông
    "thi bằng lái xe máy",
    "đổi bằng lái xe",
    "cấp lại gplx",
    "đổi giấy phép lái xe quân sự",
    "cấp giấy phép lái xe quốc tế",
    "đăng ký xe máy",
    "sang tên xe ô tô",
    "cấp lại biển số xe",
    "đăng ký xe tạm thời",
    "kiểm định xe ô tô",
    "cấp giấy phép kinh doanh vận tải bằng xe ô tô",
    # Đất đai, xây dựng, nhà ở
    "làm sổ đỏ",
    "cấp đổi giấy chứng nhận quyền sử dụng đất",
    "cấp lại sổ đỏ bị mất",
    "sang tên sổ đỏ",
    "tách thửa đất",
    "chuyển mục đích sử dụng đất",
    "đính chính sổ đỏ",
    "hòa giải tranh chấp đất đai",
    "đăng ký biến động đất đai",
    "đăng ký thế chấp quyền sử dụng đất",
    "xin giấy phép xây dựng nhà ở",
    "gia hạn giấy phép xây dựng",
    "xin phép sửa chữa cải tạo nhà",
    "cấp chứng chỉ hành nghề xây dựng",
    "đăng ký mua nhà ở xã hội",
    # Kinh doanh, thuế
    "đăng ký hộ kinh doanh",
    "thay đổi nội dung đăng ký hộ kinh doanh",
    "tạm ngừng kinh doanh hộ cá thể",
    "thành lập công ty tnhh một thành viên",
    "thành lập công ty cổ phần",
    "giải thể doanh nghiệp",
    "thay đổi địa chỉ trụ sở công ty",
    "đăng ký thành lập hợp tác xã",
    "đăng ký mã số thuế cá nhân",
    "hoàn thuế thu nhập cá nhân",
    "khai lệ phí trước bạ nhà đất",
    "cấp giấy chứng nhận đủ điều kiện về an ninh trật tự",
    # Bảo hiểm, lao động, xã hội, y tế
    "hưởng bảo hiểm xã hội một lần",
    "hưởng chế độ thai sản",
    "hưởng chế độ ốm đau",
    "giải quyết chế độ tử tuất",
    "cấp lại sổ bảo hiểm xã hội",
    "cấp lại thẻ bảo hiểm y tế",
    "hưởng trợ cấp thất nghiệp",
    "cấp giấy phép lao động cho người nước ngoài",
    "công nhận hộ nghèo",
    "thanh toán trực tiếp chi phí khám chữa bệnh bhyt",
    "cấp chứng chỉ hành nghề khám bệnh chữa bệnh",
    # Giáo dục
    "chuyển trường cho học sinh tiểu học",
    "cấp bản sao bằng tốt nghiệp từ sổ gốc",
    "công nhận văn bằng do nước ngoài cấp",
    # Tư pháp, chứng thực
    "chứng thực bản sao",
    "chứng thực chữ ký",
    "chứng thực hợp đồng mua bán nhà",
    "chứng thực di chúc",
    "yêu cầu trợ giúp pháp lý",
    "yêu cầu thi hành án dân sự",
    "đăng ký mẫu con dấu mới",
    # More names of the national base (in bot/data/procedure_phrases.txt, so masked alike).
    "cấp thẻ bảo hiểm y tế",
    "cấp đổi thẻ bảo hiểm y tế",
    "cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
    "cấp đổi giấy chứng nhận đăng ký kinh doanh",
    "cấp lại giấy phép lái xe",
    "cấp hộ chiếu phổ thông",
    "cấp thẻ tạm trú",
    "nhận nuôi con nuôi",
    "cấp giấy phép xây dựng mới",
    "cấp bản sao trích lục hộ tịch",
    "đăng ký lại kết hôn",
    "đăng ký thành lập doanh nghiệp tư nhân",
    "sang tên sổ hồng",
    "cấp giấy chuyển nhượng xe ô tô",
)

# Procedure codes of the national base, as citizens copy them from the portal.
PROCEDURE_CODES: tuple[str, ...] = (
    "1.001193", "1.000894", "1.004222", "1.014061", "2.000635", "1.001612", "3.000347",
    "1.012784", "1.004873", "1.013067",
)


@dataclass(frozen=True)
class IntentSpec:
    """The hand-written phrasings of one intent and how to vary them.

    Attributes:
        name: The intent.
        topic: The slug of the file it goes to (``nlu_data/nlu/<topic>.yml``).
        phrasings: Messages; ``{p}`` is filled with a procedure, ``{code}`` with a dossier code
            annotated as entity ``dossier_code``.
        vary: Whether the surface may be varied (diacritics, shorthand, typos).
        particles: Whether polite prefixes and suffixes may be added.
        target: How many examples to reach by filling the phrasings with ``{p}`` or ``{code}``
            a second time (with another procedure or code and another surface); each phrasing
            is used once when ``None``. Seeing one phrasing with several procedures teaches the
            classifier that the procedure's words say nothing about the intent.
    """

    name: str
    topic: str
    phrasings: tuple[str, ...]
    vary: bool = True
    particles: bool = True
    target: int | None = None


def _lines(block: str) -> tuple[str, ...]:
    """Split a block of phrasings, one per line, ignoring blank lines and ``#`` comments."""
    return tuple(
        line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")
    )


# --------------------------------------------------------------------------------------------
# Questions about one aspect of a procedure. The procedure may be named ({p}) or not (a follow-up
# such as "còn lệ phí thì sao?"); a question about several aspects belongs to its first one.
# --------------------------------------------------------------------------------------------
ASK_DOCUMENTS = _lines("""
    {p} cần giấy tờ gì
    muốn {p} thì phải chuẩn bị những gì
    hồ sơ {p} gồm những gì
    thành phần hồ sơ {p}
    đi {p} cần mang theo gì
    {p} cần những loại giấy tờ nào vậy
    cho hỏi {p} phải nộp những giấy tờ gì
    {p} có cần bản sao công chứng không
    {p} có cần mang sổ hộ khẩu không
    {p} cần mấy ảnh, ảnh cỡ bao nhiêu
    hồ sơ {p} nộp mấy bộ
    tôi định {p}, cần chuẩn bị hồ sơ ra sao
    giấy tờ để {p} là những gì
    {p} cần photo những giấy gì
    {p} thì phải có những giấy gì trong tay
    {p} có phải nộp bản chính không hay chỉ cần bản sao
    ngoài căn cước ra thì {p} còn cần giấy gì nữa
    danh sách giấy tờ {p}
    em muốn {p} mà không biết cần giấy tờ gì
    nếu nhờ người khác {p} thì cần giấy tờ gì
    {p} có bắt buộc phải có giấy ủy quyền không
    {p} nộp kèm những giấy tờ gì
    để {p} tôi cần những giấy tờ gì ạ
    {p} cần những loại giấy gì, mỗi loại bao nhiêu bản
    {p} có cần mang theo cccd bản gốc không
    ho so {p} can nhung giay to j
    {p} can chuan bi j
    {p} có cần giấy khám sức khỏe không
    tôi cần nộp những tài liệu nào để {p}
    {p} cần xuất trình giấy tờ gì
    thủ tục {p} yêu cầu giấy tờ gì
    hồ sơ đề nghị {p} bao gồm những giấy tờ nào
    {p} thiếu bản chính giấy khai sinh thì có nộp được không
    mang những gì khi đi {p}
    {p} cần chuẩn bị hồ sơ thế nào
    {p} hs gồm nhữg gì
    {p} cần có giấy xác nhận của công an không
    giay to {p} gom nhung gi vay ad
    {p} cần những giấy tờ gì và mất bao lâu
    {p} cần chuẩn bị những gì, nộp ở đâu
    hồ sơ {p} gồm những gì, lệ phí bao nhiêu
    thủ tục 1.001193 cần giấy tờ gì
    cần giấy tờ gì
    còn hồ sơ thì sao
    vậy phải mang theo gì
    thế giấy tờ cần những gì
    hồ sơ gồm những gì vậy
    cần mang theo bản gốc không
    có cần bản sao có chứng thực không
    có cần ảnh thẻ không
    thế còn giấy tờ?
    phải chuẩn bị những gì ạ
    cần photo mấy bản
    thế thì hồ sơ cần có những gì
    ngoài cccd ra còn cần gì nữa không
    có cần mang giấy đăng ký kết hôn của bố mẹ không
    can mang giay to gi theo
    khi {p} thì mang theo những giấy gì
    {p} cần giấy tờ gì bạn ơi
    hồ sơ để {p} có những gì
    mình đi {p} mà quên mang giấy khai sinh có được không
    {p} có cần nộp bản sao sổ đỏ không
    {p} phải nộp ảnh không, mấy tấm
    tôi có căn cước với giấy khai sinh thì đủ giấy tờ để {p} chưa
    {p} cần bản chính hay bản photo
    {p} cần xin giấy xác nhận gì trước không
    chuẩn bị giấy tờ {p}
    {p} hồ sơ cần chuẩn bị
    để {p} thì cần mang những gì đến
    {p} có cần hợp đồng công chứng không
    {p} nộp giấy tờ gì cho cán bộ
    hồ sơ {p} cần những loại nào ạ
    giấy tờ thì sao
    cần những gì
    mang theo những gì
    có cần giấy ủy quyền không
    {p} phải đem theo những giấy tờ nào
    hồ sơ {p} cần chuẩn bị mấy loại giấy
    {p} cần những tài liệu gì
    {p} nộp hồ sơ gồm giấy gì
    cho xin danh mục giấy tờ {p}
    {p} can mang nhung giay gi
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em hỏi giấy tờ cần có khi {p} là những gì ạ
    ad ơi, {p} thì em phải đem theo mấy thứ giấy tờ
    những giấy tờ gì cần để {p} vậy
    gồm những giấy gì thì mới {p} được
    dạ em sắp {p}, giấy tờ cần những gì ạ
    con em mới sinh tháng trước, giờ làm khai sinh cho cháu cần mang những gì
    giấy tờ?
    hồ sơ cần gì?
    cần mang gì
    giấy tờ cần những gì ad
    {p} giấy tờ ra sao
    {p} cần mang gì theo hông
    {p} cần giấy tờ gì dzậy
    {p} cần đem theo gì nha ad
    chị ơi {p} cần những giấy gì hen
    {p} thì cần chuẩn bị mấy bộ hồ sơ
    mình có sổ hộ khẩu rồi, {p} cần thêm giấy gì nữa
    ba em muốn {p}, cần chuẩn bị giấy tờ gì
    vợ tôi đi làm xa, tôi đi {p} thay thì cần giấy tờ gì
    {p} có cần mang theo ảnh 4x6 hông
    {p} cần bản sao hay bản chính vậy ad
    {p} cần những gì trong bộ hồ sơ
    cần giấy tờ gì để {p} nhỉ
    {p} bắt buộc phải có những giấy tờ nào
    cho hỏi với, {p} thì bộ hồ sơ có những gì
    bộ hồ sơ {p} gồm mấy loại giấy
    {p} cần nhũng giấy tờ gì
    {p} cần giâý tờ j
    giay to can co khi {p}
    {p} can giay to gi a
    {p} thi mang nhung gi theo vay
    giấy tờ để {p} gồm cái gì hả ad
    em ở trọ, muốn {p} thì cần giấy tờ gì
    {p} có phải nộp giấy xác nhận cư trú không
    {p} nộp bản photo có được hông
    {p} cần công chứng những giấy nào
    thế {p} thì cần giấy tờ gì
    dạ vậy cần mang theo giấy tờ gì nữa ạ
    thiếu giấy gì thì không nộp được
    đi làm {p} mang giấy gì
    {p}: cần giấy tờ gì?
    anh ơi {p} thì phải chuẩn bị những loại giấy tờ nào
    giấy tờ gì để {p} vậy chị
    {p} mần hồ sơ cần giấy chi
    cần chuẩn bị chi để {p}
    {p} mang theo căn cước là đủ chưa
    mình chỉ có bản photo căn cước thì {p} được không
    giấy tờ cần thiết để {p}
    {p} đi có cần đem hộ khẩu giấy hông
    {p} cần có những giấy gì mới nộp được
    tôi đã có căn cước và sổ hộ khẩu, {p} có cần thêm gì không
    {p} có cần giấy chứng nhận kết hôn không
    {p} cần bản sao giấy khai sinh hông
    {p} nộp kèm giấy tờ chi
    {p} giấy tờ cần bao nhiêu bản
    hồ sơ gồm những giấy tờ nào ạ
""")

ASK_PROCESSING_TIME = _lines("""
    {p} mất bao lâu
    {p} bao lâu thì xong
    {p} mấy ngày thì có kết quả
    thời gian giải quyết {p} là bao nhiêu ngày
    nộp hồ sơ {p} hôm nay thì bao giờ nhận được
    {p} có làm trong ngày được không
    thời hạn giải quyết {p}
    {p} mất mấy ngày làm việc
    {p} phải chờ bao lâu
    {p} làm nhanh nhất là bao lâu
    bao lâu thì {p} xong vậy
    nếu {p} thì khoảng bao lâu có kết quả
    {p} có lâu không
    {p} mất tầm bao nhiêu ngày
    thứ hai tôi nộp hồ sơ {p} thì khi nào lấy được
    {p} có kết quả sau bao nhiêu ngày
    {p} có làm gấp được không, tôi cần gấp lắm
    thời gian xử lý hồ sơ {p}
    {p} thì mấy hôm là có
    bao giờ thì có kết quả {p}
    {p} trong bao nhiêu ngày thì được giải quyết
    theo quy định {p} giải quyết trong thời hạn bao lâu
    {p} khoảng 1 tuần có xong không
    em cần gấp, {p} bao lâu thì có ạ
    {p} nhanh thì mấy ngày
    {p} có mất cả tháng không
    đi {p} thì phải đợi bao lâu
    {p} mất bao nhiêu thời gian
    nộp hồ sơ {p} online thì bao lâu có kết quả
    khi nào thì nhận được kết quả {p}
    {p} xử lý trong mấy ngày
    {p} tầm bao lâu
    {p} bao lau thi co
    {p} mat may ngay vay
    {p} tg giải quyết bao lâu
    {p} mất bao lâu và hết bao nhiêu tiền
    {p} bao lâu có kết quả, có phải đến lấy trực tiếp không
    thời gian {p} với giấy tờ cần những gì
    thủ tục 1.004222 giải quyết trong mấy ngày
    mất bao lâu vậy
    bao lâu thì có
    thế mấy ngày thì xong
    còn thời gian giải quyết?
    khi nào có kết quả
    nộp hôm nay thì bao giờ có
    phải chờ bao lâu ạ
    có lâu không ad
    mấy ngày làm việc
    có làm gấp được không
    thế thời hạn là bao lâu
    tầm bao lâu thì lấy được
    nop thu 6 thi bao gio lay dc
    {p} mấy hôm thì xong
    {p} đợi mấy ngày
    {p} bao giờ xong
    {p} nộp rồi thì bao lâu nhận
    {p} thời gian chờ bao lâu
    {p} có nhanh không
    {p} cần bao nhiêu ngày
    {p} sau mấy ngày thì được trả kết quả
    bao lâu thì {p} có kết quả
    {p} trễ nhất là bao lâu
    {p} làm hết bao lâu
    thời gian trả kết quả {p}
    {p} mất khoảng bao nhiêu ngày làm việc vậy
    mấy ngày thì {p} xong
    nếu nộp online thì {p} có nhanh hơn không
    bao giờ xong
    mấy hôm thì có
    đợi bao lâu
    có nhanh không
    bao lâu thì nhận được
    {p} bao nhiêu ngày thì lấy được kết quả
    {p} đợi lâu không
    nộp {p} xong chờ mấy ngày
    {p} mất bao nhiêu ngày mới có
    {p} thoi gian giai quyet bao lau
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    bao lâu thì có {p} vậy ad
    cho em hỏi {p} khoảng mấy ngày thì xong ạ
    mấy ngày thì lấy được kết quả {p}
    chừng nào thì {p} xong
    {p} chừng nào có
    {p} nhiêu ngày thì có vậy
    {p} mấy bữa thì xong
    {p} bao lâu dzậy
    {p} lâu hông ad
    {p} đợi lâu hông
    em nộp hồ sơ {p} hôm thứ ba, chừng nào lấy được
    tuần sau em phải đi công tác, {p} nộp bây giờ có kịp lấy không
    con em mới sinh tháng trước, giờ làm khai sinh thì bao lâu có
    thời gian?
    bao lâu?
    mấy ngày?
    mấy ngày có ạ
    bao lâu xong
    {p} có nhanh hơn 1 tuần không
    {p} thường mất mấy tuần
    {p} có phải đợi cả tháng hông
    {p} nộp xong thì mấy hôm nhận được
    {p} thời hạn trả kết quả là bao nhiêu ngày
    {p} bao lau xong a
    {p} may ngay co ket qua
    bao lau thi {p} xong vay ad
    {p} lâu ko ạ
    dạ {p} thì tầm mấy ngày làm việc ạ
    chị ơi {p} làm mấy ngày là xong hen
    {p} trong tuần có xong không
    {p} mất bao lâu nhỉ
    {p} phải chờ đến bao giờ
    đi {p} thì mấy hôm sau quay lại lấy
    {p} nhanh nhất mấy ngày vậy
    nếu nộp sáng nay thì bao giờ {p} xong
    {p} bao lâu mới xong zậy
    tết sắp đến rồi, {p} bây giờ thì trước tết có xong không
    hồ sơ {p} thường xử lý trong bao lâu
    mấy ngày làm việc thì {p} có kết quả
    {p} có trả kết quả trong ngày hông
    anh ơi {p} chờ mấy ngày vậy
    {p} mần răng cho nhanh, mấy ngày là có
    bữa nay nộp {p} thì chừng nào lấy
    {p} bao lâu thì cầm được giấy
    {p} nộp thứ sáu thì thứ mấy có
    em cần trước ngày 20, {p} kịp không ạ
    {p} xong trong mấy ngày
    {p} chờ nhiêu ngày
    mấy ngày thì có giấy
    khi nào nhận được giấy {p}
    bao giờ thì được cấp {p}
    {p} thời gian chờ có lâu không
""")

ASK_FEE = _lines("""
    lệ phí {p} là bao nhiêu
    {p} hết bao nhiêu tiền
    {p} có mất phí không
    {p} có được miễn lệ phí không
    phí {p} bao nhiêu vậy
    {p} tốn khoảng bao nhiêu
    chi phí {p}
    {p} phải đóng những khoản phí nào
    mức thu lệ phí {p}
    {p} mất bao nhiêu tiền lệ phí
    {p} có thu tiền không
    hộ nghèo {p} có được miễn phí không
    lệ phí {p} có đắt không
    {p} hết tầm bao nhiêu
    {p} có phải nộp phí thẩm định không
    {p} có phải đóng lệ phí trước bạ không
    theo quy định {p} thu phí bao nhiêu
    cho hỏi phí và lệ phí của {p}
    tiền phí {p} là bao nhiêu ạ
    {p} miễn phí hay mất tiền
    {p} phí bn
    {p} mất bao nhiêu
    {p} ngoài lệ phí còn phải trả thêm khoản nào không
    {p} có thu phí dịch vụ không
    giá {p} bao nhiêu
    {p} có được giảm 50% lệ phí khi nộp trực tuyến không
    {p} có tốn kém không
    em là sinh viên {p} có mất tiền không
    lệ phí nhà nước quy định cho {p}
    {p} het bn tien
    le phi {p} la bao nhieu vay
    {p} mất phí bao nhiêu, nộp ở đâu
    {p} tốn bao nhiêu và cần mang gì
    phí {p} với thời gian giải quyết thế nào
    thủ tục 3.000347 lệ phí bao nhiêu
    còn lệ phí thì sao?
    hết bao nhiêu tiền
    có mất phí không
    phí bao nhiêu ạ
    lệ phí là bao nhiêu
    có được miễn phí không
    tốn bao nhiêu vậy
    có phải nộp tiền không
    thế chi phí thì sao
    mất bao nhiêu tiền vậy
    có thu phí không
    thế còn tiền phí?
    le phi bn vay
    người cao tuổi có được miễn lệ phí không
    {p} hết bao nhiêu
    {p} phải trả bao nhiêu tiền
    {p} tốn tiền không
    {p} thu bao nhiêu tiền
    {p} lệ phí hết bao nhiêu
    mức phí {p} hiện nay
    {p} bao nhiêu tiền vậy
    {p} có phải đóng tiền không
    {p} chi phí hết bao nhiêu
    {p} có mất đồng nào không
    nộp bao nhiêu tiền để {p}
    {p} có tính phí không
    tiền lệ phí {p} hết bao nhiêu
    {p} phí nhà nước là bao nhiêu
    {p} tốn kém bao nhiêu tiền
    hết bao nhiêu
    phải trả bao nhiêu
    có tốn tiền không
    tính phí không
    chi phí bao nhiêu
    {p} tốn bao nhiêu tiền tất cả
    lệ phí nhà nước cho {p} hết bao nhiêu
    {p} phải nộp bao nhiêu tiền phí
    {p} co mat phi khong
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    bao nhiêu tiền để {p} vậy
    cho em hỏi {p} thì hết khoảng bao nhiêu tiền ạ
    {p} nhiêu tiền vậy ad
    {p} hết nhiêu
    {p} tốn nhiêu tiền dzậy
    {p} mất phí hông
    {p} có tốn đồng nào hông
    lệ phí?
    phí?
    bao nhiêu tiền?
    bao nhiêu tiền vậy
    nhiêu tiền ad
    mất tiền không
    tiền phí {p} nhiêu
    {p} có phải nộp đồng nào không
    {p} có tốn phí gì không ạ
    lệ phí khi {p} là bao nhiêu
    mức lệ phí hiện hành của {p}
    {p} lệ phí năm nay có tăng không
    nhà em thuộc hộ cận nghèo, {p} có phải đóng phí không
    bố tôi là thương binh, {p} có được miễn phí không
    {p} cho trẻ em có mất phí không
    {p} lần 2 có mất tiền không
    {p} tổng cộng hết bao nhiêu
    tổng chi phí {p} khoảng bao nhiêu
    {p} có phải trả phí gì thêm không
    {p} bao nhiêu tiền vậy chị
    {p} tốn kém lắm hông
    tiền lệ phí bao nhiêu ạ
    còn phí thì sao ad
    thế mất bao nhiêu tiền
    {p} mất bao nhiu tiền
    {p} het bao nhieu tien vay ad
    {p} ton bao nhieu
    le phi {p} nhieu vay
    phi {p} la bao nhieu
    {p} co mien phi ko
    dạ {p} thì lệ phí nhà nước thu bao nhiêu ạ
    {p} có mất lệ phí không hay miễn
    mình là người khuyết tật, {p} có được miễn lệ phí không
    anh ơi {p} tốn bao nhiêu vậy
    {p} mấy trăm nghìn vậy
    {p} chừng mấy trăm ngàn
    {p} lệ phí có cao hông
    {p} có phải đóng tiền gì hông ad
    {p} tốn chi phí chi không
    bao nhiêu tiền lệ phí {p}
    hết bao nhiêu tiền khi {p}
    tốn bao nhiêu để {p} vậy
    {p} phải chi bao nhiêu tiền
    {p} mất mấy chục nghìn
    em định {p} tuần sau, cho hỏi hết bao nhiêu tiền
    {p} ở phường có thu tiền không hay miễn phí
    giá?
    phí nhiêu
    nhiêu tiền vậy chị
    mất phí hông ad
    {p} lệ phí bao nhiêu, thanh toán online được không
""")

ASK_SUBMISSION = _lines("""
    {p} nộp hồ sơ ở đâu
    cơ quan nào giải quyết {p}
    {p} thì đến đâu làm
    {p} làm ở phường hay phải lên tỉnh
    {p} có nộp qua bưu điện được không
    {p} nộp ở ubnd phường được không
    muốn {p} thì ra đâu nộp
    {p} có phải về quê làm không hay làm ở nơi tạm trú được
    {p} nộp trực tiếp ở đâu
    ai có thẩm quyền giải quyết {p}
    nơi tiếp nhận hồ sơ {p}
    {p} thì đi công an xã hay công an tỉnh
    {p} nộp ở bộ phận một cửa đúng không
    {p} có nộp ở trung tâm phục vụ hành chính công được không
    {p} thuộc thẩm quyền cấp nào
    {p} nộp chỗ nào gần nhất
    tôi ở Hà Nội muốn {p} thì nộp ở đâu
    {p} có thể nhờ người khác nộp hộ không
    {p} gửi hồ sơ qua đường bưu chính được không
    cơ quan thực hiện {p} là cơ quan nào
    {p} thì làm ở đâu ạ
    đi đâu để {p}
    {p} làm ở sở tư pháp hay ubnd
    nhận kết quả {p} ở đâu
    {p} có trả kết quả qua bưu điện không
    {p} nộp hồ sơ ở cơ quan nào
    cách thức nộp hồ sơ {p}
    đang ở nước ngoài thì {p} nộp ở đâu
    {p} làm ở tỉnh khác được không
    {p} nop o dau vay
    {p} nộp ở đâu và mất bao lâu
    {p} nộp chỗ nào, có cần mang bản gốc không
    {p} lam o dau a
    nơi nộp và lệ phí {p}
    thủ tục 1.012784 nộp ở đâu
    nộp ở đâu vậy
    cơ quan nào giải quyết
    thế thì ra đâu làm
    nộp qua bưu điện được không
    làm ở phường được không
    phải lên tỉnh à
    đến đâu để nộp ạ
    nộp trực tiếp ở đâu
    có phải về quê làm không
    thế nhận kết quả ở đâu
    chỗ nào tiếp nhận hồ sơ
    nhờ người nộp hộ được không
    nop o dau ad
    {p} nộp tại đâu thì nhanh nhất
    {p} cơ quan tiếp nhận là ai
    {p} nộp ở công an phường nào
    {p} làm ở nơi thường trú hay nơi tạm trú
    cơ quan có thẩm quyền là ai
    nộp hồ sơ ở đâu ạ
    nơi nộp hồ sơ ở đâu
    {p} ở đâu
    {p} làm ở đâu vậy
    {p} nộp ở xã được không
    chỗ làm {p}
    {p} phải đến cơ quan nào
    {p} thì đến đâu nộp hồ sơ
    {p} ở phường nào cũng được à
    địa điểm nộp hồ sơ {p}
    {p} có phải lên sở không
    {p} có làm ở bộ phận một cửa xã không
    {p} nộp ở công an hay ubnd
    {p} nộp trực tiếp hay gửi bưu điện
    {p} nộp hồ sơ ở chỗ nào
    {p} thì ai giải quyết
    ở đâu vậy
    làm ở đâu
    đến cơ quan nào
    ai giải quyết
    gửi bưu điện được không
    {p} nộp ở cơ quan nào
    {p} do cơ quan nào cấp
    {p} thì lên đâu làm
    {p} phải ra phường hay lên quận
    cơ quan nào tiếp nhận hồ sơ {p}
    {p} nhận kết quả ở đâu
    {p} có trả kết quả tận nhà không
    nhận kết quả {p} qua bưu điện được không
    {p} nộp ở đâu cũng được hay phải đúng nơi cư trú
    {p} làm tại công an huyện hay công an tỉnh
    lấy kết quả {p} ở chỗ nào
    {p} cấp ở đâu
    {p} nop o co quan nao
    nhận kết quả ở đâu ạ
    ai cấp vậy
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    ở đâu làm {p} vậy ad
    cho em hỏi {p} thì nộp hồ sơ chỗ nào ạ
    nộp ở đâu?
    chỗ nào nộp
    ở đâu?
    nộp đâu ad
    {p} nộp đâu dzậy
    {p} làm ở đâu hen
    {p} ra phường hay lên huyện làm vậy
    {p} đi chỗ nào làm
    {p} nộp tại ubnd xã hay công an xã
    em đang ở trọ tại Bình Dương, quê ở Nghệ An, {p} thì nộp ở đâu
    tôi làm việc ở Hà Nội nhưng hộ khẩu ở Nam Định, {p} có phải về quê không
    cơ quan nào cấp {p}
    {p} thuộc cơ quan nào
    {p} có nộp ở trung tâm hành chính công huyện được hông
    {p} có gửi hồ sơ qua bưu điện được ko
    {p} thì tới đâu để làm
    {p} nộp ở bộ phận một cửa phường hả
    muốn {p} thì ra ubnd xã hay lên sở
    nộp hồ sơ {p} trực tiếp tại đâu
    {p} có nộp qua đường bưu chính công ích được không
    chỗ nhận hồ sơ {p} ở đâu
    {p} thi nop o dau
    {p} lam o dau vay ad
    o dau lam {p}
    {p} nop o cho nao a
    dạ {p} mình tới phường nào nộp ạ
    {p} phải lên công an tỉnh hay ở huyện cũng được
    {p} nộp cho ai
    ai nhận hồ sơ {p}
    nộp hồ sơ {p} ở xã nơi tạm trú được không
    làm {p} ở đâu nhanh nhất vậy
    ra đâu để {p} hả ad
    nộp chỗ nào vậy chị
    anh ơi {p} đi đâu làm
    {p} mần ở đâu
    {p} nộp ở mô
    tôi ở phường này mà muốn {p} ở phường khác được không
    {p} tôi nhờ bưu điện nộp giùm được không
    {p} có cần về nơi đăng ký thường trú không
    {p} đến trụ sở nào nộp
    {p} nộp tại phường nơi tạm trú được hông
    {p} nộp ở cấp xã hay cấp huyện
    {p} có phải ra tỉnh nộp không
    nơi nào nhận hồ sơ {p}
    {p} thì lên đâu
    đến đâu nộp {p}
""")

ASK_ONLINE = _lines("""
    {p} có làm online được không
    {p} có nộp trực tuyến được không
    {p} có phải dịch vụ công toàn trình không
    cách {p} trên cổng dịch vụ công
    {p} làm trên vneid được không
    hướng dẫn {p} online
    {p} trực tuyến thế nào
    {p} có làm qua mạng được không hay phải lên tận nơi
    {p} trên dvc quốc gia làm thế nào
    {p} online toàn trình hay một phần
    nộp hồ sơ {p} qua mạng như thế nào
    {p} có dịch vụ công trực tuyến không
    có thể {p} tại nhà qua điện thoại không
    {p} nộp online thì có phải lên lấy kết quả không
    em ở xa, {p} onl được ko
    {p} có cần đến trực tiếp không hay làm online được
    link nộp hồ sơ {p} online
    {p} trên app vneid ở mục nào
    {p} nộp trên cổng dịch vụ công của tỉnh được không
    tôi muốn {p} trực tuyến thì làm sao
    {p} đã hỗ trợ nộp online chưa
    {p} làm online được không hay bắt buộc trực tiếp
    {p} đăng ký online ở trang nào
    {p} có thực hiện qua dịch vụ công trực tuyến mức độ 4 không
    {p} có thể làm trên mạng không
    không đi được thì {p} online thế nào
    {p} ở nhà làm được không
    {p} có làm trên ứng dụng điện thoại được không
    {p} lam truc tuyen dc khong
    {p} co nop onl dc k
    nộp hồ sơ {p} trên dichvucong.gov.vn được không
    {p} online được không, hết bao nhiêu tiền
    {p} làm trực tuyến được không và mất mấy ngày
    thủ tục 1.013067 có toàn trình không
    nộp online được không
    làm trực tuyến được không ạ
    có làm qua mạng được không
    có toàn trình không
    trên vneid có làm được không
    vậy online thì làm thế nào
    có phải lên tận nơi không hay online được
    có dịch vụ công trực tuyến không
    làm trên app được không
    có nộp qua cổng dvc được không
    onl đc ko
    ở nhà nộp được không
    lam online dc ko ad
    hướng dẫn nộp hồ sơ trực tuyến giúp mình
    {p} có được nộp hồ sơ điện tử không
    {p} có phải dịch vụ công một phần không
    {p} trên cổng dịch vụ công có khó không
    có thể nộp hồ sơ điện tử không
    có làm online toàn trình được không
    {p} làm online ở đâu
    {p} có nộp trên mạng được không
    {p} làm online có được không ạ
    {p} onl được không
    {p} có làm trên dịch vụ công được không
    muốn {p} online
    {p} có được nộp qua vneid không
    {p} làm qua điện thoại được không
    {p} không cần đến trực tiếp được không
    {p} có thể nộp hồ sơ trực tuyến không
    {p} trên cổng dịch vụ công quốc gia
    cách nộp hồ sơ {p} online
    {p} nộp trên mạng như thế nào
    {p} có dvc toàn trình chưa
    {p} có làm trực tuyến được không ạ
    làm online được không
    nộp trên mạng được không
    có làm trên vneid được không
    ở nhà làm online được không
    online thế nào
    nộp online {p} như thế nào
    làm sao nộp hồ sơ {p} trực tuyến
    các bước nộp {p} trên cổng dịch vụ công
    {p} toàn trình không
    {p} nộp online ở trang nào
    {p} có đăng ký qua mạng được không
    muốn {p} trực tuyến thì vào đâu
    cách nộp hồ sơ trực tuyến {p} trên dvc
    {p} có làm được online 100% không
    {p} không cần lên phường, làm online được không
    {p} có hỗ trợ trực tuyến toàn trình chưa
    nop ho so {p} online the nao
    có nộp hồ sơ online được không
    nộp trực tuyến như thế nào
    hướng dẫn nộp online {p} trên vneid
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    làm online {p} được không ad
    có thể {p} trực tuyến được không
    cho em hỏi {p} có nộp online được không ạ
    {p} onl được hông
    {p} làm online được hông dzậy
    {p} có làm trên mạng được hông
    {p} làm trên vneid được ko hen
    online được không?
    online được ko ad
    làm online?
    nộp online?
    có online không
    {p} có phải lên tận nơi hông hay ở nhà làm được
    em đi làm xa nhà, {p} có làm qua mạng được không
    tôi đang ở nước ngoài, {p} có nộp trực tuyến được không
    {p} toàn trình hay phải đến nộp bản gốc
    {p} làm online thì có phải đến ký không
    {p} nộp qua cổng dịch vụ công quốc gia hay cổng của tỉnh
    {p} trên dịch vụ công thì chọn mục nào
    vô đâu để {p} online vậy
    {p} trên vneid nằm ở mục nào vậy ad
    {p} làm trên app vneid như thế nào
    {p} là dịch vụ công trực tuyến một phần hay toàn trình
    {p} làm online xong có phải mang hồ sơ giấy lên không
    {p} online có được không hay phải ra phường
    {p} có đăng ký trên cổng dvc được không
    {p} co lam online duoc khong ad
    {p} nop truc tuyen o dau
    {p} lam tren vneid dc k
    {p} dang ky qua mang the nao
    dạ {p} mình làm trên điện thoại được không ạ
    chị ơi {p} nộp online ở link nào
    bây giờ {p} có làm online được chưa
    {p} năm nay đã có dịch vụ công trực tuyến chưa
    ở nhà có {p} được không
    có thể {p} mà không cần ra phường không
    {p} nộp hồ sơ điện tử thế nào
    {p} có được làm trên cổng dịch vụ công hông
    làm qua mạng được không vậy
    trên dịch vụ công có làm được không
    nộp trực tuyến được hông ad
    hướng dẫn {p} trên vneid giúp em
    anh ơi {p} làm online được chưa
    {p} làm trên mạng mần răng
    {p} đăng ký trực tuyến có cần chữ ký số không
    em muốn {p} qua mạng cho đỡ đi lại
    {p} làm online thì vào trang nào
    {p} có làm được trên cổng dịch vụ công tỉnh không
    {p} trên vneid có chưa
    làm {p} qua vneid được không
    em đăng nhập dvc rồi, giờ {p} online thì chọn ở đâu
    {p} có dịch vụ công trực tuyến toàn trình không ad
    mức độ trực tuyến của {p}
    {p} không đi lại được thì có nộp qua mạng không
""")

ASK_PAYMENT = _lines("""
    {p} thanh toán lệ phí online được không
    lệ phí {p} trả qua ví điện tử được không
    {p} chuyển khoản lệ phí được không
    thanh toán phí {p} trên cổng dịch vụ công bằng cách nào
    {p} có trả phí bằng thẻ atm được không
    {p} thanh toán qua momo được không
    nộp lệ phí {p} ở đâu
    {p} trả tiền lệ phí bằng cách nào
    {p} đóng phí online ở đâu
    {p} thanh toán trực tuyến thế nào
    {p} có thanh toán qua vnpay được không
    {p} trả lệ phí bằng tiền mặt hay chuyển khoản
    thanh toán lệ phí {p} trên dvc bị trừ tiền mà báo chưa thành công
    {p} thanh toán bằng thẻ tín dụng được không
    {p} nộp phí qua app ngân hàng được không
    đóng lệ phí {p} qua cổng thanh toán nào
    {p} thanh toán online có biên lai điện tử không
    phương thức thanh toán lệ phí {p}
    {p} có trả phí qua payment platform được không
    {p} quét mã qr để trả phí được không
    {p} thanh toán qua zalopay được không
    nộp tiền lệ phí {p} qua ngân hàng nào
    {p} thanh toán phí lúc nộp hay lúc nhận kết quả
    {p} có bắt buộc phải thanh toán online không
    {p} trả phí trực tuyến có mất thêm phí giao dịch không
    thanh toan phi {p} qua momo dc ko
    {p} chuyen khoan le phi vao tk nao
    {p} thanh toán online được không, bao nhiêu tiền
    {p} trả lệ phí qua ví điện tử được không và bao lâu có kết quả
    thanh toán online được không
    trả phí qua ví điện tử được không
    chuyển khoản được không ạ
    nộp lệ phí ở đâu
    thanh toán bằng cách nào
    trả bằng thẻ atm được không
    có thanh toán qua momo được không
    thanh toán trên cổng dvc thế nào
    đóng tiền qua app ngân hàng được không
    trả tiền mặt hay chuyển khoản
    thanh toán bị lỗi thì làm sao
    tiền đã trừ mà hệ thống báo thanh toán không thành công
    thanh toan onl duoc ko
    nộp phí bằng internet banking được không
    quét qr trả lệ phí được không
    {p} trả lệ phí khi nộp online thế nào
    {p} nộp lệ phí qua bưu điện được không
    lệ phí {p} thanh toán qua vneid được không
    {p} trả phí qua cổng thanh toán quốc gia có an toàn không
    thanh toán lệ phí {p} xong thì nhận biên lai ở đâu
    trả lệ phí bằng thẻ visa được không
    thanh toán qua ngân hàng nào
    có cần in biên lai thanh toán không
    {p} trả phí bằng chuyển khoản được không
    {p} nộp phí online được không
    {p} thanh toán lệ phí ở đâu
    {p} có thanh toán qua ngân hàng được không
    lệ phí {p} đóng online thế nào
    {p} trả tiền online như thế nào
    {p} thanh toán bằng ví điện tử nào
    {p} có thanh toán bằng qr được không
    cách thanh toán lệ phí {p}
    {p} đóng tiền ở đâu
    {p} chuyển tiền lệ phí vào đâu
    {p} thanh toán trên vneid được không
    {p} nộp lệ phí bằng tiền mặt được không
    {p} phí nộp qua ngân hàng hay tại chỗ
    {p} có cần thanh toán trước khi nộp không
    đóng tiền ở đâu
    trả qua ngân hàng được không
    thanh toán ở đâu
    chuyển khoản vào đâu
    có thanh toán qr được không
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    trả lệ phí {p} qua momo được không
    có thể chuyển khoản lệ phí {p} được không
    cho em hỏi {p} thanh toán phí bằng cách nào ạ
    {p} trả phí online được hông
    {p} đóng phí qua ngân hàng được ko ad
    {p} thanh toán bằng zalopay được không
    {p} trả lệ phí qua vnpay được hông
    {p} thanh toán lệ phí qua app vietcombank được không
    {p} thanh toán qua thẻ atm được hông dzậy
    thanh toán sao?
    trả phí kiểu gì
    trả tiền sao ad
    đóng phí ở đâu ạ
    thanh toán bằng thẻ được không
    có trả bằng ví được không
    quét mã qr thanh toán được hông
    chuyển khoản hay trả tiền mặt vậy
    em nộp hồ sơ {p} rồi, giờ trả lệ phí qua mạng thế nào
    {p} thanh toán online xong có được hoàn tiền nếu hồ sơ bị từ chối không
    {p} đã trả phí online rồi thì biên lai lấy ở đâu
    {p} chuyển khoản lệ phí thì ghi nội dung gì
    {p} trả phí qua ví điện tử nào được
    {p} có thanh toán bằng tiền mặt tại chỗ được không
    tt lệ phí {p} online được không
    {p} tt chuyển khoản được không
    lệ phí {p} nộp bằng hình thức nào
    hình thức thanh toán lệ phí {p}
    {p} thanh toan qua ngan hang nao
    {p} tra phi bang the dc ko
    {p} dong tien qua momo duoc khong
    chuyen khoan phi {p} vao dau
    dạ {p} em trả tiền mặt được không ạ
    chị ơi {p} thanh toán qua mã qr được hông
    thanh toán online bị lỗi
    trả phí online có mất phí giao dịch hông
    thanh toán bằng thẻ visa được hông
    ví momo trả được không
    {p} thanh toán trên app vneid thế nào
    có thanh toán bằng vnpay được không
    anh ơi {p} chuyển khoản vô tài khoản nào
    {p} trả lệ phí bằng app ngân hàng mần răng
    tài khoản ngân hàng của em bị trừ tiền lệ phí hai lần
    thanh toán phí xong mà hồ sơ vẫn báo chưa nộp phí
    trả tiền lệ phí {p} kiểu nào
    bằng cách nào để trả lệ phí {p}
    qua đâu để đóng phí {p}
    {p} thanh toán phí ở đâu trên dịch vụ công
    em không có tài khoản ngân hàng thì trả phí {p} sao
    {p} có bắt trả online không hay trả tiền mặt cũng được
    {p} thanh toán bằng ví viettel money được không
    {p} thanh toán qua shopeepay được hông
    cách trả lệ phí online
    trả phí online ra sao
    mình không rành chuyển khoản, trả tiền mặt được không
    {p} thanh toán phí xong có được gửi hóa đơn điện tử không
""")

ASK_STEPS = _lines("""
    các bước {p}
    trình tự thực hiện {p}
    quy trình {p} như thế nào
    {p} gồm những bước nào
    {p} thì làm bước nào trước
    sau khi nộp hồ sơ {p} thì làm gì tiếp
    {p} bắt đầu từ đâu
    trình tự {p} ra sao
    quy trình giải quyết {p}
    các bước tiến hành {p}
    {p} phải qua mấy bước
    {p} có mấy bước
    tôi cần làm những bước gì để {p}
    {p} thì làm lần lượt như thế nào
    hướng dẫn từng bước {p}
    quy trình các bước {p}
    {p} làm theo trình tự nào
    {p} nộp hồ sơ xong thì bước tiếp theo là gì
    {p} bước đầu tiên là gì
    quy trình xử lý hồ sơ {p} ra sao
    trình tự các bước {p} thế nào ạ
    cho hỏi quy trình {p}
    {p} làm cái gì trước, cái gì sau
    {p} trải qua những khâu nào
    các bước thực hiện {p} là gì
    {p} nộp xong rồi thì sao nữa
    quy trình {p} có phức tạp không
    các bước cần làm khi {p}
    {p} thì trước tiên phải làm gì
    cac buoc {p} the nao
    quy trinh {p} ntn
    {p} trình tự thế nào, cần giấy tờ gì
    các bước {p} và nộp ở đâu
    trình tự thủ tục 2.000635
    các bước thế nào
    quy trình ra sao ạ
    trình tự thực hiện thế nào
    làm bước nào trước
    nộp xong thì làm gì tiếp
    có mấy bước vậy
    bắt đầu từ đâu
    bước tiếp theo là gì
    quy trình cụ thể thế nào
    hướng dẫn từng bước giúp mình
    sau khi nộp thì quy trình thế nào
    trinh tu thuc hien ra sao
    {p} có phải qua thẩm định rồi mới được cấp không
    thứ tự làm {p}
    các bước {p} từ a đến z
    {p} xong bước nộp thì tới bước gì
    trình tự giải quyết {p} gồm mấy bước
    thứ tự các bước thế nào
    làm từng bước ra sao
    {p} làm như thế nào từng bước
    {p} thủ tục gồm các bước gì
    {p} đầu tiên cần làm gì
    {p} trình tự ra sao
    {p} các bước thế nào
    {p} thì phải đi những đâu, làm những bước nào
    {p} cần làm gì sau khi nộp
    {p} quy trình bao gồm
    các bước để {p}
    quy trình {p} gồm những bước gì
    muốn {p} thì làm theo các bước nào
    {p} cần trải qua những bước nào
    {p} làm từ bước nào
    bước cuối cùng của {p} là gì
    {p} theo trình tự thế nào ạ
    các bước ra sao
    trình tự thế nào
    đầu tiên làm gì
    sau khi nộp thì sao
    quy trình thế nào ạ
    {p} thực hiện theo trình tự nào
    thủ tục {p} gồm các bước nào
    trình tự, thủ tục {p}
    {p} tiến hành ra sao, bước nào trước
    cho mình xin quy trình {p} từng bước
    {p} từng bước thế nào
    các công đoạn {p}
    {p} thì đi qua những khâu gì
    {p} bước 1 là gì
    trình tự {p} gồm mấy bước
    quy trình thực hiện {p} gồm các bước
    {p} cần làm theo thứ tự thế nào
    quy trinh {p} gom nhung buoc nao
    cac buoc thuc hien {p}
    quy trình {p} gồm những bước nào
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    trình tự làm {p} gồm những bước nào vậy
    những bước nào để {p}
    cho em hỏi {p} thì các bước làm như thế nào ạ
    quy trình {p} sao ad
    {p} làm mấy bước dzậy
    {p} có mấy bước hen
    các bước?
    quy trình?
    mấy bước?
    trình tự?
    {p} đi từng bước giúp em
    liệt kê các bước {p}
    kể ra từng bước {p} giúp mình
    {p} bước 2 là gì
    sau bước nộp hồ sơ {p} thì tới bước nào
    {p} làm xong bước 1 rồi thì sao nữa
    tôi nộp đơn {p} rồi, bước tiếp theo là gì
    em mới nộp hồ sơ {p} xong, giờ các bước tiếp theo thế nào
    quy trình thực hiện {p} từ lúc nộp đến lúc nhận
    {p} trình tự các bước giải quyết ra sao
    {p} có những khâu nào phải qua
    {p} quy trình có rườm rà không
    {p} phải làm theo thứ tự nào
    thứ tự các bước {p} ra sao
    các bước {p} cụ thể ra sao ad
    quy trình {p} gồm những khâu nào
    {p} trước tiên làm gì, sau đó làm gì
    {p} làm bước nào đầu tiên vậy
    {p} bước đầu làm chi
    quy trinh {p} ra sao
    trinh tu {p} co may buoc
    {p} cac buoc lam nhu the nao
    cac buoc de {p} la gi
    dạ quy trình {p} mình làm sao ạ
    chị ơi các bước {p} như nào hen
    anh ơi quy trình {p} có mấy bước
    trình tự thủ tục {p} thế nào ạ
    nộp xong thì tới bước gì
    bước tiếp theo làm gì ạ
    các bước cụ thể
    từng bước một thế nào
    quy trình xử lý ra sao
    xong bước này thì làm gì tiếp
    {p} quy trình mần răng
    {p} có phải qua bước thẩm tra xác minh không
    {p} từ khi nộp tới khi nhận trải qua mấy khâu
    trình tự giải quyết {p} như thế nào vậy ad
    quy trình các bước để {p} ra sao
    cho hỏi {p} thì trải qua các bước gì
    {p} gồm mấy bước, mỗi bước làm gì
    {p} sau khi nộp thì cán bộ xử lý qua những bước nào
    quy trình thủ tục {p} gồm mấy bước
    các bước tiến hành {p} như nào
    {p} các bước lần lượt ra sao
""")

ASK_FORMS = _lines("""
    mẫu đơn {p}
    tờ khai {p} lấy ở đâu
    {p} dùng mẫu tờ khai nào
    tải mẫu đơn {p} ở đâu
    cho xin mẫu tờ khai {p}
    {p} có mẫu đơn không
    {p} điền tờ khai thế nào
    mẫu đơn đề nghị {p} là mẫu số mấy
    {p} có biểu mẫu nào phải điền
    file word mẫu đơn {p}
    {p} viết đơn theo mẫu nào
    tờ khai {p} mẫu mới nhất
    gửi mình mẫu đơn {p} với
    {p} có được tự viết đơn không hay phải theo mẫu
    {p} cần điền những mẫu nào
    link tải tờ khai {p}
    {p} ghi tờ khai như thế nào cho đúng
    biểu mẫu {p}
    {p} lấy mẫu đơn ở phường hay tải trên mạng
    {p} có mẫu điền sẵn không
    download mẫu tờ khai {p}
    {p} tờ khai viết tay được không
    mau don {p} tai o dau
    to khai {p} dien ntn
    mẫu tờ khai {p} và hồ sơ kèm theo
    mẫu đơn {p} với lệ phí bao nhiêu
    mẫu CT01 tải ở đâu
    tờ khai TK01 làm hộ chiếu lấy ở đâu
    mẫu đơn đăng ký biến động đất đai số 11/ĐK
    cách điền mẫu CT01 thay đổi thông tin cư trú
    có mẫu đơn không
    mẫu tờ khai lấy ở đâu
    tải mẫu ở đâu vậy
    cho xin mẫu đơn
    điền tờ khai thế nào
    dùng mẫu số mấy
    có file mẫu không ạ
    mẫu đơn đâu ad
    tờ khai phải theo mẫu nào
    gửi giúp mình mẫu tờ khai
    co mau don k
    tờ khai ghi sai thì sửa thế nào
    {p} có phải kê khai tờ khai không
    mẫu giấy đề nghị {p}
    {p} cần tờ khai theo mẫu số bao nhiêu
    {p} ghi đơn thế nào, có mẫu hướng dẫn không
    in mẫu tờ khai {p} ở đâu
    mau to khai {p} moi nhat
    tờ khai {p} có trên mạng không
    lấy tờ khai ở đâu ạ
    mẫu đơn có sẵn ở phường không
    có mẫu tờ khai điện tử không
    tờ khai điền xong có phải ký tên không
    {p} điền mẫu nào
    {p} tờ khai mẫu số mấy
    mẫu tờ khai để {p}
    {p} lấy tờ khai ở đâu
    tờ khai {p} tải ở đâu
    {p} cần viết đơn không
    {p} có phải điền tờ khai không
    có mẫu tờ khai {p} không
    {p} dùng tờ khai gì
    {p} kê khai theo mẫu nào
    hướng dẫn điền tờ khai {p}
    tờ khai tải ở đâu
    mẫu số mấy
    có phải điền tờ khai không
    dùng mẫu nào
    form {p} lấy ở đâu
    form đơn {p}
    tải tờ khai {p}
    tải form {p} ở đâu
    xin file mẫu tờ khai {p}
    tờ khai {p} tên là gì
    mẫu tờ khai {p} số hiệu bao nhiêu
    mẫu đơn {p} có trên cổng dịch vụ công không
    tờ khai {p} có bản điện tử không
    mẫu {p} mới nhất năm nay
    download form {p}
    {p} dùng form nào
    tai to khai {p}
    form {p} o dau
    mau don {p} o dau
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em xin mẫu đơn {p} với ạ
    mẫu đơn {p} ở đâu vậy ad
    ở đâu có mẫu tờ khai {p}
    lấy mẫu đơn {p} chỗ nào
    {p} mẫu đơn đâu
    mẫu đơn đâu
    mẫu đơn?
    tờ khai?
    mẫu?
    tờ khai đâu ad
    {p} có mẫu hông
    {p} tờ khai tải ở đâu dzậy
    {p} tờ khai ghi sao
    {p} tờ khai điền sao cho đúng
    {p} điền đơn theo mẫu nào hen
    {p} xài mẫu số mấy
    em cần mẫu đơn để {p}
    mình cần tờ khai {p} bản word
    {p} có tờ khai mẫu mới không
    {p} mẫu tờ khai năm 2025 là mẫu nào
    {p} tờ khai có in sẵn ở phường hông
    em điền sai tờ khai {p} thì có phải viết lại không
    {p} tờ khai có mấy trang
    {p} điền mục nơi cư trú trong tờ khai thế nào
    {p} mau don lay o dau
    {p} to khai theo mau nao
    tai mau don {p} o dau vay
    mẫu tờ khai {p} bản pdf
    cho mình xin link mẫu tờ khai {p}
    dạ tờ khai {p} em lấy ở đâu ạ
    chị ơi gửi em mẫu đơn {p} nha
    anh ơi mẫu {p} mình download ở đâu
    {p} cần điền mấy tờ khai
    {p} đơn đề nghị theo mẫu nào
    tờ khai mẫu CT01 điền thế nào
    mẫu TK01 ở đâu
    mẫu đơn ở đâu ra
    có mẫu đơn sẵn hông
    xin cái mẫu tờ khai
    {p} tờ khai ghi răng
    em viết tay tờ khai {p} có được không hay phải đánh máy
    {p} tờ khai có cần xác nhận của tổ trưởng không
    {p} mẫu tờ khai là mẫu gì
    {p} có cần điền đơn hông
    {p} cho em xin form
    tờ khai {p} điền như nào ad
    đơn {p} viết theo mẫu số mấy
""")

ASK_CONDITIONS = _lines("""
    điều kiện {p} là gì
    ai được {p}
    {p} cần đáp ứng điều kiện gì
    đối tượng nào được {p}
    bao nhiêu tuổi thì được {p}
    người nước ngoài có được {p} không
    tôi đang tạm trú thì có được {p} không
    trường hợp nào được {p}
    {p} có yêu cầu gì về độ tuổi không
    điều kiện để được {p}
    {p} áp dụng cho những ai
    chưa đủ 18 tuổi có {p} được không
    tôi có đủ điều kiện {p} không
    {p} cần những điều kiện gì
    yêu cầu, điều kiện thực hiện {p}
    người không có hộ khẩu ở đây có được {p} không
    {p} có giới hạn đối tượng không
    những trường hợp nào không được {p}
    việt kiều có {p} được không
    ai có quyền yêu cầu {p}
    {p} thì cần thỏa mãn tiêu chí gì
    đối tượng thực hiện {p}
    mình 17 tuổi thì {p} được chưa
    đang nợ thuế có được {p} không
    cần đủ bao nhiêu tuổi để {p}
    {p} có điều kiện gì đặc biệt không
    dieu kien {p} la gi
    ai dc {p} vay
    {p} cần điều kiện gì, hồ sơ gồm những gì
    điều kiện {p} và lệ phí
    đóng bhxh bao lâu thì được hưởng bảo hiểm xã hội một lần
    người khuyết tật có được hưởng trợ cấp xã hội không
    thủ tục 1.004873 áp dụng cho đối tượng nào
    điều kiện là gì
    ai được làm vậy
    thế điều kiện thì sao
    người nước ngoài có được không
    mình có đủ điều kiện không
    bao nhiêu tuổi thì được làm
    đối tượng nào được áp dụng
    trường hợp nào thì được
    có giới hạn độ tuổi không
    tạm trú có làm được không
    {p} có bắt buộc đủ 18 tuổi không
    điều kiện cần và đủ để {p}
    {p} có cần là người thường trú tại địa phương không
    không có việc làm có được {p} không
    sinh viên có được {p} không
    đối tượng nào không được {p}
    người đang chấp hành án có được {p} không
    có yêu cầu điều kiện gì không
    ai thì được làm thủ tục này
    {p} cần điều kiện gì
    ai được phép {p}
    {p} có điều kiện gì không
    điều kiện để {p} là gì vậy
    {p} yêu cầu những điều kiện nào
    người dưới 18 tuổi có được {p} không
    người chưa có căn cước có được {p} không
    {p} áp dụng với đối tượng nào
    tôi không có hộ khẩu thường trú thì có {p} được không
    {p} thì ai được làm
    khi nào thì đủ điều kiện {p}
    {p} cần đáp ứng những yêu cầu gì
    cần điều kiện gì
    ai được làm
    có điều kiện gì không
    đối tượng nào
    có được {p} không
    tôi có được {p} không
    ai thì được {p}
    những ai được {p}
    {p} đòi hỏi điều kiện gì
    muốn {p} phải đáp ứng tiêu chuẩn gì
    {p} có yêu cầu gì đối với người nộp không
    {p} thì phải thỏa mãn những điều kiện nào
    tiêu chuẩn để được {p}
    người đã nghỉ hưu có được {p} không
    người có tiền án có được {p} không
    mình ở trọ có {p} được không
    người dân tộc thiểu số có được {p} không
    hộ nghèo có được {p} không
    {p} có cần điều kiện gì về cư trú không
    ai đủ tư cách {p}
    {p} có hạn chế đối tượng nào không
    cần đáp ứng điều kiện gì
    dieu kien de duoc {p}
    ai duoc phep {p} vay
    {p} có điều kiện về tuổi không
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em hỏi {p} cần đủ điều kiện gì ạ
    điều kiện gì để {p}
    những ai được {p} vậy ad
    ai mới được {p}
    điều kiện?
    đối tượng?
    ai làm được?
    có điều kiện gì hông
    {p} có điều kiện gì hông
    {p} ai cũng làm được hả
    {p} người ngoại tỉnh có làm được hông
    em 16 tuổi, {p} được chưa
    mình không có hộ khẩu ở đây thì có {p} được hông
    tôi là người nước ngoài, có được {p} không
    {p} có phải đủ 18 tuổi hông
    {p} có yêu cầu phải sống ở địa phương mấy năm không
    {p} đối tượng áp dụng là ai
    {p} áp dụng cho ai vậy
    {p} dành cho những đối tượng nào
    trường hợp nào thì không được {p}
    {p} có yêu cầu bằng cấp gì không
    {p} cần thỏa mãn điều kiện nào
    {p} yêu cầu gì về nơi cư trú
    dieu kien {p} gom nhung gi
    ai duoc {p} a
    {p} can nhung dieu kien j
    {p} co yeu cau do tuoi ko
    dạ em đang ở trọ thì có đủ điều kiện {p} không ạ
    chị ơi {p} thì cần điều kiện gì hen
    {p} người khuyết tật có làm được không
    {p} người già trên 80 tuổi có làm được không
    đủ điều kiện gì mới được {p}
    phải đáp ứng điều kiện gì
    có yêu cầu gì về độ tuổi hông
    mình chưa có việc làm thì được {p} hông
    {p} có yêu cầu phải có nhà riêng không
    điều kiện cụ thể ra sao
    anh ơi ai thì được {p} vậy
    em mới chuyển về đây 3 tháng, đủ điều kiện {p} chưa
    mẹ em 70 tuổi rồi có {p} được không
    người chưa kết hôn có được {p} không
    {p} có cần phải đóng bảo hiểm đủ năm không
    {p} ai đứng đơn được
    {p} có giới hạn tuổi hông
    con dưới 14 tuổi có được {p} hông
    tôi không có việc làm ổn định thì có đủ điều kiện {p} không
    {p} cần đủ mấy năm cư trú
""")

ASK_RESULT = _lines("""
    {p} xong thì được nhận giấy gì
    kết quả {p} là gì
    {p} thì được cấp giấy tờ gì
    {p} xong nhận được cái gì
    kết quả giải quyết {p} là loại giấy nào
    {p} có được cấp bản chính không
    {p} xong có được cấp bản sao không
    {p} được cấp mấy bản
    sau khi {p} thì mình cầm về giấy gì
    giấy tờ nhận được sau khi {p}
    {p} có kết quả bản điện tử không
    {p} được cấp quyết định hay giấy chứng nhận
    {p} thì kết quả trả về dạng gì
    {p} có được cấp giấy xác nhận không
    {p} nhận về thẻ hay giấy
    sau khi {p} xong thì có giấy tờ gì chứng minh
    {p} được trả kết quả là văn bản gì
    {p} có nhận được bản giấy không hay chỉ có bản điện tử
    {p} kết quả là sổ hay giấy
    ket qua {p} la giay gi
    {p} xong dc cap giay j
    {p} được cấp giấy gì, mất bao lâu
    kết quả {p} là gì và nhận ở đâu
    thủ tục 1.014061 kết quả là gì
    làm xong thì được nhận giấy gì
    kết quả là gì vậy
    được cấp giấy gì
    có được bản chính không
    nhận về cái gì
    được cấp mấy bản
    có bản điện tử không
    xong thì cầm về giấy gì
    ket qua nhan duoc la gi
    {p} xong thì tôi nhận được những giấy tờ gì
    {p} có được cấp giấy chứng nhận không hay chỉ ghi vào sổ
    hoàn thành {p} thì được trả lại giấy gì
    kết quả {p} có được gửi về vneid không
    {p} được cấp bản chính hay bản sao trích lục
    {p} thì giấy nhận được tên là gì
    {p} được cấp thẻ hay quyển sổ
    sau {p} thì được cấp quyết định gì
    kết quả thực hiện {p}
    {p} có kết quả thì được nhận những gì
    {p} xong có được mấy bản trích lục
    ket qua cua {p} co gia tri vinh vien khong
    thế kết quả thực hiện là gì
    cuối cùng được cấp giấy gì
    giấy nhận về có giá trị vĩnh viễn không
    kết quả có được gửi lên vneid không
    có được cấp bản sao trích lục không
    nhận được giấy xác nhận hay quyết định
    {p} xong được cấp gì
    {p} thì nhận được gì
    kết quả khi {p} là gì
    {p} được cấp giấy chứng nhận gì
    {p} nhận lại cái gì
    {p} xong được giấy gì
    {p} có được cấp giấy không
    sau {p} được cấp giấy tờ gì
    {p} nhận kết quả là gì
    {p} được cấp bản gì
    {p} cầm về cái gì
    {p} hoàn thành thì được cấp loại giấy nào
    được cấp gì
    nhận được gì
    có được cấp giấy không
    kết quả nhận được gì
    sau khi {p} xong tôi được cấp giấy gì
    {p} thành công thì nhận được văn bản gì
    kết quả của việc {p} là gì
    {p} thì sẽ có giấy tờ gì trong tay
    kết quả trả về của {p}
    {p} xong thì có quyết định hay giấy chứng nhận
    {p} cấp cho mình giấy gì
    {p} có được giấy chứng nhận gì không
    {p} được nhận kết quả dạng giấy hay điện tử
    hồ sơ {p} được duyệt thì nhận giấy gì
    ket qua cua {p} la gi
    sau khi làm xong nhận được giấy tờ gì
    kết quả cuối cùng là giấy gì
    {p} xong thì được cấp giấy gì
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em hỏi {p} xong thì nhận về giấy gì ạ
    giấy gì được cấp khi {p} xong
    nhận được gì sau khi {p}
    {p} xong cầm giấy gì về
    {p} xong thì được cái gì dzậy
    {p} xong có được cấp thẻ hông
    {p} được cấp giấy gì hen
    kết quả?
    nhận giấy gì?
    được giấy gì ạ
    xong được cấp cái gì
    {p} kết quả trả về là giấy gì
    {p} có được cấp bản điện tử hông
    {p} kết quả có trên vneid hông
    {p} nhận kết quả là quyết định hay giấy chứng nhận
    {p} thì được cấp mấy bản chính
    em đã {p} xong rồi, giờ sẽ nhận giấy gì
    {p} được cấp trích lục hay giấy chứng nhận
    {p} được cấp sổ mới hay chỉnh sửa trên sổ cũ
    {p} kết quả là văn bản gì vậy ad
    {p} ket qua la gi vay
    {p} xong nhan giay gi
    {p} dc cap giay gi
    sau khi {p} thi nhan duoc gi
    dạ {p} xong thì em được nhận những gì ạ
    chị ơi {p} xong có được giấy xác nhận hông
    {p} nhận về bản giấy hay bản điện tử
    {p} có được cấp bản sao kèm theo không
    giấy nhận được tên là gì
    kết quả là cái gì
    kết quả giải quyết là gì ạ
    có được cấp thẻ không
    sau cùng thì nhận được giấy tờ gì
    {p} kết quả cuối cùng nhận được là gì
    {p} thì mình nhận được những giấy tờ nào
    anh ơi {p} xong được giấy chi
    {p} xong thì được cấp giấy chi
    {p} xong thì cầm về bản chính hay bản sao
    em {p} xong thì có giấy gì để chứng minh
    {p} xong thì được cấp giấy chứng nhận hay quyết định vậy
    {p} xong nhận được sổ hay thẻ
    {p} kết quả là cái gì vậy ad
    {p} được trả về giấy tờ gì hen
    {p} được cấp cái gì
    xong {p} thì trong tay mình có gì
    {p} thì mình được cấp những giấy gì
""")

ASK_LEGAL_BASIS = _lines("""
    {p} theo nghị định nào
    căn cứ pháp lý của {p}
    văn bản nào quy định {p}
    {p} quy định ở thông tư nào
    {p} áp dụng luật nào
    cơ sở pháp lý {p}
    {p} căn cứ vào văn bản pháp luật nào
    điều khoản nào quy định về {p}
    {p} có văn bản hướng dẫn nào
    {p} thực hiện theo quyết định số mấy
    nghị định mới nhất về {p}
    {p} được quy định tại luật nào
    cho xin số hiệu văn bản quy định {p}
    {p} dựa trên thông tư, nghị định gì
    căn cứ nào để {p}
    {p} hiện nay áp dụng nghị định nào còn hiệu lực
    {p} làm theo luật mới hay luật cũ
    văn bản pháp lý liên quan đến {p}
    nghị định hướng dẫn {p}
    can cu phap ly {p}
    {p} theo thong tu nao
    {p} theo nghị định nào, hồ sơ gồm gì
    căn cứ pháp lý và lệ phí {p}
    thủ tục 1.001612 căn cứ pháp lý
    theo nghị định nào
    căn cứ pháp lý là gì
    văn bản nào quy định vậy
    thủ tục này theo luật nào
    cơ sở pháp lý đâu
    quy định ở thông tư nào
    cho xin văn bản quy định
    căn cứ vào đâu vậy
    luật nào quy định thủ tục này
    van ban nao quy dinh thu tuc nay
    {p} do văn bản nào hướng dẫn
    luật nào điều chỉnh {p}
    {p} căn cứ nghị định số mấy
    {p} quy định ở điều mấy của luật nào
    thông tư hướng dẫn {p} là thông tư nào
    {p} hiện hành theo văn bản nào
    xin trích dẫn văn bản quy định về {p}
    {p} có thay đổi theo nghị định mới không
    căn cứ pháp lý để giải quyết {p}
    {p} được công bố theo quyết định nào
    {p} thuộc luật nào
    văn bản quy phạm pháp luật về {p}
    thế căn cứ pháp lý thì sao
    nghị định nào hướng dẫn vậy
    văn bản đó còn hiệu lực không
    thủ tục này căn cứ thông tư nào
    có văn bản pháp luật nào quy định không
    cơ sở pháp lý của thủ tục này là gì
    {p} theo luật gì
    {p} quy định trong văn bản nào
    {p} nghị định nào quy định
    luật nào quy định {p}
    {p} dựa vào luật nào
    văn bản hướng dẫn {p}
    {p} theo quy định nào
    {p} căn cứ luật nào
    căn cứ pháp lý {p} là gì
    {p} có căn cứ pháp lý nào
    {p} theo thông tư số mấy
    các văn bản quy định về {p}
    theo luật gì
    quy định ở văn bản nào
    nghị định số mấy
    căn cứ vào luật nào
    {p} theo luật nào
    {p} theo luật hay nghị định nào
    {p} được quy định bởi nghị định nào
    cho tôi căn cứ pháp lý của {p}
    căn cứ pháp luật để {p}
    {p} dẫn chiếu văn bản nào
    {p} thực hiện theo quy định pháp luật nào
    nguồn luật của {p}
    {p} quy định tại điều nào
    văn bản gốc quy định {p}
    {p} thuộc nghị định số bao nhiêu
    {p} căn cứ thông tư nào hiện hành
    {p} theo luat nao
    can cu phap luat cua {p}
    luật nào nói về {p}
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    nghị định nào quy định {p} vậy ad
    cho em hỏi {p} căn cứ theo văn bản nào ạ
    thông tư nào hướng dẫn {p}
    {p} căn cứ đâu
    {p} căn cứ luật gì dzậy
    {p} theo nghị định nào hen
    {p} theo văn bản nào vậy chị
    căn cứ pháp lý?
    căn cứ?
    nghị định nào?
    luật nào?
    văn bản nào?
    {p} có nghị định hướng dẫn mới không
    {p} hiện nay thực hiện theo luật nào
    {p} quy định tại nghị định số bao nhiêu
    {p} được hướng dẫn tại thông tư nào của bộ
    {p} năm nay áp dụng văn bản nào
    {p} có căn cứ pháp lý gì
    văn bản quy định {p} còn hiệu lực không
    nghị định về {p} ban hành năm nào
    {p} thuoc nghi dinh nao
    {p} quy dinh o dau
    can cu {p} la van ban nao
    {p} theo thong tu nao vay
    dạ {p} mình căn cứ vào văn bản nào ạ
    anh ơi {p} theo luật nào vậy
    {p} có văn bản pháp luật nào quy định không
    {p} có thông tư nào hướng dẫn chi tiết không
    em muốn đọc văn bản gốc quy định {p}
    cho mình xin tên nghị định quy định {p}
    {p} theo luật cũ hay luật mới
    {p} trích dẫn điều luật nào
    nghị định nào quy định thủ tục này vậy
    thủ tục này căn cứ văn bản nào
    theo quy định nào vậy ad
    quy định ở đâu
    cơ sở pháp lý?
    {p} dựa theo văn bản chi
    {p} do bộ nào ban hành quy định
    luật mới có thay đổi gì về {p} không
    {p} căn cứ vào quy định nào
    {p} quy định trong luật nào vậy chị
    {p} có văn bản nào quy định không ạ
    luật gì quy định {p}
    {p} nghị định số mấy
""")

ASK_PROCEDURE = _lines("""
    {p}
    thủ tục {p}
    hướng dẫn {p}
    tôi muốn {p}
    cho hỏi về {p}
    {p} như thế nào
    thủ tục {p} ra sao
    mình cần {p}, hướng dẫn giúp
    làm thế nào để {p}
    tư vấn giúp tôi về {p}
    thông tin về thủ tục {p}
    em muốn hỏi thủ tục {p}
    {p} thì làm sao
    cần {p} thì làm thế nào ạ
    tìm thủ tục {p}
    {p} phải làm những gì
    hỏi về {p}
    giúp tôi {p}
    tra cứu thủ tục {p}
    thủ tục hành chính {p}
    mình muốn tìm hiểu về {p}
    muốn {p} thì phải làm sao
    ad hướng dẫn em {p} với
    {p} làm thế nào
    chỉ mình cách {p}
    thủ tục để {p} là gì
    xin hướng dẫn thủ tục {p}
    {p} thế nào vậy
    tôi cần thông tin {p}
    có ai biết {p} không
    thu tuc {p}
    huong dan {p} voi
    {p} lam sao
    {p} ntn
    thủ tục 1.001193
    mã thủ tục 2.000635
    tra cứu thủ tục 1.014061
    con tôi mới sinh thì phải làm những thủ tục gì
    bố tôi vừa mất, gia đình phải làm thủ tục gì với chính quyền
    tôi bị mất ví, mất luôn căn cước thì làm sao
    mình mới mua xe máy cũ, giờ muốn đứng tên
    tôi sắp mở quán cà phê nhỏ thì cần làm thủ tục gì
    vợ chồng tôi muốn xây lại nhà thì phải xin phép gì
    chuyển về ở nhà chồng thì phải làm thủ tục gì về cư trú
    tôi vừa nghỉ việc muốn rút bảo hiểm
    bằng lái của tôi sắp hết hạn
    còn {p} thì sao
    thế còn {p}?
    tôi muốn làm thủ tục {p}
    cần tư vấn {p}
    tôi cần {p}
    {p} thì sao
    muốn {p}
    em cần {p} ạ
    thủ tục {p} thế nào
    tôi đang muốn {p}
    hướng dẫn thủ tục {p} giúp tôi
    tôi có việc cần {p}
    làm sao để {p}
    tư vấn {p}
    {p} cần làm gì
    thông tin thủ tục {p}
    thủ tục {p} như nào
    {p} hướng dẫn với
    tìm hiểu thủ tục {p}
    em cần làm {p}
    {p} cho ông nội
    {p} cho bố
    {p} cho mẹ tôi
    {p} cho con gái
    muốn {p} gấp
    hướng dẫn mình {p} với
    nhà em muốn {p}
    gia đình tôi cần {p}
    bố tôi muốn {p}
    mẹ em nhờ hỏi {p}
    con tôi cần {p}
    công ty tôi cần {p}
    chồng tôi muốn {p}
    tôi phải {p}
    em phải {p} gấp
    cần {p} ngay
    sắp tới tôi phải {p}
    tháng sau mình {p}
    tôi định {p}
    dự định {p}
    đang tính {p}
    giúp mình {p} với
    chỉ em {p} với
    xin {p}
    {p} giúp tôi
    {p} với ad
    về {p}
    vấn đề {p}
    việc {p}
    liên quan đến {p}
    {p} thì làm thế nào bây giờ
    bây giờ muốn {p} thì sao
    lần đầu {p}, chưa biết gì
    tôi chưa bao giờ {p}, hướng dẫn giúp
    hỏi chút về {p}
    mình có nhu cầu {p}
    tôi có nhu cầu {p}
    nhu cầu {p}
    đang cần {p} gấp
    muon {p}
    em can {p}
    huong dan minh {p} voi
    {p} cho con
    {p} cho vợ
    {p} cho người nhà
    {p} lần đầu
    {p} ở quê
    {p} cho ông bà
    đi {p}
    tư vấn cho mình vụ {p}
    tôi cần hỗ trợ {p}
    hỗ trợ {p}
    thông tin {p}
    tôi cần {p} để đi làm
    mình cần {p} để bổ sung hồ sơ xin việc
    cần {p} để nộp cho công ty
    căn cước của tôi hết hạn rồi
    hộ chiếu hết hạn rồi
    bằng lái xe hết hạn rồi phải làm sao
    thẻ bảo hiểm y tế của con hết hạn
    giấy phép xây dựng sắp hết hạn
    tạm trú của em hết hạn rồi
    mình mới cưới, muốn đăng ký kết hôn
    vừa mua mảnh đất, cần sang tên
    mất bằng lái rồi
    làm mất sổ đỏ rồi
    tôi cần xin giấy xác nhận độc thân để kết hôn
    tôi cần xin lý lịch tư pháp để đi xuất khẩu lao động
    em cần xác nhận cư trú để cho con đi học
    cần trích lục khai sinh để làm hộ chiếu
    cccd het han roi
    ho chieu het han
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em hỏi về {p} ạ
    ad ơi em muốn {p}
    dạ em cần {p}
    chị ơi em muốn {p} thì làm sao
    anh ơi hướng dẫn em {p} với
    {p} làm sao ad
    {p} làm sao dzậy
    {p} làm sao hen
    {p} thì làm thế nào nhỉ
    {p} phải làm sao
    {p} ạ
    {p} nha ad
    em cần tư vấn {p} nha
    làm cách nào để {p}
    làm thế nào mới {p} được
    giờ em muốn {p} thì phải làm gì
    mình tính {p}, chỉ giúp với
    hỏi cách {p}
    cách {p}
    hướng dẫn em {p}
    {p} có khó không
    {p} có phức tạp không
    {p} có rắc rối không
    con em mới sinh tháng trước, giờ em phải làm thủ tục gì cho cháu
    em mới chuyển về đây ở, muốn nhập hộ khẩu
    tôi mới lấy chồng ở xã khác, giờ phải làm thủ tục gì
    mẹ tôi mới mất, giờ muốn sang tên nhà đất cho các con
    công ty tôi mới thành lập, cần làm thủ tục gì tiếp
    tôi sắp đi nước ngoài làm việc
    tôi sắp cưới vợ người Hàn Quốc
    con tôi chuẩn bị vào lớp 1 mà hộ khẩu ở tỉnh khác
    ông nội mất rồi, đất đứng tên ông thì giờ làm sao
    tôi mua nhà đã lâu mà chưa sang tên
    em bị mất bằng lái xe hôm qua
    xe máy mua lại của người quen, chưa sang tên
    mình muốn mở tiệm tạp hóa
    muốn xây thêm tầng cho nhà
    tôi làm mất thẻ bảo hiểm y tế
    huong dan em {p} voi a
    {p} lam sao z ad
    {p} phai lam gi
    lam sao de {p} vay
    em chưa biết gì về {p}, chỉ giúp em
    tư vấn giúp em thủ tục {p} với
    có thể hướng dẫn tôi {p} không
    {p} mần răng
    {p} làm răng ad
    vợ tôi mới sinh em bé
    mình mới mua lô đất ở quê
    tôi nghỉ việc được 2 tháng rồi
    muốn {p} phải làm gì ạ
    {p} thì phải làm gì vậy ad
    hướng dẫn giùm {p}
    {p} giúp với ad ơi
    tôi cần làm {p} cho mẹ
    làm {p} sao ạ
    bây giờ {p} thì làm như nào
    {p} chỉ em với
""")

ASK_DOSSIER_STATUS = _lines("""
    hồ sơ {code} đến đâu rồi
    tra cứu hồ sơ {code}
    kiểm tra tình trạng hồ sơ {code}
    mã hồ sơ của tôi là {code}, giải quyết xong chưa
    {code} đã có kết quả chưa
    kiểm tra giúp mình hồ sơ {code}
    hồ sơ {code} bị yêu cầu bổ sung gì vậy
    tình trạng hồ sơ {code}
    mã biên nhận {code} xử lý tới đâu rồi
    hồ sơ số {code} xong chưa ạ
    hs {code} tới đâu r
    check hồ sơ {code} giúp em
    khi nào hồ sơ {code} có kết quả
    kết quả hồ sơ {code} thế nào rồi
    tra giúp tôi {code}
    ho so {code} da duyet chua
    hồ sơ {code} sao mãi chưa xong
    hồ sơ {code} đã thanh toán lệ phí chưa
    cho hỏi tiến độ hồ sơ {code}
    xem trạng thái hồ sơ {code}
    hồ sơ của tôi đang xử lý đến bước nào rồi
    tra cứu hồ sơ
    tôi muốn tra cứu tình trạng hồ sơ
    hồ sơ tôi nộp tuần trước đã xong chưa
    làm sao để biết hồ sơ của mình đã được duyệt chưa
    hồ sơ đăng ký kết hôn của tôi đã giải quyết chưa
    hồ sơ của em bị trả lại là sao
    sao hồ sơ của tôi vẫn ở trạng thái chờ xử lý
    theo dõi tiến độ hồ sơ đã nộp
    hồ sơ sổ đỏ của tôi nộp 1 tháng rồi giờ tới đâu rồi
    mình nộp hồ sơ cấp căn cước rồi, muốn biết bao giờ lấy được
    tra cứu tiến độ giải quyết hồ sơ ở đâu
    cách tra cứu hồ sơ đã nộp
    hồ sơ đã nộp online tra cứu ở đâu
    hồ sơ của tôi đã được tiếp nhận chưa
    trạng thái hồ sơ của tôi là đang bổ sung nghĩa là sao
    hồ sơ của mình đã trả kết quả chưa
    tra hồ sơ theo số biên nhận
    mình làm mất giấy biên nhận thì tra cứu hồ sơ thế nào
    kiem tra ho so da nop
    ho so cua minh xong chua ad
    hồ sơ khai sinh cho con em nộp hôm thứ 2 giờ sao rồi
    tôi nộp hồ sơ tách thửa lâu rồi mà chưa thấy gọi
    muốn xem hồ sơ của mình đang ở khâu nào
    hồ sơ bị quá hạn thì tra ở đâu
    tra cuu tinh trang ho so
    hồ sơ của tôi xử lý chưa
    tôi muốn biết hồ sơ đã nộp tới đâu
    kiểm tra hồ sơ giúp tôi
    tra tình trạng hồ sơ {code} giúp với
    hồ sơ {code} có vấn đề gì không
    mã {code} tới đâu rồi
    hồ sơ {code} khi nào lấy được
    hồ sơ của em đã có kết quả chưa ạ
    hồ sơ của em nộp rồi mà chưa thấy tin gì
    tra giúp hồ sơ của tôi với
    hồ sơ mình đã được duyệt chưa vậy
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    hồ sơ {code} sao rồi ad
    {code} sao rồi
    {code} xong chưa
    {code} tới đâu rồi vậy
    {code} có kết quả chưa ạ
    cho em hỏi hồ sơ {code} xử lý tới đâu rồi ạ
    dạ kiểm tra giúp em hồ sơ mã {code}
    chị ơi hồ sơ {code} của em sao lâu vậy
    mã hồ sơ {code} đã được tiếp nhận chưa
    hồ sơ {code} bị trả về hả
    tra giúp mình mã {code} với
    {code} đã duyệt chưa ad
    mình nộp hồ sơ mã {code} từ tuần trước, giờ sao rồi
    ho so {code} sao roi
    tra cuu {code}
    kiem tra ho so {code} giup em
    hồ sơ của em tới đâu rồi
    hồ sơ em nộp sao rồi ạ
    hồ sơ mình nộp hôm trước giờ sao rồi ad
    em muốn kiểm tra hồ sơ đã nộp online
    hồ sơ em nộp trên cổng dịch vụ công đang ở trạng thái nào
    xem tiến độ hồ sơ thế nào
    hồ sơ làm sổ đỏ của ba em tới đâu rồi
    hồ sơ đăng ký thường trú nộp 10 ngày rồi chưa thấy gì
    hồ sơ hộ chiếu của em đã xong chưa
    sao hồ sơ của em chưa có kết quả vậy
    tra tiến độ hồ sơ
    check hồ sơ
    check tình trạng hồ sơ giúp mình
    hs cua em xong chua
    ho so toi nop thang truoc sao roi
    hồ sơ em đã được duyệt chưa ad
    mình muốn biết hồ sơ đang nằm ở khâu nào
    hồ sơ nộp qua bưu điện đã tới nơi chưa
    anh ơi hồ sơ của em giờ ra sao rồi
    hồ sơ của tui tới đâu rồi dzậy
    hồ sơ {code} sao chưa xong vậy
    {code} giờ ở khâu nào rồi
    mã {code} bị trễ hẹn hả
    {code} đã trả kết quả chưa ạ
    tra giúp hồ sơ mã {code}
""")

# Bare dossier codes, as pasted from a receipt, then other bare answers.
INFORM = (CODE,) * 17 + _lines("""
    {code} ạ
    {code} nhé
    mã là {code}
    đây ạ {code}
    0101
    1234
    5678
    2468
    9031
    7750
    0912
    4 số cuối là 3456
    8812 ạ
    hôm nay
    ngày mai
    thứ 2 tuần sau
    thứ hai tuần sau
    thứ sáu này
    sáng mai
    chiều nay
    tuần sau
    ngày kia
    15/10/2025
    03/11/2025
    20-11-2025
    2025-12-01
    ngày 5 tháng 11
    thu 4
    chủ nhật
    hôm qua
    cuối tháng này
    {code} nha
    3079
    6621
    1102
    4455
    9988
    thứ ba
    thứ năm tuần này
    sáng thứ 2
    chiều mai
    25/12
    1/11
    ngày 20
    mùng 5 tháng sau
    tuần tới
    đầu tháng sau
    ngay hôm nay
    mai
    thu 6 tuan nay
    8h sáng mai
    hôm kia
    12/11/2025
    sáng thứ bảy
    hôm nay nhé
    hôm nay luôn
    trong hôm nay
    ngày mai nhé
    mai luôn
    thứ 7 tuần này
    # the last four digits of a phone number, with words around them
    số cuối là 4821
    bốn số cuối 7391
    bốn số cuối là 0088 ạ
    đuôi 6754
    đuôi 2290 nhé
    sđt đuôi 5512
    sdt duoi 8830
    4 số cuối sđt của em là 1357
    4 số cuối số điện thoại của tôi là 2846
    bốn số cuối điện thoại là 9173
    số điện thoại đuôi 4407 ạ
    số cuối của mình là 6620
    đuôi số điện thoại 3318
    số đuôi là 7209
    4 so cuoi la 5583
    4 số cuối: 0625
    em đọc 4 số cuối nhé 1948
    của em là 2754
    dạ 8163
    số điện thoại đăng ký đuôi 0472
    sđt của mình kết thúc bằng 9316
    4 số cuối sđt lúc nộp hồ sơ là 6038
    duoi so dien thoai la 1744
    so cuoi 3952 a
    bốn số cuối sđt: 2580
    đuôi sđt là 6401 nhé
    4 số cuối là 1212 ạ
    # dossier codes with words around them
    mã hồ sơ của tôi là {code}
    mã hồ sơ là {code}
    mã biên nhận của em là {code}
    số biên nhận {code} ạ
    của mình là {code}
    mã đây: {code}
    em gửi mã {code}
    mã hồ sơ {code} nhé
    dạ mã là {code}
    ma ho so la {code}
    ma cua em {code}
    mã trên giấy biên nhận là {code}
    {code} đây ạ
    số hồ sơ: {code}
    mã của tôi {code}
    ok {code}
    đây là mã hồ sơ {code}
    mã số hồ sơ {code} ạ
    dạ {code}
    mình nhập mã {code}
    # dates and times alone
    thứ 6
    thứ sáu
    thứ 6 tuần sau
    sáng thứ 5
    chiều thứ tư
    tầm thứ 3
    khoảng ngày 20
    ngày 15 tháng này
    chắc là thứ 5
    mai nha
    thứ hai
    thứ 2 nhé
    sáng nay
    chiều mai nhé
    tối nay
    18/11
    ngày 02/12/2025
    hôm thứ 2 vừa rồi
    tuần trước
    đầu tuần sau
    cuối tuần này
    thứ bảy này
    sáng thứ ba tuần sau
    ngày 10 tháng 12
    mùng 1
    chieu thu 5
    sáng mai được không
    thứ 6 nhé
    trưa mai
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    {code} đó
    {code} nha ad
    mã: {code}
    mã hs {code}
    ma so {code}
    em gửi {code}
    dạ mã {code} ạ
    số biên nhận là {code}
    {code} nhé ad
    6690
    0345
    8021 ạ
    đuôi 1199 ạ
    bốn số cuối là 6287 nha
    số cuối 0512 hen
    dạ đuôi 3344
    sdt đuôi 7788 nha
    sáng thứ hai
    chiều thứ 6 tuần này
    cuối tuần sau
    thứ 5 tuần sau nha
    mai được không
    ngày 30/11
    28/02/2026
    ngày 7 tháng 1 năm 2026
    sáng 15/12
    mốt
    bữa nay
    ngày mốt
    hôm bữa
""")

ASK_GENERAL = _lines("""
    làm sao tạo tài khoản dịch vụ công
    đăng ký tài khoản trên cổng dịch vụ công quốc gia thế nào
    quên mật khẩu dịch vụ công thì làm sao
    không nhận được mã otp
    đăng nhập cổng dịch vụ công bằng vneid như thế nào
    tài khoản vneid của tôi bị khóa
    bộ phận một cửa làm việc mấy giờ
    thứ 7 phường có làm việc không
    số hotline hỗ trợ dịch vụ công
    tổng đài dịch vụ công là số mấy
    địa chỉ trung tâm phục vụ hành chính công tỉnh
    bộ phận một cửa của phường ở đâu
    giờ làm việc của ubnd xã
    buổi trưa có tiếp nhận hồ sơ không
    đổi số điện thoại đăng nhập dịch vụ công
    cổng dịch vụ công không vào được
    đăng nhập dvc báo lỗi
    kích hoạt tài khoản định danh điện tử thế nào
    vneid báo sai mật khẩu nhiều lần
    quên mật khẩu vneid
    tài khoản định danh mức 2 có đăng nhập dvc được không
    đổi email tài khoản dịch vụ công
    ngày lễ có tiếp nhận hồ sơ không
    sáng thứ bảy có làm không
    mấy giờ bộ phận một cửa nghỉ trưa
    xin số điện thoại bộ phận một cửa
    sđt hỗ trợ dvc
    cho xin địa chỉ bộ phận tiếp nhận và trả kết quả
    cổng dịch vụ công quốc gia là trang web nào
    hướng dẫn sử dụng cổng dịch vụ công
    mã otp gửi về số cũ tôi không dùng nữa
    liên kết tài khoản vneid với cổng dịch vụ công
    đổi mật khẩu tài khoản dịch vụ công
    giờ hành chính là từ mấy giờ đến mấy giờ
    chủ nhật có làm việc không
    lay lai mat khau dvc
    k nhan dc otp
    tk dvc bi khoa roi
    dang nhap vneid ko duoc
    hotline tong dai ho tro la so nao
    mot cua lam viec may gio
    dia chi trung tam hanh chinh cong o dau
    ứng dụng vneid không đăng nhập được
    tôi quên tên đăng nhập tài khoản dịch vụ công
    trang dvc bị treo không load được
    trung tâm hành chính công quận mở cửa lúc mấy giờ
    địa chỉ ubnd phường ở đâu
    số điện thoại đường dây nóng của tỉnh
    chiều thứ 6 có làm việc không
    mã xác thực không gửi về điện thoại
    tạo tài khoản dvc bằng số căn cước được không
    tài khoản dịch vụ công bị người khác đăng ký mất
    đăng nhập bằng vneid báo tài khoản không tồn tại
    cổng dịch vụ công có app không
    tôi cần hỗ trợ kỹ thuật trên cổng dvc
    giờ mở cửa bộ phận một cửa
    tết có làm việc không
    email hỗ trợ dịch vụ công là gì
    lấy số thứ tự ở bộ phận một cửa thế nào
    cập nhật thông tin cá nhân trên tài khoản dịch vụ công
    bộ phận một cửa mở cửa mấy giờ
    giờ làm việc buổi chiều
    xã làm việc đến mấy giờ
    tổng đài 1022 là gì
    số điện thoại hỗ trợ vneid
    không đăng nhập được vneid
    quên mật khẩu tài khoản định danh
    tạo tài khoản trên dịch vụ công như thế nào
    đăng ký tài khoản dvc bằng gì
    địa chỉ bộ phận một cửa huyện
    làm thế nào để đăng ký tài khoản vneid
    tài khoản định danh mức 2 đăng ký ở đâu
    quên mật khẩu đăng nhập cổng dịch vụ công quốc gia
    lấy lại mật khẩu vneid thế nào
    otp không về máy thì làm sao
    mã otp hết hạn liên tục
    đăng nhập cổng dvc bằng tài khoản vneid bị lỗi
    sao tôi không đăng nhập được cổng dịch vụ công
    tài khoản của tôi bị khóa do nhập sai mật khẩu
    đổi số điện thoại trên vneid
    cập nhật số điện thoại cho tài khoản định danh
    nghỉ trưa từ mấy giờ đến mấy giờ
    trưa có làm việc không
    buổi trưa bộ phận một cửa có người trực không
    thứ bảy có tiếp nhận hồ sơ không
    sáng thứ 7 có làm việc không ạ
    thứ bảy chủ nhật có mở cửa không
    buổi chiều bộ phận một cửa mở cửa lúc mấy giờ
    buổi sáng mấy giờ bắt đầu làm việc
    chiều mấy giờ thì nghỉ
    hotline hỗ trợ người dân là số nào
    cho xin số tổng đài hỗ trợ
    số điện thoại trung tâm hành chính công
    gọi số nào để được hỗ trợ đăng nhập
    bộ phận một cửa ở tầng mấy
    trung tâm phục vụ hành chính công nằm ở đường nào
    địa chỉ một cửa của quận
    ubnd xã ở đâu vậy
    trụ sở công an phường ở chỗ nào
    đăng ký tài khoản doanh nghiệp trên dvc
    tài khoản tổ chức đăng nhập thế nào
    không nhận được tin nhắn kích hoạt vneid
    vneid báo lỗi khi quét khuôn mặt
    app vneid bị lỗi không mở được
    lich lam viec bo phan mot cua
    trua may gio nghi
    thu 7 co lam viec ko
    so hotline dich vu cong
    quen mat khau vneid phai lam sao
    dang ky tai khoan dich vu cong
    giờ làm việc thứ bảy của phường
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em hỏi tạo tài khoản trên cổng dịch vụ công thế nào ạ
    tài khoản dịch vụ công đăng ký sao ad
    em quên mật khẩu dvc rồi
    mật khẩu vneid quên rồi làm sao
    đăng nhập dịch vụ công hông được
    đăng nhập vneid báo lỗi hoài
    otp hông về
    mã otp?
    quên mật khẩu?
    hotline?
    tổng đài?
    giờ làm việc?
    mấy giờ mở cửa
    mấy giờ đóng cửa ạ
    phường mở cửa mấy giờ dzậy
    thứ bảy phường làm hông
    chủ nhật bộ phận một cửa có mở hông
    trưa nay có người trực hông ad
    mai lễ thì ubnd có làm việc không
    em bấm đăng nhập bằng vneid mà nó cứ quay vòng
    nhập otp xong báo mã không hợp lệ
    tài khoản bị khóa rồi mở lại sao
    tài khoản định danh mức 1 nâng lên mức 2 thế nào
    cổng dịch vụ công báo lỗi hệ thống
    trang dịch vụ công cứ báo phiên đăng nhập hết hạn
    đổi số điện thoại nhận otp
    mất điện thoại thì lấy lại tài khoản vneid sao
    số tổng đài dịch vụ công quốc gia là số nào vậy ad
    cho xin số hotline của phường
    bộ phận một cửa ở chỗ nào vậy
    trung tâm hành chính công tỉnh nằm ở đâu vậy
    quen mat khau dich vu cong
    dang nhap dvc bi loi
    otp ko ve
    gio lam viec cua phuong
    thu 7 mot cua co lam ko
    so tong dai dvc
    tk vneid bi khoa
    đăng ký tài khoản dịch vụ công cho người già thế nào
    anh ơi sáng mấy giờ phường mở cửa
    chị ơi chiều thứ sáu một cửa làm tới mấy giờ
    em không đăng ký được tài khoản vì báo số căn cước đã tồn tại
    đăng nhập dịch vụ công bằng tài khoản vneid thì bấm chỗ nào
    chưa có tài khoản dịch vụ công thì tạo thế nào
    tài khoản dvc đăng nhập hoài không vô
    vneid bắt xác thực khuôn mặt hoài không được
    quên mật khẩu cổng dịch vụ công thì lấy lại sao
    mã otp về chậm quá
    otp gửi về mà nhập không được
    số điện thoại cũ bị mất, không nhận được otp
    em chưa biết cách đăng nhập dịch vụ công
    hướng dẫn tạo tài khoản dvc bằng vneid
    đăng nhập dvc bằng tài khoản nào
    giờ hành chính phường làm từ mấy giờ
    chiều thứ bảy có ai trực không
    lễ 2/9 có tiếp nhận hồ sơ không
    số hotline dvc bao nhiêu
    # Someone else submitting or collecting for the citizen (ủy quyền) — the FAQ answers it; not a
    # request for the bot itself to act ("bạn nộp hồ sơ thay tôi được không" is bot_capabilities).
    có được ủy quyền cho người khác đi nộp hồ sơ không
    nhờ người nhà nộp hồ sơ thay có được không
    vợ tôi đi nộp hồ sơ thay tôi có được không
    bố mẹ nộp hồ sơ thay con được không ạ
    người nhà nhận kết quả thay có cần giấy ủy quyền không
    giấy ủy quyền đi làm thủ tục có phải công chứng không
    tôi bận không đi được, cho em trai đi nộp thay được không
""")

# --------------------------------------------------------------------------------------------
# Small talk, the assistant itself, and what it does not answer.
# --------------------------------------------------------------------------------------------
GREET = _lines("""
    ad ơi
    alo
    bạn ơi
    chào ad
    chào anh chị
    chào bạn
    chào
    chào em
    chào buổi sáng
    chào buổi chiều
    chào trợ lý ảo
    có ai không
    hello
    hi
    hi bạn
    hế lô
    xin chào
    xin chào trợ lý
    chào bot
    em chào anh chị ạ
    chào admin
    dạ chào bạn
    hello bot
    hí lô
    chào cán bộ
    chào cả nhà
    alo alo
    xin chào ạ
    hi ad
    chao ban nhe
    chào buổi tối
    hello ad
    chào chị
    chào anh
    xin chào bạn nhé
    alo có ai ở đó không
    chào nha
    halo
    chào bạn, mình cần hỏi chút
    xin kính chào
    chào buổi trưa
    chào bạn ơi
    alo ad ơi
    hello mọi người
    chào bạn, mình muốn hỏi chút
    chào bạn, cho mình hỏi chút việc
    xin kính chào các anh chị cán bộ ạ
    kính chào ban quản trị
    kính chào anh chị cán bộ
    hello bot nhé
    alo bot ơi
    alo, có ai trực không
    xin chào, em cần hỏi một việc
    chào ad, em có việc muốn hỏi
    chào bạn, tôi cần được hỗ trợ
    hi, mình cần hỏi ít thông tin
    chào trợ lý, cho tôi hỏi chút
    chào buổi sáng ad
    hey
    hey bot
    chào bạn nhé, hỏi tí
    xin chào quý cán bộ
    chao ad oi
    alo ad
    kinh chao
    chào mọi người
    em chào ad ạ, em muốn hỏi chút
    dạ em chào ạ
    chào bạn, mình cần giúp đỡ
    hello, cho hỏi tí
    kính chào trợ lý ảo
    alo alo có ai không
    xin chào, tôi là người dân ở phường
    chào bot, tôi có mấy câu hỏi
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    chào chị ạ
    em chào chị
    chào anh ạ
    dạ em chào anh
    chào ad nha
    chào ad, em hỏi xíu
    chào bạn, hỏi xíu được không
    alo, ad có đó không
    ad ơi có đó không
    chị ơi có ở đó không ạ
    có ai trực không ạ
    chào buổi tối ad
    xin chào buổi sáng
    hi chị
    hello chị
    hi ad ơi
    chào em, cho anh hỏi chút
    chào em, chị muốn hỏi chút việc
    chào ad, mình cần tư vấn
    chào cán bộ ạ
    kính chào anh chị
    chao chi oi
    chao ad nhe
    xin chao ad
    hello ad oi
    chào bạn nha
    chào bot nhé
    ê bot
    ad ơi ad
    dạ alo
    chào trợ lý nha
""")

GOODBYE = _lines("""
    bai bai
    bye
    bye bye
    chào nhé
    hẹn gặp lại
    kết thúc
    thoát
    thôi nhé
    tôi đi đây
    tạm biệt
    tạm biệt bạn
    tạm biệt nha
    vậy thôi, chào bạn
    thôi mình out đây
    chào tạm biệt
    hẹn hôm khác hỏi tiếp
    ok vậy thôi, bye
    em xin phép nhé, chào ad
    chúc một ngày tốt lành
    dừng ở đây nhé
    tôi không hỏi gì nữa
    hết rồi, tạm biệt
    thôi chào nhé
    goodbye
    kết thúc cuộc trò chuyện
    bye ad
    bye nhé
    chào tạm biệt nhé
    thôi nhé bạn
    hẹn gặp lại sau
    tắt máy đây
    ok bye
    pp nhé
    tôi đi làm việc đây
    chào và hẹn gặp lại
    thôi không cần nữa
    ok hết rồi nhé
    để khi khác nhé
    tạm biệt ad
    bye bạn
    chào bạn nhé, mình đi đây
    hẹn gặp lại bạn
    tạm biệt, hẹn gặp lại
    thôi em chào ad ạ
    mình hỏi vậy thôi, chào nhé
    bye bot
    tam biet nhe ban
    bai nhé
    tôi xin phép thoát
    goodbye bạn
    chào tạm biệt ad
    thôi nhé, bye
    hẹn lần sau
    mai mình hỏi tiếp nhé, chào
    ok vậy nhé, tạm biệt
    em out đây ạ
    kết thúc tại đây
    bye bye ad
    tạm biệt trợ lý
    thế thôi nhé, chào
    thôi tôi đi làm hồ sơ đây, chào bạn
    hẹn gặp lại nhé bot
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    thôi em chào chị ạ
    em chào ad nha
    chào ad nhé, em đi đây
    thôi chào nha
    bye nha
    bye ad nhé
    bai ad
    bb
    pp
    tạm biệt chị
    tạm biệt và hẹn gặp lại
    vậy nha, bye
    em off đây
    mình off nha
    thôi em đi làm hồ sơ đây ạ
    để mai em hỏi tiếp, chào ad
    hôm khác em hỏi tiếp nhé
    thôi vậy đi, chào
    giờ em bận rồi, chào nhé
    vậy thôi nhé ad
    ok em không hỏi nữa, bye
    chúc ad buổi tối vui vẻ
    thoi bye ad nhe
    thoi chao nhe ad
    hẹn gặp lại ad nha
    đi đây
    kết thúc nhé
""")

THANK = _lines("""
    cảm ơn
    cảm ơn bạn
    cám ơn nhiều
    cảm ơn ad
    cảm ơn bạn nhiều lắm
    cảm ơn nhé
    cảm ơn đã hỗ trợ
    ok cảm ơn
    rất cảm ơn
    thank you
    thanks
    thanks bạn
    tks
    thank ad
    cảm ơn em
    em cảm ơn ạ
    mình cảm ơn nha
    ok thanks
    dạ em cảm ơn
    cám ơn ad nhiều
    cảm ơn trợ lý
    thanks nhiều
    vâng cảm ơn
    ok tks ad
    cảm ơn đã giải đáp
    cảm ơn nhiều nhé
    ok mình hiểu rồi cảm ơn
    thank u
    cảm ơn bạn đã trả lời
    thank you so much
    cảm ơn nhiều ạ
    ok cảm ơn nhé
    thanks ad nha
    xin cảm ơn
    tks bạn
    cảm ơn bot
    cảm ơn bạn đã giúp đỡ
    cảm ơn bạn rất nhiều
    em cảm ơn ad nhiều ạ
    cám ơn bạn nha
    ok, cám ơn bạn nhiều
    dạ vâng em cảm ơn
    mình cảm ơn bạn nhé
    cảm ơn, mình rõ rồi
    tôi hiểu rồi, cảm ơn bạn
    cảm ơn cán bộ
    xin chân thành cảm ơn
    cảm ơn bạn đã tư vấn
    thanks a lot
    thank bot
    cảm ơn đã hướng dẫn
    cam on ban nhieu
    cam on ad nhieu nhe
    tks nhiều nha
    ok thank you
    cảm ơn nhiều lắm ạ
    em cám ơn
    thank you bạn
    đa tạ
    thế là rõ rồi, cảm ơn nhé
    cảm ơn vì đã trả lời nhanh
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cảm ơn ad nha
    cảm ơn chị ạ
    em cảm ơn chị nhiều
    cảm ơn anh nhiều nhé
    cám ơn ad nhiều lắm
    dạ vâng cảm ơn ad
    ok em cảm ơn ạ
    ok cảm ơn ad nhiều
    cảm ơn nhen
    cảm ơn nghen
    cảm ơn bạn nhiều nha
    tks ad
    thanks ad
    thanks chị
    thank ad nhiều
    mình hiểu rồi, cảm ơn ad
    rõ rồi ạ, em cảm ơn
    cảm ơn vì đã giúp em
    cảm ơn ad đã giải đáp ạ
    xin cám ơn ạ
    cảm ơn đã hỗ trợ em
    cam on nhieu nha ad
    cam on chi nhieu a
    em cam on ad
    thanks nha
    ok tks
    cảm ơn bot nhiều nhé
""")

BOT_CAPABILITIES = _lines("""
    bạn làm được gì
    bot giúp được gì
    bạn có thể giúp tôi những gì
    em có thể hỏi những gì
    bạn hỗ trợ những thủ tục nào
    bạn là ai
    trợ lý này dùng để làm gì
    hướng dẫn sử dụng bot
    bạn biết những gì
    bạn có trả lời được về đất đai không
    bot này hỏi được những gì
    trợ lý ảo hỗ trợ những việc gì
    help
    trợ giúp
    menu
    tôi nên hỏi bạn thế nào
    bạn có phải người thật không
    bạn là chatbot à
    chức năng của bạn là gì
    bạn trả lời được câu hỏi gì
    bạn có biết về thủ tục hành chính không
    bạn có hiểu tiếng việt không dấu không
    phạm vi hỗ trợ của bot là gì
    bot có tư vấn thủ tục kinh doanh không
    bạn giúp được gì cho tôi
    ban lam duoc gi
    bot biet gi
    ban ho tro nhung gi
    hỏi bạn về bảo hiểm xã hội được không
    bot của cơ quan nào vậy
    ai tạo ra bạn
    bạn có thể làm gì
    bạn hỗ trợ được những lĩnh vực nào
    tôi hỏi gì ở đây được
    bot này để làm gì
    giới thiệu về bạn đi
    bạn tra cứu được những thủ tục gì
    ở đây hỗ trợ những gì
    em không biết nên hỏi gì
    bạn nộp hồ sơ thay tôi được không
    bot nộp hộ hồ sơ cho mình được không
    bạn có điền tờ khai giúp tôi được không
    bot có trả lời về đất đai không
    bạn có tư vấn luật không
    bạn có tra cứu được hồ sơ không
    bạn có đặt lịch hẹn giúp tôi được không
    bot có gọi điện cho tôi được không
    bạn có thể thanh toán lệ phí giúp tôi không
    bạn có nói tiếng anh không
    bot có hỗ trợ thủ tục xuất nhập cảnh không
    bạn biết về bảo hiểm xã hội không
    bạn có trả lời được câu hỏi về thuế không
    bot có làm việc 24/7 không
    bạn có nhớ cuộc trò chuyện trước không
    bot có lưu thông tin cá nhân của tôi không
    bạn có gửi file mẫu đơn được không
    bạn có thể làm hồ sơ giúp tôi không
    bot làm được những việc gì
    có những chức năng nào
    bạn có thể hỗ trợ những gì cho người dân
    hệ thống này hỗ trợ tra cứu những gì
    bot có giải đáp về giao thông không
    bạn có hiểu tin nhắn thoại không
    bạn có đọc được ảnh không
    bot trả lời được những loại câu hỏi nào
    tôi có thể hỏi bạn về hộ tịch không
    ban co tu van dat dai khong
    bot co nop ho so thay duoc khong
    ban giup duoc nhung viec gi
    bạn là người hay máy
    bot do ai phát triển
    mình dùng bot này thế nào
    bot có biết về thủ tục kinh doanh không
    bạn xử lý hồ sơ giúp tôi được không
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    bạn giúp được những gì vậy
    em hỏi được gì ở đây
    ở đây hỏi được gì
    bot này biết làm gì
    bạn làm gì được cho tôi
    trợ lý ảo này làm được gì
    bạn có thể trả lời những câu hỏi nào
    bot này dùng để làm gì vậy ad
    chatbot này để làm gì
    bạn là bot của phường hả
    bạn là ai vậy
    bot này của ai
    bot hỗ trợ những lĩnh vực gì
    bạn có tra được thủ tục đất đai không
    bot có trả lời được về bảo hiểm không
    bạn có giúp được về hộ chiếu không
    bạn có làm hồ sơ hộ tôi được không
    bạn có nhận hồ sơ qua đây không
    tôi có thể hỏi những gì
    hỏi gì cũng được hả
    cách dùng bot
    hướng dẫn dùng trợ lý ảo
    bạn có phải là máy không
    bạn là robot hả
    bot lam dc gi
    bot nay dung de lam gi vay
    ban biet lam gi
    bạn có trả lời được tiếng không dấu không
    bot có trả lời ban đêm không
    em nên hỏi bot kiểu gì cho đúng
    bot biết làm những chi
    bạn có thể giúp gì
    bot trả lời về thủ tục gì
    bạn tư vấn được những gì
""")

ASK_HUMAN = _lines("""
    cho tôi gặp cán bộ
    nói chuyện với người thật
    chuyển cho nhân viên hỗ trợ
    tôi muốn gặp tư vấn viên
    cho em gặp cán bộ trực
    gọi cán bộ trả lời giúp tôi
    tôi không muốn nói chuyện với bot
    kết nối tổng đài viên giúp tôi
    cho xin gặp người hỗ trợ
    admin đâu rồi
    nhân viên đâu rồi
    có cán bộ nào trả lời không
    chuyển máy cho người thật đi
    tôi cần người tư vấn trực tiếp
    gặp người thật được không
    bot không hiểu, cho tôi gặp người
    cho mình chat với nhân viên
    muốn nói chuyện với cán bộ một cửa
    có ai hỗ trợ trực tiếp không
    liên hệ cán bộ phụ trách
    cho gap nguoi that
    chuyen nhan vien di
    toi muon gap can bo
    nhờ cán bộ gọi lại cho tôi
    cần người thật giải đáp
    kết nối với chuyên viên
    cho nói chuyện với admin
    gặp tư vấn viên
    tôi muốn được người tư vấn
    gặp nhân viên tư vấn
    chuyển sang tổng đài viên
    cán bộ ơi trả lời giúp với
    có người thật nào không
    xin gặp chuyên viên một cửa
    tôi cần nói chuyện với người
    không muốn chat với máy
    bot không giúp được, chuyển người đi
    nhờ nhân viên gọi điện cho tôi
    cho tôi số của cán bộ phụ trách để gọi trực tiếp
    tôi muốn nói chuyện với người có chuyên môn
    có nhân viên nào online không
    chuyển cho chị cán bộ tiếp dân giúp em
    thôi cho gặp người đi, bot không hiểu
    cho toi noi chuyen voi nhan vien
    can bo nao dang truc vay
    tôi cần cán bộ thật tư vấn giúp
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    cho em gặp người thật
    cho em nói chuyện với cán bộ
    cho em gặp nhân viên với ạ
    ad thật đâu rồi
    có ai là người thật không
    tôi muốn nói chuyện với người, không phải máy
    gặp cán bộ được không
    em muốn gặp cán bộ phụ trách hộ tịch
    cho xin gặp cán bộ địa chính
    tôi muốn gọi điện cho cán bộ
    nhờ cán bộ gọi lại giúp em
    gọi lại cho tôi được không
    có thể gọi điện tư vấn cho tôi không
    cho tôi nói chuyện trực tiếp với người phụ trách
    bot trả lời không đúng, tôi muốn gặp người
    chuyển cho người thật giúp em
    chuyển qua nhân viên giùm
    kết nối với cán bộ giúp tôi
    em muốn chat với người thật
    chị cán bộ ơi em cần chị hỗ trợ trực tiếp
    người thật ơi
    cho gặp admin
    gặp người thật
    nhân viên đâu
    có cán bộ nào đang trực hông
    cho em xin nói chuyện với người
    toi can gap nhan vien
    cho gap can bo
    chuyen cho nguoi that giup
    muon noi chuyen voi nguoi
    gọi cán bộ giúp tôi
    cho tui gặp người thiệt
    em muốn gặp người hướng dẫn trực tiếp
    cần gặp cán bộ gấp
    cho em gặp chị cán bộ hôm qua với
    cho nói chuyện với người nha
    tư vấn viên ơi
    gặp nhân viên hỗ trợ
    chuyển tôi tới cán bộ tiếp dân
    em không muốn nói chuyện với máy nữa
""")

FEEDBACK = _lines("""
    bot trả lời sai rồi
    trả lời hay quá
    bot thông minh đấy
    sai rồi
    không đúng
    thông tin này cũ rồi
    góp ý: nên thêm thủ tục về đất đai
    trang web khó dùng quá
    bot trả lời lan man quá
    chưa đúng ý tôi hỏi
    tuyệt vời
    bot kém quá
    trả lời chả liên quan gì
    đánh giá 5 sao
    trả lời chậm quá
    thông tin chính xác, rất tốt
    lệ phí bạn đưa không đúng với thực tế
    mình muốn góp ý về chatbot
    bot nên trả lời ngắn gọn hơn
    thủ tục rườm rà quá, nên đơn giản hóa
    cán bộ phường phục vụ rất nhiệt tình
    dịch vụ công bây giờ tiện thật
    tra lời sai be bét
    bot tra loi hay
    gop y cho trang dich vu cong
    câu trả lời thiếu thông tin
    hướng dẫn dễ hiểu, cảm thấy hài lòng
    không hài lòng với câu trả lời
    bot hiểu sai câu hỏi của tôi rồi
    link bạn gửi bị hỏng
    giao diện chat dễ dùng
    bạn trả lời rất nhanh
    trả lời như không
    thông tin bị sai rồi nhé
    câu trả lời hơi dài
    bot cần cải thiện thêm
    chấm 1 sao
    trả lời đúng rồi
    câu trả lời chưa rõ ràng
    bạn hướng dẫn rất chi tiết
    thông tin không cập nhật
    sai thông tin rồi ad ơi
    bot hỗ trợ tốt
    phản hồi: cần thêm ví dụ
    bot này vô dụng
    chatbot vô dụng thật
    giao diện khó dùng quá
    giao diện rối, khó tìm
    trả lời chậm
    bot phản hồi chậm quá
    nên bổ sung thêm thủ tục về thuế
    nên bổ sung chức năng gửi file
    đề nghị bổ sung hướng dẫn bằng video
    bot giỏi quá
    bot trả lời rất chuyên nghiệp
    trợ lý ảo này tốt đấy
    bot ngu quá
    trả lời như cái máy
    hỏi mãi không hiểu
    bot toàn trả lời không liên quan
    hệ thống hay bị lỗi
    web load chậm quá
    ứng dụng hay bị văng
    chữ nhỏ quá khó đọc
    nên có thêm tiếng dân tộc
    bot nên hỗ trợ gửi ảnh
    mình góp ý là nên có nút gọi tổng đài
    phục vụ kém
    cán bộ một cửa làm việc rất nhanh
    bot trả lời đúng trọng tâm
    rất hài lòng với trợ lý ảo
    chưa hài lòng lắm
    bot không hiểu tiếng địa phương
    bot này dở tệ
    tôi thấy bot này khá ổn
    10 điểm cho bot
    chatbot trả lời quá máy móc
    thông tin lệ phí bị sai
    câu trả lời quá dài, đọc mệt
    con bot nay vo dung qua
    giao dien kho dung
    bot tra loi cham the
    nen bo sung them thu tuc
    bot tra loi sai het
    đề xuất thêm chức năng nhắc lịch hẹn
    trang dịch vụ công nên làm giao diện đơn giản hơn
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    bot trả lời sai bét
    sai hết rồi ad ơi
    thông tin này không đúng nha
    lệ phí trên web khác với ngoài phường
    thời gian bạn nói khác với thực tế
    bạn nói sai rồi, phường bảo khác
    trả lời không đúng câu hỏi
    mình hỏi một đằng bot trả lời một nẻo
    bot trả lời hay ghê
    bot xịn quá
    bot dễ thương ghê
    ad trả lời nhiệt tình quá
    bot này được đấy
    dịch vụ tốt
    trang dịch vụ công giờ dễ dùng hơn nhiều rồi
    cổng dịch vụ công dùng tiện lắm
    nên có thêm hướng dẫn bằng hình ảnh
    góp ý: bot nên trả lời ngắn thôi
    đề nghị thêm tính năng tra cứu bằng giọng nói
    mình đề xuất thêm chức năng đặt lịch
    phản hồi về bot: trả lời còn chậm
    bot trả lời dài dòng quá
    trả lời lòng vòng quá
    đọc không hiểu gì hết
    bot trả lời khó hiểu quá
    câu trả lời lạc đề rồi
    thông tin cũ quá rồi, cập nhật đi
    bot tra loi sai bet roi
    bot tra loi hay qua
    thong tin khong dung
    gop y: nen them thu tuc dat dai
    bot nay te qua
    bot hiểu ý mình ghê
    trả lời chuẩn luôn
    bot nói sai rồi đó
    bot trả lời không đúng ý em
    câu trả lời sai lệ phí rồi
    bạn hiểu sai rồi
    không phải vậy
    sai rồi nha
    bot này trả lời được phết
    nên làm giao diện to chữ hơn cho người già
""")

OUT_OF_SCOPE = _lines("""
    bạn có người yêu chưa
    bạn mấy tuổi
    cho tôi xin số điện thoại chủ tịch tỉnh
    chứng khoán có nên mua không
    giá vàng hôm nay
    trời có mưa không
    hướng dẫn nấu phở
    kể chuyện cười đi
    mua vé máy bay ở đâu
    thời tiết hôm nay thế nào
    kết quả xổ số miền bắc
    đội tuyển việt nam đá mấy giờ
    tỷ giá đô la
    giá xăng tuần này
    bitcoin lên hay xuống
    hát một bài đi
    dịch giúp câu này sang tiếng anh
    123 nhân 45 bằng bao nhiêu
    quán ăn ngon gần đây
    cách chữa ho cho trẻ
    viết giúp bài văn tả mẹ
    xem lịch âm
    phim gì hay
    mua điện thoại nào tốt
    công ty nào đang tuyển dụng
    làm sao để giảm cân
    đặt vé tàu tết
    thoi tiet ha noi
    gia vang sjc
    ke chuyen di
    bong da toi nay
    tư vấn mua bảo hiểm nhân thọ
    cách trồng rau sạch
    lãi suất ngân hàng nào cao nhất
    ai là người giàu nhất việt nam
    tình hình giao thông giờ này
    gợi ý quà sinh nhật cho vợ
    tối nay ăn gì
    đọc thơ đi
    cách làm bánh chưng
    tàu điện metro mấy giờ chạy
    dự báo thời tiết ngày mai
    mấy giờ rồi
    cho tôi xem tin tức
    bạn thích ăn gì
    nhà hàng nào mở cửa khuya
    cách sửa máy giặt
    học tiếng anh ở đâu tốt
    có nên mua nhà lúc này không
    xe nào tiết kiệm xăng
    mẹo ngủ ngon
    bạn có biết chơi cờ không
    kết quả bóng đá đêm qua
    giải giúp bài toán lớp 5
    tôi buồn quá
    bạn có yêu tôi không
    đặt phòng khách sạn đà lạt
    review iphone mới ra
    giá thịt lợn
    cách đăng ký gói 4g viettel
    nạp tiền điện thoại
    thi đại học năm nay khó không
    chỗ nào bán xe máy cũ rẻ
    tư vấn chọn laptop
    cách nấu canh chua
    game nào hay
    gọi taxi giúp tôi
    ăn gì cho khỏe
    vé xem phim cuối tuần
    ngày âm lịch là bao nhiêu
    cho tôi công thức nấu cơm chiên
    bạn nghĩ gì về tình yêu
    giá bitcoin
    mấy giờ có trận bóng
    tập gym thế nào cho đúng
    hướng dẫn chơi game
    bây giờ là mấy giờ
    nên đi du lịch ở đâu
    mua sữa cho bé loại nào tốt
    mai hà nội có mưa không
    nhiệt độ sài gòn hôm nay bao nhiêu độ
    bão số 3 bao giờ vào đất liền
    trận man utd tối nay mấy giờ đá
    ai vô địch world cup 2022
    lịch thi đấu v-league tuần này
    giá lúa hôm nay bao nhiêu
    giá vàng 9999 hôm nay bao nhiêu một chỉ
    có nên mua vàng lúc này không
    giá iphone 15 bao nhiêu
    xổ số miền nam hôm nay
    dò vé số giúp tôi
    xem tử vi tuổi dần năm nay
    cung song tử hợp với cung nào
    ngày mai có phải ngày tốt để khai trương không
    cách làm thịt kho tàu
    luộc trứng bao nhiêu phút thì chín
    công thức làm bánh flan
    đi đà nẵng nên ở khách sạn nào
    du lịch phú quốc mùa nào đẹp
    vé máy bay đi sài gòn bao nhiêu
    shopee đang có mã giảm giá không
    mua áo khoác ở đâu rẻ
    đặt đồ ăn trên grab thế nào
    đố vui đi
    25 cộng 17 bằng mấy
    căn bậc hai của 144 là bao nhiêu
    giải phương trình bậc hai giúp mình
    bị sốt thì uống thuốc gì
    đau dạ dày nên ăn gì
    trẻ bị sổ mũi có sao không
    vay tín chấp ngân hàng nào lãi thấp
    lãi suất vay mua nhà hiện nay
    mở thẻ tín dụng ở ngân hàng nào tốt
    đường nào đang tắc
    cầu chương dương có tắc không
    tin tức giao thông sáng nay
    sơn tùng mtp có người yêu chưa
    ca sĩ nào đang hot
    phim mới của trấn thành tên gì
    giúp em làm bài tập tiếng anh
    bài văn nghị luận xã hội lớp 9
    soạn bài tràng giang
    giải bài tập vật lý lớp 10
    công thức tính diện tích hình tròn
    cà phê nào ngon
    bạn có thích mèo không
    bạn ăn cơm chưa
    con chó nhà tôi bị ốm
    cách chăm sóc cây lan
    mua xe vinfast có tốt không
    giá cổ phiếu vnm
    cách tải nhạc trên youtube
    wifi nhà tôi bị chậm
    nấu lẩu thái cần những gì
    đi sapa cần chuẩn bị gì
    làm bánh mì cần nguyên liệu gì
    mua vé xem bóng đá ở đâu
    ở đâu bán bánh cuốn ngon
    xin công thức pha trà sữa
    nên cho con học trường mầm non nào
    thời tiết cuối tuần này thế nào
    hôm nay có nắng không
    giá đô hôm nay
    tỷ giá yên nhật
    xổ số vietlott tối qua ai trúng
    tử vi hôm nay của tôi
    nên đầu tư đất hay vàng
    bị mất ngủ nên làm gì
    đau lưng nên tập bài gì
    cách giảm mỡ bụng
    gia xang ron95 hom nay bao nhieu
    thoi tiet ngay mai the nao
    ket qua xo so hom qua
    ke chuyen cuoi nghe di
    tu vi tuoi ty nam nay
    messi hay ronaldo giỏi hơn
    mua quần áo online ở trang nào uy tín
    tour du lịch thái lan bao nhiêu tiền
    bài hát nào đang thịnh hành
    cao huyết áp nên kiêng gì
    vay tiền mua xe trả góp thế nào
    sao hôm nay đường phố ùn tắc thế
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    hôm nay trời nắng hông
    mai sài gòn mưa hông
    đà lạt giờ lạnh không
    tối nay việt nam đá với thái lan mấy giờ
    kết quả trận tối qua sao rồi
    ai ghi bàn trận hôm qua
    giá vàng hôm nay nhiêu
    giá xăng hôm nay tăng hay giảm
    giá cà phê hôm nay
    giá sầu riêng bao nhiêu một ký
    bạn ăn sáng chưa
    nhà bạn ở đâu
    bạn có buồn không
    bạn thích màu gì
    bạn có bạn gái chưa
    bạn làm ca đêm có mệt không
    kể chuyện tiếu lâm nghe đi
    đố bạn con gì có 4 chân
    nói gì vui đi
    cách làm gỏi cuốn
    nấu bún bò huế thế nào
    cách kho cá
    dò vé số đài tiền giang hôm nay
    xổ số miền trung chiều nay
    vietlott kỳ này jackpot bao nhiêu
    con số may mắn hôm nay
    tuổi mão năm nay có hạn không
    chỗ nào sửa xe gần đây
    mua xe máy trả góp ở đâu
    điện thoại samsung nào pin trâu
    chơi game gì giải trí
    mở nhạc cho tôi nghe
    cách làm đẹp da
    gia vang sjc hom nay bao nhieu
    troi hom nay co mua ko
    ke chuyen cuoi di ad
    ban an com toi chua
    hom nay doi tuyen da may gio
    cach nau bun rieu
    giá heo hơi hôm nay nhiêu
    bạn bao nhiêu tuổi rồi
    bạn có đi làm không
    bạn có mệt không
    trận chung kết tối nay ai thắng
    giá bạc hôm nay
    ăn gì để giảm cân
    hôm nay ngày bao nhiêu âm
""")

LEGAL_ADVICE = _lines("""
    tôi có bị phạt không nếu chậm đăng ký khai sinh cho con
    luật quy định con ngoài giá thú có được chia thừa kế không
    hàng xóm lấn đất nhà tôi thì phải làm sao
    công ty nợ lương thì kiện thế nào
    giải thích giúp điều 5 nghị định 123
    ly hôn đơn phương thì tài sản chia thế nào
    chồng tôi không chịu ký đơn ly hôn thì sao
    đi xe không đội mũ bảo hiểm bị phạt bao nhiêu
    nhà mua bằng giấy tay có hợp pháp không
    đất không có sổ đỏ có bán được không
    bố mẹ mất không để lại di chúc thì chia tài sản thế nào
    bị đuổi việc không báo trước thì đòi quyền lợi thế nào
    cho vay tiền không trả thì kiện ra sao
    quá hạn tạm trú có bị xử phạt không
    tôi làm vậy có vi phạm pháp luật không
    hợp đồng đặt cọc này có hiệu lực không
    tranh chấp quyền nuôi con sau ly hôn
    luật đất đai quy định thế nào về thừa kế quyền sử dụng đất
    tư vấn ly hôn có tranh chấp tài sản
    con riêng của chồng có được hưởng thừa kế không
    bị tai nạn giao thông thì bên kia phải bồi thường bao nhiêu
    không đăng ký tạm trú thì bị phạt thế nào
    xây nhà không phép bị xử lý ra sao
    chủ nhà không trả tiền cọc thì tôi làm gì được
    người nước ngoài đứng tên đất ở việt nam có hợp pháp không
    em bị lừa chuyển khoản thì báo ai, có lấy lại được không
    nghỉ thai sản có bị công ty cho nghỉ việc không
    theo luật thì ai được quyền nuôi con dưới 36 tháng
    luat quy dinh the nao ve chia tai san sau ly hon
    di chuc viet tay co gia tri khong
    toi co bi phat khong neu khong doi cccd
    lái xe uống bia bị phạt bao nhiêu tiền
    chồng nợ nần vợ có phải trả thay không
    tôi bị xử phạt như vậy là đúng hay sai
    bên bán không sang tên cho tôi thì kiện được không
    đất của ông bà để lại, anh em tranh chấp thì giải quyết sao
    người lao động tự ý nghỉ việc có phải bồi thường không
    hiểu điều 212 luật đất đai như thế nào
    tôi bị công ty trừ lương như vậy có đúng luật không
    hàng xóm xây lấn sang đất nhà tôi 20 phân, tôi có quyền kiện không
    mẹ tôi mất, sổ tiết kiệm của mẹ ai được hưởng
    vợ chồng ly thân lâu năm thì tài sản chung tính sao
    cho thuê nhà mà khách không trả tiền thì đuổi được không
    bị phạt nguội có bắt buộc phải nộp không
    tôi ký hợp đồng vay rồi giờ muốn hủy có được không
    chồng đánh vợ thì pháp luật xử lý thế nào
    con tôi 16 tuổi đánh nhau có bị truy cứu trách nhiệm không
    bán đất đã nhận cọc rồi giờ muốn hủy thì phạt cọc bao nhiêu
    mua đất dự án bị lừa thì làm sao đòi lại tiền
    trường hợp của tôi có được bồi thường không
    anh trai tôi chiếm hết nhà của bố mẹ, tôi phải làm sao
    nghỉ việc không báo trước 30 ngày có sao không
    lấn chiếm vỉa hè bán hàng bị phạt bao nhiêu
    người ta nợ tiền không trả có báo công an được không
    giấy viết tay mua bán xe có giá trị pháp lý không
    luật có cho phép tôi làm vậy không
    theo quy định thì tôi có phải bồi thường không
    trường hợp này pháp luật giải quyết thế nào
    tôi có quyền đòi lại nhà không
    ly hôn thì con ở với ai
    vi phạm giao thông này phạt mấy triệu
    mua bán đất không công chứng có hiệu lực không
    bị công ty sa thải khi đang mang thai có đúng luật không
    tôi có quyền từ chối cho hàng xóm đi qua đất nhà mình không
    em bị chủ nhà đuổi trước hạn hợp đồng thì có được bồi thường không
    chồng tôi ngoại tình thì tôi có được nuôi con không
    bố tôi cho anh trai đất mà không hỏi ý kiến các con có đúng không
    không đăng ký khai tử có bị phạt không
    chậm đổi căn cước thì bị phạt bao nhiêu
    đi xe máy không có bằng lái bị phạt thế nào
    người thuê nhà không khai báo tạm trú thì chủ nhà có bị phạt không
    quá hạn gia hạn giấy phép xây dựng có bị xử lý không
    cho bạn mượn xe gây tai nạn thì tôi có phải chịu trách nhiệm không
    hàng xóm để chó cắn con tôi, tôi đòi bồi thường được không
    tài sản mua trước khi cưới có phải chia khi ly hôn không
    tôi đứng tên hộ đất cho người khác giờ họ đòi thì sao
    cha mẹ có quyền đòi lại đất đã cho con không
    công ty không đóng bảo hiểm cho tôi thì tôi kiện được không
    chủ quán không trả lương tháng cuối thì làm gì
    tôi bị người ta nói xấu trên facebook có kiện được không
    con nợ bỏ trốn thì tôi phải làm sao
    mua chung cư chưa có sổ hồng có rủi ro pháp lý gì không
    đánh nhau gây thương tích thì có bị đi tù không
    tôi bị phạt 5 triệu vì không có gplx, như vậy có đúng không
    mượn tiền có giấy viết tay thì kiện được không
    bị sếp quấy rối thì tôi có quyền gì
    người đã ly hôn có được thừa kế của chồng cũ không
    anh em tranh chấp nhà thờ họ thì ai thắng
    trường hợp của mình có vi phạm luật không
    nếu tôi không nộp phạt nguội thì có sao không
    cho tôi lời khuyên pháp lý về việc chia đất
    tư vấn giúp em vụ tranh chấp ranh giới đất
    phan chia tai san khi ly hon the nao
    toi co quyen doi lai tien coc khong
    hang xom lan dat phai lam sao
    neu khong dang ky khai sinh dung han co bi phat khong
    vợ tôi tự ý bán đất chung có hợp pháp không
    hợp đồng thuê nhà không công chứng có bị vô hiệu không
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    em chưa đăng ký tạm trú thì có bị phạt hông
    không đổi căn cước đúng hạn thì có sao không
    quá hạn sang tên xe có bị phạt không
    tôi xây nhà trên đất nông nghiệp có hợp pháp không
    chồng tôi bỏ nhà đi 5 năm, tôi ly hôn được không
    tôi bị phạt tiền vì chưa sang tên xe, như vậy có đúng luật không
    đi xe của bạn mà không có giấy tờ xe có bị phạt không
    con tôi 15 tuổi chạy xe máy 50cc có vi phạm không
    nhà tôi có 2 sổ đỏ, anh tôi tự ý bán một cái thì có hợp pháp không
    cho ở nhờ rồi giờ họ không chịu dọn đi thì sao
    ông bà mất không có di chúc, đất chia cho ai
    di chúc không công chứng có hiệu lực không
    con nuôi có được hưởng thừa kế không
    mình bị phạt nguội mà không phải mình lái thì sao
    theo luật thì tôi có được đòi lại tiền cọc không
    công ty bắt ký cam kết không mang thai có đúng luật không
    không khai báo tạm vắng có bị phạt không
    nhà đang thế chấp ngân hàng có bán được không
    người thuê nhà tự ý sửa nhà thì chủ nhà làm gì được
    đất đang tranh chấp có được xây nhà không
    mình đứng tên chung sổ đỏ với anh trai, giờ muốn bán phần mình có được không
    tôi chậm khai tử cho bố thì có bị xử phạt không
    khi ly hôn thì con 5 tuổi ở với ai
    lam vay co vi pham phap luat khong
    khong dang ky tam tru co bi phat ko
    xay nha khong phep bi phat bao nhieu
    di chuc mieng co gia tri khong
    hàng xóm trồng cây lấn sang nhà tôi thì tôi chặt được không
    em bị công ty giữ bằng gốc có đúng luật không
    bị phạt vì không mang căn cước có đúng không
    tôi ký giấy vay hộ bạn giờ bạn bỏ trốn thì tôi có phải trả không
    ở nhà thuê mà không khai báo tạm trú thì có sao hông
    tôi làm vậy có bị phạt hông
    trường hợp của em có bị xử phạt không
    làm vậy có hợp pháp không
    tôi có vi phạm gì không
    sống chung mà không đăng ký kết hôn thì có sao không
    con sinh ra khi bố mẹ chưa đăng ký kết hôn có được hưởng thừa kế không
    em có được đòi lại đất đã cho mượn không
    không xin phép mà sửa nhà thì có bị phạt không
""")

COMPLAINT = _lines("""
    tôi muốn khiếu nại cán bộ phường
    tố cáo cán bộ nhận hối lộ
    khiếu nại quyết định thu hồi đất
    cán bộ một cửa hạch sách, tôi muốn phản ánh
    tố cáo tham nhũng ở xã
    cán bộ đòi tiền bồi dưỡng mới giải quyết hồ sơ
    tôi không đồng ý với quyết định xử phạt, muốn khiếu nại
    hồ sơ bị trễ hẹn hai tháng, tôi muốn khiếu nại
    cán bộ thái độ hách dịch với dân
    gửi đơn khiếu nại ở đâu
    tôi muốn tố cáo hàng xóm xây nhà trái phép
    phản ánh việc cán bộ địa chính làm khó dân
    khiếu nại về việc bồi thường giải phóng mặt bằng không thỏa đáng
    tố cáo công an xã đánh người
    tôi bị cán bộ từ chối nhận hồ sơ không có lý do, muốn khiếu nại
    làm đơn tố cáo cán bộ tiếp nhận hồ sơ gây nhũng nhiễu
    cán bộ bắt nộp thêm giấy tờ không đúng quy định, tôi phản ánh
    tôi muốn khiếu nại lần hai vì không đồng ý kết quả giải quyết
    tố cáo chủ tịch xã làm sai
    phản ánh kiến nghị về thái độ phục vụ của công chức
    cán bộ thu tiền mà không đưa biên lai
    khieu nai can bo phuong
    to cao tham nhung
    toi muon khieu nai quyet dinh cua ubnd huyen
    can bo gay kho de doi tien
    tôi muốn kiện quyết định hành chính của ubnd
    khiếu nại việc cấp sổ đỏ sai cho người khác
    tố cáo cơ sở kinh doanh gây ô nhiễm
    gửi phản ánh về cán bộ làm việc riêng trong giờ
    tôi muốn tố giác hành vi làm giả giấy tờ
    cán bộ hẹn mãi không trả kết quả, tôi bức xúc muốn khiếu nại
    khiếu nại ở đâu khi cán bộ sai
    tôi muốn phản ánh cán bộ tiếp dân gắt gỏng
    khiếu nại về việc không được bồi thường đất
    tố cáo cán bộ địa chính nhận tiền của dân
    tôi bị xử phạt sai, khiếu nại thế nào
    làm đơn khiếu nại quyết định cưỡng chế
    cán bộ làm mất hồ sơ của tôi, tôi muốn khiếu nại
    tố cáo công chức lạm quyền
    phản ánh việc công an phường gây khó dễ khi đăng ký tạm trú
    tôi muốn gửi đơn tố cáo
    khiếu nại cán bộ trả hồ sơ trễ hẹn
    cán bộ không hướng dẫn mà còn quát tôi, tôi muốn phản ánh
    tôi muốn khiếu nại về cách làm việc của công an xã
    to cao can bo nhan tien
    khieu nai quyet dinh xu phat
    tôi bức xúc vì cán bộ bắt chờ cả buổi rồi đuổi về, muốn khiếu nại
    # Other structures: question word or procedure first/last, polite openings, background
    # clauses, very short forms, southern/central/northern variants, typos.
    tôi muốn khiếu nại cán bộ tiếp nhận hồ sơ
    em muốn tố cáo cán bộ xã nhận tiền
    cán bộ phường đòi tiền cà phê mới nhận hồ sơ
    làm đơn khiếu nại gửi ai
    đơn tố cáo nộp ở đâu
    tôi muốn phản ánh cán bộ một cửa thái độ không tốt
    cán bộ quát nạt dân, tôi muốn phản ánh
    khiếu nại quyết định xử phạt vi phạm hành chính
    tôi không đồng ý quyết định thu hồi đất, muốn khiếu nại
    tố cáo cán bộ địa chính bao che cho hàng xóm xây lấn
    tố cáo công an phường nhận hối lộ
    khiếu nại việc chậm trả kết quả hồ sơ
    hồ sơ của tôi trễ hẹn mà không ai xin lỗi, tôi muốn khiếu nại
    tôi muốn khiếu nại vì bị từ chối hồ sơ vô lý
    cán bộ gợi ý làm dịch vụ để nhanh hơn, đây là nhũng nhiễu, tôi phản ánh
    tố cáo chủ tịch phường
    khiếu nại về giá bồi thường đất
    muốn kiện ubnd xã
    cán bộ ghi sai tên trong giấy tờ mà không chịu sửa, tôi muốn khiếu nại
    tôi muốn tố cáo việc xây dựng trái phép
    phản ánh tình trạng cò mồi ở bộ phận một cửa
    khieu nai can bo mot cua
    to cao can bo xa
    toi muon to cao tham nhung
    can bo doi tien moi giai quyet
    gửi đơn khiếu nại lên huyện thế nào
    khiếu nại lần đầu nộp cho ai
    tôi bị cán bộ xúc phạm, muốn khiếu nại
    tố cáo cán bộ thuế vòi tiền
    cán bộ bắt nộp thêm tiền không có biên lai, tôi tố cáo
    tôi muốn gửi đơn phản ánh cán bộ
    khiếu nại cán bộ làm sai quy trình
    tố cáo hành vi nhận tiền để làm nhanh hồ sơ
    em muốn khiếu nại vì bị phạt oan
""")

SPECS: tuple[IntentSpec, ...] = (
    IntentSpec("ask_documents", "aspects", ASK_DOCUMENTS, target=ASPECT_TARGET),
    IntentSpec("ask_processing_time", "aspects", ASK_PROCESSING_TIME, target=ASPECT_TARGET),
    IntentSpec("ask_fee", "aspects", ASK_FEE, target=ASPECT_TARGET),
    IntentSpec("ask_submission", "aspects", ASK_SUBMISSION, target=ASPECT_TARGET),
    IntentSpec("ask_online", "aspects", ASK_ONLINE, target=ASPECT_TARGET),
    IntentSpec("ask_payment", "aspects", ASK_PAYMENT, target=ASPECT_TARGET),
    IntentSpec("ask_steps", "aspects", ASK_STEPS, target=ASPECT_TARGET),
    IntentSpec("ask_forms", "aspects", ASK_FORMS, target=ASPECT_TARGET),
    IntentSpec("ask_conditions", "aspects", ASK_CONDITIONS, target=ASPECT_TARGET),
    IntentSpec("ask_result", "aspects", ASK_RESULT, target=ASPECT_TARGET),
    IntentSpec("ask_legal_basis", "aspects", ASK_LEGAL_BASIS, target=ASPECT_TARGET),
    IntentSpec("ask_procedure", "procedure", ASK_PROCEDURE, target=75),
    IntentSpec("ask_dossier_status", "dossier", ASK_DOSSIER_STATUS, target=60),
    # A bare answer gets no polite particles around it.
    IntentSpec("inform", "dossier", INFORM, particles=False),
    IntentSpec("ask_general", "general", ASK_GENERAL),
    IntentSpec("greet", "smalltalk", GREET, particles=False),
    IntentSpec("goodbye", "smalltalk", GOODBYE, particles=False),
    IntentSpec("thank", "smalltalk", THANK, particles=False),
    IntentSpec("bot_capabilities", "smalltalk", BOT_CAPABILITIES),
    IntentSpec("ask_human", "smalltalk", ASK_HUMAN, particles=False),
    IntentSpec("feedback", "smalltalk", FEEDBACK, particles=False),
    IntentSpec("out_of_scope", "scope", OUT_OF_SCOPE, particles=False),
    IntentSpec("legal_advice", "scope", LEGAL_ADVICE),
    IntentSpec("complaint", "scope", COMPLAINT, particles=False),
)

TOPIC_HEADERS: dict[str, str] = {
    "aspects": "Questions about one aspect of a procedure (documents, time, fee, where, online, "
    "payment, steps, forms, conditions, result, legal basis), with or without naming it.",
    "procedure": "A procedure named without an aspect, or asked about in general.",
    "dossier": "The status of one's own dossier, and bare answers (dossier codes, 4 digits, "
    "dates); the dossier_code regex.",
    "general": "General questions not about one procedure: portal account and VNeID login, "
    "passwords and OTP, office hours, hotline, desk addresses.",
    "smalltalk": "Greetings, goodbyes, thanks, what the assistant can do, asking for a person, "
    "feedback.",
    "scope": "What the assistant does not answer: other topics, legal advice, complaints and "
    "denunciations.",
}

# --------------------------------------------------------------------------------------------
# Surface variation.
# --------------------------------------------------------------------------------------------
# Shorthand citizens type, applied to accented text before diacritics may be removed.
SHORTHAND: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("căn cước công dân", ("cccd",)),
    ("giấy phép lái xe", ("gplx",)),
    ("dịch vụ công", ("dvc",)),
    ("trực tuyến", ("onl", "online")),
    ("như thế nào", ("ntn",)),
    ("bao nhiêu", ("bn", "bnhiu")),
    ("không", ("ko", "k", "hok", "khg", "hông")),
    ("được", ("đc", "dc")),
    ("gì", ("j", "gi")),
    ("số điện thoại", ("sdt", "sđt")),
    ("tài khoản", ("tk",)),
    ("hồ sơ", ("hs",)),
    ("đăng ký", ("đk", "dky", "dki")),
    ("giấy khai sinh", ("gks",)),
    ("bảo hiểm xã hội", ("bhxh",)),
    ("bảo hiểm y tế", ("bhyt",)),
    ("ủy ban nhân dân", ("ubnd",)),
    ("chứng minh nhân dân", ("cmnd",)),
    ("quyền sử dụng đất", ("qsdđ",)),
    ("hộ kinh doanh", ("hkd",)),
    ("lý lịch tư pháp", ("lltp",)),
    ("với", ("vs",)),
    ("vậy", ("v", "z", "zậy", "dzậy")),
    ("rồi", ("r", "rùi")),
    ("mình", ("mk", "mik")),
    ("biết", ("bít", "bik")),
    ("bạn", ("b",)),
    ("ạ", ("a", "ah")),
)
PREFIXES: tuple[str, ...] = (
    "cho em hỏi ", "cho mình hỏi ", "cho hỏi ", "xin hỏi ", "ad ơi ", "ad ơi cho hỏi ",
    "bạn ơi, ", "chị ơi cho em hỏi ", "anh ơi ", "dạ cho em hỏi ", "mọi người ơi ",
    "hỏi chút: ", "tôi muốn hỏi ", "e hỏi chút ", "cho tôi hỏi là ", "dạ ", "xin chào, ",
)
SUFFIXES: tuple[str, ...] = (
    " ạ", " vậy", " ạ?", "?", " nhỉ", " a", " ad", " vậy ạ", " thế", " nhé", "??", " v",
    " ạ.", " vậy bạn",
)
# Openings that already carry a polite prefix: adding another reads like a machine.
_POLITE_OPENINGS = (
    "cho ", "xin ", "em ", "tôi ", "mình ", "ad ", "dạ ", "hỏi ", "anh ơi", "chị ơi", "bạn ơi", "tui ",
)
# Endings that already close the message (northern, southern and central particles alike).
_PARTICLE_ENDINGS = frozenset(
    {"ạ", "a", "ah", "vậy", "vay", "v", "ad", "nhé", "nhe", "nha", "nhỉ", "nhi", "r", "với", "voi", "thế",
     "hen", "nhen", "nghen", "dzậy", "zậy", "hả", "ha", "à", "hông", "chị", "anh", "răng", "mô", "chi"}
)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics (đ -> d) but keep the letter case."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in "đĐ":
            out.append("d" if char == "đ" else "D")
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn"
        )
        out.append(base or char)
    return unicodedata.normalize("NFC", "".join(out))


def _has_diacritics(text: str) -> bool:
    """Whether `text` has any Vietnamese diacritic (or đ)."""
    return strip_diacritics(text) != text


def _shorten(text: str, rng: random.Random) -> str:
    """Replace some full words by the shorthand citizens type (each rule with probability 0.6)."""
    for full, shorts in SHORTHAND:
        pattern = re.compile(rf"(?<!\w){re.escape(full)}(?!\w)", re.IGNORECASE)
        if pattern.search(text) and rng.random() < 0.6:
            short = rng.choice(shorts)
            text = pattern.sub(lambda _m, s=short: s, text)
    return text


def _typo(text: str, rng: random.Random) -> str:
    """Make one typing slip in a word of four letters or more (never in a code or `{code}`)."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    k = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        word = word[:k] + word[k + 1 :]
    elif kind == "double":
        word = word[:k] + word[k] + word[k:]
    else:
        word = word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]
    words[i] = word
    return " ".join(words)


def vary(text: str, spec: IntentSpec, rng: random.Random, *, unaccented: bool) -> str:
    """Vary the surface of one message the way citizens' messages vary.

    Args:
        text: The message with its procedure filled in (``{code}`` may still be in it).
        spec: The intent the message belongs to (decides which variations apply).
        rng: The seeded random source.
        unaccented: Whether to type the message without diacritics.

    Returns:
        The varied message.
    """
    if not spec.vary:
        return text
    if spec.particles:
        if rng.random() < PREFIX_RATE and not text.lower().startswith(_POLITE_OPENINGS):
            text = rng.choice(PREFIXES) + text
        last_word = text.rstrip("?. ").rsplit(" ", 1)[-1].lower()
        if rng.random() < SUFFIX_RATE and not text.endswith("?") and last_word not in _PARTICLE_ENDINGS:
            text = text + rng.choice(SUFFIXES)
    if rng.random() < ABBREVIATE_RATE:
        text = _shorten(text, rng)
    if rng.random() < TYPO_RATE:
        text = _typo(text, rng)
    if unaccented:
        text = strip_diacritics(text)
        if rng.random() < 0.85:
            text = text.lower()
    elif rng.random() < CAPITALISE_RATE and text[:1].isalpha():
        text = text[0].upper() + text[1:]
    return text


# --------------------------------------------------------------------------------------------
# Dossier codes.
# --------------------------------------------------------------------------------------------
def make_dossier_code(rng: random.Random) -> str:
    """Invent a plausible dossier code in one of the formats the one-stop-desk systems print.

    ``000.00.12.H37-251012-0003`` (agency code, province ``H37``, received date, number) or the
    short portal form ``H37.22-251012-0001``; sometimes typed in lower case.
    """
    province = f"H{rng.randint(1, 64):02d}"
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    date = f"{rng.choice((24, 25))}{month:02d}{day:02d}"
    number = f"{rng.choice((rng.randint(1, 40), rng.randint(1, 9999))):04d}"
    if rng.random() < 0.7:
        agency = rng.choice(
            (f"000.00.{rng.randint(1, 40):02d}", f"000.{rng.randint(1, 40):02d}.{rng.randint(1, 40):02d}")
        )
        code = f"{agency}.{province}-{date}-{number}"
    else:
        code = f"{province}.{rng.randint(1, 99):02d}-{date}-{number}"
    return code.lower() if rng.random() < 0.15 else code


def dossier_code_regex() -> str:
    """Return the ``dossier_code`` regex for Rasa's RegexEntityExtractor and RegexFeaturizer.

    It is ``vntext.patterns.DOSSIER_CODE`` as is, except where a whole date or phone number
    stands: there ``find_protected`` gives the earlier kind, so "20-11-2025" stays a date.
    """
    return f"(?!{DATE.pattern})(?!{PHONE.pattern}){DOSSIER_CODE.pattern}"


def _check_code(code: str, regex: re.Pattern[str]) -> None:
    """Raise ValueError unless `code` is one whole DOSSIER_CODE span that `regex` matches too."""
    spans = find_protected(f"mã {code} nhé")
    if [(s.kind, s.text) for s in spans] != [("DOSSIER_CODE", code)]:
        raise ValueError(f"not a whole DOSSIER_CODE span: {code!r} -> {spans}")
    if [m.group() for m in regex.finditer(f"mã {code} nhé")] != [code]:
        raise ValueError(f"the dossier_code regex does not match {code!r}")


# --------------------------------------------------------------------------------------------
# Generation and output.
# --------------------------------------------------------------------------------------------
_CODE_ANNOTATION_RE = re.compile(r"\[[^\]]+\]\(dossier_code\)")


def _key(text: str) -> str:
    """The form two examples are compared in: folded, code-free, without punctuation."""
    text = _CODE_ANNOTATION_RE.sub("CODE", text)
    return " ".join(re.sub(r"[?.,!:]", " ", fold(text)).split())


def other_examples() -> list[tuple[str, str]]:
    """The (intent, example) pairs of the NLU files this script does not write (choices.yml)."""
    ours = {f"{spec.topic}.yml" for spec in SPECS}
    pairs = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        if path.name in ours:
            continue
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in item:
                pairs += [
                    (item["intent"], line[2:].strip())
                    for line in item.get("examples", "").splitlines()
                    if line.startswith("- ")
                ]
    return pairs


def generate(seed: int = SEED) -> dict[str, list[str]]:
    """Build every intent's examples.

    Args:
        seed: Seed of the random source (the same seed gives the same examples).

    Returns:
        Examples by intent, in the order of `SPECS`.

    Raises:
        ValueError: When an example cannot be made unique, or a dossier code is malformed.
    """
    rng = random.Random(seed)
    regex = re.compile(dossier_code_regex())
    # Folded form -> the intent it belongs to, starting with the hand-written NLU files.
    owner: dict[str, str] = {_key(text): intent for intent, text in other_examples()}
    examples: dict[str, list[str]] = {}
    for spec in SPECS:
        procedures = list(PROCEDURES)
        rng.shuffle(procedures)
        cursor = 0
        out: list[str] = []
        phrasings = list(spec.phrasings)
        if spec.target is not None:
            fillable = [ph for ph in spec.phrasings if P in ph or CODE in ph]
            rng.shuffle(fillable)
            phrasings += fillable[: max(0, spec.target - len(phrasings))]
        # A fixed share per intent, so that no intent is learnt from accented text only.
        n_plain = round(FOLD_RATE * len(phrasings))
        plain = [True] * n_plain + [False] * (len(phrasings) - n_plain)
        rng.shuffle(plain)
        for phrasing, unaccented in zip(phrasings, plain, strict=True):
            if P not in phrasing and owner.get(_key(phrasing), spec.name) != spec.name:
                # The bare phrasing itself belongs elsewhere: a data error, not bad luck.
                raise ValueError(f"{phrasing!r} is in {owner[_key(phrasing)]} and {spec.name}")
            for _attempt in range(30):
                text = phrasing
                if P in text:
                    text = text.replace(P, procedures[cursor % len(procedures)])
                    cursor += 1
                text = vary(text, spec, rng, unaccented=unaccented)
                if CODE in text:
                    code = make_dossier_code(rng)
                    _check_code(code, regex)
                    text = text.replace(CODE, f"[{code}](dossier_code)")
                key = _key(text)
                taken = owner.get(key)
                # Messages that differ only in their dossier code are different examples.
                if taken is None or (taken == spec.name and CODE in phrasing and text not in out):
                    owner[key] = spec.name
                    out.append(text)
                    break
            else:
                raise ValueError(f"cannot make {phrasing!r} unique in {spec.name}")
        examples[spec.name] = out
    _check_no_cross_intent_duplicates(examples)
    return examples


def _check_no_cross_intent_duplicates(examples: dict[str, list[str]]) -> None:
    """Raise ValueError if one example (compared folded) stands under two intents."""
    seen: dict[str, str] = {}
    for intent, texts in examples.items():
        for text in texts:
            key = _key(text)
            if seen.setdefault(key, intent) != intent:
                raise ValueError(f"{text!r} is in {seen[key]} and {intent}")


def render(examples: dict[str, list[str]]) -> dict[str, str]:
    """Render the examples as Rasa 3.x YAML, one file per topic.

    Returns:
        File contents by file name (``<topic>.yml``).
    """
    topics: dict[str, list[str]] = {}
    for spec in SPECS:
        lines = topics.setdefault(spec.topic, [])
        lines.append(f"  - intent: {spec.name}")
        lines.append("    examples: |")
        lines.extend(f"      - {text}" for text in examples[spec.name])
    topics["dossier"] += [
        "  # Rasa's RegexEntityExtractor and RegexFeaturizer read this: vntext.patterns.DOSSIER_CODE",
        "  # (the tokenizer keeps the same spans whole), except where a whole date or phone stands.",
        "  - regex: dossier_code",
        "    examples: |",
        f"      - {dossier_code_regex()}",
    ]
    files = {}
    for topic, lines in topics.items():
        header = [
            f"# {TOPIC_HEADERS[topic]}",
            "# Generated by scripts/gen_nlu_examples.py: edit the phrasings there and re-run it.",
            'version: "3.1"',
            "nlu:",
        ]
        files[f"{topic}.yml"] = "\n".join(header + lines) + "\n"
    return files


def report(examples: dict[str, list[str]]) -> str:
    """Counts per intent and the share typed without diacritics (dossier codes left out)."""
    rows = []
    total = unaccented = 0
    for intent, texts in examples.items():
        plain = sum(not _has_diacritics(_CODE_ANNOTATION_RE.sub("", t)) for t in texts)
        total += len(texts)
        unaccented += plain
        rows.append(f"{intent:22} {len(texts):4d}  {100 * plain / len(texts):5.1f}% unaccented")
    rows.append(f"{'total':22} {total:4d}  {100 * unaccented / total:5.1f}% unaccented")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the NLU files; print counts per intent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    args = parser.parse_args(argv)
    examples = generate()
    files = render(examples)
    if args.check:
        stale = [
            name
            for name, content in files.items()
            if not (NLU_DIR / name).is_file()
            or (NLU_DIR / name).read_text(encoding="utf-8") != content
        ]
        if stale:
            print(f"stale: {', '.join(stale)} (run scripts/gen_nlu_examples.py)")
            return 1
        return 0
    NLU_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (NLU_DIR / name).write_text(content, encoding="utf-8")
    print(report(examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
