// SPDX-License-Identifier: Apache-2.0
// VaultKeySource: private keys from the profile's vault, unlocked on first use.
#pragma once

#include <functional>
#include <optional>

#include "core/secret_bytes.h"
#include "keys/vault.h"
#include "profile/profile.h"
#include "smime/context.h"

namespace sealpost::profile {

class VaultKeySource final : public smime::KeySource {
 public:
  using PassphraseProvider = std::function<Result<SecretBytes>()>;

  // `passphrase` is called at most once, when a key is first needed, and not at all when
  // the login session holds the vault's unlock key and `use_session` allows it.
  VaultKeySource(Profile profile, PassphraseProvider passphrase, bool use_session = true)
      : profile_(std::move(profile)), passphrase_(std::move(passphrase)), use_session_(use_session) {}

  Result<pki::PrivateKey> PrivateKeyFor(const pki::Certificate& cert) override;

 private:
  Profile profile_;
  PassphraseProvider passphrase_;
  bool use_session_;
  std::optional<keys::Vault> vault_;
};

}  // namespace sealpost::profile
