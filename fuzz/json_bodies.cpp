// The JSON body parsers every POST/PATCH runs on what a client sent: never a
// crash, an exception or a hang, whatever the bytes.
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/time.hpp"
#include "domain/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sentinel;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto json = domain::parse_json_body(body);
  if (!json) return 0;
  (void)domain::parse_user_create(*json);
  (void)domain::parse_user_patch(*json);
  (void)domain::parse_server_create(*json);
  (void)domain::parse_server_patch(*json);
  if (auto rule = domain::parse_alert_rule_create(*json)) (void)rule;
  (void)domain::parse_alert_rule_patch(*json);
  (void)domain::parse_silence_create(*json);
  (void)domain::parse_api_token_create(*json, core::from_unix(1795472666));
  return 0;
}
