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
