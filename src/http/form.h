#pragma once
// application/x-www-form-urlencoded text, the one encoding Parley writes for form bodies (Stripe's API) and for the
// query strings it builds itself (the dashboard's redirects): every byte but RFC 3986's unreserved characters
// percent-encoded, brackets in names and '+' included (a '+' left as is reads as a space), pairs joined by '&' in
// the order given.

#include <string>
#include <utility>
#include <vector>

namespace parley::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

std::string FormEncode(const FormFields& fields);

}  // namespace parley::http
