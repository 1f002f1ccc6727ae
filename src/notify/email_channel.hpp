#pragma once
// The `email` channel's settings (product.md §9) made into what to send:
// the SMTP target and the message (email_message.hpp).
#include <boost/json/object.hpp>
#include <expected>
#include <string>

#include "notify/alert_group.hpp"
#include "notify/smtp_sender.hpp"

namespace sentinel::notify {

struct EmailPlan {
  SmtpTarget target;
  std::string message;  // RFC 5322, CRLF
};

// Settings: smtp_host, smtp_port? (default by security: 587, 465, 25),
// security? ("starttls" (default) | "tls" | "none"), username?,
// password? (a secret), from, to (a list; a lone string is a list of one).
// Fails with the settings' first problem (an address that is not one plain
// address included).
std::expected<EmailPlan, std::string> email_plan(const boost::json::object& settings, const AlertGroup& group);

}  // namespace sentinel::notify
