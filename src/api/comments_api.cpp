#include "api/comments_api.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/params.h"
#include "core/time.h"

namespace parley::api {
namespace {

using Verb = http::Verb;

// What a moderation needs, read in one trip to the blocking pool: the comment and the channel to act through.
struct Target {
  store::Conversation conversation;
  store::StoredMessage comment;
  store::Channel channel;
};

store::InboxStore::CommentChange ChangeOf(channels::CommentModeration action) {
  switch (action) {
    case channels::CommentModeration::kHide:
      return store::InboxStore::CommentChange::kHidden;
    case channels::CommentModeration::kUnhide:
      return store::InboxStore::CommentChange::kShown;
    case channels::CommentModeration::kDelete:
      break;
  }
  return store::InboxStore::CommentChange::kDeleted;
}

// The audit log's name of a person's moderation.
std::string AuditActionOf(channels::CommentModeration action) {
  switch (action) {
    case channels::CommentModeration::kHide:
      return "comment.hide";
    case channels::CommentModeration::kUnhide:
      return "comment.unhide";
    case channels::CommentModeration::kDelete:
      break;
  }
  return "comment.delete";
}

}  // namespace

void CommentsApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, RouteDoc doc, channels::CommentModeration action) {
    routes.Tenant(verb, pattern, kAnyRole, std::move(doc),
                  [this, action](const Principal& caller, const http::Request&, const http::RouteContext& route) {
                    return Moderate(caller, route, action);
                  });
  };
  add(Verb::post, "/api/conversations/{id}/messages/{message_id}/hide",
      {.summary = "Hide a customer's public comment (Instagram) from everyone but its author",
       .tag = "conversations",
       .response_schema = "Message",
       .errors = {409, 503}},
      channels::CommentModeration::kHide);
  add(Verb::post, "/api/conversations/{id}/messages/{message_id}/unhide",
      {.summary = "Show a hidden comment again",
       .tag = "conversations",
       .response_schema = "Message",
       .errors = {409, 503}},
      channels::CommentModeration::kUnhide);
  add(Verb::delete_, "/api/conversations/{id}/messages/{message_id}",
      {.summary = "Delete a customer's public comment (Instagram) on the platform; the thread keeps it as deleted",
       .tag = "conversations",
       .response_schema = "Message",
       .errors = {409, 503}},
      channels::CommentModeration::kDelete);
}

boost::asio::awaitable<http::Response> CommentsApi::Moderate(const Principal& caller, const http::RouteContext& route,
                                                             channels::CommentModeration action) {
  auto id = PathId(route);
  auto message_id = PathId(route, "message_id");
  if (!id || !message_id) co_return http::ErrorResponse(Error::NotFound("no such message"));
  auto load = [this, tenant = caller.tenant_id, id = *id, message_id = *message_id]() -> Result<Target> {
    auto conversation = store_.GetConversation(tenant, id);
    if (!conversation) return conversation.error();
    auto comment = store_.inbox().GetMessage(tenant, id, message_id);
    if (!comment) return comment.error();
    auto channel = store_.GetChannel(conversation->channel_id);
    if (!channel) return channel.error();
    return Target{std::move(*conversation), std::move(*comment), std::move(*channel)};
  };
  Result<Target> target = co_await pool_.Run(load);
  if (!target) co_return http::ErrorResponse(target.error());
  const store::StoredMessage& comment = target->comment;
  if (comment.type != MessageType::kComment || comment.direction != Direction::kIn ||
      comment.platform_message_id.empty()) {
    co_return http::ErrorResponse(Error::Conflict("not a customer's comment"));
  }
  if (comment.status == MessageStatus::kDeleted) co_return http::ErrorResponse(Error::Conflict("comment deleted"));
  channels::Channel* channel = channels_.Get(target->conversation.platform);
  if (channel == nullptr) co_return http::ErrorResponse(Error::Conflict("no channel serves this platform"));
  const channels::SendAccount account{target->channel.account_id, target->channel.access_token};
  channels::SendResult done = co_await channel->ModerateComment(account, comment.platform_message_id, action);
  if (!done.ok()) {
    const std::string refused = done.error->title.empty() ? "the platform refused" : done.error->title;
    Error error = done.transient ? Error::Unavailable(refused) : Error::Conflict(refused);
    error.detail = done.error->detail;
    co_return http::ErrorResponse(error);
  }
  auto record = [this, tenant = caller.tenant_id, id = *id, message_id = *message_id, change = ChangeOf(action)] {
    return store_.inbox().RecordCommentChange(tenant, id, message_id, change, NowMs());
  };
  auto recorded = co_await pool_.Run(record);
  if (!recorded) co_return http::ErrorResponse(recorded.error());
  // Done on the platform, for everyone to see (or not): who did it is kept, not what the customer wrote.
  auto audit = AuditOf(caller, AuditActionOf(action), "message", std::to_string(*message_id),
                       {{"conversation_id", *id}, {"platform", ToString(target->conversation.platform)}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::JsonResponse(http::Status::ok, MessageJson(*recorded));
}

}  // namespace parley::api
