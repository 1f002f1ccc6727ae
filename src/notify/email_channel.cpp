#include "notify/email_channel.hpp"

#include "notify/channel_settings.hpp"
#include "notify/email_message.hpp"

namespace sentinel::notify {

std::expected<EmailPlan, std::string> email_plan(const boost::json::object& settings, const AlertGroup& group) {
  SettingsReader read(settings);
  EmailPlan plan;
  SmtpTarget& t = plan.target;
  t.host = read.required_token("smtp_host");
  const auto security_name = read.optional_string("security").value_or("starttls");
  const auto security = parse_smtp_security(security_name);
  if (!security) read.fail("security must be one of starttls, tls, none");
  t.security = security.value_or(SmtpSecurity::starttls);
  const auto port = read.optional_int("smtp_port");
  if (port && (*port < 1 || *port > 65535)) read.fail("smtp_port must be between 1 and 65535");
  t.port = port ? static_cast<std::uint16_t>(*port) : default_smtp_port(t.security);
  t.username = read.optional_string("username");
  t.password = read.optional_string("password");
  const std::string from = read.required_string("from");
  const auto to = read.required_string_list("to");
  if (read.error()) return std::unexpected(*read.error());

  const auto from_address = mailbox_address(from);
  if (!from_address) return std::unexpected("from must be an email address");
  t.mail_from = *from_address;
  for (const auto& mailbox : to) {
    auto address = mailbox_address(mailbox);
    if (!address) return std::unexpected("to must hold email addresses");
    t.recipients.push_back(std::move(*address));
  }
  plan.message = email_message(group, from, to);
  return plan;
}

}  // namespace sentinel::notify
