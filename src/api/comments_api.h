#pragma once
// Moderating customers' public comments from the inbox (Instagram): a person hides a comment from everyone but its
// author, shows it again, or deletes it, on the platform first, then in the thread.
//   POST /api/conversations/{id}/messages/{message_id}/hide     POST …/unhide     (any role)
//   DELETE /api/conversations/{id}/messages/{message_id}                          (any role)
// Each answers the comment message as GET …/messages shows it (comment.hidden, or status deleted); 409 when the
// message is not a customer's comment (or deleted already), and the platform's refusal as 409 too (its words kept),
// 503 when it cannot be reached.

#include "api/route_table.h"
#include "channels/channel.h"
#include "core/blocking_pool.h"
#include "store/inbox_store.h"
#include "store/store.h"

namespace parley::api {

class CommentsApi {
 public:
  // Every reference must outlive this.
  CommentsApi(store::Store& store, BlockingPool& pool, const channels::ChannelSet& channels)
      : store_(store), pool_(pool), channels_(channels) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  boost::asio::awaitable<http::Response> Moderate(const Principal& caller, const http::RouteContext& route,
                                                  channels::CommentModeration action);

  store::Store& store_;
  BlockingPool& pool_;
  const channels::ChannelSet& channels_;
};

}  // namespace parley::api
