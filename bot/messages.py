"""Every sentence a user reads, in one place, so wording can be reviewed without touching logic."""

from __future__ import annotations

# --- answers -------------------------------------------------------------------------------
DID_YOU_MEAN = "Có phải bạn muốn hỏi một trong các câu sau?"
FALLBACK = (
    "Mình chưa hiểu rõ câu hỏi này 😅. Mình trả lời được về: học tiếp sau lớp 9 và lớp 12, "
    "học nghề (sơ cấp, trung cấp, cao đẳng), học phí và vay vốn, Trường Cao đẳng Long An, "
    "đi làm việc ở nước ngoài theo hợp đồng, và cách chọn nghề. "
    "Bạn thử hỏi ngắn gọn hơn, hoặc chọn một mục bên dưới."
)
# a fallback that still leans to a few topics: offered as buttons under it
FALLBACK_MAYBE = (
    "Mình chưa chắc hiểu đúng câu hỏi này 😅. Có phải bạn muốn hỏi một trong các chủ đề bên "
    "dưới? Nếu không phải, bạn thử hỏi ngắn gọn hơn, mỗi lần một ý nhé."
)
# before any answer to a message that tells of worry, sadness or pressure (no crisis)
FEELING = (
    "💛 Nghe bạn kể, mình hiểu chuyện này không dễ. Bạn không phải tự gánh một mình: người thân "
    "và thầy cô tư vấn của trường có thể cùng bạn tính."
)
EMPTY = "Bạn gõ câu hỏi bằng chữ giúp mình nhé, ví dụ: “học trung cấp có mất học phí không?”"
GREETING = (
    "Chào bạn 👋 Mình là trợ lý hướng nghiệp. Bạn cứ hỏi về học tiếp sau lớp 9, lớp 12, học nghề, "
    "học phí, vay vốn hay đi làm việc ở nước ngoài nhé, hoặc xem các chủ đề bên dưới."
)
THANKS = "Không có gì nha 😊 Cần hỏi thêm thì bạn cứ nhắn mình."
STALE = (
    "⚠️ Thông tin này được rà soát lần cuối ngày {date}, có thể đã cũ: bạn nên hỏi lại nhà trường."
)
SOURCES = "Nguồn"
RELATED = "Xem thêm"
ALSO = "Bạn cũng hỏi"
ALSO_BUTTON = "❓ Bạn cũng hỏi: {title}"
SECOND_ANSWER = "\n❓ {title}\n{text}"  # a second question of the message, answered briefly
WHOLE_ANSWER = "Xem cả câu trả lời"  # after a facet's short answer: the whole entry
NAMED_SUGGEST = "Bạn muốn hỏi gì về {name}? Chọn một chủ đề bên dưới nhé."
NEAR_DOMAIN_TAIL = "Bạn có thể xem các chủ đề mình trả lời được ở bên dưới."
CLI_SCORE = "độ tin cậy"

# --- safety: a child who may be in danger, an illegal request (bot/answering/safety.py) -------
SAFETY_OPENING = {
    "self-harm": (
        "Cảm ơn bạn đã nói ra điều này. Bạn không phải chịu một mình, và cảm giác của bạn là "
        "thật, đáng được lắng nghe."
    ),
    "abuse": (
        "Cảm ơn bạn đã tin và kể ra. Không ai được phép làm tổn thương bạn, và đó không phải "
        "lỗi của bạn."
    ),
    "danger": "Điều quan trọng nhất lúc này là bạn (hoặc người bạn nói tới) được an toàn.",
}
# A worker abroad, or a relative telling of one ("anh em qua Hàn làm bị chủ đánh"): not the
# child's opening, which speaks to the victim.
SAFETY_OPENING_ABROAD = (
    "Cảm ơn bạn đã kể. Người lao động ở nước ngoài bị đánh, bị giữ giấy tờ, bị ép làm việc hay "
    "gặp nguy hiểm đều có quyền được giúp, dù người kể là chính họ hay người thân."
)
SAFETY_CALL = (
    "• Gọi **111**: Tổng đài quốc gia bảo vệ trẻ em, miễn phí, 24 giờ mỗi ngày. Trẻ em gọi được, "
    "người lớn gọi giúp một em cũng được."
)
SAFETY_EMERGENCY = (
    "• Nếu đang nguy hiểm ngay lúc này: gọi **113** (công an) hoặc **115** (cấp cứu), miễn phí."
)
SAFETY_ABROAD = (
    "• Nếu đang ở nước ngoài: gọi Đại sứ quán hoặc Tổng lãnh sự quán Việt Nam ở nước đó và "
    "doanh nghiệp đã đưa đi. Người lao động có quyền chấm dứt hợp đồng khi bị ngược đãi, "
    "cưỡng bức lao động hoặc gặp nguy hiểm (Điều 6 Luật 69/2020/QH14)."
)
# ... and, for someone abroad, what works from there and what the family at home can do
# (free typing 17: a sister held in Taiwan got "113, 115" and "tell your homeroom teacher")
SAFETY_CALL_ABROAD = (
    "• Nếu người gặp chuyện chưa đủ 18 tuổi: gọi **111** (Tổng đài quốc gia bảo vệ trẻ em, miễn "
    "phí, 24 giờ mỗi ngày); người thân ở Việt Nam gọi giúp được."
)
SAFETY_EMERGENCY_ABROAD = (
    "• 113 (công an), 115 (cấp cứu) chỉ gọi được ở Việt Nam. Ở nước ngoài mà nguy hiểm ngay lúc "
    "này: gọi số khẩn cấp của nước đó, rồi báo Đại sứ quán."
)
SAFETY_FAMILY_ABROAD = (
    "• Gia đình ở nhà: báo UBND xã/phường nơi cư trú; giữ lại tin nhắn, hợp đồng, giấy tờ làm "
    "bằng chứng."
)
SAFETY_ADULT = (
    "• Hãy nói ngay với một người lớn bạn tin: ba mẹ, người thân, thầy cô chủ nhiệm hoặc thầy cô "
    "tư vấn của trường."
)
# ... when the message names a parent: who may be part of what happens at home
SAFETY_ADULT_OUTSIDE = (
    "• Hãy nói ngay với một người lớn bạn tin ở ngoài nhà: thầy cô chủ nhiệm, thầy cô tư vấn của "
    "trường, hoặc một người thân khác như ông bà, cô dì, chú bác."
)
# a crisis message that also asks a career question: that topic stays one tap away
SAFETY_ASKED_TOO = "• Điều bạn hỏi thêm, mình vẫn trả lời ở nút bên dưới, khi bạn sẵn sàng."
SAFETY_ASKED_BUTTON = "📘 {title}"
SAFETY_COUNSEL_HINT = "Bấm nút bên dưới để nhắn ngay cho thầy cô tư vấn của trường."
SAFETY_NO_COUNSEL_HINT = "Bạn có thể gặp thầy cô tư vấn hoặc giáo viên chủ nhiệm ngay ở trường."
SAFETY_COUNSEL_BUTTON = "🆘 Nhắn ngay cho thầy cô tư vấn"
SAFETY_ILLEGAL_HEAD = "Mình không giúp được việc này."
SAFETY_ILLEGAL_TAIL = "Có cách làm đúng luật: bạn bấm nút bên dưới để xem nhé."
SAFETY_LEGAL_BUTTON = "✅ Cách làm đúng luật: {title}"
TICKET_URGENT_HEADER = (
    "🚨 **KHẨN** · Phiếu #{id} · {audience} · Trường: {school}\n"
    "Người hỏi có thể đang gặp nguy hiểm ({concern}) và đã bấm nút nhờ thầy cô tư vấn. "
    "Hãy trả lời sớm nhất; những gì họ nhắn tiếp sẽ tới trong phiếu này.\n"
    "Trả lời (reply) vào tin nhắn của phiếu này để gửi cho người hỏi; /ketthuc {id} để đóng."
)
SAFETY_CONCERN_LABELS = {
    "self-harm": "có ý nghĩ tự làm hại mình",
    "abuse": "bị bạo hành, xâm hại hoặc ép buộc",
    "danger": "đang ở hoàn cảnh nguy hiểm",
    "illegal": "hỏi việc trái luật",
}
TICKET_URGENT_OPENED = (
    "🆘 Đã báo **khẩn** cho thầy cô tư vấn (phiếu **#{id}**). Bạn cứ nhắn điều đang xảy ra, "
    "thầy cô sẽ trả lời ngay tại đây. Nếu đang nguy hiểm, gọi 113 hoặc 111 ngay, đừng chờ. "
    "Gõ /ketthuc khi xong."
)

# --- terminal chat ---------------------------------------------------------------------------
CHAT_WELCOME = (
    "careerbot – trợ lý hướng nghiệp (chế độ dòng lệnh, không cần Telegram).\n"
    "Gõ câu hỏi rồi Enter. Gõ số để xem gợi ý, /menu để xem chủ đề, /thoat để thoát."
)
CHAT_PROMPT = "Bạn: "
CHAT_BYE = "Tạm biệt, chúc bạn chọn được hướng đi phù hợp!"
CHAT_MENU_HINT = "Gõ mã chủ đề (ví dụ vet.levels) hoặc số thứ tự để xem."
CHAT_DETAILS_HINT = "gõ “chi tiết” để đọc thêm, hoặc số thứ tự để mở chủ đề liên quan"
CHAT_NO_SUCH_CHOICE = "Không có lựa chọn số {n}."
CHAT_UNKNOWN_COMMAND = (
    "Lệnh này không dùng được ở đây. Gõ /menu để xem các chủ đề, /thoat để thoát."
)

# --- command line errors ---------------------------------------------------------------------
ERR_EMPTY_QUESTION = "Câu hỏi trống: hãy nhập một câu hỏi."
ERR_KNOWLEDGE = "Thư mục kiến thức có lỗi ({count} lỗi), chạy `careerbot kb check` để xem chi tiết."
DB_CORRUPT = (
    "Cơ sở dữ liệu {path} bị hỏng ({detail}). Dừng bot rồi khôi phục bản sao lưu gần nhất: "
    "careerbot restore FILE"
)
DB_BUSY_FOR_RESTORE = (
    "Bot đang chạy trên cơ sở dữ liệu {path} (khoá {lock}): hãy dừng bot trước (docker compose "
    "stop careerbot), rồi chạy lại lệnh khôi phục."
)
DB_BUSY_FOR_BOT = (
    "Cơ sở dữ liệu {path} đang được một bot khác hoặc một lệnh khôi phục dùng (khoá {lock}): "
    "mỗi cơ sở dữ liệu chỉ một bot chạy."
)
CLI_DATABASE = "Cơ sở dữ liệu: {path}"
CLI_NO_DATABASE = (
    "Không có cơ sở dữ liệu {path}. Chạy lệnh trong thư mục có tệp .env của bot, hoặc đặt "
    "CAREERBOT_DB là đường dẫn tới tệp của bot (ví dụ CAREERBOT_DB=/data/careerbot.db)."
)
KB_OK = ("Kiến thức hợp lệ: {entries} mục, {questions} cách hỏi, {surveys} khảo sát, "
         "{training} câu huấn luyện.")
KB_TRAINED = ("Đã huấn luyện và lưu sẵn các mô hình vào {folder} ({files} tệp): lần khởi động sau "
              "dùng lại, không phải huấn luyện.")

# --- Telegram: welcome and audience ---------------------------------------------------------
WELCOME = (
    "Chào bạn 👋 Mình là **trợ lý hướng nghiệp**. Mình trả lời ngắn gọn, có nguồn, về:\n"
    "• học tiếp sau lớp 9, lớp 12\n"
    "• học nghề: sơ cấp, trung cấp, cao đẳng\n"
    "• học phí, vay vốn, học bổng\n"
    "• đi làm việc ở nước ngoài theo hợp đồng\n"
    "• chọn nghề, khảo sát của nhà trường\n\n"
    "Bạn cứ gõ câu hỏi, có dấu hay không dấu đều được. Cho mình biết bạn là ai nhé:"
)
AUDIENCE_LABELS = {
    "student9": "Học sinh lớp 9",
    "student12": "Học sinh lớp 12",
    "parent": "Phụ huynh",
    "staff": "Thầy cô",
}
AUDIENCE_SAVED = (
    "Đã ghi nhận: bạn là **{label}**. Gõ câu hỏi bất kỳ, hoặc bấm /menu để xem các chủ đề."
)
SCHOOL_JOINED = "🏫 Bạn đã tham gia {school} qua đường liên kết của trường."


def school_named(name: str, bold: bool = True) -> str:
    """"trường **THCS An Lạc**", or "**Trường THCS An Lạc**" when the name says it already."""
    shown = f"**{name}**" if bold else name
    return shown if name[:6].casefold() == "trường" else f"trường {shown}"

BAD_PAYLOAD = "Đường liên kết này không đúng hoặc đã cũ, nên mình mở lời chào nhé."
STALE_BUTTON = "Nội dung này đã cũ, bạn bấm /menu nhé"
NOT_FOR_YOU = "Nút này không dành cho bạn."

# --- Telegram: menu and answers ------------------------------------------------------------
MENU_TITLE = "📋 Chọn một nhóm chủ đề:"
BACK = "⬅️ Quay lại"
MENU_BUTTON = "📋 Xem các chủ đề"
MY_DATA_BUTTON = "🔒 Dữ liệu của tôi"
ERASE_BUTTON = "🗑 Xoá dữ liệu"
DETAILS_BUTTON = "📖 Xem chi tiết"
DETAILS_TITLE = "📖 {title} (chi tiết)"
GROUP_ICON = "📂 "
GROUP_PICK = "Chọn câu hỏi:"
COUNSEL_BUTTON = "🙋 Hỏi người tư vấn"
VOTE_UP = "👍 Hữu ích"
VOTE_DOWN = "👎 Chưa đúng ý"
VOTE_THANKS = "Cảm ơn bạn đã góp ý!"
VOTE_SORRY = "Cảm ơn bạn! Mình sẽ báo để người phụ trách xem lại câu trả lời này."
SOURCES_LINE = "📚 __Nguồn:__ {sources}"
SUGGEST_HEAD = "🤔 " + DID_YOU_MEAN
ONLY_TEXT = (
    "Mình chỉ đọc được tin nhắn chữ thôi 😊. Bạn gõ câu hỏi, hoặc bấm /menu để xem các chủ đề."
)
SLOW_DOWN = (
    "Bạn nhắn hơi nhanh rồi 😅. Đợi khoảng một phút rồi hỏi tiếp nhé, mình vẫn ở đây."
)
HELP = (  # a line starting "[web] " is for that channel only (bot/channel_text.py)
    "ℹ️ **Cách dùng**\n"
    "• Gõ câu hỏi như khi nhắn tin, ví dụ: __hoc tc co mat hoc phi ko__\n"
    "• /menu: các chủ đề, bấm để xem\n"
    "• /tuvan: nhắn với người tư vấn, /ketthuc: kết thúc\n"
    "• /khaosat: làm khảo sát của nhà trường\n"
    "• /dulieucuatoi: xem dữ liệu của bạn, /xoadulieu: xoá dữ liệu\n"
    "[telegram] • /tatthongbao, /batthongbao: tắt, bật thông báo\n"
    "• /huy: huỷ việc đang làm\n"
    "[web] • Không cần đăng nhập: trình duyệt này giữ một mã phiên ngẫu nhiên (cookie) để nhớ "
    "cuộc trò chuyện. Xoá dữ liệu thì mã đó cũng bị bỏ.\n"
    "[terminal] • /thoat: thoát\n"
    "[zalo] • Gõ mã trường (hoặc /truong MÃ) để tham gia trường của bạn; gõ số để chọn trong "
    "danh sách đánh số"
)
CANCELLED = "Đã huỷ. Bạn cứ hỏi tiếp, hoặc bấm /menu."
NOTHING_TO_CANCEL = "Không có việc gì đang làm dở. Bạn cứ hỏi nhé!"
ERROR_APOLOGY = "Xin lỗi, mình gặp lỗi khi xử lý tin nhắn này 🙏. Bạn thử lại sau ít phút nhé."
ADMIN_ERROR = "⚠️ careerbot gặp lỗi: {error}\nXem chi tiết trong nhật ký (log) của máy chủ."

# --- Telegram: counsellor tickets ------------------------------------------------------------
NO_COUNSELOR = (
    "Hiện chưa có người tư vấn trực tuyến qua bot. Bạn hãy gặp giáo viên tư vấn hướng nghiệp "
    "hoặc giáo viên chủ nhiệm ở trường; phụ huynh có thể hỏi nhà trường hoặc UBND xã, phường."
)
TICKET_OPENED = (
    "🙋 Đã mở phiếu tư vấn **#{id}**. Bạn cứ nhắn câu hỏi, người tư vấn sẽ trả lời ngay tại "
    "đây. Trong lúc này mình không tự trả lời. Gõ /ketthuc khi xong."
)
TICKET_ALREADY = "Phiếu tư vấn **#{id}** của bạn đang mở, bạn cứ nhắn tiếp nhé."
TICKET_HEADER = (
    "🎫 **Phiếu #{id}** · {audience} · Trường: {school}\n"
    "Câu bot chưa trả lời được: {question}\n"
    "Trả lời (reply) vào tin nhắn của phiếu này để gửi cho người hỏi; /ketthuc {id} để đóng."
)
TICKET_CLOSED_USER = "Phiếu tư vấn **#{id}** đã đóng. Cảm ơn bạn! Bot tiếp tục trả lời tự động."
TICKET_CLOSED_BY_COUNSELOR = (
    "Người tư vấn đã kết thúc phiếu **#{id}**. Cảm ơn bạn! Bot tiếp tục trả lời tự động."
)
TICKET_CLOSED_GROUP = "✅ Phiếu #{id} đã đóng ({by})."
TICKET_NONE = "Bạn không có phiếu tư vấn nào đang mở."
TICKET_UNKNOWN = (
    "Không tìm thấy phiếu đang mở này. Hãy reply vào tin nhắn của phiếu hoặc gõ "
    "/ketthuc <số phiếu>."
)
TICKET_REPLY_FAILED = "Không gửi được cho người hỏi (có thể họ đã chặn bot)."
TICKET_CANT_RELAY = (
    "Telegram không cho chuyển tiếp loại tin nhắn này. Bạn gửi lại bằng chữ hoặc ảnh nhé."
)
# Relays through the outbox (bot/outreach/relays.py): the student is answered at once.
RELAY_ACK = "✓ Đã chuyển cho thầy cô tư vấn."
RELAY_QUEUE_LONG = "Hiện có nhiều tin đang chờ, thầy cô sẽ đọc sau ít phút."
# In the counsellors' group: several tickets' messages in one message when sending is behind.
RELAY_COMBINED_HEAD = (
    "📨 {count} tin gộp lại vì đang chờ lượt gửi. Trả lời (reply) tin này, bắt đầu bằng số "
    "phiếu, ví dụ: #{example} Chào em..."
)
RELAY_PART = "#{id} › {text}"
RELAY_MAYBE_REPEATED = "↻ (có thể đã gửi trước khi bot khởi động lại) "
RELAY_NO_TEXT = "(ảnh, tệp hoặc nhãn dán)"
TICKET_WHICH_CLOSE = (
    "Tin này gộp tin của nhiều phiếu ({ids}). Hãy gõ /ketthuc kèm số phiếu, ví dụ: "
    "/ketthuc {example}"
)
TICKET_WHICH = (
    "Tin này gộp tin của nhiều phiếu ({ids}). Hãy reply lại và bắt đầu bằng số phiếu, ví dụ: "
    "#{example} Chào em..."
)
UNKNOWN = "chưa rõ"
BY_USER = "người hỏi kết thúc"
BY_COUNSELOR = "người tư vấn kết thúc"

# --- Telegram: admins -------------------------------------------------------------------------
ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên."
UNANSWERED_HEAD = "❓ **Câu hỏi bot chưa trả lời được** (nhiều nhất trước):"
UNANSWERED_ROW = "{n}. {text} — {count} lần, gần nhất {last}"
UNANSWERED_NONE = "Chưa có câu hỏi nào bị bỏ lỡ."
DISLIKED_HEAD = "👎 **Câu trả lời bị chê**:"
DISLIKED_ROW = "• {entry} — {count} lần; gần nhất: {question}"
STATS = (
    "📊 **Thống kê**\n"
    "Người dùng: {users} ({audiences})\n"
    "Câu hỏi (7 ngày): {per_day}\n"
    "Tỉ lệ trả lời được: {rate}% trên {questions} câu hỏi\n"
    "Chủ đề được xem nhiều: {top}\n"
    "Tin nhắn được trả lời an toàn (nguy hiểm, trái luật; 7 ngày): {safety}"
)
NONE_YET = "chưa có"

# --- Telegram: command list (set_my_commands) ------------------------------------------------
COMMANDS = [
    ("start", "Bắt đầu, cho bot biết bạn là ai"),
    ("menu", "Xem các chủ đề"),
    ("tuvan", "Nhắn với người tư vấn"),
    ("ketthuc", "Kết thúc phiếu tư vấn"),
    ("khaosat", "Làm khảo sát của nhà trường"),
    ("dulieucuatoi", "Xem dữ liệu bot lưu về bạn"),
    ("xoadulieu", "Xoá dữ liệu của bạn"),
    ("tatthongbao", "Tắt thông báo"),
    ("batthongbao", "Bật thông báo"),
    ("help", "Hướng dẫn sử dụng"),
    ("huy", "Huỷ việc đang làm"),
]
STAFF_COMMANDS = [
    ("dangky", "Đăng ký cán bộ bằng mã"),
    ("dangnhap", "Đường liên kết vào trang quản lý trên web"),
    ("export", "Tải câu trả lời khảo sát (CSV, Excel)"),
    ("baocao", "Báo cáo khảo sát so với chỉ tiêu"),
    ("thongbao", "Gửi thông báo cho học sinh, phụ huynh"),
]
ADMIN_COMMANDS = [
    ("moi", "Tạo mã đăng ký cho cán bộ"),
    ("unanswered", "Câu hỏi bot chưa trả lời được"),
    ("stats", "Thống kê sử dụng"),
]

# --- surveys ------------------------------------------------------------------------------------
SURVEY_BAD_CHARACTERS = (
    "Câu trả lời có ký tự điều khiển không đọc được. Bạn gõ lại bằng chữ thường nhé."
)
SURVEY_EMPTY_TEXT = "Bạn chưa gõ nội dung (cần có chữ hoặc số). Bạn gõ lại nhé."
SURVEY_TOO_LONG = "Câu trả lời dài {length} ký tự, tối đa {limit}. Bạn viết ngắn lại nhé."
SURVEY_NOT_A_NUMBER = "Câu này cần một con số (ví dụ 16). Bạn gõ lại nhé."
SURVEY_OUT_OF_RANGE = "Số này phải từ {low} đến {high}. Bạn gõ lại nhé."
SURVEY_STALE_CHOICE = "Lựa chọn này không còn dùng được. Bạn chọn lại ở câu hỏi mới nhất nhé."
SURVEY_TOO_FEW = "Bạn chọn ít nhất {n} ý rồi bấm Xong nhé."
SURVEY_TOO_MANY = "Bạn chỉ chọn tối đa {n} ý thôi."
INVITE_UNKNOWN = "Mã đăng ký không đúng. Bạn kiểm tra lại mã thầy cô quản trị gửi nhé."
INVITE_USED = "Mã này đã được dùng rồi. Mỗi mã chỉ dùng một lần: hãy xin mã mới."
INVITE_EXPIRED = "Mã này đã hết hạn. Hãy xin quản trị viên mã mới."
INVITE_AREA_UNKNOWN = (
    "Mã này ghi một khu vực có nhiều nơi trùng tên nên không dùng được. Hãy xin quản trị viên "
    "mã mới."
)
SURVEY_LIST = "📋 **Khảo sát của nhà trường**\nChọn một khảo sát để bắt đầu hoặc làm tiếp:"
SURVEY_NONE = "Hiện chưa có khảo sát nào dành cho bạn."
SURVEY_STATUS = {"new": "chưa làm", "in_progress": "đang làm dở", "submitted": "đã gửi ✅"}
SURVEY_CONSENT = (
    "📝 **{title}**\n{description}\n\n"
    "⏱ Khoảng {minutes} phút, khoảng {count} câu (tuỳ câu trả lời của bạn). Mỗi câu trả lời "
    "được lưu ngay, bạn có thể dừng và làm tiếp sau (gõ /khaosat).\n"
    "🔒 **Ai xem câu trả lời?** Thầy cô được nhà trường giao phụ trách khảo sát của trường "
    "bạn, cán bộ giáo dục phụ trách khu vực và quản trị viên của tỉnh. Báo cáo chỉ dùng số liệu "
    "tổng hợp. Bạn xem hoặc xoá dữ liệu của mình bằng /dulieucuatoi, /xoadulieu.\n\n"
    "Bạn có đồng ý tham gia không?"
)
SURVEY_AGREE = "✅ Đồng ý, bắt đầu"
SURVEY_PRIVACY = "🔒 Quyền riêng tư"
SURVEY_LATER = "Để sau"
SURVEY_RESUME = "⏳ Bạn đang làm dở **{title}** ({done}/{total} câu). Làm tiếp nhé?"
SURVEY_CONTINUE = "▶️ Làm tiếp"
SURVEY_RESTART = "🔁 Làm lại từ đầu"
SURVEY_ALREADY = (
    "Bạn đã gửi **{title}** năm học {year}. Làm lại sẽ **thay** câu trả lời cũ. "
    "Bạn muốn làm lại không?"
)
SURVEY_RETAKE = "🔁 Làm lại (thay câu trả lời cũ)"
SURVEY_KEEP = "Giữ câu trả lời cũ"
SURVEY_HEAD = "📝 **{title}** · Câu {index}/{total}"
SURVEY_TYPE_HINT = {
    "multi": "Chọn một hay nhiều ý rồi bấm **Xong**.",
    "scale": "1 = {low} … 5 = {high}",
    "text": "✍️ Gõ câu trả lời rồi gửi.",
    "number": "✍️ Gõ một con số rồi gửi.",
    "school": "✍️ Gõ tên trường (hoặc mã trường) của bạn rồi gửi.",
}
SURVEY_MULTI_LIMIT = "(tối đa {n} ý)"
SURVEY_DONE_MULTI = "✔️ Xong"
SURVEY_BACK = "⬅️ Câu trước"
SURVEY_SKIP = "⏭ Bỏ qua"
SURVEY_PAUSE = "⏸ Tạm dừng"
SURVEY_SCHOOL_KNOWN = "Trường của bạn: **{name}**. Đúng không? Nếu không, gõ tên trường khác."
SURVEY_SCHOOL_THIS = "✅ Đúng trường này"
SURVEY_SCHOOL_PICK = "Mình tìm thấy các trường sau, bạn chọn đúng trường nhé (hoặc gõ lại):"
SURVEY_SCHOOL_NONE = (
    "Mình chưa tìm thấy trường nào khớp “{query}”. Bạn gõ lại tên trường (ví dụ: THCS Tân An) "
    "hoặc hỏi thầy cô mã trường."
)
SURVEY_SUMMARY = "📋 **Xem lại câu trả lời** · {title}"
SURVEY_MISSING = "⚠️ Còn câu bắt buộc chưa trả lời: {questions}."
SURVEY_SEND = "✅ Gửi"
SURVEY_EDIT = "✏️ Sửa"
SURVEY_EDIT_HEAD = "✏️ Chọn câu muốn sửa:"
SURVEY_TO_SUMMARY = "⬅️ Về trang xem lại"
SURVEY_THANKS = (
    "🎉 Cảm ơn bạn đã gửi **{title}**! Nhà trường sẽ dùng kết quả để tư vấn cho các bạn."
)
SURVEY_RESULT_HEAD = "🎯 **Kết quả của bạn** (gợi ý, không phải kết luận):"
SURVEY_RESULT_ROW = "{rank}. **{name}** — {score}/{max} điểm"
SURVEY_RESULT_TRADES = "Nghề ví dụ: {trades}"
SURVEY_RESULT_LEVELS = "Trình độ phù hợp: {levels}"
SURVEY_PAUSED = "⏸ Đã tạm dừng khảo sát, câu trả lời vẫn được giữ. Gõ /khaosat để làm tiếp."
SURVEY_NOT_CURRENT = "Câu hỏi đó đã qua. Mình hiện lại câu bạn đang làm nhé."
SURVEY_GONE = "Khảo sát này không còn dùng được. Bạn bấm /khaosat nhé."
SURVEY_ALREADY_SENT = "✅ Khảo sát này đã được gửi rồi, cảm ơn bạn!"
SURVEY_VANISHED = (
    "Phiếu khảo sát này vừa được làm lại hoặc đã bị xoá, nên thao tác vừa rồi chưa được lưu. "
    "Bạn gõ /khaosat để bắt đầu lại nhé."
)
SURVEY_NEEDS_TEXT = "Câu này cần bạn gõ chữ (không gửi ảnh, nhãn dán). Bạn gõ lại nhé."
SURVEY_SAVED_NOTE = "✅ Đã lưu."
SURVEY_USE_BUTTONS = (
    "📝 Bạn vẫn đang làm khảo sát: câu dưới đây trả lời bằng cách bấm một nút. Muốn dừng, bấm "
    "⏸ Tạm dừng (làm tiếp bằng /khaosat)."
)

# --- privacy --------------------------------------------------------------------------------------
MY_DATA = (
    "🔒 **Dữ liệu bot đang lưu về bạn**\n"
    "• Bạn là: {audience}; trường: {school}; nhận thông báo: {announce}\n"
    "• Câu hỏi đã gửi: {questions}\n"
    "• Góp ý 👍/👎: {feedback}\n"
    "• Phiếu tư vấn: {tickets}\n"
    "• Khảo sát: {surveys}\n"
    "{staff}"
    "Chi tiết đầy đủ trong tệp đính kèm. Xoá hết bằng /xoadulieu."
)
MY_DATA_STAFF = "• Vai trò cán bộ: {role}\n"
MY_DATA_FILE = "du-lieu-cua-toi.json"
MY_DATA_NONE = "Bot chưa lưu dữ liệu nào về bạn."
YES, NO = "có", "không"
ERASE_CONFIRM = (
    "⚠️ Bạn sắp **xoá toàn bộ dữ liệu** bot lưu về bạn: câu hỏi, góp ý, phiếu tư vấn, câu "
    "trả lời khảo sát. Câu trả lời đã xoá sẽ không còn trong báo cáo, tệp xuất sau này. "
    "Không thể hoàn tác. Bạn chắc chứ?"
)
ERASE_YES = "🗑 Xoá hết dữ liệu của tôi"
ERASE_NO = "Không, giữ lại"
ERASED = (
    "Đã xoá toàn bộ dữ liệu của bạn ({rows} mục). Nếu nhắn tiếp, bot coi bạn là người mới."
)
ERASE_KEPT = "Đã giữ nguyên dữ liệu của bạn."
ANNOUNCE_OFF = "🔕 Đã tắt thông báo. Bật lại bằng /batthongbao."
ANNOUNCE_ON = "🔔 Đã bật thông báo từ nhà trường. Tắt bằng /tatthongbao."

# --- staff ----------------------------------------------------------------------------------------
STAFF_JOINED = (
    "✅ Bạn đã được ghi nhận là cán bộ phụ trách {scope}. Dùng /export để tải câu trả lời "
    "khảo sát và /baocao để xem báo cáo."
)
STAFF_USAGE = "Cách dùng: /dangky MÃ (mã do quản trị viên gửi)."
STAFF_ONLY = "Lệnh này dành cho thầy cô đã đăng ký bằng mã của quản trị viên (/dangky MÃ)."

# --- the staff dashboard (/quan-ly; handlers/web/dashboard) --------------------------------------
SIGNIN_LINK = (
    "🔑 Đường liên kết vào trang quản lý (dùng một lần, hết hạn sau {minutes} phút; đừng "
    "chuyển cho ai):"
)
SIGNIN_LINK_HINT = "Mở trên máy tính hoặc điện thoại; phiên làm việc kéo dài {hours} giờ."
SIGNIN_NO_URL = (
    "Máy chủ chưa đặt địa chỉ trang quản lý (CAREERBOT_PUBLIC_ORIGIN). Nhờ người quản lý careerbot "
    "đặt biến này rồi gõ lại /dangnhap."
)
SIGNIN_TOO_MANY = "Bạn vừa xin nhiều đường liên kết quá. Đợi {minutes} phút rồi thử lại nhé."
DASH_TITLE = "Trang quản lý khảo sát"
DASH_SIGNIN_TITLE = "Đăng nhập trang quản lý"
DASH_SIGNIN_HELP = (
    "Thầy cô đã đăng ký trên Telegram: nhắn /dangnhap cho bot để nhận đường liên kết đăng "
    "nhập. Chưa dùng Telegram: nhập mã mời dùng một lần do quản trị viên gửi."
)
DASH_CODE_LABEL = "Mã mời"
DASH_CODE_BUTTON = "Đăng nhập bằng mã mời"
DASH_LINK_BUTTON = "Vào trang quản lý"
DASH_LINK_CONFIRM = "Bấm nút dưới đây để vào trang quản lý."
DASH_LINK_UNKNOWN = "Đường liên kết không đúng. Nhắn /dangnhap cho bot để nhận đường liên kết mới."
DASH_LINK_USED = (
    "Đường liên kết này đã được dùng rồi (mỗi đường liên kết chỉ dùng một lần). Nhắn "
    "/dangnhap cho bot để nhận đường liên kết mới."
)
DASH_LINK_EXPIRED = (
    "Đường liên kết đã hết hạn (chỉ dùng được trong 10 phút). Nhắn /dangnhap cho bot để nhận "
    "đường liên kết mới."
)
DASH_NOT_STAFF = "Tài khoản này không còn quyền cán bộ. Liên hệ quản trị viên nếu cần."
DASH_FORM_EXPIRED = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Tải lại trang rồi thử lại."
DASH_SLOW_DOWN = "Thử quá nhiều lần. Đợi một phút rồi thử lại."
DASH_SIGNED_OUT = "Đã đăng xuất."
DASH_SIGN_OUT = "Đăng xuất"
DASH_SESSION_OVER = "Phiên làm việc đã hết. Đăng nhập lại để tiếp tục."
DASH_NOT_FOUND = "Không có trang này."
DASH_BUILD_BUSY = "Tệp trước của thầy cô đang được tạo. Đợi một chút rồi tải lại."
DASH_COLLEAGUES_TITLE = "Đường liên kết đăng nhập cho cán bộ"
DASH_COLLEAGUES_HELP = (
    "Tạo đường liên kết đăng nhập cho một đồng nghiệp (ví dụ thầy cô không dùng Telegram). "
    "Đường liên kết chỉ hiện một lần, dùng được một lần và hết hạn sau {minutes} phút; mỗi lần "
    "tạo được ghi lại (ai tạo, cho ai, lúc nào)."
)
DASH_COLLEAGUES_NONE = "Chưa có cán bộ nào trong phạm vi của thầy cô."
DASH_COLLEAGUES_ONLY = (
    "Chỉ quản trị viên và cán bộ khu vực được tạo đường liên kết cho đồng nghiệp."
)
DASH_COLLEAGUE_NOT_YOURS = (
    "Không tạo được: người này không phải cán bộ trong phạm vi của thầy cô."
)
DASH_COLLEAGUE_TOO_MANY = (
    "Đã tạo quá nhiều đường liên kết cho cán bộ này. Đợi {minutes} phút rồi thử lại."
)
DASH_COLLEAGUE_LINK_MADE = "Đường liên kết đăng nhập cho cán bộ {user_id} ({role}, {where})"
DASH_COLLEAGUE_LINK_NOTE = (
    "Sao chép và gửi riêng cho người đó (tin nhắn, email), không dán vào nhóm chung. Đường "
    "liên kết chỉ hiện lần này, dùng được một lần và hết hạn sau {minutes} phút."
)
DASH_COLLEAGUE_BUTTON = "Tạo đường liên kết"
INVITE_USAGE = (
    "Cách dùng: /moi truong MÃ_TRƯỜNG, /moi khuvuc Tên xã hoặc huyện cũ (đủ dấu, như danh "
    "sách trường; xã trùng tên: Tên xã, Huyện cũ), hoặc /moi admin."
)
INVITE_CREATED = "🎟 Mã đăng ký cho {scope} (dùng một lần, hết hạn sau {days} ngày):"
INVITE_FORWARD = "Người nhận nhắn cho bot:"
AREA_EMPTY = (
    "Cần tên khu vực: tên xã, phường hoặc huyện cũ, đúng như trong danh sách trường "
    "(careerbot schools list)."
)
AREA_UNKNOWN = (
    "Không có xã, phường hay huyện cũ nào tên “{name}” trong danh sách trường. Hãy ghi đúng "
    "tên, đủ dấu, như trong danh sách trường (careerbot schools list)."
)
AREA_SIMILAR = " Có phải: {names}?"
AREA_AMBIGUOUS = (
    "Có nhiều xã, phường tên “{name}” ở các huyện cũ khác nhau. Hãy ghi thêm huyện cũ sau dấu "
    "phẩy, một trong: {names}."
)
SCOPE_SCHOOL = "trường {name}"  # for a name without "Trường": school_named() decides
SCOPE_AREA = "khu vực {name}"
SCOPE_ALL = "toàn tỉnh"
ROLE_LABELS = {"admin": "quản trị viên", "area": "cán bộ khu vực", "school": "cán bộ trường"}

# --- exports and reports ----------------------------------------------------------------------
EXPORT_CHOOSE = "📥 **Tải câu trả lời khảo sát** · {scope}, năm học {year}\nChọn tệp:"
EXPORT_CSV = "CSV · {title}"
EXPORT_XLSX = "📊 Excel: mọi khảo sát + tổng hợp"
EXPORT_SENT = "{count} phiếu đã gửi · {scope} · năm học {year}"
EXPORT_NO_SCHOOL = "Không có trường mã {code}."
NOT_YOUR_SCHOOL = "Trường mã {code} không thuộc phạm vi của bạn ({scope}): mình không làm gì cả."
REPORT_CAPTION = "Dự định của học sinh so với chỉ tiêu · {scope}"
REPORT_NONE = "Chưa có khảo sát nào có phần báo cáo."
REPORT_SUSPECT = (
    "Có {count} phiếu đáng ngờ: gửi dồn dập từ cùng một địa chỉ mạng trong một giờ, vượt mức "
    "một lớp học có thể gửi. Các phiếu vẫn được tính; nhà trường nên kiểm tra lại."
)
WORKING = "⏳ Đang chuẩn bị…"
BUILD_BUSY = "⏳ Đang tạo tệp trước của bạn, vui lòng chờ tệp đó xong rồi thử lại."
BUILD_FAILED = "Xin lỗi, mình chưa tạo được tệp này 🙏. Bạn thử lại sau ít phút nhé."

# --- announcements -------------------------------------------------------------------------------
ANNOUNCE_USAGE = (
    "Cách dùng: /thongbao [lop9|lop12|phuhuynh|thayco|tatca] nội dung thông báo\n"
    "Quản trị viên có thể thêm truong:MÃ để gửi cho một trường."
)
ANNOUNCE_CONFIRM = (
    "📢 Gửi thông báo này tới **{count}** người ({who}, {scope})?\n\n{text}"
)
ANNOUNCE_SEND = "📢 Gửi"
ANNOUNCE_DROP = "Huỷ"
ANNOUNCE_DROPPED = "Đã huỷ thông báo."
ANNOUNCE_STARTED = "📤 Đang gửi tới {count} người. Bot sẽ báo khi xong."
ANNOUNCE_NOT_ALLOWED = (
    "Bạn không còn quyền gửi thông báo này (quyền cán bộ đã bị thu hồi hoặc đổi phạm vi): "
    "thông báo đã huỷ, không ai nhận được."
)
ANNOUNCE_TOO_LONG = (
    "Thông báo dài {length} ký tự, Telegram chỉ cho gửi tối đa {limit} ký tự (đã trừ phần "
    "đầu bot thêm vào). Bạn rút gọn hoặc chia thành nhiều thông báo rồi gửi lại nhé."
)
ANNOUNCE_UNAVAILABLE = (
    "Hiện bot chưa gửi được thông báo từ đây (bot Telegram chưa chạy): không ai nhận được."
)
ANNOUNCE_NOBODY = "Không có ai phù hợp để nhận thông báo này (người nhận phải bật thông báo)."
ANNOUNCE_HEADER = "📢 Thông báo ({scope}):\n\n{text}"
ANNOUNCE_DONE = (
    "✅ Đã gửi xong thông báo #{id}: {sent} người nhận được; {blocked} người đã chặn bot; "
    "{failed} lỗi; {unknown} không rõ (bot khởi động lại đúng lúc gửi)."
)
ANNOUNCE_WHO = {None: "mọi người", "student9": "học sinh lớp 9", "student12": "học sinh lớp 12",
                "parent": "phụ huynh", "staff": "thầy cô"}

# --- web chat (handlers/web): the page, the widget and the API's errors --------------------------
WEB_TITLE = "Trợ lý hướng nghiệp"
WEB_SUBTITLE = "Hỏi về học tiếp, học nghề, học phí, vay vốn, đi làm ở nước ngoài"
WEB_LOG_LABEL = "Cuộc trò chuyện"
WEB_INPUT_LABEL = "Câu hỏi của bạn"
WEB_PLACEHOLDER = "Gõ câu hỏi, ví dụ: học trung cấp có mất học phí không"
WEB_SEND = "Gửi"
WEB_TYPING = "Đang trả lời…"
WEB_YOU = "Bạn"
WEB_BOT = "Trợ lý"
WEB_SELECTED = "đã chọn"
WEB_FILE = "Tệp"
WEB_FULL_PAGE = "Mở toàn trang"
WEB_CLOSE = "Đóng"
WEB_OPEN_CHAT = "Mở trò chuyện hướng nghiệp"
WEB_NO_SCRIPT = "Trang trò chuyện cần bật JavaScript. Bạn bật JavaScript rồi tải lại trang nhé."
WEB_OFFLINE = "Mất kết nối tới máy chủ 😕. Bạn kiểm tra mạng rồi thử lại nhé."
WEB_NEW_MESSAGE = "Có tin nhắn mới"
WEB_NOT_JSON = "Yêu cầu phải gửi dạng JSON. Bạn tải lại trang rồi thử lại nhé."
WEB_BAD_REQUEST = "Yêu cầu không hợp lệ. Bạn tải lại trang rồi thử lại nhé."
WEB_TOO_LONG = "Tin nhắn dài quá (tối đa {limit} ký tự). Bạn viết ngắn lại giúp mình nhé."
WEB_TOO_BIG = "Yêu cầu quá lớn, mình không đọc được. Bạn viết ngắn lại giúp mình nhé."
WEB_ORIGIN_REFUSED = (
    "Trang web này chưa được phép dùng trợ lý. Nhà trường cần nhờ người quản lý careerbot thêm "
    "địa chỉ trang vào CAREERBOT_WEB_ORIGINS."
)
WEB_SITE_NOT_ALLOWED = (
    "Trang web này chưa được phép mở trợ lý hướng nghiệp. Nhà trường vui lòng báo người quản "
    "lý careerbot để thêm trang vào danh sách."
)
WEB_RATE_LIMITED = "Bạn thao tác hơi nhanh rồi 😅. Đợi một lát rồi thử lại nhé."
WEB_NO_SESSION = (
    "Phiên trò chuyện đã hết hạn, hoặc trình duyệt đang chặn cookie của khung chat. Bạn tải lại "
    "trang, hoặc bấm “Mở toàn trang” nhé."
)
WEB_FILE_GONE = "Tệp này không còn nữa. Bạn yêu cầu lại giúp mình nhé."
WEB_STALE = "Nút này đã cũ hoặc không dùng được nữa. Bạn gõ câu hỏi, hoặc gõ /menu nhé."
WEB_NOT_FOUND = "Không có trang này."
WEB_METHOD = "Địa chỉ này không nhận kiểu yêu cầu đó."
WEB_ONLY = "Chưa có TELEGRAM_BOT_TOKEN: chỉ chạy trò chuyện trên web (cổng {port})."
WEB_PORT_BUSY = "Không mở được trò chuyện trên web ở {host}:{port}: {error}"
WEB_BUSY = "Có quá nhiều người đang kết nối. Bạn tải lại trang sau ít phút nhé."
# Zalo OA (handlers/zalo): Zalo shows at most 5 buttons in a message; a longer menu is numbered.
ZALO_NUMBERED_HINT = "Bạn gõ số (1–{count}) để chọn:"
ZALO_TEXT_ONLY = (
    "Mình chỉ đọc được tin chữ thôi 🙏. Bạn gõ câu hỏi bằng chữ, hoặc gõ /menu để xem các chủ đề."
)
ZALO_STAFF_ELSEWHERE = (
    "Việc của cán bộ (đăng ký bằng mã, tải khảo sát, báo cáo, thông báo) làm trong Telegram "
    "hoặc trên trang quản lý có đăng nhập, không làm trên Zalo. Thầy cô mở bot careerbot trên "
    "Telegram nhé."
)
ZALO_HELD_HEAD = "📬 Tin nhắn gửi cho bạn lúc Zalo chưa cho phép gửi:"
# To the counsellors' group: a reply to a Zalo user outside Zalo's window is kept, not sent.
ZALO_REPLY_HELD = (
    "🕑 Phiếu #{id}: tin trả lời chưa gửi được qua Zalo. Zalo chỉ cho trả lời trong 48 giờ sau "
    "tin nhắn cuối của người hỏi (tối đa 8 tin). Tin đã được giữ lại và sẽ tự gửi khi người đó "
    "nhắn lại."
)
# To the counsellors' group: a picture or file a Zalo user sent on an open ticket, as Zalo's
# link (worded so that the crisis screen reads only the person's own caption).
ZALO_RELAY_MEDIA = {
    "image": "🖼 [Ảnh qua Zalo] {url}",
    "gif": "🖼 [Ảnh động qua Zalo] {url}",
    "file": "📎 [Tệp qua Zalo: {name}] {url}",
    "video": "🎬 [Video qua Zalo] {url}",
    "audio": "🎤 [Tin thoại qua Zalo] {url}",
}
ZALO_FILE_NOTE = (
    "📎 Tệp {filename} quá dài để gửi qua Zalo. Những gì đang lưu về bạn được tóm tắt ở trên; "
    "bạn có thể xoá hết bằng /xoadulieu."
)
WEB_POLLING = (
    "Đang có nhiều kết nối từ mạng của bạn: tin nhắn mới sẽ hiện sau ít giây thay vì ngay lập tức."
)
WEB_HOST_REFUSED = "Địa chỉ này không phải của trợ lý hướng nghiệp."
WEB_TRY_LATER = (
    "Máy chủ đang tạm hết chỗ lưu dữ liệu nên chưa nhận thêm được 🙏. Bạn thử lại sau ít phút nhé."
)
WEB_STAFF_ELSEWHERE = (
    "Việc của cán bộ (đăng ký bằng mã, tải khảo sát, báo cáo, thông báo) làm trong Telegram, và "
    "sắp tới trên trang quản lý có đăng nhập, không làm trong khung trò chuyện công khai này: "
    "máy tính ở trường nhiều người dùng chung. Bạn mở bot careerbot trên Telegram nhé."
)
