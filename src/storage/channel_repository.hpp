#pragma once
// Notification channels (product.md §9). Secret settings are sealed with
// the SecretBox before they are written and opened only by resolve() (for
// sending) and by update() (to keep the ones a PATCH does not change):
// every other call, and everything the API serializes, sees "***".
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "crypto/secret_box.hpp"
#include "domain/audit.hpp"
#include "domain/channel.hpp"
#include "storage/database.hpp"

namespace sentinel::storage {

class ChannelRepository {
 public:
  ChannelRepository(Database& db, const crypto::SecretBox& box, core::Clock clock)
      : db_(db), box_(box), clock_(std::move(clock)) {}

  // Fails: conflict "Channel with this name already exists"; invalid (422
  // at ["body"]) when domain::max_channels exist already. Audited as
  // channel.create (secrets as "***").
  core::Result<domain::Channel> create(const domain::ChannelCreate& in, const domain::AuditActor& actor);

  core::Result<domain::Channel> get(std::int64_t id);  // not_found "Channel not found"
  std::vector<domain::Channel> list(const domain::ChannelFilter& f);  // by id

  // Applies `patch` to the stored channel (domain::apply_channel_patch) in
  // one transaction. Fails: not_found; invalid (422 from the merge);
  // conflict on a duplicate name, or when a secret the patch keeps cannot
  // be decrypted with the current SECRET_KEY. Audited as channel.update:
  // changed fields as [old, new], each secret set, changed or removed as
  // "settings.<key>": ["***" | null, "***" | null].
  core::Result<domain::Channel> update(std::int64_t id, const domain::ChannelPatch& patch,
                                       const domain::AuditActor& actor);

  // Fails: not_found; conflict {"detail": "channel is used by rules: …"}
  // while a rule's channel_ids names it (the rules are listed, at most 10
  // by name). Audited as channel.delete.
  core::Result<void> remove(std::int64_t id, const domain::AuditActor& actor);

  // For the notifier: the channel with every setting in clear, read now (a
  // secret changed since an alert fired is used). Fails: not_found
  // "Channel not found" (deleted meanwhile); internal "cannot decrypt a
  // stored secret: …" when SECRET_KEY changed without `sentinel channels
  // rekey` or the row was altered (the detail never holds a secret).
  core::Result<domain::ResolvedChannel> resolve(std::int64_t id);

  // The ids among `ids` that name no channel (a rule's 422).
  std::vector<std::int64_t> missing(const std::vector<std::int64_t>& ids);

 private:
  Database& db_;
  const crypto::SecretBox& box_;
  core::Clock clock_;
};

// `sentinel channels rekey`: opens every channel's secrets with `old_box`
// and seals them again with `new_box`, in one transaction (all or nothing).
// A row that `new_box` already opens is left as it is, so running it twice
// is harmless. Fails (changing nothing) when a row opens with neither key.
// Each re-sealed channel is audited as channel.rekey.
struct RekeyReport {
  std::size_t rekeyed = 0;
  std::size_t already_current = 0;
};
core::Result<RekeyReport> rekey_channels(Database& db, const crypto::SecretBox& old_box,
                                         const crypto::SecretBox& new_box, const domain::AuditActor& actor,
                                         core::Timestamp now);

}  // namespace sentinel::storage
