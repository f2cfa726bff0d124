#include "channels/meta/parse_accounts.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace parley::channels::meta {
namespace {

boost::json::object Json(std::string_view text) { return boost::json::parse(text).as_object(); }

TEST(ReadGraphAnswerTest, ARefusalCarriesMetasMessage) {
  auto refused = ReadGraphAnswer(
      400, R"({"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException",)"
           R"("code":190,"fbtrace_id":"A1"}})");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message, "Invalid OAuth access token - Cannot parse access token");
}

TEST(ReadGraphAnswerTest, OutagesAndGarbageAreUnavailable) {
  EXPECT_EQ(ReadGraphAnswer(503, R"({"error":{"message":"Service unavailable","code":2}})").error().code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(ReadGraphAnswer(429, "").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ReadGraphAnswer(502, "<html>Bad gateway</html>").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ReadGraphAnswer(200, "[1,2]").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ReadGraphAnswer(200, "{").error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(ReadGraphAnswer(200, R"({"id":"1"})").value().at("id"), "1");
}

TEST(ParseAccountsTest, WhatsAppNumberAndInstagramAccount) {
  auto number = ParseWhatsAppNumber(
      Json(R"({"display_phone_number":"+1 555-0100","verified_name":"Acme Bakery","id":"106540352242922"})"));
  ASSERT_TRUE(number);
  EXPECT_EQ(number->id, "106540352242922");
  EXPECT_EQ(number->display_phone_number, "+1 555-0100");
  EXPECT_EQ(number->verified_name, "Acme Bakery");
  auto account = ParseInstagramAccount(Json(R"({"id":"17841405822304914","username":"acmebakery"})"));
  ASSERT_TRUE(account);
  EXPECT_EQ(account->username, "acmebakery");
  EXPECT_FALSE(ParseInstagramAccount(Json(R"({"username":"acmebakery"})")));
  EXPECT_FALSE(ParseWhatsAppNumber(Json(R"({"id":106540352242922.5})")));
}

TEST(ParseAccountsTest, CodeExchange) {
  EXPECT_EQ(ParseAccessToken(Json(R"({"access_token":"EAAB","token_type":"bearer","expires_in":5183944})")).value(),
            "EAAB");
  EXPECT_FALSE(ParseAccessToken(Json(R"({"token_type":"bearer"})")));
}

TEST(ParseAccountsTest, SharedWabasComeFromTheManagementScope) {
  auto ids = ParseSharedWabaIds(Json(R"({"data":{"app_id":"670843887433847","is_valid":true,
      "granular_scopes":[{"scope":"business_management","target_ids":["999"]},
                         {"scope":"whatsapp_business_management","target_ids":["102289599326934","101569239400667"]},
                         {"scope":"whatsapp_business_messaging","target_ids":["102289599326934"]}],
      "scopes":["whatsapp_business_management"],"type":"USER"}})"));
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"102289599326934", "101569239400667"}));
  EXPECT_TRUE(ParseSharedWabaIds(Json(R"({"data":{"is_valid":true,"scopes":[]}})")).value().empty());
  auto invalid = ParseSharedWabaIds(Json(R"({"data":{"is_valid":false,"error":{"code":190}}})"));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseSharedWabaIds(Json(R"({"data":{"is_valid":true,"granular_scopes":[
      {"scope":"whatsapp_business_management","target_ids":[102289599326934]}]}})")));
}

TEST(ParseAccountsTest, PhoneNumbersOfAWaba) {
  auto numbers = ParsePhoneNumbers(Json(R"({"data":[
      {"verified_name":"Acme","display_phone_number":"+1 555-0100","id":"1065","quality_rating":"GREEN"},
      {"verified_name":"Acme West","display_phone_number":"+1 555-0101","id":"1066"}],
      "paging":{"cursors":{"before":"a","after":"b"}}})"));
  ASSERT_TRUE(numbers);
  ASSERT_EQ(numbers->size(), 2u);
  EXPECT_EQ((*numbers)[1].id, "1066");
  EXPECT_EQ((*numbers)[1].verified_name, "Acme West");
  EXPECT_TRUE(ParsePhoneNumbers(Json(R"({"data":[]})")).value().empty());
  EXPECT_FALSE(ParsePhoneNumbers(Json(R"({"data":["1065"]})")));
}

TEST(ParseAccountsTest, InstagramAccountsOfThePages) {
  auto accounts = ParseInstagramPages(Json(R"({"data":[
      {"id":"1001","name":"Acme","access_token":"page-token-1",
       "instagram_business_account":{"id":"17841405822304914","username":"acmebakery"}},
      {"id":"1002","name":"No Instagram","access_token":"page-token-2"}]})"));
  ASSERT_TRUE(accounts);
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].info.id, "17841405822304914");
  EXPECT_EQ((*accounts)[0].info.username, "acmebakery");
  EXPECT_EQ((*accounts)[0].access_token, "page-token-1");
  EXPECT_FALSE(ParseInstagramPages(Json(R"({"data":[{"id":"1001",
      "instagram_business_account":{"id":"17841405822304914"}}]})")));  // No Page token to reach it with.
}

TEST(ParseContactProfileTest, MessengersFirstAndLastNameAreJoined) {
  // Meta's User Profile API for a PSID (fields=first_name,last_name,profile_pic).
  auto profile =
      ParseContactProfile(Json(R"({"first_name":"Peter","last_name":"Chang",)"
                               R"("profile_pic":"https://platform-lookaside.fbsbx.com/p/1","id":"6923849"})"));
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->name, "Peter Chang");
  EXPECT_EQ(profile->username, "");
  EXPECT_EQ(profile->picture_url, "https://platform-lookaside.fbsbx.com/p/1");
  EXPECT_EQ(ParseContactProfile(Json(R"({"first_name":"Cher","id":"1"})")).value().name, "Cher");
  EXPECT_EQ(ParseContactProfile(Json(R"({"first_name":null,"last_name":"Chang","id":"1"})")).value().name, "Chang");
}

TEST(ParseContactProfileTest, InstagramsNameUsernameAndPicture) {
  // Meta's User Profile API for an IGSID (fields=name,username,profile_pic); the name may be null.
  auto profile = ParseContactProfile(Json(R"({"name":"Peter Chang","username":"peter_chang_live",)"
                                          R"("profile_pic":"https://fbcdn-profile-a.akamaihd.net/p.jpg"})"));
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->name, "Peter Chang");
  EXPECT_EQ(profile->username, "peter_chang_live");
  EXPECT_EQ(profile->picture_url, "https://fbcdn-profile-a.akamaihd.net/p.jpg");
  auto nameless = ParseContactProfile(Json(R"({"name":null,"username":"peter_chang_live","profile_pic":null})"));
  ASSERT_TRUE(nameless);
  EXPECT_EQ(nameless->name, "");
  EXPECT_EQ(nameless->username, "peter_chang_live");
}

TEST(ParseContactProfileTest, WrongTypesAreRefused) {
  EXPECT_EQ(ParseContactProfile(Json(R"({"name":42})")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseContactProfile(Json(R"({"first_name":{"a":1}})")));
  EXPECT_TRUE(ParseContactProfile(Json("{}")).value().name.empty());
}

}  // namespace
}  // namespace parley::channels::meta
