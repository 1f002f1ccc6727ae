#pragma once
// One HTTP request a channel formatter asks to send: plain data, so every
// formatter is a pure function tested without a network, and the sender
// (channel_sender) turns it into an http_client::Request. It carries the
// secrets it holds (a token, a webhook URL whose path is the credential) so
// that no detail or log made from its answer can show them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::notify {

// How the target's answer reads: Telegram wraps every answer in its own
// envelope ({"ok": …}); every other target speaks plain HTTP statuses.
enum class AnswerStyle { generic, telegram };

struct OutboundRequest {
  std::string target;  // who answers, in details: "Slack", "PagerDuty", …
  std::string url;     // POST; may hold a secret (Telegram's token, Slack's and Discord's webhook path)
  std::vector<std::string> headers;     // "Name: value"; Content-Type included
  std::string body;
  std::optional<std::string> username;  // HTTP basic auth when set
  std::optional<std::string> password;
  std::vector<std::string> secrets;     // never shown: see redact_secrets()
  AnswerStyle answer = AnswerStyle::generic;
};

// A POST of a JSON `body` to `url`, answered by `target`; the caller adds
// its secrets (and any other header).
OutboundRequest json_request(std::string target, std::string url, std::string body);

// The requests a formatter makes of one group for one channel.
struct RequestPlan {
  std::vector<OutboundRequest> requests;
  // All to one target (PagerDuty, one event per alert): the sender stops at
  // the first answer that is not a delivery, since a rate limit or an outage
  // meets the rest too. Independent targets (Alertmanager's replicas) each
  // get their request whatever the others answer.
  bool same_target = true;
};

// `text` with every occurrence of each non-empty secret (raw or
// percent-encoded) replaced by "<redacted>". Longer secrets first, so a
// secret that contains another is hidden whole.
std::string redact_secrets(std::string text, std::vector<std::string> secrets);

// What of a URL must stay secret when the URL itself is a credential (Slack,
// Discord, ntfy topics): the URL, everything after its host (path and
// query together, each alone, and each query value), and its user:password
// part if any. A bare "/" path is no secret.
std::vector<std::string> url_secrets(std::string_view url);

// The "user:password" of "https://user:password@host/…", or nullopt.
std::optional<std::string> url_userinfo(std::string_view url);

// The URL's host[:port] (no user, path or query): how a detail names a
// target without showing what is secret about it. "" when not a URL.
std::string url_host(std::string_view url);

// True for "http://…" and "https://…" with a host.
bool is_http_url(std::string_view url);

}  // namespace sentinel::notify
