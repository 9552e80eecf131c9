// SPDX-License-Identifier: Apache-2.0
// The CLI's command handlers; each returns the process exit code.
#pragma once

#include <string>

#include "cli/cli_common.h"

namespace sealpost::cli {

int RunTransform(const Options& o, const std::string& command);  // sign, encrypt, protect, decrypt
int RunExamine(const Options& o, bool is_read);                  // verify, read
int RunVerifyMailbox(const Options& o);                          // verify --maildir
int RunIdentityAdd(const Options& o);
int RunCertImport(const Options& o);
int RunCertList(const Options& o);
int RunCertShow(const Options& o);
int RunCertRemove(const Options& o);
int RunCertExport(const Options& o);
int RunTrustAdd(const Options& o);
int RunTrustList(const Options& o);
int RunTrustRemove(const Options& o);
int RunChangePassphrase(const Options& o);
int RunKeystoreUnlock(const Options& o);
int RunKeystoreLock(const Options& o);
int RunCertRequest(const Options& o);
int RunCertImportIssued(const Options& o);
int RunContactsAdd(const Options& o);
int RunContactsList(const Options& o);
int RunContactsRemove(const Options& o);
int RunLookup(const Options& o);
int RunSecretSet(const Options& o);
int RunPolicyShow(const Options& o);
int RunPolicySet(const Options& o);
int RunSettingsShow(const Options& o);
int RunSettingsSet(const Options& o);

}  // namespace sealpost::cli
