#include "notify/webhook_channel.hpp"

#include <boost/json/serialize.hpp>

#include "notify/channel_settings.hpp"
#include "notify/webhook_payload.hpp"

namespace sentinel::notify {

namespace {

struct BasicAuth {
  std::string username;
  std::string password;
};

// basic_auth {username, password}, or username/password at the top level.
std::optional<BasicAuth> basic_auth(SettingsReader& read) {
  if (auto nested = read.optional_object("basic_auth")) {
    SettingsReader inner(*nested);
    BasicAuth auth{inner.required_string("username"), inner.optional_string("password").value_or("")};
    if (inner.error()) read.fail("basic_auth: " + *inner.error());
    return auth;
  }
  auto username = read.optional_string("username");
  auto password = read.optional_string("password");
  if (!username && !password) return std::nullopt;
  if (!username) read.fail("username is required with password");
  return BasicAuth{username.value_or(""), password.value_or("")};
}

}  // namespace

std::expected<RequestPlan, std::string> webhook_requests(const boost::json::object& settings,
                                                         const AlertGroup& group) {
  SettingsReader read(settings);
  const std::string url = read.required_url("url");
  const auto bearer = read.optional_token("bearer_token");
  const auto auth = basic_auth(read);
  if (bearer && auth) read.fail("set bearer_token or basic_auth, not both");
  if (read.error()) return std::unexpected(*read.error());

  OutboundRequest r = json_request("webhook", url, boost::json::serialize(webhook_group_payload(group)));
  r.secrets = url_secrets(url);
  if (bearer) {
    r.headers.push_back("Authorization: Bearer " + *bearer);
    r.secrets.push_back(*bearer);
  }
  if (auth) {
    r.username = auth->username;
    r.password = auth->password;
    r.secrets.push_back(auth->password);
  }
  return RequestPlan{{std::move(r)}, true};
}

}  // namespace sentinel::notify
