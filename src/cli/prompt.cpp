// SPDX-License-Identifier: Apache-2.0
// Password input without echo (termios), restored on every path.
#include "cli/prompt.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "core/file_io.h"

namespace sealpost::cli {

Result<SecretBytes> ReadSecret(const std::string& file, const std::string& prompt) {
  if (!file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    size_t end = text.find_first_of("\r\n");
    SecretBytes secret(std::string_view(text).substr(0, end));
    std::fill(text.begin(), text.end(), '\0');
    return secret;
  }
  if (!::isatty(STDIN_FILENO))
    return Error(ErrorCode::kInvalidArgument, "no terminal to ask for the password; give it with --password-file FILE");
  std::cerr << prompt << std::flush;
  termios old_mode{};
  ::tcgetattr(STDIN_FILENO, &old_mode);
  termios quiet = old_mode;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  std::getline(std::cin, line);
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
  std::cerr << "\n";
  SecretBytes secret(line);
  std::fill(line.begin(), line.end(), '\0');
  return secret;
}

}  // namespace sealpost::cli
