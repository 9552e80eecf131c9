// SPDX-License-Identifier: Apache-2.0
// secret set: passwords the client needs (the directory bind password), kept in the vault.
#include <iostream>

#include "cli/commands.h"
#include "cli/prompt.h"
#include "cli/recipients.h"

namespace sealpost::cli {

int RunSecretSet(const Options& o) {
  auto run = [&]() -> Status {
    if (o.secret_name != "ldap_bind_password")
      return Error(ErrorCode::kInvalidArgument, "unknown secret '" + o.secret_name + "' (known: ldap_bind_password)");
    ASSIGN_OR_RETURN(SecretBytes value, ReadSecret(o.password_file, "Value for " + o.secret_name + ": "));
    if (value.empty()) return Error(ErrorCode::kInvalidArgument, "the secret must not be empty");
    ASSIGN_OR_RETURN(profile::Profile p, OpenProfile(o));
    ASSIGN_OR_RETURN(keys::Vault vault, OpenOrCreateVault(o, p));
    return vault.PutWithId(kLdapBindPasswordId, "secret", o.secret_name, value);
  };
  if (auto st = run(); !st) return Fail(st.error(), o.verbose);
  std::cout << "Stored " << o.secret_name << " in the vault\n";
  return kExitGood;
}

}  // namespace sealpost::cli
