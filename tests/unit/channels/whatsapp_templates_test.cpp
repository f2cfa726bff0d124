#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/whatsapp/template_catalog.h"
#include "channels/whatsapp/templates.h"
#include "channels/whatsapp/whatsapp_channel.h"
#include "graph_stub.h"

namespace parley::channels::whatsapp {
namespace {

namespace json = boost::json;

// The shape of Meta's template list (WhatsApp Business Management API, GET /{waba_id}/message_templates).
constexpr const char* kPage = R"({
  "data": [
    {"name": "order_update", "parameter_format": "POSITIONAL", "language": "en_US", "status": "APPROVED",
     "category": "UTILITY", "id": "594425479261596",
     "components": [
       {"type": "HEADER", "format": "TEXT", "text": "Your order"},
       {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped. Thanks, {{1}}!",
        "example": {"body_text": [["Ana", "A-1"]]}},
       {"type": "FOOTER", "text": "Lucky Shrub"},
       {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Thanks"},
                                       {"type": "URL", "text": "Track", "url": "https://shrub.test/track"}]}]},
    {"name": "reservation_confirmation", "parameter_format": "NAMED", "language": "fr", "status": "APPROVED",
     "category": "UTILITY", "id": "2",
     "components": [{"type": "BODY",
                     "text": "{{guest}}, table pour {{count}} le {{day}}. À bientôt {{guest}} !"}]},
    {"name": "spring_sale", "language": "en_US", "status": "PENDING", "category": "MARKETING", "id": "3",
     "components": [{"type": "BODY", "text": "Spring sale!"}]},
    {"name": "photo_receipt", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "4",
     "components": [{"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://x"]}},
                    {"type": "BODY", "text": "Here is your receipt."}]},
    {"name": "track_link", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "5",
     "components": [{"type": "BODY", "text": "Track it."},
                    {"type": "BUTTONS",
                     "buttons": [{"type": "URL", "text": "Track", "url": "https://shrub.test/t/{{1}}"}]}]}
  ],
  "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"},
             "next": "https://graph.facebook.com/v23.0/102290129340398/message_templates?limit=5&after=MjQZD"}
})";

TemplatePage Parsed(const char* text) {
  auto page = ParseTemplatePage(json::parse(text).as_object());
  EXPECT_TRUE(page) << (page ? "" : page.error().message);
  return page ? *page : TemplatePage{};
}

TEST(WhatsAppTemplates, ParsesMetasListWithItsComponentsAndCursor) {
  TemplatePage page = Parsed(kPage);
  ASSERT_EQ(page.templates.size(), 5u);
  EXPECT_EQ(page.next_cursor, "MjQZD");
  const MessageTemplate& t = page.templates[0];
  EXPECT_EQ(t.id, "594425479261596");
  EXPECT_EQ(t.name, "order_update");
  EXPECT_EQ(t.language, "en_US");
  EXPECT_EQ(t.category, "UTILITY");
  EXPECT_FALSE(t.named);
  EXPECT_EQ(t.header_format, "TEXT");
  EXPECT_EQ(t.header_text, "Your order");
  EXPECT_EQ(t.body, "Hi {{1}}, your order {{2}} has shipped. Thanks, {{1}}!");
  EXPECT_EQ(t.footer, "Lucky Shrub");
  ASSERT_EQ(t.buttons.size(), 2u);
  EXPECT_EQ(t.buttons[1].url, "https://shrub.test/track");
  EXPECT_EQ(t.placeholders, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(t.sendable());

  EXPECT_TRUE(page.templates[1].named);
  EXPECT_EQ(page.templates[1].placeholders, (std::vector<std::string>{"guest", "count", "day"}));
  EXPECT_FALSE(page.templates[2].sendable()) << "pending";
  EXPECT_TRUE(page.templates[2].unsupported.empty());
  EXPECT_EQ(page.templates[3].unsupported, "its header is media (IMAGE), which Parley does not send");
  EXPECT_EQ(page.templates[4].unsupported, "its URL button has a variable, which Parley does not fill");
}

TEST(WhatsAppTemplates, TheLastPageHasNoCursorAndAnEmptyListIsFine) {
  EXPECT_EQ(Parsed(R"({"data": [], "paging": {"cursors": {"before": "A", "after": "B"}}})").next_cursor, "");
  EXPECT_TRUE(Parsed(R"({"data": []})").templates.empty());
}

TEST(WhatsAppTemplates, WrongTypesAndNamelessTemplatesAreRefused) {
  EXPECT_FALSE(ParseTemplatePage(json::parse(R"({"data": {}})").as_object()));
  EXPECT_FALSE(ParseTemplatePage(json::parse(R"({"data": [{"name": 3, "language": "en"}]})").as_object()));
  EXPECT_FALSE(ParseTemplatePage(json::parse(R"({"data": [{"language": "en"}]})").as_object()));
  EXPECT_FALSE(ParseTemplatePage(json::parse(R"({"data": [{"name": "a", "language": "en", "components": [{
      "type": "BODY", "text": ["x"]}]}]})")
                                     .as_object()));
}

TEST(WhatsAppTemplates, PlaceholdersArePositionalFromOneOrNamed) {
  EXPECT_EQ(*Placeholders("No variables", false), std::vector<std::string>{});
  EXPECT_EQ(*Placeholders("{{2}} then {{1}} then {{2}}", false), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Placeholders("{{10}}{{9}}{{8}}{{7}}{{6}}{{5}}{{4}}{{3}}{{2}}{{1}}", false)->size(), 10u);
  EXPECT_EQ(*Placeholders("{{b}} {{a}} {{b}}", true), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(*Placeholders("an unclosed {{1 stays text", false), std::vector<std::string>{});

  auto gap = Placeholders("{{1}} and {{3}}", false);
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error().message, "placeholders must be numbered from {{1}} without gaps; {{3}} follows {{1}}");
  EXPECT_FALSE(Placeholders("{{2}}", false));
  EXPECT_FALSE(Placeholders("{{name}}", false));
  EXPECT_FALSE(Placeholders("{{First Name}}", true));
}

TEST(WhatsAppTemplates, RenderingFillsEveryOccurrenceAndLeavesTheRest) {
  EXPECT_EQ(FillPlaceholders("Hi {{1}}, order {{2}}. Bye {{1}} {{3}}", {"1", "2"}, {"Ana", "A-1"}),
            "Hi Ana, order A-1. Bye Ana {{3}}");
  EXPECT_EQ(FillPlaceholders("{{1}}{{1}}", {"1"}, {"{{1}}"}), "{{1}}{{1}}") << "values are not rescanned";
  TemplatePage page = Parsed(kPage);
  auto named = PrepareTemplate(page.templates[1], {"Léa", "4", "samedi"});
  ASSERT_TRUE(named);
  EXPECT_EQ(RenderTemplate(page.templates[1], *named), "Léa, table pour 4 le samedi. À bientôt Léa !");
}

TEST(WhatsAppTemplates, PreparingChecksStatusSupportAndEveryParameter) {
  TemplatePage page = Parsed(kPage);
  const MessageTemplate& order = page.templates[0];
  auto ok = PrepareTemplate(order, {"Ana", "A-1"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->name, "order_update");
  EXPECT_EQ(ok->language, "en_US");
  EXPECT_TRUE(ok->parameter_names.empty());
  EXPECT_EQ(PrepareTemplate(page.templates[1], {"Léa", "4", "samedi"})->parameter_names,
            (std::vector<std::string>{"guest", "count", "day"}));

  auto count = PrepareTemplate(order, {"Ana"});
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().message, "template \"order_update\" (en_US) takes 2 parameters ({{1}}, {{2}}); 1 was given");
  EXPECT_EQ(PrepareTemplate(page.templates[2], {}).error().message,
            "template \"spring_sale\" (en_US) is PENDING, not APPROVED");
  EXPECT_FALSE(PrepareTemplate(page.templates[3], {}));
  EXPECT_FALSE(PrepareTemplate(order, {"Ana", ""}));
  EXPECT_FALSE(PrepareTemplate(order, {"Ana", "two\nlines"}));
  EXPECT_FALSE(PrepareTemplate(order, {"Ana", "a\ttab"}));
  EXPECT_FALSE(PrepareTemplate(order, {"Ana", "five     spaces"}));
  EXPECT_TRUE(PrepareTemplate(order, {"Ana", "four    spaces"}));
}

TEST(WhatsAppTemplates, SendBodyIsMetasTemplateMessage) {
  EXPECT_EQ(TemplateMessageBody("16505551234", {"order_update", "en_US", {"Ana", "A-1"}, {}}),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"template","template":{"name":"order_update","language":{"code":"en_US"},
                            "components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},
                                                                       {"type":"text","text":"A-1"}]}]}})"));
  EXPECT_EQ(TemplateMessageBody("16505551234", {"reservation", "fr", {"Léa"}, {"guest"}}),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"template","template":{"name":"reservation","language":{"code":"fr"},
                            "components":[{"type":"body","parameters":[
                              {"type":"text","parameter_name":"guest","text":"Léa"}]}]}})"));
  EXPECT_EQ(TemplateMessageBody("16505551234", {"hello_world", "en_US", {}, {}}),
            json::parse(R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
                            "type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}})"));
}

TEST(WhatsAppTemplates, TheListingSaysWhatToFillAndWhetherItCanBeSent) {
  TemplatePage page = Parsed(kPage);
  json::object order = TemplateListingJson(page.templates[0]);
  EXPECT_EQ(order.at("parameter_count"), 2);
  EXPECT_EQ(order.at("placeholders"), json::parse(R"(["1","2"])"));
  EXPECT_EQ(order.at("header"), json::parse(R"({"format":"TEXT","text":"Your order"})"));
  EXPECT_EQ(order.at("sendable"), true);
  EXPECT_TRUE(order.at("unsupported_reason").is_null());
  json::object photo = TemplateListingJson(page.templates[3]);
  EXPECT_EQ(photo.at("sendable"), false);
  EXPECT_EQ(photo.at("header"), json::parse(R"({"format":"IMAGE","text":null})"));
  EXPECT_EQ(TemplateListingJson(page.templates[1]).at("parameter_format"), "NAMED");
}

TEST(WhatsAppTemplates, TheStoredFormReadsBack) {
  TemplateMessage named{"reservation", "fr", {"Léa", "4"}, {"guest", "count"}};
  auto back = TemplateFromJson(TemplateJson(named));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "reservation");
  EXPECT_EQ(back->parameters, named.parameters);
  EXPECT_EQ(back->parameter_names, named.parameter_names);
  EXPECT_FALSE(TemplateJson(TemplateMessage{"a", "en", {"x"}, {}}).contains("parameter_names"));
  EXPECT_FALSE(TemplateFromJson(json::parse(R"({"name":"a"})")));
  EXPECT_FALSE(TemplateFromJson(json::parse(R"({"name":"a","language":"en","parameters":[1]})")));
}

class TemplateCatalogTest : public ::testing::Test {
 protected:
  static http::ClientOptions FastOptions() {
    http::ClientOptions o;
    o.max_attempts = 1;
    o.connect_timeout = std::chrono::milliseconds(1000);
    return o;
  }
  boost::asio::io_context io_;
  stub::GraphStub stub_{io_};
  http::Client client_{io_.get_executor(), FastOptions()};
};

TEST_F(TemplateCatalogTest, ReadsEveryPageByCursorWithTheTokenInTheHeaderAndKeepsThem) {
  TemplateCatalog catalog(client_, stub_.base_url());
  stub_.Answer(200, R"({"data":[{"name":"a","language":"en","status":"APPROVED","components":[]}],
                        "paging":{"cursors":{"before":"X","after":"c1"},"next":"https://elsewhere.test/next"}})");
  stub_.Answer(200, R"({"data":[{"name":"b","language":"en","status":"APPROVED","components":[]}],
                        "paging":{"cursors":{"before":"c1","after":"c2"}}})");
  auto listed = stub_.Run(catalog.List(7, "102290129340398", "EAAG-secret"));
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].name, "b");
  ASSERT_EQ(stub_.requests().size(), 2u);
  EXPECT_EQ(stub_.requests()[0].target,
            "/v23.0/102290129340398/message_templates?fields=id,name,language,status,category,parameter_format,"
            "components&limit=100");
  EXPECT_EQ(stub_.requests()[1].target,
            "/v23.0/102290129340398/message_templates?fields=id,name,language,status,category,parameter_format,"
            "components&limit=100&after=c1")
      << "the next link is not followed, only its cursor, on the configured base";
  EXPECT_EQ(stub_.requests()[0].authorization, "Bearer EAAG-secret");

  ASSERT_TRUE(stub_.Run(catalog.List(7, "102290129340398", "EAAG-secret")));
  EXPECT_EQ(stub_.requests().size(), 2u) << "kept";
  stub_.Answer(200, R"({"data":[]})");
  auto renewed = stub_.Run(catalog.List(7, "102290129340398", "EAAG-new-token"));
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(renewed->empty()) << "a new token is fetched again";
  EXPECT_EQ(stub_.requests().size(), 3u);
}

TEST_F(TemplateCatalogTest, AnExpiredListIsFetchedAgain) {
  TemplateCatalog catalog(client_, stub_.base_url(), std::chrono::steady_clock::duration::zero());
  stub_.Answer(200, R"({"data":[]})");
  stub_.Answer(200, R"({"data":[]})");
  ASSERT_TRUE(stub_.Run(catalog.List(7, "1", "t")));
  ASSERT_TRUE(stub_.Run(catalog.List(7, "1", "t")));
  EXPECT_EQ(stub_.requests().size(), 2u);
}

TEST_F(TemplateCatalogTest, RefusalsAndOutagesAreToldApartWithoutTheToken) {
  TemplateCatalog catalog(client_, stub_.base_url());
  stub_.Answer(400, R"({"error":{"message":"Invalid OAuth access token - Cannot parse access token",
                        "type":"OAuthException","code":190,"fbtrace_id":"A"}})");
  auto refused = stub_.Run(catalog.List(7, "1", "EAAG-secret"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("Invalid OAuth access token"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("EAAG-secret"), std::string::npos);

  stub_.Answer(503, R"({"error":{"message":"Service unavailable","code":2,"is_transient":true}})");
  auto down = stub_.Run(catalog.List(7, "1", "EAAG-secret"));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(down.error().detail.find("EAAG-secret"), std::string::npos);
}

TEST_F(TemplateCatalogTest, TheChannelSendsTemplatesToThePhoneNumber) {
  PlatformSettings settings;
  settings.graph_base_url = stub_.base_url();
  WhatsAppChannel channel(settings, client_);
  stub_.Answer(200, R"({"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],
                       "messages":[{"id":"wamid.TPL"}]})");
  TemplateMessage message{"order_update", "en_US", {"Ana", "A-1"}, {}};
  SendResult sent = stub_.Run(channel.SendTemplate({"106540352242922", "EAAG-token"}, "16505551234", message));
  EXPECT_TRUE(sent.ok());
  EXPECT_EQ(sent.platform_message_id, "wamid.TPL");
  ASSERT_EQ(stub_.requests().size(), 1u);
  EXPECT_EQ(stub_.requests()[0].target, "/v23.0/106540352242922/messages");
  EXPECT_EQ(json::parse(stub_.requests()[0].body), TemplateMessageBody("16505551234", message));
}

}  // namespace
}  // namespace parley::channels::whatsapp
