// MessageTemplate's public face. The work is done by the parser
// (message_template_parser.cpp) and the executor
// (message_template_executor.cpp) over the program types of
// message_template_program.hpp.
#include "domain/message_template.hpp"

#include <utility>

#include "domain/message_template_program.hpp"

namespace sentinel::domain {

MessageTemplate::MessageTemplate(std::shared_ptr<const template_detail::Program> program)
    : program_(std::move(program)) {}

std::expected<MessageTemplate, TemplateError> MessageTemplate::parse(std::string_view text) {
  auto program = template_detail::parse_program(text);
  if (!program) return std::unexpected(std::move(program.error()));
  return MessageTemplate(std::move(*program));
}

std::string MessageTemplate::render(const TemplateData& data) const {
  if (!program_) return {};
  return template_detail::execute_program(*program_, data);
}

std::string render_template(std::string_view text, const TemplateData& data) {
  auto t = MessageTemplate::parse(text);
  if (!t) return std::string(text);
  return t->render(data);
}

std::string describe(const TemplateError& e) {
  return "line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": " + e.message;
}

}  // namespace sentinel::domain
