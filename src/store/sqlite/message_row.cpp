#include "store/sqlite/message_row.h"

#include <boost/json/parse.hpp>

namespace parley::store::sqlite {

StoredMessage ReadMessage(const Statement& row) {
  StoredMessage m;
  m.id = row.Int(0);
  m.conversation_id = row.Int(1);
  m.direction = row.Text(2) == "out" ? Direction::kOut : Direction::kIn;
  m.type = ParseMessageType(row.Text(3)).value_or(MessageType::kUnsupported);
  m.text = row.OptionalString(4);
  m.platform_message_id = row.String(5);
  m.status = ParseMessageStatus(row.Text(6)).value_or(MessageStatus::kReceived);
  if (!row.IsNull(7)) m.error = MessageError{static_cast<int>(row.Int(7)), row.String(8), row.String(9)};
  m.platform_timestamp_ms = row.Int(10);
  m.created_at_ms = row.Int(11);
  if (!row.IsNull(12)) {
    boost::system::error_code ec;
    boost::json::value details = boost::json::parse(row.Text(12), ec);
    if (!ec && details.is_object()) m.details = std::move(details.as_object());
  }
  return m;
}

ReplyTrace ReadReplyTrace(const Statement& row) {
  return {row.Int(0), row.Int(1), row.OptionalInt(2), row.String(3), row.String(4), row.String(5), row.Int(6)};
}

}  // namespace parley::store::sqlite
