// SPDX-License-Identifier: Apache-2.0
// ACL users from and to files: the config file's `user` lines, the aclfile (ACL LOAD / ACL SAVE), and the
// "user ..." lines ACL LIST and CONFIG REWRITE show. Texts are Redis 7.2's (acl.c ACLLoadFromFile,
// ACLSaveToFile, ACLLoadConfiguredUsers).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/strings.h"
#include "server/acl.h"
#include "server/log.h"

namespace sessionkv::server {

namespace {

bool NameHasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

}  // namespace

std::vector<std::string> Acl::UserLines() const {
  std::vector<std::string> lines;
  for (const auto& user : Users()) lines.push_back(StrCat("user ", user->name(), " ", Describe(*user->rules())));
  return lines;
}

absl::Status Acl::LoadConfigUsers(const std::vector<std::vector<std::string>>& users) {
  for (const std::vector<std::string>& line : users) {
    const std::string& name = line[0];
    if (NameHasSpaces(name)) return absl::InvalidArgumentError("Spaces not allowed in ACL usernames");
    std::vector<std::string_view> raw(line.begin() + 1, line.end());
    std::vector<std::string> ops;
    size_t open_index = 0;
    if (!MergeSelectorArgs(raw, &ops, &open_index)) {
      return absl::InvalidArgumentError(ToAbsl(StrCat("Error in user declaration '", name,
                                                      "': Unmatched parenthesis in selector definition")));
    }
    // The default user is reset first: its line describes it completely.
    if (name == "default") ops.insert(ops.begin(), "reset");
    size_t failed = 0;
    bool shrunk = false;
    if (AclRuleError e = SetUser(name, ops, &failed, &shrunk); e != AclRuleError::kOk) {
      return absl::InvalidArgumentError(ToAbsl(StrCat("Error loading ACL rule '", ops[failed],
                                                      "' for the user named '", name,
                                                      "': ", AclRuleErrorText(e))));
    }
    if (!Find(name)->rules()->enabled()) {
      Log(LogLevel::kNotice, StrCat("The user '", name,
                                    "' is disabled (there is no 'on' modifier in the user description). Make "
                                    "sure this is not a configuration error."));
    }
  }
  return absl::OkStatus();
}

absl::Status Acl::LoadFile(const std::string& path, std::string_view shown_name,
                           std::vector<std::shared_ptr<AclUser>>* replaced) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        ToAbsl(StrCat("Error loading ACLs, opening file '", path, "': ", std::strerror(errno))));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  // Every line is checked against fresh users; nothing changes unless the whole file is valid.
  std::string errors;
  std::map<std::string, std::shared_ptr<AclUserRules>, std::less<>> loaded;
  size_t linenum = 0;
  for (std::string_view raw_line : SplitOn(text, '\n')) {
    ++linenum;
    const std::string_view line = TrimChars(raw_line, " \t\r\n");
    if (line.empty()) continue;
    const std::vector<std::string_view> argv = SplitOn(line, ' ');
    if (argv[0] != "user" || argv.size() < 2) {
      StrAppend(&errors, shown_name, ":", linenum, " should start with user keyword followed by the username. ");
      continue;
    }
    const std::string_view name = argv[1];
    if (NameHasSpaces(name)) {
      StrAppend(&errors, "'", shown_name, ":", linenum, ": username '", name, "' contains invalid characters. ");
      continue;
    }
    if (loaded.contains(name)) {
      StrAppend(&errors, "WARNING: Duplicate user '", name, "' found on line ", linenum, ". ");
      continue;
    }
    std::vector<std::string> ops;
    size_t open_index = 0;
    if (!MergeSelectorArgs(std::vector<std::string_view>(argv.begin() + 2, argv.end()), &ops, &open_index)) {
      StrAppend(&errors, shown_name, ":", linenum, ": Unmatched parenthesis in selector definition.");
    }
    auto rules = NewUserRules();
    for (const std::string& op : ops) {
      if (AclRuleError e = SetUserOp(*rules, TrimChars(op, "\t\r\n")); e != AclRuleError::kOk) {
        StrAppend(&errors, shown_name, ":", linenum, ": Error in applying operation '", op, "': ",
                  AclRuleErrorText(e), ". ");
      }
    }
    Finish(*rules);
    loaded.emplace(std::string(name), std::move(rules));
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(ToAbsl(StrCat(
        errors, "WARNING: ACL errors detected, no change to the previously active ACL rules was performed")));
  }
  std::lock_guard lock(mu_);
  for (auto& [name, user] : users_) {
    if (user == default_user_) continue;
    user->MarkRemoved();
    replaced->push_back(user);
  }
  users_.clear();
  users_.emplace("default", default_user_);
  for (auto& [name, rules] : loaded) {
    if (name == "default") {
      default_user_->Publish(std::move(rules));
    } else {
      users_.emplace(name, std::make_shared<AclUser>(name, std::move(rules)));
    }
  }
  if (!loaded.contains("default")) {
    Log(LogLevel::kWarning, StrCat("The ACL file ", shown_name,
                                   " has no 'user default' line: the default user keeps its current rules"));
  }
  return absl::OkStatus();
}

absl::Status Acl::SaveFile(const std::string& path) const {
  std::string content;
  for (const std::string& line : UserLines()) StrAppend(&content, line, "\n");
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const std::string tmp = StrCat(path, ".tmp-", getpid(), "-", now_ms);
  auto fail = [&](std::string_view what) {
    Log(LogLevel::kWarning, StrCat(what, " ACL file for ACL SAVE: ", std::strerror(errno)));
    ::unlink(tmp.c_str());
    return absl::InternalError(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more information");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("Opening temp");
  size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail("Writing");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("Syncing");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("Renaming");
  return absl::OkStatus();
}

}  // namespace sessionkv::server
