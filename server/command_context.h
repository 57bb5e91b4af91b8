// SPDX-License-Identifier: Apache-2.0
// What a command handler gets (style.md pattern 4): its arguments, a reply writer, the selected database
// (the shards of its keys already locked), the client's state and the server's shared services.
//
//   void CmdGet(CommandContext& ctx) {
//     storage::Entry* e = ctx.db().FindForRead(ctx.arg(1));
//     ...
//   }
#pragma once

#include <cassert>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "base/strings.h"
#include "protocol/reply_writer.h"
#include "server/arg_cursor.h"
#include "server/client_state.h"
#include "server/command_table.h"
#include "server/notify.h"
#include "server/server_state.h"
#include "storage/keyspace.h"

namespace sessionkv::server {

class CommandContext {
 public:
  CommandContext(const CommandSpec& spec, const std::vector<std::string_view>& args,
                 protocol::ReplyWriter& reply, ClientState& client, ServerState& server)
      : spec_(spec), args_(args), reply_(reply), client_(client), server_(server),
        db_(server.keyspace, client.db, client.sink) {
    assert(client.sink != nullptr && "commands run inside a MutationScope (server/mutation_scope.h)");
    db_.set_touch(!client.no_touch);
  }

  const CommandSpec& spec() const { return spec_; }
  const std::vector<std::string_view>& args() const { return args_; }
  std::string_view arg(size_t i) const { return args_[i]; }
  size_t argc() const { return args_.size(); }
  // A cursor over the arguments from index `pos` (1 = the first argument after the name).
  ArgCursor Cursor(size_t pos = 1) const { return ArgCursor(args_, pos); }

  protocol::ReplyWriter& reply() { return reply_; }
  // The client's selected database.
  storage::Db& db() { return db_; }
  // Another database of the keyspace (MOVE, COPY ... DB); same locking rules.
  storage::Db OtherDb(int index) {
    storage::Db other(server_.keyspace, index, client_.sink);
    other.set_touch(!client_.no_touch);
    return other;
  }
  storage::Keyspace& keyspace() { return server_.keyspace; }
  ClientState& client() { return client_; }
  ServerState& server() { return server_; }

  // Replies with an error line (the text carries its code: "ERR ...", "WRONGTYPE ...").
  void Error(std::string_view message) { reply_.Error(message); }
  void Error(const absl::Status& status) { reply_.Error(FromAbsl(status.message())); }
  // Announces a keyspace event on `key` of the client's database (or of database `db`).
  void Notify(uint32_t klass, std::string_view event, std::string_view key) {
    Notify(klass, event, key, client_.db);
  }
  void Notify(uint32_t klass, std::string_view event, std::string_view key, int db) {
    ++changes_;
    NotifyKeyspaceEvent(server_, klass, event, key, db);
  }
  // Keys this command announced as changed (Notify calls). The dispatcher checks, in debug builds,
  // that a command which announced a change also recorded one.
  int changes() const { return changes_; }
  // For the rare command that announces a change Redis reports although nothing changed (LTRIM of a
  // range that keeps every element): exempts it from that check.
  void DeclareNoMutation() { no_mutation_ = true; }
  bool declared_no_mutation() const { return no_mutation_; }

  // The reply of a HELP subcommand: one status line per element, as Redis's addReplyHelp.
  template <size_t N>
  void ReplyHelp(const std::string_view (&lines)[N]) {
    reply_.ArrayHeader(N);
    for (std::string_view line : lines) reply_.SimpleString(line);
  }

 private:
  const CommandSpec& spec_;
  const std::vector<std::string_view>& args_;
  protocol::ReplyWriter& reply_;
  ClientState& client_;
  ServerState& server_;
  storage::Db db_;
  int changes_ = 0;
  bool no_mutation_ = false;
};

}  // namespace sessionkv::server
