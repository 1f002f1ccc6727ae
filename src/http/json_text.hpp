#pragma once
// JSON text for responses. Boost.JSON 1.81 prints doubles in exponent form
// ("9E1" for 90.0); clients and humans expect "90.0" as FastAPI writes it,
// so numbers are written here with the shortest round-trip form.
#include <boost/json/fwd.hpp>
#include <string>

namespace sentinel::http {

std::string to_json_text(const boost::json::value& v);

}  // namespace sentinel::http
