#include "agent/settings.h"

#include "core/json.h"

#include <boost/json/parse.hpp>

#include <tuple>

namespace parley::agent {
namespace {

Error FieldError(std::string_view field, std::string_view expected) {
  return Error::InvalidArgument(std::string(field) + " must be " + std::string(expected));
}

Result<void> ReadString(const boost::json::value& value, std::string_view field, size_t max_size, std::string& out) {
  if (!value.is_string() || value.as_string().size() > max_size) {
    return FieldError(field, "a string of at most " + std::to_string(max_size) + " bytes");
  }
  out = std::string(value.as_string());
  return Ok();
}

Result<void> ReadNumber(const boost::json::value& value, std::string_view field, double low, double high, double& out) {
  if (!value.is_number()) return FieldError(field, "a number");
  double number = value.to_number<double>();
  if (number < low || number > high) {
    return FieldError(field, "between " + std::to_string(low) + " and " + std::to_string(high));
  }
  out = number;
  return Ok();
}

Result<void> ReadInt(const boost::json::value& value, std::string_view field, int64_t low, int64_t high, int& out) {
  if (!value.is_int64() && !value.is_uint64()) return FieldError(field, "an integer");
  int64_t number = value.is_int64() ? value.as_int64() : static_cast<int64_t>(value.as_uint64());
  if (number < low || number > high) {
    return FieldError(field, "between " + std::to_string(low) + " and " + std::to_string(high));
  }
  out = static_cast<int>(number);
  return Ok();
}

Result<void> ReadUrl(const boost::json::value& value, std::string_view field, std::string& out) {
  auto read = ReadString(value, field, 2048, out);
  if (!read) return read;
  if (!out.empty() && out.rfind("http://", 0) != 0 && out.rfind("https://", 0) != 0) {
    return FieldError(field, "an http:// or https:// URL");
  }
  return Ok();
}

}  // namespace

AiSettings DefaultAiSettings(const Config& config) {
  AiSettings settings;
  settings.llm = {config.llm_base_url, config.llm_api_key, config.llm_model};
  settings.embeddings = {config.embeddings_base_url, config.embeddings_api_key, config.embeddings_model};
  return settings;
}

Result<void> ApplyAiSettingsJson(const boost::json::object& json, AiSettings& settings) {
  for (const auto& [key, value] : json) {
    Result<void> read = Ok();
    if (key == "enabled") {
      if (!value.is_bool()) return FieldError(key, "true or false");
      settings.enabled = value.as_bool();
    } else if (key == "knowledge_base_ids") {
      if (!value.is_array()) return FieldError(key, "an array of ids");
      std::vector<int64_t> ids;
      for (const auto& id : value.as_array()) {
        if (!id.is_int64() || id.as_int64() <= 0) return FieldError(key, "an array of ids");
        ids.push_back(id.as_int64());
      }
      settings.knowledge_base_ids = std::move(ids);
    } else if (key == "persona") {
      read = ReadString(value, key, 8000, settings.persona);
    } else if (key == "answer_language") {
      read = ReadString(value, key, 16, settings.answer_language);
    } else if (key == "language") {
      read = ReadString(value, key, 32, settings.language);
    } else if (key == "llm_base_url") {
      read = ReadUrl(value, key, settings.llm.base_url);
    } else if (key == "llm_api_key") {
      read = ReadString(value, key, 512, settings.llm.api_key);
    } else if (key == "model" || key == "llm_model") {
      read = ReadString(value, key, 200, settings.llm.model);
    } else if (key == "temperature") {
      read = ReadNumber(value, key, 0, 2, settings.temperature);
    } else if (key == "max_tokens") {
      read = ReadInt(value, key, 16, 16384, settings.max_tokens);
    } else if (key == "embeddings_base_url") {
      read = ReadUrl(value, key, settings.embeddings.base_url);
    } else if (key == "embeddings_api_key") {
      read = ReadString(value, key, 512, settings.embeddings.api_key);
    } else if (key == "embeddings_model") {
      read = ReadString(value, key, 200, settings.embeddings.model);
    } else if (key == "min_relevance") {
      read = ReadNumber(value, key, 0, 1, settings.min_relevance);
    } else if (key == "top_k") {
      read = ReadInt(value, key, 1, 20, settings.top_k);
    } else if (key == "history_turns") {
      read = ReadInt(value, key, 0, 50, settings.history_turns);
    } else if (key == "handoff_message") {
      read = ReadString(value, key, 1000, settings.handoff_message);
    } else if (key == "fallback_message") {
      read = ReadString(value, key, 1000, settings.fallback_message);
    } else if (key == "chunk_size") {
      read = ReadInt(value, key, 200, 4000, settings.chunk_size);
    } else if (key == "chunk_overlap") {
      read = ReadInt(value, key, 0, 1000, settings.chunk_overlap);
    } else if (key == "greeting_message") {
      read = ReadString(value, key, 1000, settings.greeting_message);
    } else if (key == "llm_api_key_set" || key == "embeddings_api_key_set") {
      continue;  // Read-only fields of the public form, tolerated so a GET can be PUT back.
    } else {
      return Error::InvalidArgument("unknown field " + std::string(key));
    }
    if (!read) return read;
  }
  return Ok();
}

boost::json::object ToPublicJson(const AiSettings& s) {
  boost::json::array ids;
  for (int64_t id : s.knowledge_base_ids) ids.push_back(id);
  return {{"enabled", s.enabled},
          {"knowledge_base_ids", std::move(ids)},
          {"persona", s.persona},
          {"answer_language", s.answer_language},
          {"language", s.language},
          {"llm_base_url", s.llm.base_url},
          {"llm_api_key_set", !s.llm.api_key.empty()},
          {"model", s.llm.model},
          {"temperature", s.temperature},
          {"max_tokens", s.max_tokens},
          {"embeddings_base_url", s.embeddings.base_url},
          {"embeddings_api_key_set", !s.embeddings.api_key.empty()},
          {"embeddings_model", s.embeddings.model},
          {"min_relevance", s.min_relevance},
          {"top_k", s.top_k},
          {"history_turns", s.history_turns},
          {"handoff_message", s.handoff_message},
          {"fallback_message", s.fallback_message},
          {"greeting_message", s.greeting_message},
          {"chunk_size", s.chunk_size},
          {"chunk_overlap", s.chunk_overlap}};
}

Result<std::string> MergeStoredSettings(const std::optional<std::string>& stored, const boost::json::object& changes,
                                        const AiSettings& defaults, const crypto::SecretBox& box) {
  auto current = FromStoredJson(stored, defaults, box);
  if (!current) return current.error();
  auto applied = ApplyAiSettingsJson(changes, *current);
  if (!applied) return applied.error();
  boost::json::object overrides;
  if (stored) overrides = boost::json::parse(*stored).as_object();
  for (const auto& [key, value] : changes) {
    if (key == "llm_api_key_set" || key == "embeddings_api_key_set") continue;
    if (key == "model" || key == "llm_model") {
      // Two names for one field, kept under one so that the latest change wins over an earlier one by the other name.
      overrides.erase("llm_model");
      overrides["model"] = value;
      continue;
    }
    if (key == "llm_api_key" || key == "embeddings_api_key") {
      std::string sealed_key = std::string(key) + "_sealed";
      if (value.as_string().empty()) {
        overrides.erase(sealed_key);
      } else {
        overrides[sealed_key] = box.Seal(value.as_string());
      }
      continue;
    }
    overrides[key] = value;
  }
  return SerializeJson(overrides);
}

Result<AiSettings> FromStoredJson(const std::optional<std::string>& stored, const AiSettings& defaults,
                                  const crypto::SecretBox& box) {
  if (!stored) return defaults;
  boost::system::error_code error;
  auto parsed = boost::json::parse(*stored, error);
  if (error || !parsed.is_object()) return Error::Internal("stored AI settings are not a JSON object");
  boost::json::object fields = parsed.as_object();
  AiSettings settings = defaults;
  bool own_llm_key = false;
  bool own_embeddings_key = false;
  for (auto [sealed_field, target, own] :
       {std::tuple{"llm_api_key_sealed", &settings.llm.api_key, &own_llm_key},
        std::tuple{"embeddings_api_key_sealed", &settings.embeddings.api_key, &own_embeddings_key}}) {
    if (auto* sealed = fields.if_contains(sealed_field); sealed != nullptr && sealed->is_string()) {
      auto opened = box.Open(sealed->as_string());
      if (opened) {
        *target = std::move(*opened);
        *own = true;
      }
    }
    fields.erase(sealed_field);
  }
  auto applied = ApplyAiSettingsJson(fields, settings);
  if (!applied) return applied.error();
  // The server's keys are for the server's endpoints: a tenant who points a provider at another URL without a key
  // of its own must not have the operator's key sent there in the Authorization header.
  if (!own_llm_key && settings.llm.base_url != defaults.llm.base_url) settings.llm.api_key.clear();
  if (!own_embeddings_key && settings.embeddings.base_url != defaults.embeddings.base_url) {
    settings.embeddings.api_key.clear();
  }
  return settings;
}

}  // namespace parley::agent
