// SPDX-License-Identifier: Apache-2.0
#include "server/config.h"

#include "protocol/resp_parser.h"
#include "absl/strings/numbers.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>

#include "base/strings.h"
#include "server/version.h"
#include "storage/glob.h"

namespace sessionkv::server {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
int HexValue(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

constexpr int kMaxIncludeDepth = 64;  // Redis recurses without limit; a cycle would crash it

std::string FatalHeader() {
  return StrCat("\n*** FATAL CONFIG FILE ERROR (Redis ", kRedisVersion, ") ***\n");
}

absl::Status LineError(size_t linenum, std::string_view line, std::string_view reason) {
  return absl::InvalidArgumentError(StrCat(FatalHeader(),
                                           "Reading the configuration file, at line ", linenum,
                                           "\n>>> '", line, "'\n", reason));
}

absl::Status SetError(std::string_view name, std::string_view reason) {
  return absl::InvalidArgumentError(
      StrCat("ERR CONFIG SET failed (possibly related to argument '", name, "') - ", reason));
}

bool IsNumeric(ParamType type) {
  return type == ParamType::kInteger || type == ParamType::kMemory || type == ParamType::kBool ||
         type == ParamType::kEnum || type == ParamType::kNotifyEvents;
}

// Reads a whole file; false with errno set when it cannot be opened.
bool ReadFile(const std::string& path, std::string* out) {
  std::FILE* fp = std::fopen(path.c_str(), "r");
  if (fp == nullptr) return false;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), fp)) > 0) out->append(buf, n);
  std::fclose(fp);
  return true;
}

absl::Status CantOpen(std::string_view shown_path) {
  return absl::NotFoundError(
      StrCat("Fatal error, can't open config file '", shown_path, "': ", std::strerror(errno)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// redis.conf quoting (Redis's sds.c).
// ---------------------------------------------------------------------------------------------------------

// sdssplitargs: the same rules as inline requests (protocol/resp_parser.h). A NUL ends the line, as in
// Redis's C strings.
std::optional<std::vector<std::string>> SplitConfigArgs(std::string_view line) {
  std::vector<std::string> out;
  if (!protocol::SplitInlineArgs(line.substr(0, line.find('\0')), &out)) return std::nullopt;
  return out;
}

std::string QuoteConfigArg(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (std::isprint(static_cast<unsigned char>(c))) {
          out.push_back(c);
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        }
    }
  }
  out.push_back('"');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Construction, command line.
// ---------------------------------------------------------------------------------------------------------

struct Config::LoadState {
  // The command names after the renames so far, for rename-command checks (see SetCommandNames).
  std::optional<std::set<std::string>> commands;
  int include_depth = 0;
};

// Parses every default through its row's parser, so a default and a configured value can never
// differ in representation (and a bad default would show up in the first test run).
Config::Config() {
  for (const ParamSpec& spec : ParamTable()) {
    if (spec.flags & kParamFileOnly) continue;
    ParamValue value;
    std::string err;
    std::vector<std::string> args = {std::string(spec.default_value)};
    if (spec.flags & kParamMultiArg) {  // "50 99 99.9" is three arguments, as in a config file
      args = SplitConfigArgs(spec.default_value).value_or(std::vector<std::string>{});
    }
    if (!ParseValue(spec, args, &value, &err)) {
      Log(LogLevel::kWarning, StrCat("Bad default for ", spec.name, ": ", err));
    }
    defaults_[static_cast<size_t>(spec.id)] = value;
    Store(spec, std::move(value));
  }
}

std::optional<std::string> Config::EarlyExitText(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  if (args[0] == "-v" || args[0] == "--version") {
    return StrCat("Redis server v=", kRedisVersion, " sha=00000000:0 malloc=libc bits=64 build=0",
                  " sessionkv=", kSessionkvVersion, "\n");
  }
  if (args[0] == "-h" || args[0] == "--help") {
    return "Usage: ./sessionkv-server [/path/to/redis.conf] [options] [-]\n"
           "       ./sessionkv-server - (read config from stdin)\n"
           "       ./sessionkv-server -v or --version\n"
           "       ./sessionkv-server -h or --help\n"
           "\n"
           "Examples:\n"
           "       ./sessionkv-server (run the server with default conf)\n"
           "       echo 'port 7777' | ./sessionkv-server -\n"
           "       ./sessionkv-server /etc/redis/6379.conf\n"
           "       ./sessionkv-server --port 7777\n"
           "       ./sessionkv-server --port 7777 --include /etc/redis/extra.conf\n"
           "       ./sessionkv-server /etc/myredis.conf --loglevel verbose -\n"
           "       ./sessionkv-server /etc/myredis.conf --loglevel verbose\n";
  }
  return std::nullopt;
}

absl::Status Config::LoadFromArgs(const std::vector<std::string>& args) {
  return LoadFromArgs(args, std::cin);
}

// Rebuilds the text Redis 7.2's main() appends to the file: each `--name` starts a line, every
// other argument is appended quoted (sdscatrepr), so `--port 6380` becomes `port "6380"`. An option
// given alone (`--requirepass`) takes the next argument as its value even if it starts with "--";
// `--save` followed by another option or nothing means `save ""`. The "\n" between the file and the
// options makes their line numbers in error messages those Redis prints.
absl::Status Config::LoadFromArgs(const std::vector<std::string>& args,
                                  std::istream& stdin_stream) {
  std::lock_guard write_lock(write_mu_);
  if (args.empty()) return absl::OkStatus();
  size_t j = 0;
  const std::string* file = nullptr;
  if (args[0].empty() || args[0][0] != '-') {
    file = &args[0];
    std::string absolute = PathInDir(args[0]);
    std::lock_guard lock(mu_);
    config_file_ = std::move(absolute);
    j = 1;
  }
  std::string options;
  bool from_stdin = false;
  bool handled_last_arg = true;
  for (; j < args.size(); ++j) {
    const std::string& arg = args[j];
    if (arg == "-" && (j == 0 || j + 1 == args.size())) {
      from_stdin = true;
    } else if (handled_last_arg && arg.starts_with("--")) {
      if (!options.empty()) options += '\n';
      StrAppend(&options, std::string_view(arg).substr(2), " ");
      const auto tokens = SplitConfigArgs(arg);
      handled_last_arg = !(tokens && tokens->size() == 1);
      if (!handled_last_arg && EqualsIgnoreCase(arg, "--save") &&
          (j + 1 == args.size() || args[j + 1].starts_with("--"))) {
        options += "\"\"";
        handled_last_arg = true;
      }
    } else {
      StrAppend(&options, QuoteConfigArg(arg), " ");
      handled_last_arg = true;
    }
  }
  LoadState state;
  if (command_names_) state.commands.emplace(command_names_->begin(), command_names_->end());
  return LoadConfig(file, from_stdin ? &stdin_stream : nullptr, &options, state);
}

void Config::SetCommandNames(std::vector<std::string> names) {
  for (std::string& name : names) name = AsciiStrToLower(name);
  command_names_ = std::move(names);
}

// ---------------------------------------------------------------------------------------------------------
// Loading (Redis's loadServerConfig and loadServerConfigFromString).
// ---------------------------------------------------------------------------------------------------------

// Reads `filename` (a glob pattern reads every match in alphabetical order; no match is silently
// nothing), then stdin, then the command-line options, and loads the result as one text.
absl::Status Config::LoadConfig(const std::string* filename, std::istream* stdin_stream,
                                const std::string* options, LoadState& state) {
  std::string content;
  if (filename != nullptr) {
    const std::string path = PathInDir(*filename);
    if (filename->find_first_of("*?[") != std::string::npos) {
      // Paths are shown as Redis shows them: as the pattern spelled them.
      const size_t hidden_prefix = path.size() - filename->size();
      struct GlobResult {
        glob_t g{};
        ~GlobResult() { globfree(&g); }
      } matches;
      if (glob(path.c_str(), 0, nullptr, &matches.g) == 0) {
        for (size_t i = 0; i < matches.g.gl_pathc; ++i) {
          const std::string_view match = matches.g.gl_pathv[i];
          if (!ReadFile(std::string(match), &content)) return CantOpen(match.substr(hidden_prefix));
        }
      }
    } else if (!ReadFile(path, &content)) {
      return CantOpen(*filename);
    }
  }
  if (stdin_stream != nullptr) {
    Log(LogLevel::kNotice, "Reading config from stdin");  // a notice since 7.2 (a warning in 7.0)
    content.append(std::istreambuf_iterator<char>(*stdin_stream), std::istreambuf_iterator<char>());
  }
  if (options != nullptr) StrAppend(&content, "\n", *options);
  return LoadString(content, state);
}

// One directive per line; '#' starts a comment line; the first error stops the load with Redis's
// message.
absl::Status Config::LoadString(std::string_view text, LoadState& state) {
  const std::vector<std::string_view> lines = SplitOn(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = TrimChars(lines[i], " \t\r\n");
    if (line.empty() || line[0] == '#') continue;
    auto argv = SplitConfigArgs(line);
    if (!argv) return LineError(i + 1, line, "Unbalanced quotes in configuration line");
    if (argv->empty()) continue;
    (*argv)[0] = AsciiStrToLower((*argv)[0]);
    const ParamSpec* spec = FindParam((*argv)[0], /*include_file_only=*/true);
    std::string err;
    if (spec == nullptr) {
      err = "Bad directive or wrong number of arguments";
    } else if (absl::Status status = ApplyDirective(*spec, *argv, state, &err); !status.ok()) {
      return status;
    }
    if (!err.empty()) return LineError(i + 1, line, err);
  }
  return AfterLoad();
}

// Applies one parsed line. A reason in `err` becomes the line's error; a non-OK status (from an
// included file) is returned as it is.
absl::Status Config::ApplyDirective(const ParamSpec& spec, std::vector<std::string>& argv,
                                    LoadState& state, std::string* err) {
  if (spec.flags & kParamFileOnly) {
    const bool arg_count_ok = spec.file_args < 0 ? argv.size() >= static_cast<size_t>(-spec.file_args) + 1
                                                 : argv.size() == static_cast<size_t>(spec.file_args) + 1;
    if (!arg_count_ok) {
      *err = "Bad directive or wrong number of arguments";
      return absl::OkStatus();
    }
    if (spec.type == ParamType::kInclude) {
      if (state.include_depth >= kMaxIncludeDepth) {
        *err =
            StrCat("include nesting deeper than ", kMaxIncludeDepth, " files (an include cycle?)");
        return absl::OkStatus();
      }
      ++state.include_depth;
      absl::Status status = LoadConfig(&argv[1], nullptr, nullptr, state);
      --state.include_depth;
      return status;
    }
    if (spec.type == ParamType::kUser) {
      std::lock_guard lock(mu_);
      users_.emplace_back(argv.begin() + 1, argv.end());
      return absl::OkStatus();
    }
    // rename-command: replays Redis's command-table edits on the names the server registered.
    if (state.commands) {
      if (state.commands->erase(AsciiStrToLower(argv[1])) == 0) {
        *err = "No such command in rename-command";
        return absl::OkStatus();
      }
      if (!argv[2].empty() && !state.commands->insert(AsciiStrToLower(argv[2])).second) {
        *err = "Target command name already exists";
        return absl::OkStatus();
      }
    }
    std::lock_guard lock(mu_);
    renamed_.emplace_back(argv[1], argv[2]);
    return absl::OkStatus();
  }
  if (!(spec.flags & kParamMultiArg) && argv.size() != 2) {
    *err = "wrong number of arguments";
    return absl::OkStatus();
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  // Redis 7.2: one non-empty argument of a multi-argument directive is split again, so that
  // `--bind "127.0.0.1 ::1"` works.
  if ((spec.flags & kParamMultiArg) && args.size() == 1 && !args[0].empty()) {
    args = SplitConfigArgs(args[0]).value_or(std::vector<std::string>{});
  }
  ParamValue value;
  if (ParseValue(spec, args, &value, err)) Store(spec, std::move(value));
  return absl::OkStatus();
}

// Redis's checks at the end of every loaded text (files and includes): the log file must be
// writable.
absl::Status Config::AfterLoad() {
  const std::string logfile = PathInDir(Str(Param::kLogFile));
  if (logfile.empty()) return absl::OkStatus();
  const int fd = ::open(logfile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        StrCat(FatalHeader(), "Can't open the log file: ", std::strerror(errno)));
  }
  ::close(fd);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// Values: storage and accessors. Parsing and printing are the value types' (config_params.cc).
// ---------------------------------------------------------------------------------------------------------

// A relative dir is relative to the current one, as after Redis's chdir() into it.
bool Config::ParseValue(const ParamSpec& spec, std::span<const std::string> args, ParamValue* out,
                        std::string* err) const {
  // client-output-buffer-limit changes only the classes it names.
  if (spec.type == ParamType::kOutputBufferLimit) *out = Current(spec);
  return ParseParamValue(spec, args, Str(Param::kDir), out, err);
}

ParamValue Config::Current(const ParamSpec& spec) const {
  const size_t i = static_cast<size_t>(spec.id);
  if (IsNumeric(spec.type)) {
    ParamValue value;
    value.num = nums_[i].load(std::memory_order_relaxed);
    return value;
  }
  std::lock_guard lock(mu_);
  return values_[i];
}

void Config::Store(const ParamSpec& spec, ParamValue value) {
  const size_t i = static_cast<size_t>(spec.id);
  if (IsNumeric(spec.type)) {
    nums_[i].store(value.num, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(mu_);
  values_[i] = std::move(value);
}

std::string Config::Str(Param id) const {
  std::lock_guard lock(mu_);
  return values_[static_cast<size_t>(id)].str;
}

OutputBufferLimit Config::output_buffer_limit(ClientClass c) const {
  std::lock_guard lock(mu_);
  const std::vector<std::string>& list = values_[static_cast<size_t>(Param::kClientOutputBufferLimit)].list;
  OutputBufferLimit limit;
  const size_t i = 3 * static_cast<size_t>(c);
  if (list.size() != 9) return limit;
  (void)absl::SimpleAtoi(list[i], &limit.hard_bytes);
  (void)absl::SimpleAtoi(list[i + 1], &limit.soft_bytes);
  (void)absl::SimpleAtoi(list[i + 2], &limit.soft_seconds);
  return limit;
}

std::vector<std::string> Config::bind() const {
  std::lock_guard lock(mu_);
  return values_[static_cast<size_t>(Param::kBind)].list;
}

std::vector<std::string> Config::metrics_bind() const {
  std::lock_guard lock(mu_);
  const std::vector<std::string>& own = values_[static_cast<size_t>(Param::kMetricsBind)].list;
  return own.empty() ? values_[static_cast<size_t>(Param::kBind)].list : own;
}

std::vector<std::string> Config::replicaof() const {
  std::lock_guard lock(mu_);
  const std::vector<std::string>& own = values_[static_cast<size_t>(Param::kReplicaof)].list;
  return own.empty() ? values_[static_cast<size_t>(Param::kSlaveof)].list : own;
}

std::string Config::maxmemory_policy() const {
  const ParamSpec& spec = ParamTable()[static_cast<size_t>(Param::kMaxmemoryPolicy)];
  return std::string(spec.enum_names[static_cast<size_t>(Num(Param::kMaxmemoryPolicy))]);
}

std::vector<double> Config::latency_tracking_info_percentiles() const {
  std::vector<std::string> list;
  {
    std::lock_guard lock(mu_);
    list = values_[static_cast<size_t>(Param::kLatencyTrackingInfoPercentiles)].list;
  }
  std::vector<double> out;
  for (const std::string& p : list) out.push_back(std::strtod(p.c_str(), nullptr));
  return out;
}

std::vector<std::pair<std::string, std::string>> Config::renamed_commands() const {
  std::lock_guard lock(mu_);
  return renamed_;
}

std::vector<std::vector<std::string>> Config::users() const {
  std::lock_guard lock(mu_);
  return users_;
}

void Config::SetUserLinesProvider(std::function<std::vector<std::string>()> fn) {
  std::lock_guard write_lock(write_mu_);
  user_lines_ = std::move(fn);
}

std::string Config::config_file() const {
  std::lock_guard lock(mu_);
  return config_file_;
}

std::string Config::PathInDir(std::string_view path) const {
  if (path.empty() || path[0] == '/') return std::string(path);
  std::string base = Str(Param::kDir);
  if (base.empty()) {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof(cwd)) != nullptr) base = cwd;
  }
  return StrCat(base, base.ends_with('/') ? "" : "/", path);
}

bool Config::IsSensitive(std::string_view name) {
  const ParamSpec* spec = FindParam(name, /*include_file_only=*/false);
  return spec != nullptr && (spec->flags & kParamSensitive);
}

void Config::OnChange(std::string_view name, std::function<void()> fn) {
  const ParamSpec* spec = FindParam(name, /*include_file_only=*/false);
  if (spec == nullptr)
    return Log(LogLevel::kWarning, StrCat("OnChange: no parameter named ", name));
  std::lock_guard write_lock(write_mu_);
  on_change_.emplace_back(spec->id, std::move(fn));
}

void Config::OnApply(std::string_view name, std::function<absl::Status()> fn) {
  const ParamSpec* spec = FindParam(name, /*include_file_only=*/false);
  if (spec == nullptr) return Log(LogLevel::kWarning, StrCat("OnApply: no parameter named ", name));
  std::lock_guard write_lock(write_mu_);
  on_apply_.emplace_back(spec->id, std::move(fn));
}

// ---------------------------------------------------------------------------------------------------------
// CONFIG GET / SET.
// ---------------------------------------------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  return Get(std::vector<std::string_view>{pattern});
}

void Config::AppendMatch(const ParamSpec& spec, std::string_view shown_name,
                         std::vector<std::pair<std::string, std::string>>* out) const {
  out->emplace_back(std::string(shown_name), FormatParamValue(spec, Current(spec)));
}

// Like Redis's configGetCommand: a name without glob characters is an exact (case-insensitive)
// lookup answered under the caller's spelling; a pattern matches every parameter name without case.
std::vector<std::pair<std::string, std::string>> Config::Get(
    const std::vector<std::string_view>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  // Redis's configs dictionary holds an alias as a name of its own: a parameter is listed once per
  // name that matched (both names for `min-*`), under the spelling that matched.
  std::array<bool, kParamCount> seen{}, seen_alias{};
  auto add_once = [&](const ParamSpec& spec, std::string_view name, std::string_view shown) {
    auto& seen_as = name == spec.alias ? seen_alias : seen;
    if (seen_as[static_cast<size_t>(spec.id)]) return;
    seen_as[static_cast<size_t>(spec.id)] = true;
    AppendMatch(spec, shown, &out);
  };
  for (const std::string_view pattern : patterns) {
    if (pattern.find_first_of("[*?") == std::string_view::npos) {
      const ParamSpec* spec = FindParam(pattern, /*include_file_only=*/false);
      if (spec != nullptr) add_once(*spec, ParamNameAs(*spec, pattern), pattern);
      continue;
    }
    for (const ParamSpec& spec : ParamTable()) {
      if (spec.flags & kParamFileOnly) continue;
      for (const std::string_view name : {spec.name, spec.alias}) {
        if (!name.empty() && storage::GlobMatch(pattern, name, /*nocase=*/true))
          add_once(spec, name, name);
      }
    }
  }
  return out;
}

// Redis's configSetCommand, all or nothing: names are checked first (the first problem is the
// error), then every value is parsed, then all are stored; OnApply callbacks may still undo the
// whole set.
absl::Status Config::Set(const std::vector<std::pair<std::string, std::string>>& pairs, bool local) {
  std::lock_guard write_lock(write_mu_);
  std::vector<const ParamSpec*> specs;
  std::vector<std::string_view>
      names;  // each as it was named: an alias is its own config in Redis 7.0
  for (const auto& [name, value] : pairs) {
    const ParamSpec* spec = FindParam(name, /*include_file_only=*/false);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          StrCat("ERR Unknown option or number of arguments for CONFIG SET - '", name, "'"));
    }
    if (spec->flags & kParamImmutable) return SetError(name, "can't set immutable config");
    const int64_t protected_ok = enable_protected_configs();  // 0 no, 1 yes, 2 local
    if ((spec->flags & kParamProtected) && !(protected_ok == 1 || (protected_ok == 2 && local))) {
      return SetError(name, "can't set protected config");
    }
    const std::string_view as = ParamNameAs(*spec, name);
    for (size_t k = 0; k < specs.size(); ++k) {
      if (specs[k] == spec && names[k] == as) return SetError(name, "duplicate parameter");
    }
    specs.push_back(spec);
    names.push_back(as);
  }
  std::vector<ParamValue> new_values(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string& value = pairs[i].second;
    // A multi-argument value is split on single spaces, as Redis's sdssplitlen(value, " ").
    std::vector<std::string> args;
    if (specs[i]->flags & kParamMultiArg) {
      for (std::string_view part : SplitOn(value, ' ')) args.emplace_back(part);
    } else {
      args.push_back(value);
    }
    std::string err;
    if (!ParseValue(*specs[i], args, &new_values[i], &err)) return SetError(names[i], err);
  }
  std::vector<ParamValue> old_values;
  std::vector<bool> changed;
  for (size_t i = 0; i < specs.size(); ++i) {
    old_values.push_back(Current(*specs[i]));
    changed.push_back(!(old_values.back() == new_values[i]) || (specs[i]->flags & kParamVolatile));
    Store(*specs[i], new_values[i]);
  }
  auto run_apply = [&](size_t i) -> absl::Status {
    for (const auto& [id, fn] : on_apply_) {
      if (id != specs[i]->id) continue;
      if (absl::Status status = fn(); !status.ok()) return status;
    }
    return absl::OkStatus();
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!changed[i]) continue;
    if (absl::Status status = run_apply(i); !status.ok()) {
      Log(LogLevel::kWarning, StrCat("Failed applying new configuration. Possibly related to new ",
                                     specs[i]->name, " setting. Restoring previous settings."));
      for (size_t k = 0; k < specs.size(); ++k) Store(*specs[k], old_values[k]);
      for (size_t k = 0; k <= i; ++k) {
        if (!changed[k]) continue;
        if (absl::Status restore = run_apply(k); !restore.ok()) {
          Log(LogLevel::kWarning,
              StrCat("Failed applying restored failed CONFIG SET command: ", restore.message()));
        }
      }
      return SetError(names[i], FromAbsl(status.message()));
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!changed[i]) continue;
    for (const auto& [id, fn] : on_change_) {
      if (id == specs[i]->id) fn();
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// CONFIG REWRITE (Redis's rewriteConfig and helpers).
// ---------------------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view kRewriteSignature = "# Generated by CONFIG REWRITE";

struct RewriteState {
  std::vector<std::string> lines;
  // Lowercase directive -> the indexes of its lines not reused yet.
  std::map<std::string, std::deque<size_t>> option_lines;
  std::set<std::string> processed;
  bool needs_signature = true;

  // Reuses the first old line of `option`, or appends when `force` (a non-default value).
  void Rewrite(const std::string& option, std::string line, bool force) {
    processed.insert(option);
    auto it = option_lines.find(option);
    if (it == option_lines.end()) {
      if (!force) return;
      if (needs_signature) lines.emplace_back(kRewriteSignature);
      needs_signature = false;
      lines.push_back(std::move(line));
      return;
    }
    lines[it->second.front()] = std::move(line);
    it->second.pop_front();
    if (it->second.empty()) option_lines.erase(it);
  }
};

// Reads the old file into lines. Lines we cannot parse, or whose directive we do not know, become
// "# ??? <line>" comments, as in Redis 7.2.
bool ReadOldConfig(const std::string& path, RewriteState* state) {
  std::string content;
  if (!ReadFile(path, &content) && errno != ENOENT) return false;
  for (const std::string_view raw : SplitOn(content, '\n')) {
    const std::string_view line = TrimChars(raw, "\r\n\t ");
    if (line.empty() || line[0] == '#') {
      if (line == kRewriteSignature) state->needs_signature = false;
      state->lines.emplace_back(line);
      continue;
    }
    const auto argv = SplitConfigArgs(line);
    if (!argv || argv->empty() || FindParam((*argv)[0], /*include_file_only=*/true) == nullptr) {
      state->lines.push_back(StrCat("# ??? ", line));
      continue;
    }
    // Under the row's name: an alias line is rewritten as the name (Redis's
    // rewriteConfigRewriteLine).
    const ParamSpec* spec = FindParam((*argv)[0], /*include_file_only=*/true);
    state->option_lines[AsciiStrToLower(spec->name)].push_back(state->lines.size());
    state->lines.emplace_back(line);
  }
  return true;
}

// Replaces `path` atomically, as Redis does: a temporary file in the same directory, fsync, mode
// 0644 minus the umask, rename.
bool WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return false;
  size_t off = 0;
  bool ok = true;
  while (ok && off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += static_cast<size_t>(n);
  }
  // The process umask, read without changing it: umask() would race with other threads creating
  // files.
  mode_t mask = 022;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("Umask:")) mask = static_cast<mode_t>(std::strtol(&line[6], nullptr, 8));
  }
  ok = ok && ::fsync(fd) == 0 && ::fchmod(fd, 0644 & ~mask) == 0 &&
       ::rename(tmp.c_str(), path.c_str()) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) ::unlink(tmp.c_str());
  errno = saved_errno;
  return ok;
}

}  // namespace

absl::Status Config::Rewrite() {
  std::lock_guard write_lock(write_mu_);
  const std::string path = config_file();
  if (path.empty()) {
    return absl::FailedPreconditionError("ERR The server is running without a config file");
  }
  RewriteState state;
  if (!ReadOldConfig(path, &state)) {
    const std::string reason = std::strerror(errno);
    Log(LogLevel::kWarning, StrCat("CONFIG REWRITE failed: ", reason));
    return absl::InternalError(StrCat("ERR Rewriting config file: ", reason));
  }
  if (user_lines_) {
    // rewriteConfigUserOption: the ACL's users replace the file's `user` lines (none with an aclfile).
    state.processed.insert("user");
    for (std::string& line : user_lines_()) state.Rewrite("user", std::move(line), /*force=*/true);
  }
  for (const ParamSpec& spec : ParamTable()) {
    if (spec.flags & kParamFileOnly) continue;  // include / rename-command lines stay as they are
    RewriteLine rewrite =
        ParamRewriteLine(spec, Current(spec), defaults_[static_cast<size_t>(spec.id)]);
    if (rewrite.line) {
      state.Rewrite(std::string(spec.name), std::move(*rewrite.line), rewrite.force);
    } else {
      state.processed.insert(std::string(spec.name));  // unset: its old lines are removed
    }
  }
  // Old lines of rewritten directives that were not reused (a second `loglevel` line) become blank.
  for (const auto& [option, indexes] : state.option_lines) {
    if (!state.processed.contains(option)) continue;
    for (const size_t index : indexes) state.lines[index].clear();
  }
  std::string content;
  bool was_empty = false;
  for (const std::string& line : state.lines) {
    if (line.empty() && was_empty) continue;  // runs of blank lines become one
    was_empty = line.empty();
    StrAppend(&content, line, "\n");
  }
  if (!WriteFileAtomically(path, content)) {
    const std::string reason = std::strerror(errno);
    Log(LogLevel::kWarning, StrCat("CONFIG REWRITE failed: ", reason));
    return absl::InternalError(StrCat("ERR Rewriting config file: ", reason));
  }
  Log(LogLevel::kWarning, "CONFIG REWRITE executed with success.");
  return absl::OkStatus();
}

}  // namespace sessionkv::server
