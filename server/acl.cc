// SPDX-License-Identifier: Apache-2.0
#include "server/acl.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "base/strings.h"
#include "protocol/resp_parser.h"
#include "server/client_state.h"
#include "server/log.h"
#include "storage/glob.h"

namespace sessionkv::server {

// ------------------------------------------------------------------------------------------- helpers

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");  // only if OpenSSL itself is broken
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string RandomHex(size_t chars) {
  std::string bytes((chars + 1) / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  out.resize(chars);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of the longer input is visited whatever the contents, and the lengths are compared last.
  unsigned char diff = 0;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0 && a.size() == b.size();
}

bool MergeSelectorArgs(const std::vector<std::string_view>& args, std::vector<std::string>* out,
                       size_t* open_index) {
  out->clear();
  bool open = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view op = args[i];
    if (!open && !op.empty() && op.front() == '(' && op.back() != ')') {
      open = true;
      *open_index = i;
      out->emplace_back(op);
      continue;
    }
    if (open) {
      StrAppend(&out->back(), " ", op);
      if (!op.empty() && op.back() == ')') open = false;
      continue;
    }
    out->emplace_back(op);
  }
  return !open;
}

std::string_view AclRuleErrorText(AclRuleError error) {
  switch (error) {
    case AclRuleError::kOk: return "";
    case AclRuleError::kUnknownCommand: return "Unknown command or category name in ACL";
    case AclRuleError::kSyntax: return "Syntax error";
    case AclRuleError::kKeyAfterAll:
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
             "any effect. Try 'resetkeys' to start with an empty list of patterns";
    case AclRuleError::kChannelAfterAll:
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
             "have any effect. Try 'resetchannels' to start with an empty list of channels";
    case AclRuleError::kNoSuchPassword:
      return "The password you are trying to remove from the user does not exist";
    case AclRuleError::kBadHash:
      return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
             "characters";
    case AclRuleError::kSubcommandFirstArg: return "Allowing first-arg of a subcommand is not supported";
  }
  return "Wrong format";
}

namespace {

// Redis's ACLStringHasSpaces: patterns and user names may hold no whitespace and no NUL.
bool HasSpaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

// The ops inside "( ... )", split as Redis's sdssplitargs.
std::vector<std::string> SplitSelectorOps(std::string_view inner) {
  std::vector<std::string> ops;
  if (!protocol::SplitInlineArgs(inner, &ops)) ops.clear();
  return ops;
}

bool IsPasswordHash(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The key permissions a key-spec group ("RW ACCESS DELETE") asks for (ACLSelectorCheckKey).
uint8_t KeyGroupPerms(std::string_view group) {
  uint8_t perms = 0;
  for (std::string_view word : SplitNonEmpty(group, ' ')) {
    if (word == "ACCESS") perms |= kAclKeyRead;
    if (word == "INSERT" || word == "DELETE" || word == "UPDATE") perms |= kAclKeyWrite;
  }
  return perms;
}

// The permissions key number `k` of an invocation needs. SET's spec says VARIABLE_FLAGS: like Redis's
// setGetKeys, only SET ... GET reads its key; a plain SET just overwrites it.
uint8_t KeyPermsNeeded(const AclCommandInfo& info, size_t k, const std::vector<std::string_view>& args) {
  if (info.key_groups.empty()) return 0;
  if (info.spec->full_name == "set") {
    const bool get = std::any_of(args.begin() + std::min<size_t>(3, args.size()), args.end(),
                                 [](std::string_view a) { return EqualsIgnoreCase(a, "GET"); });
    return get ? kAclKeyAll : kAclKeyWrite;
  }
  return info.key_groups[std::min(k, info.key_groups.size() - 1)];
}

// Rules that this one supersedes: the same rule, or a subcommand of the command it names (Redis 7.2's
// ACLSelectorRemoveCommandRule); then the rule goes last.
void UpdateCommandRules(AclSelector& s, std::string_view rule, bool allow) {
  const std::string lower = AsciiStrToLower(rule);
  std::string kept;
  for (std::string_view existing : SplitNonEmpty(s.command_rules, ' ')) {
    const std::string_view body = existing.substr(1);
    const bool superseded =
        body == lower || (body.size() > lower.size() && body.starts_with(lower) && body[lower.size()] == '|');
    if (!superseded) StrAppend(&kept, kept.empty() ? "" : " ", existing);
  }
  StrAppend(&kept, kept.empty() ? "" : " ", allow ? "+" : "-", lower);
  s.command_rules = std::move(kept);
}

bool KeyAllowed(const AclSelector& s, std::string_view key, uint8_t needed) {
  for (const AclKeyPattern& p : s.keys) {
    if ((p.perms & needed) != needed) continue;
    if (storage::GlobMatch(p.pattern, key)) return true;
  }
  return false;
}

bool ChannelAllowed(const AclSelector& s, std::string_view channel, bool literal) {
  for (const std::string& p : s.channels) {
    if (literal ? p == channel : storage::GlobMatch(p, channel)) return true;
  }
  return false;
}

}  // namespace

// ----------------------------------------------------------------------------------------- AclUser

void AclUser::Publish(std::shared_ptr<const AclUserRules> rules) {
  std::lock_guard lock(mu_);
  requires_auth_.store(!(rules->nopass() && rules->enabled()), std::memory_order_release);
  rules_ = std::move(rules);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

void AclUser::MarkRemoved() {
  removed_.store(true, std::memory_order_release);
  Publish(std::make_shared<AclUserRules>());  // disabled, no command, no key: nothing runs any more
}

// --------------------------------------------------------------------------------------- the index

Acl::Acl(const CommandTable& table) {
  commands_.resize(static_cast<size_t>(table.command_count()));
  auto index = [this](const CommandSpec& spec) {
    AclCommandInfo& info = commands_[spec.id];
    info.spec = &spec;
    for (std::string_view group : SplitNonEmpty(spec.key_flags, ',')) {
      info.key_groups.push_back(KeyGroupPerms(group));
    }
    if (spec.full_name == "publish" || spec.full_name == "spublish") info.channels = AclCommandInfo::Channels::kFirstArg;
    if (spec.full_name == "subscribe" || spec.full_name == "ssubscribe") info.channels = AclCommandInfo::Channels::kAllArgs;
    if (spec.full_name == "psubscribe") info.channels = AclCommandInfo::Channels::kAllArgsLiteral;
    by_full_name_[spec.full_name] = &spec;
  };
  table.ForEach([&](const CommandSpec& spec) {
    top_level_.push_back(&spec);
    index(spec);
    for (const auto& sub : spec.subcommands) index(*sub);
  });
  auto rules = DefaultUserRules();
  default_user_ = std::make_shared<AclUser>("default", std::move(rules));
  users_.emplace("default", default_user_);
}

const CommandSpec* Acl::LookupCommand(std::string_view name) const {
  auto it = by_full_name_.find(AsciiStrToLower(name));
  return it == by_full_name_.end() ? nullptr : it->second;
}

std::vector<const CommandSpec*> Acl::CommandsIn(uint32_t category) const {
  std::vector<const CommandSpec*> out;
  for (const CommandSpec* spec : top_level_) {
    if (spec->acl_categories & category) out.push_back(spec);
    for (const auto& sub : spec->subcommands) {
      if (sub->acl_categories & category) out.push_back(sub.get());
    }
  }
  return out;
}

// ----------------------------------------------------------------------------------- rules language

AclSelector Acl::NewSelector(bool root) const {
  AclSelector s;
  s.root = root;
  s.all_channels = pubsub_default_all_.load(std::memory_order_relaxed);
  return s;
}

std::shared_ptr<AclUserRules> Acl::NewUserRules() const {
  auto rules = std::make_shared<AclUserRules>();
  rules->selectors.push_back(NewSelector(/*root=*/true));
  return rules;
}

std::shared_ptr<AclUserRules> Acl::DefaultUserRules() const {
  auto rules = NewUserRules();
  for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) SetUserOp(*rules, op);
  Finish(*rules);
  return rules;
}

void Acl::Finish(AclUserRules& rules) {
  const AclSelector& root = rules.selectors.front();
  rules.unrestricted = root.all_commands && root.all_keys && root.all_channels;
}

void Acl::ChangePerm(AclSelector& s, const CommandSpec& spec, bool allow) const {
  s.commands.set(spec.id, allow);
  if (!allow) s.all_commands = false;
  s.first_args.erase(spec.id);
  for (const auto& sub : spec.subcommands) s.commands.set(sub->id, allow);
}

void Acl::SetCategory(AclSelector& s, uint32_t category, bool allow) const {
  for (const CommandSpec* spec : top_level_) {
    if (spec->acl_categories & category) ChangePerm(s, *spec, allow);
    for (const auto& sub : spec->subcommands) {
      if (sub->acl_categories & category) ChangePerm(s, *sub, allow);
    }
  }
}

// Redis 7.2's ACLSetSelector.
AclRuleError Acl::SetSelectorOp(AclSelector& s, std::string_view op) const {
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    s.all_keys = true;
    s.keys.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    s.all_keys = false;
    s.keys.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    s.all_channels = true;
    s.channels.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    s.all_channels = false;
    s.channels.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    s.commands.set();
    s.all_commands = true;
    s.command_rules.clear();
    s.first_args.clear();
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    s.commands.reset();
    s.all_commands = false;
    s.command_rules.clear();
    s.first_args.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.all_keys) return AclRuleError::kKeyAfterAll;
    uint8_t perms = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      bool closed = false;
      for (; offset < op.size(); ++offset) {
        const char c = AsciiToUpper(op[offset]);
        if (c == 'R' && !(perms & kAclKeyRead)) {
          perms |= kAclKeyRead;
        } else if (c == 'W' && !(perms & kAclKeyWrite)) {
          perms |= kAclKeyWrite;
        } else if (op[offset] == '~') {
          ++offset;
          closed = true;
          break;
        } else {
          return AclRuleError::kSyntax;
        }
      }
      if (perms == 0 || !closed) return AclRuleError::kSyntax;
    } else {
      perms = kAclKeyAll;
    }
    const std::string_view pattern = op.substr(offset);
    if (HasSpaces(pattern)) return AclRuleError::kSyntax;
    auto it = std::find_if(s.keys.begin(), s.keys.end(), [&](const AclKeyPattern& p) { return p.pattern == pattern; });
    if (it == s.keys.end()) {
      s.keys.push_back({std::string(pattern), perms});
    } else {
      it->perms |= perms;
    }
    s.all_keys = false;
  } else if (op[0] == '&') {
    if (s.all_channels) return AclRuleError::kChannelAfterAll;
    const std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return AclRuleError::kSyntax;
    if (std::find(s.channels.begin(), s.channels.end(), pattern) == s.channels.end()) {
      s.channels.emplace_back(pattern);
    }
    s.all_channels = false;
  } else if (op[0] == '+' && (op.size() < 2 || op[1] != '@')) {
    const std::string_view name = op.substr(1);
    const size_t bar = name.rfind('|');
    if (bar == std::string_view::npos) {
      const CommandSpec* spec = LookupCommand(name);
      if (spec == nullptr) return AclRuleError::kUnknownCommand;
      ChangePerm(s, *spec, true);
      UpdateCommandRules(s, spec->full_name, true);
    } else {
      const CommandSpec* base = LookupCommand(name.substr(0, bar));
      const std::string_view first_arg = name.substr(bar + 1);
      if (base == nullptr) return AclRuleError::kUnknownCommand;
      if (base->parent != nullptr) return AclRuleError::kSubcommandFirstArg;
      if (first_arg.empty()) return AclRuleError::kSyntax;
      if (base->is_container()) {
        const CommandSpec* sub = LookupCommand(name);
        if (sub == nullptr) return AclRuleError::kUnknownCommand;
        ChangePerm(s, *sub, true);
      } else {
        Log(LogLevel::kWarning, StrCat("Deprecation warning: Allowing a first arg of an otherwise blocked "
                                       "command is a misuse of ACL and may get disabled in the future "
                                       "(offender: +", name, ")"));
        std::vector<std::string>& allowed = s.first_args[base->id];
        const bool present = std::any_of(allowed.begin(), allowed.end(),
                                         [&](const std::string& a) { return EqualsIgnoreCase(a, first_arg); });
        if (!present) allowed.emplace_back(first_arg);
      }
      UpdateCommandRules(s, name, true);
    }
  } else if (op[0] == '-' && (op.size() < 2 || op[1] != '@')) {
    const CommandSpec* spec = LookupCommand(op.substr(1));
    if (spec == nullptr) return AclRuleError::kUnknownCommand;
    ChangePerm(s, *spec, false);
    UpdateCommandRules(s, spec->full_name, false);
  } else if (op[0] == '+' || op[0] == '-') {
    const std::string_view category = op.substr(2);
    const auto& names = AclCategoryNames();
    auto it = std::find_if(names.begin(), names.end(),
                           [&](std::string_view n) { return EqualsIgnoreCase(n, category); });
    if (it == names.end()) return AclRuleError::kUnknownCommand;
    UpdateCommandRules(s, op.substr(1), op[0] == '+');
    SetCategory(s, 1u << (it - names.begin()), op[0] == '+');
  } else {
    return AclRuleError::kSyntax;
  }
  return AclRuleError::kOk;
}

// Redis 7.2's ACLSetUser.
AclRuleError Acl::SetUserOp(AclUserRules& rules, std::string_view op) const {
  if (op.empty()) return AclRuleError::kOk;
  auto set_flag = [&rules](uint32_t on, uint32_t off) {
    rules.flags |= on;
    rules.flags &= ~off;
  };
  if (EqualsIgnoreCase(op, "on")) {
    set_flag(kAclUserEnabled, kAclUserDisabled);
  } else if (EqualsIgnoreCase(op, "off")) {
    set_flag(kAclUserDisabled, kAclUserEnabled);
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    set_flag(kAclUserSkipSanitize, kAclUserSanitize);
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    set_flag(kAclUserSanitize, kAclUserSkipSanitize);
  } else if (EqualsIgnoreCase(op, "nopass")) {
    rules.flags |= kAclUserNoPass;
    rules.passwords.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    rules.flags &= ~kAclUserNoPass;
    rules.passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsPasswordHash(op.substr(1))) return AclRuleError::kBadHash;
      hash = std::string(op.substr(1));
    }
    if (std::find(rules.passwords.begin(), rules.passwords.end(), hash) == rules.passwords.end()) {
      rules.passwords.push_back(std::move(hash));
    }
    rules.flags &= ~kAclUserNoPass;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!IsPasswordHash(op.substr(1))) return AclRuleError::kBadHash;
      hash = std::string(op.substr(1));
    }
    auto it = std::find(rules.passwords.begin(), rules.passwords.end(), hash);
    if (it == rules.passwords.end()) return AclRuleError::kNoSuchPassword;
    rules.passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    AclSelector s = NewSelector(/*root=*/false);
    const auto inner = SplitSelectorOps(op.substr(1, op.size() - 2));
    for (const std::string& selector_op : inner) {
      if (AclRuleError e = SetSelectorOp(s, selector_op); e != AclRuleError::kOk) return e;
    }
    rules.selectors.push_back(std::move(s));
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    rules.selectors.resize(1);
  } else if (EqualsIgnoreCase(op, "reset")) {
    for (std::string_view step : {"resetpass", "resetkeys", "resetchannels"}) SetUserOp(rules, step);
    if (pubsub_default_all_.load(std::memory_order_relaxed)) SetUserOp(rules, "allchannels");
    for (std::string_view step : {"off", "sanitize-payload", "clearselectors", "-@all"}) SetUserOp(rules, step);
  } else {
    return SetSelectorOp(rules.selectors.front(), op);
  }
  return AclRuleError::kOk;
}

// ------------------------------------------------------------------------------------------- users

std::shared_ptr<AclUser> Acl::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<AclUser>> Acl::Users() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<AclUser>> out;
  for (const auto& [name, user] : users_) out.push_back(user);
  return out;
}

AclRuleError Acl::SetUser(std::string_view name, const std::vector<std::string>& ops, size_t* failed_op,
                          bool* channels_shrunk) {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  auto rules = it == users_.end() ? NewUserRules() : std::make_shared<AclUserRules>(*it->second->rules());
  for (size_t i = 0; i < ops.size(); ++i) {
    if (AclRuleError e = SetUserOp(*rules, ops[i]); e != AclRuleError::kOk) {
      *failed_op = i;
      return e;
    }
  }
  Finish(*rules);
  *channels_shrunk = false;
  if (it == users_.end()) {
    users_.emplace(std::string(name), std::make_shared<AclUser>(std::string(name), std::move(rules)));
    return AclRuleError::kOk;
  }
  // ACLKillPubsubClientsIfNeeded's shortcuts: any selector with every channel, or a superset of the old
  // channel patterns, keeps every subscription valid.
  const auto old_rules = it->second->rules();
  const bool all = std::any_of(rules->selectors.begin(), rules->selectors.end(),
                               [](const AclSelector& s) { return s.all_channels; });
  if (!all) {
    std::vector<std::string_view> upcoming;
    for (const AclSelector& s : rules->selectors) upcoming.insert(upcoming.end(), s.channels.begin(), s.channels.end());
    for (const AclSelector& s : old_rules->selectors) {
      if (s.all_channels) *channels_shrunk = true;
      for (const std::string& c : s.channels) {
        if (std::find(upcoming.begin(), upcoming.end(), c) == upcoming.end()) *channels_shrunk = true;
      }
    }
  }
  it->second->Publish(std::move(rules));
  return AclRuleError::kOk;
}

std::vector<std::shared_ptr<AclUser>> Acl::DeleteUsers(const std::vector<std::string_view>& names) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<AclUser>> removed;
  for (std::string_view name : names) {
    if (name == "default") continue;
    auto it = users_.find(name);
    if (it == users_.end()) continue;
    it->second->MarkRemoved();
    removed.push_back(it->second);
    users_.erase(it);
  }
  return removed;
}

void Acl::SetDefaultPassword(std::string_view password) {
  std::lock_guard lock(mu_);
  auto rules = std::make_shared<AclUserRules>(*default_user_->rules());
  SetUserOp(*rules, "resetpass");
  SetUserOp(*rules, password.empty() ? std::string("nopass") : StrCat(">", password));
  Finish(*rules);
  default_user_->Publish(std::move(rules));
}

// ---------------------------------------------------------------------------------------- describe

std::string Acl::DescribeSelectorCommands(const AclSelector& s) const {
  std::string out = s.commands.test(kAclCommandBits - 1) ? "+@all" : "-@all";
  if (!s.command_rules.empty()) StrAppend(&out, " ", s.command_rules);
  return out;
}

namespace {

void AppendKeyPattern(std::string* out, const AclKeyPattern& p) {
  StrAppend(out, p.perms == kAclKeyAll ? "~" : (p.perms == kAclKeyRead ? "%R~" : "%W~"), p.pattern);
}

}  // namespace

std::string DescribeSelectorKeys(const AclSelector& s) {
  if (s.all_keys) return "~*";
  std::string out;
  for (const AclKeyPattern& p : s.keys) {
    if (!out.empty()) out.push_back(' ');
    AppendKeyPattern(&out, p);
  }
  return out;
}

std::string DescribeSelectorChannels(const AclSelector& s) {
  if (s.all_channels) return "&*";
  std::string out;
  for (const std::string& c : s.channels) StrAppend(&out, out.empty() ? "" : " ", "&", c);
  return out;
}

std::string Acl::Describe(const AclUserRules& rules) const {
  std::string out;
  for (std::string_view flag : AclUserFlagNames(rules.flags)) StrAppend(&out, flag, " ");
  for (const std::string& p : rules.passwords) StrAppend(&out, "#", p, " ");
  for (const AclSelector& s : rules.selectors) {
    std::string part;
    if (s.all_keys) {
      part = "~* ";
    } else {
      for (const AclKeyPattern& p : s.keys) {
        AppendKeyPattern(&part, p);
        part.push_back(' ');
      }
    }
    if (s.all_channels) {
      part += "&* ";
    } else {
      part += "resetchannels ";
      for (const std::string& c : s.channels) StrAppend(&part, "&", c, " ");
    }
    part += DescribeSelectorCommands(s);
    if (s.root) {
      out += part;
    } else {
      StrAppend(&out, " (", part, ")");
    }
  }
  return out;
}

std::vector<std::string_view> AclUserFlagNames(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kFlags[] = {
      {kAclUserEnabled, "on"},
      {kAclUserDisabled, "off"},
      {kAclUserNoPass, "nopass"},
      {kAclUserSkipSanitize, "skip-sanitize-payload"},
      {kAclUserSanitize, "sanitize-payload"}};
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kFlags) {
    if (flags & bit) out.push_back(name);
  }
  return out;
}

// ------------------------------------------------------------------------------------------- checks

AclVerdict Acl::Check(const AclUserRules& rules, const CommandSpec& spec,
                      const std::vector<std::string_view>& args) const {
  if (rules.unrestricted) return {};
  const AclCommandInfo& info = commands_[spec.id];
  std::vector<int> key_positions;
  bool keys_known = false;
  AclVerdict relevant{AclDenial::kCommand, 0};
  for (const AclSelector& s : rules.selectors) {
    AclVerdict v;
    if (!s.all_commands && !spec.has(kCmdNoAuth) && !s.commands.test(spec.id)) {
      auto it = s.first_args.find(spec.id);
      const bool allowed = args.size() >= 2 && it != s.first_args.end() &&
                           std::any_of(it->second.begin(), it->second.end(),
                                       [&](const std::string& a) { return EqualsIgnoreCase(a, args[1]); });
      if (!allowed) v.denial = AclDenial::kCommand;
    }
    if (v.ok() && !s.all_keys && (spec.first_key > 0 || spec.keys_function != nullptr)) {
      if (!keys_known) {
        key_positions = spec.KeyPositions(args);
        keys_known = true;
      }
      for (size_t k = 0; k < key_positions.size(); ++k) {
        const int pos = key_positions[k];
        if (pos <= 0 || static_cast<size_t>(pos) >= args.size()) continue;
        const uint8_t needed = KeyPermsNeeded(info, k, args);
        if (!KeyAllowed(s, args[pos], needed)) {
          v = {AclDenial::kKey, pos};
          break;
        }
      }
    }
    if (v.ok() && !s.all_channels && info.channels != AclCommandInfo::Channels::kNone) {
      const size_t end = info.channels == AclCommandInfo::Channels::kFirstArg ? std::min<size_t>(2, args.size())
                                                                              : args.size();
      const bool literal = info.channels == AclCommandInfo::Channels::kAllArgsLiteral;
      for (size_t i = 1; i < end; ++i) {
        if (!ChannelAllowed(s, args[i], literal)) {
          v = {AclDenial::kChannel, static_cast<int>(i)};
          break;
        }
      }
    }
    if (v.ok()) return v;
    if (v.denial > relevant.denial || (v.denial == relevant.denial && v.arg > relevant.arg)) relevant = v;
  }
  return relevant;
}

std::shared_ptr<AclUser> Acl::Authenticate(std::string_view username, std::string_view password) const {
  std::shared_ptr<AclUser> user = Find(username);
  if (user == nullptr) return nullptr;
  const auto rules = user->rules();
  if (!rules->enabled()) return nullptr;
  if (rules->nopass()) return user;
  const std::string hash = Sha256Hex(password);
  bool match = false;
  for (const std::string& p : rules->passwords) match |= ConstantTimeEquals(hash, p);  // no early exit
  return match ? user : nullptr;
}

// ---------------------------------------------------------------------------------------- ACL LOG

void Acl::AddLogEntry(AclDenial reason, bool in_multi, std::string object, std::string username,
                      std::string client_info, int64_t now_ms, size_t max_len) {
  constexpr int64_t kGroupingMs = 60000;  // ACL_LOG_GROUPING_MAX_TIME_DELTA
  std::lock_guard lock(mu_);
  // Redis looks at the 10 newest entries for one to bump instead of adding another.
  for (size_t i = 0; i < log_.size() && i < 10; ++i) {
    AclLogEntry& e = log_[i];
    if (e.reason == reason && e.in_multi == in_multi && e.object == object && e.username == username &&
        std::abs(now_ms - e.updated_ms) <= kGroupingMs) {
      AclLogEntry bumped = std::move(e);
      log_.erase(log_.begin() + static_cast<ptrdiff_t>(i));
      bumped.count++;
      bumped.updated_ms = now_ms;
      bumped.client_info = std::move(client_info);
      log_.push_front(std::move(bumped));
      return;
    }
  }
  AclLogEntry e;
  e.reason = reason;
  e.in_multi = in_multi;
  e.object = std::move(object);
  e.username = std::move(username);
  e.created_ms = e.updated_ms = now_ms;
  e.client_info = std::move(client_info);
  e.entry_id = next_entry_id_++;
  log_.push_front(std::move(e));
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<AclLogEntry> Acl::LogEntries(size_t count) const {
  std::lock_guard lock(mu_);
  const size_t n = std::min(count, log_.size());
  return std::vector<AclLogEntry>(log_.begin(), log_.begin() + static_cast<ptrdiff_t>(n));
}

void Acl::ResetLog() {
  std::lock_guard lock(mu_);
  log_.clear();
}

// ------------------------------------------------------------------------------------ client's side

void SetDefaultAuth(const Acl& acl, ClientState& client) {
  client.user = acl.default_user();
  client.acl_rules = client.user->rules();
  client.acl_version = client.user->version();
  client.authenticated = client.acl_rules->nopass() && client.acl_rules->enabled();
  if (client.info) client.info->set_user_name(client.user->name());
}

void SetAuthenticatedUser(ClientState& client, std::shared_ptr<AclUser> user) {
  client.user = std::move(user);
  client.acl_rules = client.user->rules();
  client.acl_version = client.user->version();
  client.authenticated = true;
  client.info->set_user_name(client.user->name());
}

bool AuthRequired(const Acl& acl, const ClientState& client) {
  return !client.authenticated && acl.default_user()->requires_auth();
}

const AclUserRules& CurrentRules(ClientState& client) {
  const uint64_t version = client.user->version();
  if (version != client.acl_version) {
    client.acl_rules = client.user->rules();
    client.acl_version = version;
  }
  return *client.acl_rules;
}

std::string AclDenialMessage(const AclVerdict& verdict, std::string_view username, const CommandSpec& spec,
                             const std::vector<std::string_view>& args, bool verbose) {
  switch (verdict.denial) {
    case AclDenial::kKey:
      if (!verbose) return "No permissions to access a key";
      return StrCat("User ", username, " has no permissions to access the '", args[verdict.arg], "' key");
    case AclDenial::kChannel:
      if (!verbose) return "No permissions to access a channel";
      return StrCat("User ", username, " has no permissions to access the '", args[verdict.arg], "' channel");
    default:
      return StrCat("User ", username, " has no permissions to run the '", spec.full_name, "' command");
  }
}

}  // namespace sessionkv::server
