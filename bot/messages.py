"""Every sentence a user reads, in one place, so wording can be reviewed without touching logic."""

from __future__ import annotations

# --- answers -------------------------------------------------------------------------------
DID_YOU_MEAN = "Có phải bạn muốn hỏi một trong các câu sau?"
FALLBACK = (
    "Mình chưa hiểu rõ câu hỏi này 😅. Mình trả lời được về: học tiếp sau lớp 9 và lớp 12, "
    "học nghề (sơ cấp, trung cấp, cao đẳng), học phí và vay vốn, Trường Cao đẳng Long An, "
    "đi làm việc ở nước ngoài theo hợp đồng, và cách chọn nghề. "
    "Bạn thử hỏi ngắn gọn hơn, bấm /menu để xem các chủ đề, hoặc /tuvan để gặp người tư vấn."
)
EMPTY = "Bạn gõ câu hỏi bằng chữ giúp mình nhé, ví dụ: “học trung cấp có mất học phí không?”"
GREETING = (
    "Chào bạn 👋 Mình là trợ lý hướng nghiệp. Bạn cứ hỏi về học tiếp sau lớp 9, lớp 12, học nghề, "
    "học phí, vay vốn hay đi làm việc ở nước ngoài nhé. Bấm /menu để xem các chủ đề."
)
THANKS = "Không có gì nha 😊 Cần hỏi thêm thì bạn cứ nhắn mình."
STALE = (
    "⚠️ Thông tin này được rà soát lần cuối ngày {date}, có thể đã cũ: bạn nên hỏi lại nhà trường."
)
SOURCES = "Nguồn"
RELATED = "Xem thêm"
CLI_SCORE = "độ tin cậy"

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

# --- command line errors ---------------------------------------------------------------------
ERR_EMPTY_QUESTION = "Câu hỏi trống: hãy nhập một câu hỏi."
ERR_KNOWLEDGE = "Thư mục kiến thức có lỗi ({count} lỗi), chạy `careerbot kb check` để xem chi tiết."
KB_OK = "Kiến thức hợp lệ: {entries} mục, {questions} cách hỏi, {surveys} khảo sát."

# --- Telegram: welcome and audience ---------------------------------------------------------
WELCOME = (
    "Chào bạn 👋 Mình là <b>trợ lý hướng nghiệp</b>. Mình trả lời ngắn gọn, có nguồn, về:\n"
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
    "Đã ghi nhận: bạn là <b>{label}</b>. Gõ câu hỏi bất kỳ, hoặc bấm /menu để xem các chủ đề."
)
SCHOOL_JOINED = "🏫 Bạn đã tham gia trường <b>{name}</b> qua đường liên kết của trường."
BAD_PAYLOAD = "Đường liên kết này không đúng hoặc đã cũ, nên mình mở lời chào nhé."
STALE_BUTTON = "Nội dung này đã cũ, bạn bấm /menu nhé"
NOT_FOR_YOU = "Nút này không dành cho bạn."

# --- Telegram: menu and answers ------------------------------------------------------------
MENU_TITLE = "📋 Chọn một nhóm chủ đề:"
GROUP_TITLE = "📂 <b>{title}</b>\nChọn câu hỏi:"
BACK = "⬅️ Quay lại"
MENU_BUTTON = "📋 Xem các chủ đề"
DETAILS_BUTTON = "📖 Xem chi tiết"
DETAILS_HEAD = "📖 <b>{title}</b> (chi tiết)"
COUNSEL_BUTTON = "🙋 Hỏi người tư vấn"
VOTE_UP = "👍 Hữu ích"
VOTE_DOWN = "👎 Chưa đúng ý"
VOTE_THANKS = "Cảm ơn bạn đã góp ý!"
VOTE_SORRY = "Cảm ơn bạn! Mình sẽ báo để người phụ trách xem lại câu trả lời này."
SOURCES_LINE = "📚 <i>Nguồn:</i> {sources}"
SUGGEST_HEAD = "🤔 " + DID_YOU_MEAN
ONLY_TEXT = (
    "Mình chỉ đọc được tin nhắn chữ thôi 😊. Bạn gõ câu hỏi, hoặc bấm /menu để xem các chủ đề."
)
SLOW_DOWN = (
    "Bạn nhắn hơi nhanh rồi 😅. Đợi khoảng một phút rồi hỏi tiếp nhé, mình vẫn ở đây."
)
HELP = (
    "ℹ️ <b>Cách dùng</b>\n"
    "• Gõ câu hỏi như khi nhắn tin, ví dụ: <i>hoc tc co mat hoc phi ko</i>\n"
    "• /menu: các chủ đề, bấm để xem\n"
    "• /tuvan: nhắn với người tư vấn, /ketthuc: kết thúc\n"
    "• /khaosat: làm khảo sát của nhà trường\n"
    "• /dulieucuatoi: xem dữ liệu của bạn, /xoadulieu: xoá dữ liệu\n"
    "• /tatthongbao, /batthongbao: tắt, bật thông báo\n"
    "• /huy: huỷ việc đang làm"
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
    "🙋 Đã mở phiếu tư vấn <b>#{id}</b>. Bạn cứ nhắn câu hỏi, người tư vấn sẽ trả lời ngay tại "
    "đây. Trong lúc này mình không tự trả lời. Gõ /ketthuc khi xong."
)
TICKET_ALREADY = "Phiếu tư vấn <b>#{id}</b> của bạn đang mở, bạn cứ nhắn tiếp nhé."
TICKET_HEADER = (
    "🎫 <b>Phiếu #{id}</b> · {audience} · Trường: {school}\n"
    "Câu bot chưa trả lời được: {question}\n"
    "Trả lời (reply) vào tin nhắn của phiếu này để gửi cho người hỏi; /ketthuc {id} để đóng."
)
TICKET_CLOSED_USER = "Phiếu tư vấn <b>#{id}</b> đã đóng. Cảm ơn bạn! Bot tiếp tục trả lời tự động."
TICKET_CLOSED_BY_COUNSELOR = (
    "Người tư vấn đã kết thúc phiếu <b>#{id}</b>. Cảm ơn bạn! Bot tiếp tục trả lời tự động."
)
TICKET_CLOSED_GROUP = "✅ Phiếu #{id} đã đóng ({by})."
TICKET_NONE = "Bạn không có phiếu tư vấn nào đang mở."
TICKET_UNKNOWN = (
    "Không tìm thấy phiếu đang mở này. Hãy reply vào tin nhắn của phiếu hoặc gõ "
    "/ketthuc &lt;số phiếu&gt;."
)
TICKET_REPLY_FAILED = "Không gửi được cho người hỏi (có thể họ đã chặn bot)."
UNKNOWN = "chưa rõ"
BY_USER = "người hỏi kết thúc"
BY_COUNSELOR = "người tư vấn kết thúc"

# --- Telegram: admins -------------------------------------------------------------------------
ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên."
UNANSWERED_HEAD = "❓ <b>Câu hỏi bot chưa trả lời được</b> (nhiều nhất trước):"
UNANSWERED_ROW = "{n}. {text} — {count} lần, gần nhất {last}"
UNANSWERED_NONE = "Chưa có câu hỏi nào bị bỏ lỡ."
DISLIKED_HEAD = "👎 <b>Câu trả lời bị chê</b>:"
DISLIKED_ROW = "• {entry} — {count} lần; gần nhất: {question}"
STATS = (
    "📊 <b>Thống kê</b>\n"
    "Người dùng: {users} ({audiences})\n"
    "Câu hỏi (7 ngày): {per_day}\n"
    "Tỉ lệ trả lời được: {rate}% trên {questions} câu hỏi\n"
    "Chủ đề được xem nhiều: {top}"
)
NONE_YET = "chưa có"

# --- Telegram: command list (set_my_commands) ------------------------------------------------
COMMANDS = [
    ("start", "Bắt đầu, cho bot biết bạn là ai"),
    ("menu", "Xem các chủ đề"),
    ("tuvan", "Nhắn với người tư vấn"),
    ("ketthuc", "Kết thúc phiếu tư vấn"),
    ("help", "Hướng dẫn sử dụng"),
    ("huy", "Huỷ việc đang làm"),
]
ADMIN_COMMANDS = [
    ("unanswered", "Câu hỏi bot chưa trả lời được"),
    ("stats", "Thống kê sử dụng"),
]
