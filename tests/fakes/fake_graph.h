#pragma once
// A local stand-in for Meta's Graph API (v23.0 shapes): records every request and answers like the real one.
// WhatsApp: POST /{phone_number_id}/messages → {"messaging_product","contacts","messages":[{"id"}]} for sends and
// {"success":true} for read receipts. Instagram: POST /{account_id}/messages → {"recipient_id","message_id"} for
// sends and {"recipient_id"} for sender actions. Messenger (the Send API): POST /{page_id}/messages answers the same,
// and, as Meta's does, refuses a message without a valid messaging_type (RESPONSE, UPDATE, or MESSAGE_TAG with a
// tag) with (#100). Instagram's comments (AddComment): public and private replies, hiding and deleting. Runs its own
// thread; safe to query from the test thread.
//
// It also holds the accounts businesses connected, for channel administration: GET /{node}?fields=… answers a
// WhatsApp phone number or an Instagram account to a token that reaches it (else Meta's 400 OAuthException: code
// 190 for an unknown token, 100 for a node the token cannot see); Meta's OAuth: GET /oauth/access_token exchanges a
// code issued for (client_id, redirect_uri) once, with the app's secret; GET /debug_token (app token) lists the
// WhatsApp Business Accounts a token was granted in granular_scopes; GET /{waba_id}/phone_numbers; GET /me/accounts
// lists the Pages of a user token with their instagram_business_account; GET /{media_id} and the URL it answers serve a
// customer's media (AddMedia); GET /{waba_id}/message_templates lists a
// WhatsApp Business Account's templates as Meta does ({"data": [...], "paging": {"cursors", "next"}}, `limit`
// (default 25) and `after` honoured). GET /dialog/oauth stands for the Login dialog a browser is sent to: the
// person who "signs in" there (SetLoginUser) grants at once, and the browser is redirected (302) to redirect_uri
// with a new code and the state, or with error=access_denied when nobody is set to sign in.

#include "http/http.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley::testing {

struct FakePhoneNumber {
  std::string id;
  std::string display_phone_number;
  std::string verified_name;
};

// A customer's comment on one of the account's posts, as the fake knows it (AddComment) and as the business left it.
struct FakeComment {
  std::string commenter_id;  //!< The author's Instagram-scoped id: a private reply goes to them.
  bool hidden = false;
  bool deleted = false;
  int private_replies = 0;
  std::string private_reply_id;  //!< The message_id answered to the private reply; set before the answer goes.
  std::vector<std::string> public_replies;  //!< The texts replied under it, in order.
};

// A file uploaded to WhatsApp (POST /{phone_number_id}/media), as the fake received it.
struct FakeUpload {
  std::string id;  //!< The media id answered.
  std::string account;
  std::string authorization;
  std::string messaging_product;
  std::string type;  //!< The form's `type` field.
  std::string filename;
  std::string content_type;  //!< The file part's Content-Type.
  std::string bytes;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string authorization;
  boost::json::value body;
  std::chrono::steady_clock::time_point received_at;
};

class FakeGraph {
 public:
  FakeGraph();
  ~FakeGraph();

  std::string base_url() const;  //!< http://127.0.0.1:PORT
  std::vector<RecordedRequest> requests() const;
  // Requests that send a message (not read receipts, typing or sender actions).
  std::vector<RecordedRequest> sends() const;
  // The sends of a WhatsApp template (`"type": "template"`).
  std::vector<RecordedRequest> template_sends() const;
  // Waits up to `timeout` until `sends().size() >= n`.
  bool WaitForSends(size_t n, std::chrono::milliseconds timeout) const;

  // Instagram's comments: a comment `comment_id` written by `commenter_id` (the test's webhook tells Parley about it).
  // POST /{comment_id}/replies {"message"} answers {"id"} with the new comment's id; POST /{account}/messages with
  // "recipient": {"comment_id"} is a private reply, {"recipient_id", "message_id"}, one per comment (Meta refuses a
  // second); POST /{comment_id} {"hide": bool} and DELETE /{comment_id} answer {"success": true}. An unknown or
  // deleted comment gets Meta's (#100) "does not exist" error.
  void AddComment(const std::string& comment_id, const std::string& commenter_id);
  // What became of the comment; nullopt for one never added.
  std::optional<FakeComment> comment(const std::string& comment_id) const;

  // Indicator calls (read receipts, typing, sender actions) take this long to answer.
  void set_indicator_delay(std::chrono::milliseconds delay) { indicator_delay_ms_ = delay.count(); }
  // A private reply is taken at once (FakeComment::private_reply_id) but answered this late, as Meta's echo of it can
  // reach the webhook before the Send API's answer reaches the sender.
  void set_private_reply_delay(std::chrono::milliseconds delay) { private_reply_delay_ms_ = delay.count(); }
  // The next `n` send calls answer `status` with a Graph error body.
  void FailNextSends(int n, int status) {
    fail_sends_ = n;
    fail_status_ = status;
  }
  // For `duration` from now, every send answers 503 with Meta's transient error (code 2, "is_transient": true):
  // the platform is down for a while, then recovers.
  void FailSendsFor(std::chrono::milliseconds duration) {
    sends_down_until_ns_ = (std::chrono::steady_clock::now() + duration).time_since_epoch().count();
  }
  // Sends answered with an error so far.
  int failed_sends() const { return failed_sends_.load(); }
  // The next `n` GET calls answer `status` with a Graph error body (a platform outage).
  void FailNextReads(int n, int status) {
    fail_reads_ = n;
    fail_read_status_ = status;
  }

  // A WhatsApp Business Account whose phone numbers `token` reaches (and that a login with `token` granted).
  void AddWhatsAppBusiness(const std::string& token, const std::string& waba_id, std::vector<FakePhoneNumber> numbers);
  // A Facebook Page of the user behind `user_token`, with its own token and its Instagram business account.
  void AddInstagramAccount(const std::string& user_token, const std::string& page_id, const std::string& page_token,
                           const std::string& account_id, const std::string& username);
  // A Facebook Page of the user behind `user_token` (GET /me/accounts lists it with `page_token`), which
  // GET /{page_id}?fields=id,name answers to `page_token`.
  void AddFacebookPage(const std::string& user_token, const std::string& page_id, const std::string& page_token,
                       const std::string& name);
  // A customer `contact_id` (a PSID or an IGSID) whose profile the channel token `token` may read, as Meta's User
  // Profile API answers GET /{contact_id}?fields=…: the fields asked for among `fields` (Messenger's first_name,
  // last_name, profile_pic; Instagram's name, username, profile_pic), with the id. Any other customer is refused with
  // Meta's (#100) error, as when the customer blocked the account or never wrote.
  void AddProfile(const std::string& token, const std::string& contact_id, boost::json::object fields);
  // A message template of the WhatsApp Business Account `waba_id`, which `token` may list. `fields` is Meta's
  // object (name, language, status, category, parameter_format, components); an id is added when it has none.
  void AddMessageTemplate(const std::string& waba_id, const std::string& token, boost::json::object fields);
  // A customer's media that `token` (the channel's) may download: GET /{media_id} answers Meta's Retrieve Media URL
  // ({"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}), and the URL (valid five minutes,
  // bearer token required) answers the bytes with `mime_type` as Content-Type.
  void AddMedia(const std::string& media_id, const std::string& token, std::string bytes, std::string mime_type);
  // Files uploaded to WhatsApp so far (POST /{phone_number_id}/media), in the order received. A WhatsApp send by media
  // id
  // ({"type": "image", "image": {"id"}}) of an id this account did not upload is refused (#131053), as is an audio
  // message with a caption.
  std::vector<FakeUpload> uploads() const;
  // Media files downloaded so far.
  int media_downloads() const;
  // A file on Meta's CDN as an Instagram or Messenger attachment links to it
  // (`<base>/ig_messaging_cdn?asset_id=…&signature=…`, like lookaside.fbsbx.com's): served without a token, with
  // `mime_type` as Content-Type; a link whose signature does not match answers 403 "URL signature expired". Returns
  // the link.
  std::string AddCdnFile(std::string bytes, std::string mime_type);
  // CDN files downloaded so far, and how many of those requests carried an Authorization header.
  int cdn_downloads() const;
  int cdn_downloads_with_authorization() const;
  // The Meta app that OAuth codes are issued to.
  void SetApp(const std::string& app_id, const std::string& app_secret);
  // A code the Login dialog would have sent to `redirect_uri`; it exchanges once for `user_token`.
  void AddAuthorizationCode(const std::string& code, const std::string& redirect_uri, const std::string& user_token);
  // Who signs in at GET /dialog/oauth and grants the app what it asks: the codes it issues exchange for
  // `user_token`. Empty (the default): the person declines.
  void SetLoginUser(const std::string& user_token);

 private:
  struct Impl;
  void AddCommentRoutes();
  void AddUploadRoute();
  // Meta's refusal of a WhatsApp media message (by id) this fake cannot deliver; nullopt for other messages.
  std::optional<http::Response> CheckMediaById(const boost::json::object& body, const std::string& account);
  std::unique_ptr<Impl> impl_;
  std::atomic<int64_t> indicator_delay_ms_{0};
  std::atomic<int64_t> private_reply_delay_ms_{0};
  std::atomic<int> fail_sends_{0};
  std::atomic<int> fail_status_{500};
  std::atomic<int64_t> sends_down_until_ns_{0};
  std::atomic<int> failed_sends_{0};
  std::atomic<int> fail_reads_{0};
  std::atomic<int> fail_read_status_{503};
};

bool IsSend(const RecordedRequest& r);

}  // namespace parley::testing
