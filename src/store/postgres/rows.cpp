#include "store/postgres/rows.h"

#include <boost/json/parse.hpp>

namespace parley::store::postgres {

Result<Channel> ReadChannel(const Rows& rows, int row, const crypto::SecretBox& box) {
  Channel channel;
  channel.id = rows.Int(row, 0);
  channel.tenant_id = rows.Int(row, 1);
  channel.platform = Platform(rows.Text(row, 2));
  channel.account_id = rows.String(row, 3);
  STORE_ASSIGN_OR_RETURN(channel.access_token, box.Open(rows.Text(row, 4)));
  channel.created_at_ms = rows.Int(row, 5);
  channel.display_name = rows.String(row, 6);
  channel.profile = {rows.String(row, 7), rows.String(row, 8), rows.String(row, 9)};
  channel.enabled = rows.Bool(row, 10);
  channel.updated_at_ms = rows.Int(row, 11);
  channel.waba_id = rows.String(row, 12);
  channel.public_id = rows.String(row, 13);
  channel.settings = ChannelSettingsFromText(rows.Text(row, 14));
  return channel;
}

Conversation ReadConversation(const Rows& rows, int row) {
  Conversation c;
  c.id = rows.Int(row, 0);
  c.tenant_id = rows.Int(row, 1);
  c.channel_id = rows.Int(row, 2);
  c.platform = Platform(rows.Text(row, 3));
  c.contact.platform_id = rows.String(row, 4);
  c.contact.name = rows.String(row, 5);
  c.status = rows.String(row, 6);
  c.mode = rows.String(row, 7);
  c.created_at_ms = rows.Int(row, 8);
  c.last_message_at_ms = rows.Int(row, 9);
  c.handoff_reason = rows.String(row, 10);
  c.human_until_ms = rows.OptionalInt(row, 11);
  c.assignee_user_id = rows.OptionalInt(row, 12);
  c.customer_wrote_at_ms = rows.OptionalInt(row, 13);
  c.comment_on = rows.String(row, 14);
  return c;
}

StoredMessage ReadMessage(const Rows& rows, int row) {
  StoredMessage m;
  m.id = rows.Int(row, 0);
  m.conversation_id = rows.Int(row, 1);
  m.direction = rows.Text(row, 2) == "out" ? Direction::kOut : Direction::kIn;
  m.type = ParseMessageType(rows.Text(row, 3)).value_or(MessageType::kUnsupported);
  m.text = rows.OptionalString(row, 4);
  m.platform_message_id = rows.String(row, 5);
  m.status = ParseMessageStatus(rows.Text(row, 6)).value_or(MessageStatus::kReceived);
  if (!rows.IsNull(row, 7)) {
    m.error = MessageError{static_cast<int>(rows.Int(row, 7)), rows.String(row, 8), rows.String(row, 9)};
  }
  m.platform_timestamp_ms = rows.Int(row, 10);
  m.created_at_ms = rows.Int(row, 11);
  if (!rows.IsNull(row, 12)) {
    boost::system::error_code ec;
    boost::json::value details = boost::json::parse(rows.Text(row, 12), ec);
    if (!ec && details.is_object()) m.details = std::move(details.as_object());
  }
  return m;
}

SupportItem ReadSupportItem(const Rows& rows, int row) {
  SupportItem item;
  item.id = rows.Int(row, 0);
  item.tenant_id = rows.Int(row, 1);
  item.conversation_id = rows.Int(row, 2);
  item.reason = rows.String(row, 3);
  item.status = rows.String(row, 4);
  item.resolved_by = rows.String(row, 5);
  item.created_at_ms = rows.Int(row, 6);
  item.resolved_at_ms = rows.OptionalInt(row, 7);
  item.priority = ParsePriority(rows.Text(row, 8)).value_or(Priority::kNormal);
  item.draft = rows.OptionalString(row, 9);
  return item;
}

User ReadUser(const Rows& rows, int row) {
  User user;
  user.id = rows.Int(row, 0);
  user.tenant_id = rows.Int(row, 1);
  user.email = rows.String(row, 2);
  user.name = rows.String(row, 3);
  user.role = rows.String(row, 4);
  user.password_hash = rows.String(row, 5);
  user.created_at_ms = rows.Int(row, 6);
  user.last_login_at_ms = rows.OptionalInt(row, 7);
  user.notify_by_email = rows.Bool(row, 8);
  user.language = rows.String(row, 9);
  return user;
}

ReplyTrace ReadReplyTrace(const Rows& rows, int row) {
  return {rows.Int(row, 0),    rows.Int(row, 1),    rows.OptionalInt(row, 2), rows.String(row, 3),
          rows.String(row, 4), rows.String(row, 5), rows.Int(row, 6)};
}

}  // namespace parley::store::postgres
