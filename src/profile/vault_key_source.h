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

  // `passphrase` is called at most once, when a key is first needed.
  VaultKeySource(Profile profile, PassphraseProvider passphrase)
      : profile_(std::move(profile)), passphrase_(std::move(passphrase)) {}

  Result<pki::PrivateKey> PrivateKeyFor(const pki::Certificate& cert) override;

 private:
  Profile profile_;
  PassphraseProvider passphrase_;
  std::optional<keys::Vault> vault_;
};

}  // namespace sealpost::profile
