// SPDX-License-Identifier: Apache-2.0
#include "base/strings.h"
#include "server/errors.h"


namespace sessionkv::server {

std::string WrongArityError(std::string_view full_name) {
  return StrCat("ERR wrong number of arguments for '", full_name, "' command");
}

std::string UnknownCommandError(const std::vector<std::string_view>& args) {
  // Redis (server.c processCommand) prints at most 128 bytes of the name and appends quoted arguments while
  // the list is shorter than 128 bytes, each cut to what is left of those 128.
  std::string listed;
  for (size_t i = 1; i < args.size() && listed.size() < 128; ++i) {
    const size_t room = 128 - listed.size();
    StrAppend(&listed, "'", args[i].substr(0, room), "' ");
  }
  return StrCat("ERR unknown command '", args[0].substr(0, 128),
                      "', with args beginning with: ", listed);
}

std::string UnknownSubcommandError(std::string_view command, std::string_view subcommand) {
  return StrCat("ERR unknown subcommand '", subcommand.substr(0, 128), "'. Try ",
                      AsciiStrToUpper(command), " HELP.");
}

std::string SubcommandSyntaxError(std::string_view command, std::string_view subcommand) {
  return StrCat("ERR unknown subcommand or wrong number of arguments for '", subcommand.substr(0, 128),
                "'. Try ", AsciiStrToUpper(command), " HELP.");
}

std::string InvalidExpireTimeError(std::string_view command) {
  return StrCat("ERR invalid expire time in '", command, "' command");
}

std::string MisconfError(std::string_view reason) {
  return StrCat("MISCONF Errors writing to the AOF file: ", reason);
}

}  // namespace sessionkv::server
