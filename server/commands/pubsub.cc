// SPDX-License-Identifier: Apache-2.0
// Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB (CHANNELS NUMSUB NUMPAT HELP).
// Confirmations echo the exact channel/pattern bytes: Spring's listener container matches them byte for
// byte and fails its start-up after 2 s without them (spring-session-wire.md section 3.2).
#include <string>
#include <vector>

#include "base/strings.h"
#include "server/command_context.h"
#include "server/commands/families.h"
#include "server/errors.h"

namespace sessionkv::server {

namespace {

// Which kind of subscription a command manages.
struct Kind {
  std::string_view subscribe_word, unsubscribe_word;
  absl::flat_hash_set<std::string> ClientState::*set;
  bool (PubSub::*add)(std::string_view, const PubSub::Subscriber&);
  bool (PubSub::*remove)(std::string_view, uint64_t);
};
constexpr Kind kChannels{"subscribe", "unsubscribe", &ClientState::channels, &PubSub::Subscribe,
                         &PubSub::Unsubscribe};
constexpr Kind kPatterns{"psubscribe", "punsubscribe", &ClientState::patterns, &PubSub::PSubscribe,
                         &PubSub::PUnsubscribe};

void PublishCounts(ClientState& client) {
  client.info->channels.store(static_cast<int>(client.channels.size()), std::memory_order_relaxed);
  client.info->patterns.store(static_cast<int>(client.patterns.size()), std::memory_order_relaxed);
}

// One confirmation: [word, name, subscriptions left] as a push (RESP3) or array (RESP2).
void Confirm(CommandContext& ctx, std::string_view word, const std::string_view* name) {
  protocol::ReplyWriter& w = ctx.reply();
  w.PushHeader(3);
  w.Bulk(word);
  if (name == nullptr) {
    w.Null();
  } else {
    w.Bulk(*name);
  }
  w.Integer(static_cast<int64_t>(ctx.client().subscription_count()));
}

void SubscribeTo(CommandContext& ctx, const Kind& kind) {
  ClientState& client = ctx.client();
  const PubSub::Subscriber self{client.info, ctx.server().clients.Find(client.info->id)};
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const std::string_view name = ctx.arg(i);
    if ((client.*kind.set).emplace(name).second) (ctx.server().pubsub.*kind.add)(name, self);
    PublishCounts(client);
    Confirm(ctx, kind.subscribe_word, &name);
  }
}

void UnsubscribeFrom(CommandContext& ctx, const Kind& kind) {
  ClientState& client = ctx.client();
  std::vector<std::string> names;
  if (ctx.argc() == 1) {
    names.assign((client.*kind.set).begin(), (client.*kind.set).end());
    if (names.empty()) return Confirm(ctx, kind.unsubscribe_word, nullptr);
  } else {
    names.assign(ctx.args().begin() + 1, ctx.args().end());
  }
  for (const std::string& name : names) {
    if ((client.*kind.set).erase(name) > 0) (ctx.server().pubsub.*kind.remove)(name, client.info->id);
    PublishCounts(client);
    const std::string_view view = name;
    Confirm(ctx, kind.unsubscribe_word, &view);
  }
}

void CmdSubscribe(CommandContext& ctx) { SubscribeTo(ctx, kChannels); }
void CmdPSubscribe(CommandContext& ctx) { SubscribeTo(ctx, kPatterns); }
void CmdUnsubscribe(CommandContext& ctx) { UnsubscribeFrom(ctx, kChannels); }
void CmdPUnsubscribe(CommandContext& ctx) { UnsubscribeFrom(ctx, kPatterns); }

void CmdPublish(CommandContext& ctx) { ctx.reply().Integer(ctx.server().pubsub.Publish(ctx.arg(1), ctx.arg(2))); }

void CmdPubsubChannels(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.Error(WrongArityError("pubsub|channels"));
  const std::vector<std::string> channels = ctx.server().pubsub.Channels(ctx.argc() == 3 ? ctx.arg(2) : "");
  ctx.reply().ArrayHeader(channels.size());
  for (const std::string& c : channels) ctx.reply().Bulk(c);
}

void CmdPubsubNumSub(CommandContext& ctx) {
  ctx.reply().MapHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.reply().Bulk(ctx.arg(i));
    ctx.reply().Integer(ctx.server().pubsub.NumSub(ctx.arg(i)));
  }
}

void CmdPubsubNumPat(CommandContext& ctx) { ctx.reply().Integer(ctx.server().pubsub.NumPat()); }

void CmdPubsubHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr KeylessRows Row{.group = "pubsub"};

}  // namespace

void RegisterPubSubCommands(CommandTable& table) {
  table.Add(Row("subscribe", -2, "pubsub noscript loading stale", CmdSubscribe, "2.0.0",
                "Listens for messages published to channels."));
  table.Add(Row("unsubscribe", -1, "pubsub noscript loading stale", CmdUnsubscribe, "2.0.0",
                "Stops listening to messages posted to channels."));
  table.Add(Row("psubscribe", -2, "pubsub noscript loading stale", CmdPSubscribe, "2.0.0",
                "Listens for messages published to channels that match one or more patterns."));
  table.Add(Row("punsubscribe", -1, "pubsub noscript loading stale", CmdPUnsubscribe, "2.0.0",
                "Stops listening to messages published to channels that match one or more patterns."));
  table.Add(Row("publish", 3, "pubsub loading stale fast may_replicate", CmdPublish, "2.0.0",
                "Posts a message to a channel."));
  table.Add({.name = "pubsub", .arity = -2, .group = "pubsub", .since = "2.8.0",
             .summary = "A container for Pub/Sub commands.",
             .subcommands = {
                 Row("channels", -2, "pubsub loading stale", CmdPubsubChannels, "2.8.0",
                     "Returns the active channels."),
                 Row("numsub", -2, "pubsub loading stale", CmdPubsubNumSub, "2.8.0",
                     "Returns a count of subscribers to channels."),
                 Row("numpat", 2, "pubsub loading stale", CmdPubsubNumPat, "2.8.0",
                     "Returns a count of unique pattern subscriptions."),
                 Row("help", 2, "loading stale", CmdPubsubHelp, "6.2.0",
                     "Returns helpful text about the different subcommands."),
             }});
}

}  // namespace sessionkv::server
