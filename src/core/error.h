#pragma once
// The one error type of Parley. Expected failures travel as values (`Result<T>`); exceptions are kept for bugs
// and start-up failures. An `Error` carries a client-safe message and a log-only detail, so the HTTP layer can
// answer without leaking internals (see http::ErrorResponse).

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace parley {

enum class ErrorCode {
  kInvalidArgument,       //!< The caller sent something malformed (HTTP 400).
  kUnauthenticated,       //!< Missing or wrong credentials or signature (HTTP 401).
  kPermissionDenied,      //!< Authenticated but not allowed (HTTP 403).
  kPlanLimit,             //!< The tenant's plan allows no more of this; a higher plan would (HTTP 403).
  kNotFound,              //!< No such resource for this caller (HTTP 404).
  kConflict,              //!< The resource already exists or changed underneath (HTTP 409).
  kPayloadTooLarge,       //!< Body over the configured limit (HTTP 413).
  kUnsupportedMediaType,  //!< A body in a format the route does not take (HTTP 415).
  kRateLimited,           //!< A peer or a quota said "slow down" (HTTP 429).
  kUnavailable,           //!< A dependency failed; retrying later may succeed (HTTP 503).
  kTimeout,               //!< A deadline passed (HTTP 504).
  kCancelled,             //!< The operation was cancelled, usually by shutdown.
  kInternal,              //!< A bug or an unexpected state (HTTP 500).
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  //!< Safe to show to the client that caused it.
  std::string detail;   //!< For logs only; may name internals but never secrets.

  static Error InvalidArgument(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message), {}}; }
  static Error Unauthenticated(std::string message) { return {ErrorCode::kUnauthenticated, std::move(message), {}}; }
  static Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message), {}}; }
  static Error Unavailable(std::string message, std::string detail = {}) {
    return {ErrorCode::kUnavailable, std::move(message), std::move(detail)};
  }
  static Error Timeout(std::string message) { return {ErrorCode::kTimeout, std::move(message), {}}; }
  static Error Internal(std::string detail) { return {ErrorCode::kInternal, "internal error", std::move(detail)}; }
};

// `Result<T>::value()` on an error throws this; reaching it is a bug in the caller.
struct ErrorException : std::exception {
  explicit ErrorException(Error e)
      : error(std::move(e)),
        what_(std::string(ToString(error.code)) + ": " + error.message +
              (error.detail.empty() ? "" : " (" + error.detail + ")")) {}
  const char* what() const noexcept override { return what_.c_str(); }
  Error error;
  std::string what_;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// The success value of a `Result<void>`: `return Ok();`.
inline boost::system::result<void, Error> Ok() { return {}; }

}  // namespace parley
