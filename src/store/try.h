#pragma once
// Early returns for Result<T> expressions, shared by the store backends (sqlite/, postgres/), like absl's
// RETURN_IF_ERROR and ASSIGN_OR_RETURN: the code then reads as the sequence of statements it runs.
#define STORE_TRY(expr)                                     \
  do {                                                      \
    auto&& store_try_result = (expr);                       \
    if (!store_try_result) return store_try_result.error(); \
  } while (false)
#define STORE_CONCAT_INNER(a, b) a##b
#define STORE_CONCAT(a, b) STORE_CONCAT_INNER(a, b)
#define STORE_ASSIGN_OR_RETURN(lhs, expr) STORE_ASSIGN_OR_RETURN_IMPL(STORE_CONCAT(store_result_, __LINE__), lhs, expr)
#define STORE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp) return tmp.error();                     \
  lhs = std::move(*tmp)
